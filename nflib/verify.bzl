"""wp_verify_test: Frama-C WP on one nflib source file (see docs/VERIFICATION.md)."""

load(":testing.bzl", "NFLIB_HDRS", "NFLIB_SRCS")

# The prover passes of every NF's :verify (//dpdk_rules:nf_verify.bzl) and
# of tests/verify: z3 for 10 s on every goal, then cvc4 alone for 60 s on
# what z3 left, then z3 alone for 60 s on what both left. Each prover runs
# only on the goals the passes before it left, never racing another
# (docs/VERIFICATION.md, "Proof time"). nflib's own targets race z3 and
# cvc4 instead (NFLIB_PASSES below).
WP_PASSES = struct(
    provers = ["z3"],
    timeout_s = 10,
    fallback_provers = ["cvc4", "z3"],
    fallback_timeout_s = 60,
)

# nflib's targets: z3 and cvc4 race on every goal, 60 s. Measured in a full
# `bazel test //...` (docs/VERIFICATION.md, "Proof time"): with WP_PASSES,
# verify_map took 689 s against 219 s with the race (58 goals on which z3
# runs out its 10 s and cvc4 then needs 0.3 s; and each further pass makes
# WP generate the scope's goals again).
NFLIB_PASSES = struct(
    provers = ["z3", "cvc4"],
    timeout_s = 60,
    fallback_provers = [],
    fallback_timeout_s = 60,
)

# For an NF whose goals z3 mostly leaves to the fallback (nf_package's
# verify_passes): cvc4 alone for 20 s, then z3 alone for 40 s on what cvc4
# left. Measured on port_scan (docs/VERIFICATION.md, per-NF table): with
# WP_PASSES z3 ran out its 10 s on 54 of the first 157 goals, so the run
# took about 40 min, past `size = "large"`'s limit; cvc4 first, 9 min.
CVC4_FIRST_PASSES = struct(
    provers = ["cvc4"],
    timeout_s = 20,
    fallback_provers = ["z3"],
    fallback_timeout_s = 40,
)

def wp_prover_args(passes = WP_PASSES):
    """verify_test.py's arguments for `passes` (a struct as WP_PASSES)."""
    return [
        "--provers=" + ",".join(passes.provers),
        "--timeout=%d" % passes.timeout_s,
        "--fallback_provers=" + ",".join(passes.fallback_provers),
        "--fallback_timeout=%d" % passes.fallback_timeout_s,
    ]

def wp_verify_test(
        name,
        source,
        functions,
        lemmas = [],
        model = "Typed",
        provers = NFLIB_PASSES.provers,
        timeout_s = NFLIB_PASSES.timeout_s,
        fallback_provers = NFLIB_PASSES.fallback_provers,
        fallback_timeout_s = NFLIB_PASSES.fallback_timeout_s,
        **kwargs):
    """A py_test that fails unless WP proves every goal of `functions` in `source`.

    Args:
      name: test name.
      source: the C file (in this package) whose functions are proved.
      functions: the functions in scope (-wp-fct); each must yield goals.
      lemmas: ACSL lemmas of `source` to prove as well (-wp-fct leaves them out).
      model: WP memory model (-wp-model).
      provers: why3 provers of the first pass (-wp-prover; several race
        on each goal: the loser is stopped when one proves it). One prover
        lets -wp-par 2 run two goals at once instead of racing two provers
        on one; where z3 only gives up on the quantified link invariants
        (dchain), cvc4 alone is 3x faster.
      timeout_s: the first pass's per-goal timeout in seconds. The goals
        take seconds on an idle machine (docs/VERIFICATION.md); 60 s leaves
        room for a loaded one (with the old 20 s, token_bucket's credit goal
        and a types assertion timed out when two Bazel servers shared 2
        cores). A goal that is not provable fails either way.
      fallback_provers: one further pass per prover, each alone on the goals
        the passes before it left (verify_test.py --fallback_provers);
        none for nflib's targets (NFLIB_PASSES).
      fallback_timeout_s: their per-goal timeout.
      **kwargs: passed to py_test.
    """
    native.py_test(
        name = name,
        srcs = ["verify_test.py"],
        main = "verify_test.py",
        args = [
            "--source=nflib/" + source,
            "--functions=" + ",".join(functions),
            "--lemmas=" + ",".join(lemmas),
            "--model=" + model,
        ] + wp_prover_args(struct(
            provers = provers,
            timeout_s = timeout_s,
            fallback_provers = fallback_provers,
            fallback_timeout_s = fallback_timeout_s,
        )),
        data = NFLIB_SRCS + NFLIB_HDRS,
        deps = [Label("//testing:nfpar_runfiles")],
        size = "large",
        # Each run uses both cores (-wp-par 2): reserving them keeps two
        # proofs from starving each other's provers into timeouts.
        tags = ["wp", "cpu:2"],
        **kwargs
    )
