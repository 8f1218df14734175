"""Macros that turn an NF's sequential C source into its Bazel targets.

In nfs/<name>/BUILD.bazel:

    load("//dpdk_rules:nf.bzl", "nf_package")
    nf_package(name = "firewall", srcs = ["firewall.c"])

gives
    :nf          cc_library with the NF logic (nf_config_parse, nf_state_create, nf_process)
    :sequential  DPDK binary running the NF on one lcore
"""

load("@dpdk//:defs.bzl", "DPDK_COPTS")

def nf_package(name, srcs, hdrs = [], deps = [], visibility = ["//visibility:public"]):
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

def nf_dpdk_binary(name, nf, visibility = None):
    """A DPDK binary running `nf` (a cc_library implementing nflib/nf.h) on one lcore."""
    native.cc_binary(
        name = name,
        deps = [
            nf,
            Label("//dpdk_rules/runtime:sequential_main"),
        ],
        visibility = visibility,
    )
