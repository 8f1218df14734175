"""Bazel glue of the equivalence matrix (docs/EQUIVALENCE.md).

nf_package (dpdk_rules/nf.bzl) calls nf_test_targets for an NF that declares
`test_spec`: the NF's package then holds its own :test_spec and :matrix_test,
and tests/equivalence needs no edit per NF."""

def _test_spec_impl(ctx):
    out = ctx.actions.declare_file("test_spec.json")
    ctx.actions.write(out, ctx.attr.content + "\n")
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

_test_spec = rule(
    implementation = _test_spec_impl,
    attrs = {"content": attr.string(mandatory = True)},
)

def nf_test_targets(nf, spec, visibility = None):
    """:test_spec (test_spec.json, read by tests/equivalence/nf_spec.py) and
    :matrix_test (every profile x strategy x worker count of the NF against
    its sequential run) in the calling NF package.

    Args:
      nf: the NF's name (the matrix's and the tools' name for it).
      spec: dict, see tests/equivalence/nf_spec.py (ports, profiles, args,
        profile_args, shape).
      visibility: of :test_spec.
    """
    if type(spec) != "dict" or "ports" not in spec:
        fail("nf_package(test_spec = ...): give a dict with at least \"ports\" (the role of each port, " +
             "\"client\" or \"server\"); see tests/equivalence/nf_spec.py")
    _test_spec(
        name = "test_spec",
        content = json.encode(dict(spec, nf = nf)),
        visibility = visibility,
    )
    native.py_test(
        name = "matrix_test",
        size = "medium",
        srcs = [Label("//tests/equivalence:matrix_test.py")],
        main = Label("//tests/equivalence:matrix_test.py"),
        args = [nf],
        data = [":inmem", ":plan", ":description", ":test_spec"],
        python_version = "PY3",
        deps = [Label("//tests/equivalence:matrix_lib")],
    )
