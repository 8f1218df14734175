"""Runs the analyzer CLI of two nfpar checkouts on the same inputs and diffs what
they print, byte for byte: the oracle of an analyzer refactoring ("behaviour
does not change") that does not trust the goldens, which legitimately move.

  git worktree add /tmp/before <commit>
  .venv/bin/python3 tools/analyzer_diff.py --before=/tmp/before --after=.

Inputs: every C file of the NFs (nfs/*/, nfs/testing/*/, examples/consumer/*/),
of the analyzer's and the CLIs' testdata, each analyzed with the default flags
and again with a small path budget (--max_paths=8), so the refusals of bad
inputs are compared too. Both checkouts analyze the sources of --after, from
its root, so file names in descriptions and errors are the same. Compared per
run: exit code, stdout, stderr (the summary line's elapsed seconds masked).
Each checkout's Python protobuf modules come from its own proto/ (protoc).
Exit code 0: identical; 1: some run differs (each printed as a unified diff).
Needs no Bazel, so it runs while others hold the Bazel server."""

from __future__ import annotations

import argparse
import difflib
import glob
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

# Where the analyzer CLI has lived (newest first).
CLI_PATHS = ("parallelizer/cli/analyze_main.py", "parallelizer/analysis/analyze_main.py")
SOURCE_GLOBS = (
    "nfs/*/*.c",
    "nfs/testing/*/*.c",
    "examples/consumer/*/*.c",
    "parallelizer/analysis/testdata/*.c",
    "parallelizer/cli/testdata/*.c",
)
FLAG_SETS = ((), ("--max_paths=8",))
_ELAPSED = re.compile(rb", \d+\.\d+ s$", re.MULTILINE)


def cli_of(root: str) -> str:
    for path in CLI_PATHS:
        if os.path.isfile(os.path.join(root, path)):
            return os.path.join(os.path.abspath(root), path)
    sys.exit(f"error: {root}: no analyzer CLI at {' or '.join(CLI_PATHS)}; pass an nfpar checkout")


def proto_dir(root: str, scratch: str) -> str:
    """A directory holding `proto/*_pb2.py` compiled from root's proto/."""
    out = tempfile.mkdtemp(dir=scratch)
    protos = sorted(glob.glob("proto/*.proto", root_dir=root))
    subprocess.run(["protoc", f"--python_out={out}", *protos], cwd=root, check=True)
    open(os.path.join(out, "proto", "__init__.py"), "w").close()
    return out


def run(root: str, protos: str, cwd: str, src: str, flags: tuple[str, ...]) -> bytes:
    include = os.path.dirname(src)
    argv = [sys.executable, cli_of(root), f"--src={src}", "--include_dir=.", f"--include_dir={include}"]
    env = dict(os.environ, PYTHONPATH=f"{os.path.abspath(root)}:{protos}")
    env.pop("BUILD_WORKSPACE_DIRECTORY", None)
    done = subprocess.run([*argv, *flags], cwd=cwd, env=env, capture_output=True, timeout=900)
    return b"rc=%d\n--- stdout\n%s--- stderr\n%s" % (
        done.returncode,
        done.stdout,
        _ELAPSED.sub(b", <elapsed> s", done.stderr),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True, help="nfpar checkout with the reference analyzer")
    parser.add_argument("--after", required=True, help="nfpar checkout with the analyzer under test")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="analyze only sources whose path contains this")
    args = parser.parse_args()
    for root in (args.before, args.after):
        cli_of(root)
    cwd = os.path.abspath(args.after)
    sources = sorted(
        {s for pattern in SOURCE_GLOBS for s in glob.glob(pattern, root_dir=cwd) if args.only in s}
    )
    if not sources:
        sys.exit(
            f"error: --only={args.only}: no source of {', '.join(SOURCE_GLOBS)} contains it; pass part of a path"
        )
    with tempfile.TemporaryDirectory() as scratch:
        protos = {root: proto_dir(root, scratch) for root in (args.before, args.after)}
        jobs = [(src, flags) for src in sources for flags in FLAG_SETS]

        def both(job: tuple[str, tuple[str, ...]]) -> tuple[bytes, bytes]:
            src, flags = job
            return tuple(run(root, protos[root], cwd, src, flags) for root in (args.before, args.after))

        with ThreadPoolExecutor(args.jobs) as pool:
            outputs = list(pool.map(both, jobs))
    differing = 0
    for (src, flags), (old, new) in zip(jobs, outputs, strict=True):
        name = " ".join((src, *flags))
        if old != new:
            differing += 1
            diff = difflib.unified_diff(
                old.decode(errors="replace").splitlines(),
                new.decode(errors="replace").splitlines(),
                f"before: {name}",
                f"after: {name}",
                lineterm="",
            )
            print("\n".join(diff))
    failed = sum(out.startswith(b"rc=0") is False for out, _ in outputs)
    print(
        f"{len(jobs)} runs ({len(sources)} sources x {len(FLAG_SETS)} flag sets; {failed} refused by "
        f"the reference): {differing} differ",
        file=sys.stderr,
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
