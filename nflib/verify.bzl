"""wp_verify_test: Frama-C WP on one nflib source file (see docs/VERIFICATION.md)."""

load(":testing.bzl", "NFLIB_HDRS", "NFLIB_SRCS")

def wp_verify_test(name, source, functions, lemmas = [], model = "Typed", provers = ["z3", "cvc4"], timeout_s = 60, **kwargs):
    """A py_test that fails unless WP proves every goal of `functions` in `source`.

    Args:
      name: test name.
      source: the C file (in this package) whose functions are proved.
      functions: the functions in scope (-wp-fct); each must yield goals.
      lemmas: ACSL lemmas of `source` to prove as well (-wp-fct leaves them out).
      model: WP memory model (-wp-model).
      provers: why3 provers WP races on each goal (-wp-prover). Naming one
        prover lets -wp-par 2 run two goals at once instead of racing two
        provers on one; where z3 only gives up on the quantified link
        invariants (dchain), cvc4 alone is 3x faster.
      timeout_s: per-goal prover timeout in seconds. The goals take seconds
        on an idle machine (docs/VERIFICATION.md); 60 s leaves room for a loaded one
        (with the old 20 s, token_bucket's credit goal and a types assertion
        timed out when two Bazel servers shared 2 cores). A goal that is not
        provable fails either way.
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
            "--provers=" + ",".join(provers),
            "--timeout=%d" % timeout_s,
        ],
        data = NFLIB_SRCS + NFLIB_HDRS,
        deps = [Label("//testing:nfpar_runfiles")],
        size = "large",
        # Each run uses both cores (-wp-par 2): reserving them keeps two
        # proofs from starving each other's provers into timeouts.
        tags = ["wp", "cpu:2"],
        **kwargs
    )
