"""wp_verify_test: Frama-C WP on one nflib source file (see docs/VERIFICATION.md)."""

load(":testing.bzl", "NFLIB_HDRS", "NFLIB_SRCS")

# The prover passes of every NF's :verify (//dpdk_rules:nf_verify.bzl) and
# of tests/verify: cvc4 alone for 20 s on every goal, then z3 alone for 40 s
# on what cvc4 left (each prover only on the goals the pass before it left,
# never racing another). Measured 2026-12-04 in Bazel (docs/VERIFICATION.md,
# "Proof time"): against z3 first (Z3_FIRST_PASSES), hhh 151 s WP CPU
# against 1473 s, udp_port_limiter 49 s wall against 352 s, policer 70 s
# against 206 s: z3 fails or times out on many goals of the NF proofs that
# cvc4 proves in under a second.
WP_PASSES = struct(
    provers = ["cvc4"],
    timeout_s = 20,
    fallback_provers = ["z3"],
    fallback_timeout_s = 40,
)

# The default before 2026-12-04, for an NF whose goals z3 proves and cvc4
# does not (nf_package's verify_passes): z3 10 s, then cvc4 alone 60 s, then
# z3 alone 60 s.
Z3_FIRST_PASSES = struct(
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

# WP_PASSES with 60 s for cvc4's pass: for an NF with a goal cvc4 proves
# only after 20 s (load_balancer: from_client6's nf_pkt_set_ipv6_dst
# precondition took cvc4 23 s under load; z3 does not prove it in 40 s).
WP_PASSES_CVC4_60 = struct(
    provers = ["cvc4"],
    timeout_s = 60,
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
