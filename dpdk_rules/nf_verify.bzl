"""nf_verify_test: an NF's packet path free of undefined behaviour (docs/VERIFICATION.md).

nf_package makes `:verify` for every NF: Frama-C WP with -wp-rte on the NF's
nf_process and every function of its source that nf_process calls, directly or
not (Frama-C's call graph). So the packet path must be free of out-of-bounds accesses, signed
overflow, invalid shifts and division by zero, and every nflib call must meet
the contract in nflib's headers (nflib's .c files are not read: the
headers' contracts are the specification of the calls; nflib's own proofs are
//nflib:verify). An NF states what its state holds between packets as an ACSL
predicate on struct nf_state, a `requires` of nf_process, which must also
`ensures` it (so every packet leaves the state as the next one needs it).
"""

load("//nflib:verify.bzl", "WP_PASSES", "wp_prover_args")

_VERIFY_TEST = Label("//nflib:verify_test.py")

# Not in scope: start-up code, not the packet path, and out of WP's reach: the parsers write
# their config through malloc's result, and WP 25 has no allocation model
# (\fresh is ignored, so no write to allocated memory is provable); the option
# messages go through snprintf/fprintf, whose variadic specifications need
# libc's string axioms, on which the provers give up. nf_state_create calls the
# constructors (configuration, like nflib's own *_create, docs/VERIFICATION.md).
# (nf_config_parse, nf_config_usage, nf_port_count, nf_state_create).

def nf_verify_test(name, src, hdrs = [], roots = ["nf_process"], model = "Typed+cast", passes = WP_PASSES, tags = [], visibility = None):
    """A py_test that fails unless WP proves every goal of `roots` and their callees in `src`.

    Args:
      name: test name (nf_package: "verify").
      src: the NF's C source (a file of this package).
      hdrs: headers `src` includes besides nflib's (e.g. //nfs/common:options.h).
      roots: the functions proved with every function of `src` they call.
      model: WP memory model; Typed+cast: NFs pass their key structs to nflib
        as `void *`, which the contracts read as uint8_t.
      passes: the prover passes (nflib/verify.bzl: WP_PASSES, cvc4 first,
        or Z3_FIRST_PASSES for an NF whose goals z3 proves and cvc4 does not).
      tags: extra tags ("manual" for an NF whose proof does not pass yet).
      visibility: of the test.
    """
    native.py_test(
        name = name,
        srcs = [_VERIFY_TEST],
        main = _VERIFY_TEST,
        args = [
            "--source=$(rootpath %s)" % src,
            "--roots=" + ",".join(roots),
            "--model=" + model,
        ] + wp_prover_args(passes),
        data = [src] + hdrs + [Label("//nflib:headers")],
        deps = [Label("//testing:nfpar_runfiles")],
        size = "large",
        # Two provers at once (-wp-par 2); see nflib/verify.bzl.
        tags = ["wp", "cpu:2"] + tags,
        visibility = visibility,
    )
