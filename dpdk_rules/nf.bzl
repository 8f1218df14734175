"""Macros that turn an NF's sequential C source into all of its Bazel targets.

In nfs/<name>/BUILD.bazel:

    load("//dpdk_rules:nf.bzl", "nf_package")
    nf_package(name = "firewall", srcs = ["firewall.c"])

gives
    :nf                 cc_library with the NF logic (nf_config_parse, nf_state_create, nf_process)
    :sequential         DPDK binary running the NF on one lcore
    :description        the analyzer's NfDescription of the source (text proto)
    :description_test   golden test against the checked-in description.textproto
    :plan               the parallelization Plan, from the checked-in description
    :parallel           DPDK binary with the plan's strategy
    :parallel_shared_nothing  shared-nothing DPDK binary (when shared_nothing = True)
    :parallel_locks     lock-based DPDK binary
    :parallel_tm        transactional-memory DPDK binary
    :inmem              in-memory runtime (software RSS, any strategy, benchmarks)
    :soundness_driver   the NF with every nflib access recorded (tests/soundness)
    :soundness_test     dynamic soundness check of the plan (docs/SOUNDNESS.md)
    :test_spec          what the NF's tests need (with test_spec = {...}: ports and
                        their roles, traffic profiles and shaping, options)
    :matrix_test        the equivalence matrix of the NF (with test_spec; docs/EQUIVALENCE.md)
    :verify             Frama-C WP: nf_process and its helpers free of undefined
                        behaviour, nflib's header contracts met (docs/VERIFICATION.md)

A new NF has no checked-in description.textproto yet: until it has, `:plan` and
`:description_test` fail with the command that writes the first one,

    bazel build //nfs/<name>:description &&
      cp bazel-bin/nfs/<name>/description.generated.textproto nfs/<name>/description.textproto

(review it before checking it in; later changes: the command :description_test prints).

`shared_nothing` states whether the NF's plan allows shared-nothing; code
generation checks the statement against the plan and fails the build, with the
plan's reason, when they disagree.
"""

load("//dpdk_rules:analysis.bzl", "nf_description")
load("//dpdk_rules:nf_verify.bzl", "nf_verify_test")
load("//nflib:verify.bzl", "WP_PASSES")
load("//dpdk_rules:parallel.bzl", "nf_parallel_targets")
load("//parallelizer/cli:plan.bzl", "nf_first_golden", "nf_plan")
load("//tests/equivalence:equivalence.bzl", "nf_test_targets")

def nf_package(
        name,
        srcs,
        hdrs = [],
        deps = [],
        shared_nothing = True,
        hybrid = False,
        analysis_hdrs = [],
        analysis_ports = None,
        plan_cores = None,
        key_length = None,
        reta_size = None,
        traffic_profile = None,
        capacity_headroom = "1",
        lock_free_family = None,
        soundness_args = [],
        test_spec = None,
        verify_manual = None,
        verify_passes = None,
        visibility = ["//visibility:public"]):
    """All targets of one NF; see the module docstring.

    Args:
      name: the NF's name (informational; targets have fixed names).
      srcs: the NF's C sources; the first is the one the analyzer reads.
      hdrs: headers of the NF library.
      deps: extra cc deps of the NF (nflib is implicit).
      shared_nothing: whether the plan allows a shared-nothing build.
      hybrid: whether the plan allows a hybrid build (:parallel_hybrid).
      analysis_hdrs: headers outside nflib that the analyzed source includes.
      analysis_ports: input port count, when nf_port_count is not a constant.
      plan_cores: cores the plan's RETA is spread over (None: the planner's
        default, PlanOptions.cores).
      key_length: RSS key length of the plan in bytes, 40 (ixgbe, mlx5) or 52
        (i40e, ice); None: the planner's default (parallelizer/limits.py).
      reta_size: RETA entries of the plan (64, 128 or 512); None: the
        planner's default.
      traffic_profile: pcaps whose load the plan's RETA balances: {port: pcap}
        or one pcap for port 0 (docs/SHARDING.md, "RETA from a traffic profile").
      capacity_headroom: a string such as "1.5": per-core share of partitioned objects as a multiple of
        capacity / cores (docs/SHARDING.md, "Capacity").
      lock_free_family: "IPV4" or "IPV6" (None: the planner's default, IPV4): when one RSS key
        cannot partition the state of both address families, whose state stays partitioned.
      soundness_args: NF options for :soundness_test when the NF has no test_spec.
      test_spec: what the NF's tests need (tests/equivalence/nf_spec.py): a dict
        with "ports" (role of each port: "client" or "server"), optional
        "profiles", "more_profiles" (added to the profiles), "args",
        "profile_args" ({profile: options}) and "shape".
        Adds :test_spec and :matrix_test (docs/EQUIVALENCE.md).
      verify_manual: why :verify does not pass yet, for an NF whose proof
        waits on annotations or nflib contracts; tags it manual.
      verify_passes: the prover passes of :verify, a struct as
        //nflib:verify.bzl's WP_PASSES (the default) or Z3_FIRST_PASSES.
      visibility: of the public targets.
    """
    # The sources are inputs of analysis-driven tools elsewhere (demo, benchmarks);
    # the checked-in description, of the fuzz oracles (tests/fuzz: rewritten fields).
    native.exports_files(
        srcs + native.glob(["description.textproto"], allow_empty = True),
        visibility = visibility,
    )
    native.cc_library(
        name = "nf",
        srcs = srcs,
        hdrs = hdrs,
        deps = [Label("//nflib")] + deps,
        # Runtimes call the NF's functions; keep them whatever the link order.
        alwayslink = True,
        visibility = visibility,
    )
    nf_dpdk_binary(
        name = "sequential",
        nf = ":nf",
        visibility = visibility,
    )
    # Before the first description is checked in, :plan and :description_test
    # fail naming the command that writes it (plan.bzl).
    nf_first_golden(golden = "description.textproto", description = "description")
    nf_description(
        name = "description",
        src = srcs[0],
        hdrs = analysis_hdrs,
        ports = analysis_ports,
        visibility = visibility,
    )
    nf_plan(
        name = "plan",
        description = "description.textproto",
        cores = plan_cores,
        key_length = key_length,
        reta_size = reta_size,
        traffic_profile = traffic_profile,
        capacity_headroom = capacity_headroom,
        lock_free_family = lock_free_family,
        visibility = visibility,
    )
    nf_parallel_targets(
        nf = ":nf",
        plan = ":plan",
        shared_nothing = shared_nothing,
        hybrid = hybrid,
        visibility = visibility,
    )
    if test_spec != None:
        nf_test_targets(nf = name, spec = test_spec, visibility = visibility)
    nf_verify_test(
        name = "verify",
        src = srcs[0],
        hdrs = hdrs + analysis_hdrs,
        passes = verify_passes or WP_PASSES,
        tags = ["manual"] if verify_manual else [],
        visibility = visibility,
    )
    nf_soundness_test(
        name = name,
        nf = ":nf",
        plan = ":plan",
        nf_args = soundness_args,
        spec = ":test_spec" if test_spec != None else None,
        visibility = visibility,
    )

def nf_soundness_test(name, nf, plan, nf_args = [], spec = None, visibility = None):
    """:soundness_driver (the NF with recorded nflib accesses) and
    :soundness_test (tests/soundness: the plan's partitioning checked on them)."""
    native.cc_binary(
        name = "soundness_driver",
        testonly = True,
        deps = [Label("//tests/soundness:driver"), nf],
        visibility = visibility,
    )
    native.py_test(
        name = "soundness_test",
        size = "small",
        srcs = [Label("//tests/soundness:soundness_main.py")],
        main = Label("//tests/soundness:soundness_main.py"),
        args = [
            "--nf=" + name,
            "--driver=$(rootpath :soundness_driver)",
            "--plan=$(rootpath %s)" % plan,
        ] + ["--nf_arg=" + a for a in nf_args],
        # The spec (when there is one) gives the options and traffic shaping.
        data = [":soundness_driver", plan] + ([spec] if spec else []),
        python_version = "PY3",
        deps = [Label("//tests/soundness:soundness_lib")],
    )

def nf_dpdk_binary(name, nf, visibility = None):
    """A DPDK binary running `nf` (a cc_library implementing nflib/nf.h) on one lcore."""
    native.cc_binary(
        name = name,
        deps = [
            Label("//dpdk_rules/runtime:sequential_main"),
            nf,
        ],
        visibility = visibility,
    )
