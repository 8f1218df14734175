"""Runs Frama-C WP (with -wp-rte) on one C source file (an nflib file, or an
NF's source) and fails unless every goal is proved. See docs/VERIFICATION.md.

Usage (from a Bazel test, see nflib/BUILD.bazel and dpdk_rules/nf_verify.bzl):
  verify_test.py --source nflib/packet.c --functions f,g [--model Typed]
  verify_test.py --source nfs/nat/nat.c --skip nf_state_create
Prints a per-function table of goals proved / total, the run time and the CPU
time of Frama-C and its provers (the load-independent cost of the proof).
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

from testing import nfpar_runfiles

# "[wp] [CVC4 1.8] Goal typed_nf_pkt_eth_src_ensures : Valid (...)" and
# "[wp] [Failed] Goal typed_parse_ensures" (details on the next lines).
GOAL_LINE = re.compile(r"^\[wp\] \[(?P<who>[^\]]+)\] Goal (?P<goal>\S+)(?: : (?P<verdict>\w+))?")
SUMMARY = re.compile(r"Proved goals:\s+(\d+)\s*/\s*(\d+)")
# A WP pass's summary names each prover it ran: "  Z3 4.8.12:       0  (failed: 1)".
PASS_START = "[wp] Running WP plugin..."
SUMMARY_PROVER = re.compile(r"^  (?P<prover>[A-Za-z][\w-]*)[^:\n]*:\s+\d+", re.M)
TOOLS = ("frama-c", "why3", "z3", "cvc4")


@dataclass
class FunctionGoals:
    proved: int = 0
    total: int = 0
    unproved: list[str] = field(default_factory=list)


INTERNAL_INCLUDE = re.compile(r'#\s*include\s*["<]nflib/internal\.h[">]')


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--source",
        required=True,
        help="C file: relative to the working directory (the test's repository) or to nfpar's root",
    )
    parser.add_argument(
        "--functions",
        default="",
        help="comma-separated functions to prove, each must yield goals (default: every "
        "function defined in the file but --skip)",
    )
    parser.add_argument("--skip", default="", help="comma-separated functions not to prove")
    parser.add_argument(
        "--roots",
        default="",
        help="comma-separated functions to prove with every function of the file they call, "
        "transitively (Frama-C's call graph); none of them need yield goals",
    )
    parser.add_argument("--model", default="Typed", help="WP memory model (-wp-model)")
    parser.add_argument("--provers", default="z3,cvc4", help="why3 provers (-wp-prover)")
    parser.add_argument(
        "--fallback_provers",
        default="",
        help="comma-separated provers, each alone in its own further WP pass (-then) over the "
        "goals the passes before it left unproved, in this order",
    )
    parser.add_argument(
        "--fallback_timeout", type=int, default=60, help="per-goal timeout of the fallback passes"
    )
    parser.add_argument("--lemmas", default="", help="comma-separated ACSL lemmas to prove too")
    parser.add_argument("--timeout", type=int, default=20, help="per-goal prover timeout, seconds")
    parser.add_argument("--par", type=int, default=2, help="prover processes at once (-wp-par)")
    return parser.parse_args(argv)


def find_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        sys.exit(
            f"verify_test: {', '.join(missing)} not on PATH; run tools/setup.sh "
            "(installs frama-c-base, why3, z3, cvc4)"
        )


def why3_home(tmp: str) -> str:
    """A HOME whose ~/.why3.conf knows z3 and cvc4 (Bazel hides the real HOME)."""
    home = os.path.join(tmp, "home")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home)
    subprocess.run(["why3", "config", "detect"], env=env, check=True, capture_output=True)
    conf = open(os.path.join(home, ".why3.conf")).read()
    for prover in ("Z3", "CVC4"):
        if f'name = "{prover}"' not in conf:
            sys.exit(f"verify_test: `why3 config detect` did not register {prover}:\n{conf}")
    return home


def goal_function(goal: str, functions: list[str]) -> str:
    """The function a WP goal name (typed[_cast]_<function>_<property>) belongs to."""
    name = re.sub(r"^typed(_cast)?_", "", goal)
    matches = [f for f in functions if name == f or name.startswith(f + "_")]
    if matches:
        return max(matches, key=len)
    return "(lemmas and other goals)"


def goal_verdicts(log: str) -> dict[str, bool]:
    """Each goal of one frama-c run: proved by any of its WP passes (-then)."""
    verdicts: dict[str, bool] = {}
    for line in log.splitlines():
        match = GOAL_LINE.match(line)
        if match:
            goal = match["goal"]
            verdicts[goal] = verdicts.get(goal, False) or match["verdict"] == "Valid"
    return verdicts


def is_lemma_goal(goal: str, lemma: str) -> bool:
    """Whether a WP goal name (typed[_cast]_lemma_<name>) is the lemma's."""
    return re.sub(r"^typed(_cast)?_lemma_", "", goal) == lemma and "_lemma_" in goal


def tally(verdicts: dict[str, bool], functions: list[str]) -> dict[str, FunctionGoals]:
    per_function: dict[str, FunctionGoals] = defaultdict(FunctionGoals)
    for goal, valid in verdicts.items():
        entry = per_function[goal_function(goal, functions)]
        entry.total += 1
        if valid:
            entry.proved += 1
        else:
            entry.unproved.append(goal)
    return per_function


def find_source(relative: str) -> tuple[str, list[str]]:
    """The source's absolute path and the include roots: the source's
    repository (the working directory of a test, where an NF of a consumer
    workspace lives) and nfpar's root (nflib/, nfs/common/)."""
    roots = [os.getcwd(), nfpar_runfiles.root()]
    for root in roots:
        if os.path.isfile(os.path.join(root, relative)):
            return os.path.join(root, relative), list(dict.fromkeys(roots))
    sys.exit(f"verify_test: --source {relative}: no such file under {' or '.join(roots)}")


def annotated_functions(log: str) -> set[str]:
    """Functions WP worked on: -wp-rte annotates each one it is given."""
    return set(re.findall(r"^\[rte:annot\] annotating function (\w+)", log, re.MULTILINE))


NODE = re.compile(r'^\s*"(?P<id>UV [^"]+)" \[[^\]]*label="(?P<name>\w+)"[^\]]*style="(?P<style>\w+)"')
EDGE = re.compile(r'^\s*"(?P<caller>UV [^"]+)" -> "(?P<callee>UV [^"]+)"')


def reachable_functions(cpp_args: list[str], roots: list[str], tmp: str, env: dict) -> list[str]:
    """`roots` and the functions defined in the source that they call,
    directly or not: the scope of an NF's proof (nf_process and its helpers)."""
    dot = os.path.join(tmp, "callgraph.dot")
    run = subprocess.run(cpp_args + ["-cg", dot], cwd=tmp, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"verify_test: frama-c -cg failed:\n{run.stdout}{run.stderr}")
    # Node attributes span lines: join each statement (ends with ';').
    statements = " ".join(open(dot).read().split("\n")).split(";")
    names, defined, calls = {}, set(), defaultdict(set)
    for statement in statements:
        if edge := EDGE.match(statement):
            calls[edge["caller"]].add(edge["callee"])
        elif node := NODE.match(statement):
            names[node["id"]] = node["name"]
            if node["style"] == "bold":  # bold: has a body in this file
                defined.add(node["id"])
    ids = {name: node for node, name in names.items()}
    missing = [root for root in roots if ids.get(root) not in defined]
    if missing:
        sys.exit(f"verify_test: --roots {','.join(missing)}: not defined in the source")
    seen, todo = set(), [ids[root] for root in roots]
    while todo:
        node = todo.pop()
        if node in seen or node not in defined:
            continue
        seen.add(node)
        todo.extend(calls[node])
    return sorted(names[node] for node in seen)


def fallback_passes(scope: list[str], first: list[str], fallbacks: list[str], timeout: int) -> list[str]:
    """Frama-C options of one further WP pass per fallback prover.

    Each pass (-then) sees only the goals the passes before it left unproved,
    so a prover that gives up costs only its own time: z3 first, cvc4 only
    where z3 gives up, costs less than racing both on every goal
    (docs/VERIFICATION.md, "Proof time"). -wp-prover is a list option that a
    later pass appends to ("-then -wp-prover cvc4" races z3 again): each pass
    removes the provers of the passes before it ("-z3") and adds its own.
    """
    options: list[str] = []
    running = list(first)
    for prover in fallbacks:
        change = [f"-{old}" for old in running if old != prover] + [f"+{prover}"]
        # -then forgets -wp-skip-fct: the scope is given again.
        options += ["-then", "-wp", *scope, f"-wp-prover={','.join(change)}"]
        options += ["-wp-timeout", str(timeout)]
        running = [prover]
    return options


def provers_per_pass(log: str) -> list[set[str]]:
    """The provers (lower case, "z3") each WP pass of one frama-c run named in its summary."""
    passes = []
    for text in log.split(PASS_START)[1:]:
        summary = text.split("Proved goals:", 1)[1] if "Proved goals:" in text else ""
        named = {m["prover"].lower() for m in SUMMARY_PROVER.finditer(summary)}
        passes.append(named - {"qed"})
    return passes


def pass_mismatches(log: str, expected: list[str]) -> list[str]:
    """Where the passes Frama-C ran are not one prover each as asked: a pass
    that ran a prover it was not given (a list option that a later -then
    appends to instead of replacing makes the fallback a race again)."""
    ran = provers_per_pass(log)
    if len(ran) != len(expected):
        return [f"asked for {len(expected)} WP passes, the log shows {len(ran)}"]
    return [
        f"WP pass {number} ran {', '.join(sorted(named))}, asked for {want}"
        for number, (named, want) in enumerate(zip(ran, expected, strict=False), start=1)
        if not named <= set(want.split(","))
    ]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    find_tools()
    functions = [f for f in args.functions.split(",") if f]
    skipped = [f for f in args.skip.split(",") if f]
    source, roots = find_source(args.source)
    tmp = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    env = dict(os.environ, HOME=why3_home(tmp))
    frama_c = ["frama-c", "-machdep", "gcc_x86_64"]
    frama_c += [f"-cpp-extra-args={' '.join('-I' + root for root in roots)}", source]
    frama_c += ["-wp", "-wp-rte", "-wp-model", args.model, "-wp-par", str(args.par)]

    def wp_with(provers: str, timeout: int) -> list[str]:
        return frama_c + ["-wp-cache", "none", "-wp-prover", provers, "-wp-timeout", str(timeout)]

    base = wp_with(args.provers, args.timeout)

    fallbacks = [prover for prover in args.fallback_provers.split(",") if prover]

    def then_fallback(scope: list[str]) -> list[str]:
        return fallback_passes(scope, args.provers.split(","), fallbacks, args.fallback_timeout)

    if args.roots and INTERNAL_INCLUDE.search(open(source).read()):
        # internal.h makes nf_bytes_readable mean valid bytes (types.h): with an
        # NF's ghost byte assumptions that is a contradiction, and every goal
        # would be proved vacuously.
        print(
            f"verify_test FAILED: {args.source} includes nflib/internal.h, which is nflib's own;"
            " an NF states its byte views with ghost functions (docs/VERIFICATION.md)"
        )
        return 1
    if args.roots:
        functions = reachable_functions(base[:5], args.roots.split(","), tmp, env)
        print("in scope:", ", ".join(functions))
    scope = ["-wp-fct", ",".join(functions)] if functions else []
    scope += ["-wp-skip-fct", ",".join(skipped)] if skipped else []
    lemmas = [lemma for lemma in args.lemmas.split(",") if lemma]
    start = time.monotonic()
    log, returncode, failures = "", 0, []
    verdicts: dict[str, bool] = {}

    def run_wp(cmd: list[str], passes: list[str]) -> dict[str, bool]:
        nonlocal log, returncode
        print("$", " ".join(cmd), flush=True)
        run = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        run_log = run.stdout + run.stderr
        log += run_log
        returncode = returncode or run.returncode
        run_verdicts = goal_verdicts(run_log)
        summary = SUMMARY.search(run_log)
        if summary is None and "No goal generated" in run_log and not run_verdicts:
            pass  # nothing to prove (nop's nf_process reads nothing)
        elif summary is None:
            failures.append("no 'Proved goals: N / M' line in the WP output")
        elif int(summary[2]) != len(run_verdicts):
            failures.append(f"WP scheduled {summary[2]} goals but reported {len(run_verdicts)}")
        failures.extend(pass_mismatches(run_log, passes))
        for goal, valid in run_verdicts.items():
            verdicts[goal] = verdicts.get(goal, False) or valid
        return run_verdicts

    run_wp(base + scope + then_fallback(scope), [args.provers] + fallbacks)
    # -wp-fct leaves lemmas out: they get runs of their own. A -then pass
    # skips the function goals an earlier pass proved but not the lemmas, so
    # each fallback prover runs alone on the lemmas still unproved (with 48
    # lemmas z3 spent minutes failing on lemmas cvc4 had proved in seconds).
    pending = lemmas
    for provers, timeout in [(args.provers, args.timeout)] + [
        (prover, args.fallback_timeout) for prover in fallbacks
    ]:
        if not pending:
            break
        run_verdicts = run_wp(wp_with(provers, timeout) + ["-wp-prop", ",".join(pending)], [provers])
        pending = [
            lemma
            for lemma in pending
            if not all(valid for goal, valid in run_verdicts.items() if is_lemma_goal(goal, lemma))
        ]
    elapsed = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR", tmp), "wp.log"), "w") as f:
        f.write(log)
    in_scope = functions or sorted(annotated_functions(log))
    per_function = tally(verdicts, in_scope + [f"lemma_{lemma}" for lemma in lemmas])

    print(f"{'function':32} {'proved':>7} / {'total':<5}")
    for function in in_scope + sorted(set(per_function) - set(in_scope)):
        goals = per_function.get(function, FunctionGoals())
        print(f"{function:32} {goals.proved:7} / {goals.total:<5}")
    print(f"WP run time: {elapsed:.1f} s")
    # CPU seconds of frama-c and the provers: what a cold run costs,
    # whatever else shares the machine.
    print(f"WP CPU time: {usage.ru_utime + usage.ru_stime:.1f} s")

    if returncode != 0:
        failures.append(f"frama-c exited with status {returncode}")
    proved = sum(verdicts.values())
    print(f"Proved goals: {proved} / {len(verdicts)}")
    if proved != len(verdicts):
        failures.append(f"{len(verdicts) - proved} of {len(verdicts)} goals unproved")
    required = [] if args.roots else functions
    for function in required + [f"lemma_{lemma}" for lemma in lemmas]:
        if per_function.get(function, FunctionGoals()).total == 0:
            failures.append(f"{function}: no goals (misspelt in --functions, or not in {args.source}?)")
    if not in_scope:
        failures.append(f"no function of {args.source} was given to WP")
    unproved = [g for goals in per_function.values() for g in goals.unproved]
    if failures:
        print(log[-20000:])
        print("\nverify_test FAILED:", *failures, sep="\n  ")
        if unproved:
            print("unproved goals:", *unproved, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
