"""wp_verify_test: Frama-C WP on one nflib source file (see docs/VERIFICATION.md)."""

load(":testing.bzl", "NFLIB_HDRS", "NFLIB_SRCS")

# The prover passes of every proof that does not say otherwise (nflib's
# targets here, every NF's :verify in //dpdk_rules:nf_verify.bzl): z3 for
# 10 s on every goal, then cvc4 alone for 60 s on what z3 left, then z3
# alone for 60 s on what both left. Each prover runs only on the goals the
# passes before it left, never racing another (docs/VERIFICATION.md, "Proof
# time": firewall3 198 s -> 67 s CPU against z3 10 s then a z3+cvc4 race).
WP_PASSES = struct(
    provers = ["z3"],
    timeout_s = 10,
    fallback_provers = ["cvc4", "z3"],
    fallback_timeout_s = 60,
)

def wp_prover_args(
        provers = WP_PASSES.provers,
        timeout_s = WP_PASSES.timeout_s,
        fallback_provers = WP_PASSES.fallback_provers,
        fallback_timeout_s = WP_PASSES.fallback_timeout_s):
    """verify_test.py's arguments for these passes (default: WP_PASSES)."""
    return [
        "--provers=" + ",".join(provers),
        "--timeout=%d" % timeout_s,
        "--fallback_provers=" + ",".join(fallback_provers),
        "--fallback_timeout=%d" % fallback_timeout_s,
    ]

def wp_verify_test(
        name,
        source,
        functions,
        lemmas = [],
        model = "Typed",
        provers = WP_PASSES.provers,
        timeout_s = WP_PASSES.timeout_s,
        fallback_provers = WP_PASSES.fallback_provers,
        fallback_timeout_s = WP_PASSES.fallback_timeout_s,
        **kwargs):
    """A py_test that fails unless WP proves every goal of `functions` in `source`.

    Args:
      name: test name.
      source: the C file (in this package) whose functions are proved.
      functions: the functions in scope (-wp-fct); each must yield goals.
      lemmas: ACSL lemmas of `source` to prove as well (-wp-fct leaves them out).
      model: WP memory model (-wp-model).
      provers: why3 provers of the first pass (-wp-prover; several race
        on each goal). One prover lets -wp-par 2 run two goals at once
        instead of racing two provers on one.
      timeout_s: the first pass's per-goal timeout in seconds: short, since
        the fallback passes retry what it leaves.
      fallback_provers: one further pass per prover, each alone on the goals
        the passes before it left (verify_test.py --fallback_provers): z3
        10 s, then cvc4, then z3 with more time costs less CPU than racing
        both at 60 s on every goal (docs/VERIFICATION.md, "Proof time").
        [] where one prover alone proves everything (dchain: z3 only gives
        up on the quantified link invariants).
      fallback_timeout_s: their per-goal timeout. The goals take seconds on
        an idle machine; 60 s leaves room for a loaded one (with the old
        20 s, token_bucket's credit goal and a types assertion timed out
        when two Bazel servers shared 2 cores). A goal that is not provable
        fails either way.
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
        ] + wp_prover_args(provers, timeout_s, fallback_provers, fallback_timeout_s),
        data = NFLIB_SRCS + NFLIB_HDRS,
        deps = [Label("//testing:nfpar_runfiles")],
        size = "large",
        # Each run uses both cores (-wp-par 2): reserving them keeps two
        # proofs from starving each other's provers into timeouts.
        tags = ["wp", "cpu:2"],
        **kwargs
    )
