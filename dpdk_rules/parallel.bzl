"""Parallel builds of an NF from its plan (see docs/RUNTIMES.md).

In nfs/<name>/BUILD.bazel, next to nf_package:

    load("//dpdk_rules:parallel.bzl", "nf_parallel_targets")
    nf_parallel_targets(nf = ":nf", plan = ":plan", shared_nothing = True)

gives
    :parallel         DPDK binary running the plan's strategy
    :parallel_shared_nothing  shared-nothing DPDK binary (only with shared_nothing = True)
    :parallel_hybrid  hybrid DPDK binary (only with hybrid = True): partitioned
                      objects per core, the lock only for shared objects
    :parallel_locks   lock-based DPDK binary
    :parallel_tm      transactional-memory DPDK binary (RTM, fallback lock)
    :inmem            in-memory runtime (no DPDK; strategy chosen with --strategy)

`plan` is a Plan text proto (a file or a rule producing one). Since the plan is
made at build time, the NF's BUILD states with `shared_nothing` (`hybrid`)
whether its plan allows shared-nothing (hybrid); if it says True and the plan
disagrees, code generation fails the build with the plan's reason. `prefix` names the targets
<prefix>parallel, ... (for several NFs in one package, e.g. tests).
"""

_CODEGEN = Label("//parallelizer/cli:generate")
_CONFIG_HDR = Label("//dpdk_rules/runtime/parallel:parallel_config")
_DPDK_MAIN = Label("//dpdk_rules/runtime/parallel:dpdk_main")
_INMEM_MAIN = Label("//dpdk_rules/runtime/inmem:inmem_main")

def _config(name, plan, strategy):
    native.genrule(
        name = name + "_c",
        srcs = [plan],
        outs = [name + ".c"],
        tools = [_CODEGEN],
        cmd = "$(location %s) --plan=$(location %s) --out_c=$@%s" % (
            _CODEGEN,
            plan,
            " --strategy=" + strategy if strategy else "",
        ),
    )
    native.cc_library(
        name = name,
        srcs = [name + ".c"],
        deps = [_CONFIG_HDR],
        alwayslink = True,
    )

def nf_parallel_targets(nf = ":nf", plan = ":plan", shared_nothing = True, hybrid = False, prefix = "", visibility = None, tags = []):
    variants = [("parallel", "")]
    if shared_nothing:
        variants.append(("parallel_shared_nothing", "shared_nothing"))
    if hybrid:
        variants.append(("parallel_hybrid", "hybrid"))
    variants += [("parallel_locks", "locks"), ("parallel_tm", "tm")]
    for target, strategy in variants:
        config = "%s%s_config" % (prefix, target)
        _config(config, plan, strategy)
        native.cc_binary(
            name = prefix + target,
            deps = [_DPDK_MAIN, ":" + config, nf],
            visibility = visibility,
            tags = tags,
        )
    native.cc_binary(
        name = prefix + "inmem",
        deps = [_INMEM_MAIN, ":%sparallel_config" % prefix, nf],
        visibility = visibility,
        tags = tags,
    )
