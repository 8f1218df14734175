"""Repositories this project needs from the machine: DPDK and the Python venv.

Call nfpar_dependencies() from a WORKSPACE (ours, or one that vendors this repo),
then register_toolchains("@nfpar_python//:python_toolchain").
"""

load("//dpdk_rules:dpdk.bzl", "dpdk_configure")
load("//dpdk_rules:python.bzl", "python_venv")

def nfpar_dependencies():
    if not native.existing_rule("dpdk"):
        dpdk_configure(name = "dpdk")
    if not native.existing_rule("nfpar_python"):
        python_venv(name = "nfpar_python")
