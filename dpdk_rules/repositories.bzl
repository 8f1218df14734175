"""What a WORKSPACE calls to use nfpar: ours, or one that vendors this repository.

    local_repository(name = "nfpar", path = "third_party/nfpar")
    load("@nfpar//dpdk_rules:repositories.bzl", "nfpar_dependencies", "nfpar_register_toolchains")
    nfpar_dependencies()
    nfpar_register_toolchains()

(the pattern of rules_go's go_rules_dependencies() + go_register_toolchains()).
docs/VENDORING.md lists what the consumer provides and how to override each piece.
"""

load("//dpdk_rules:dpdk.bzl", "dpdk_configure")
load("//dpdk_rules:python.bzl", "python_venv")

# Bazel 4.2.3 (Debian's bazel-bootstrap) declares these repositories in its own
# WORKSPACE suffix as downloads; offline they must be local. Their stand-ins live
# in third_party/bazel/<name> and re-export the native rules.
_BAZEL_STANDINS = ["rules_cc", "rules_java", "remote_coverage_tools"]

def _standin_impl(ctx):
    # The directory of this repository's copy, wherever nfpar sits (main workspace
    # or external/nfpar): a Label resolves against the repository of this file.
    source = ctx.path(ctx.attr.marker).dirname
    for child in source.readdir():
        ctx.symlink(child, child.basename)

_bazel_standin = repository_rule(
    implementation = _standin_impl,
    attrs = {"marker": attr.label(mandatory = True, allow_single_file = True)},
    local = True,
)

def nfpar_dependencies(python_interpreter = None):
    """Declares the repositories nfpar needs, unless the WORKSPACE already has them.

    Args:
      python_interpreter: absolute path of a Python 3 that has requirements.txt
        installed; by default nfpar's own venv (<nfpar>/.venv, made by
        <nfpar>/tools/setup.sh). $NFPAR_PYTHON overrides both.

    Declared:
      @rules_cc, @rules_java, @remote_coverage_tools: offline stand-ins.
      @dpdk: the system DPDK through pkg-config (dpdk_rules/dpdk.bzl). A WORKSPACE
        that declares its own @dpdk must give `//:dpdk` (cc_library) and
        `//:defs.bzl` with DPDK_COPTS and DPDK_VERSION (nflib and the runtimes load it).
      @nfpar_python: the interpreter as a Python toolchain (dpdk_rules/python.bzl).
    """
    for name in _BAZEL_STANDINS:
        if not native.existing_rule(name):
            _bazel_standin(
                name = name,
                marker = Label("//third_party/bazel/%s:WORKSPACE" % name),
            )
    if not native.existing_rule("dpdk"):
        dpdk_configure(name = "dpdk")
    if not native.existing_rule("nfpar_python"):
        python_venv(
            name = "nfpar_python",
            interpreter = python_interpreter or "",
            setup_script = Label("//tools:setup.sh"),
        )

def nfpar_register_toolchains(python = True):
    """Registers nfpar's Python toolchain (an explicit, documented choice).

    Bazel 4 has one Python toolchain per build, so the registered interpreter also
    runs the consumer's own py_binary and py_test targets. It is a plain Python 3
    with nfpar's pins added. To keep your own toolchain instead, pass python = False
    and register yours; its interpreter must then have nfpar's requirements.txt
    installed, or nfpar's tools fail at import (docs/VENDORING.md).
    """
    if python:
        native.register_toolchains("@nfpar_python//:python_toolchain")
