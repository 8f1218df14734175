"""nf_description: the analyzer's description of an NF, and its golden test.

In nfs/<name>/BUILD.bazel:

    load("//dpdk_rules:analysis.bzl", "nf_description")
    nf_description(name = "description", src = "firewall.c")

gives
    :description       genrule running //parallelizer/cli:analyze on src;
                       output description.generated.textproto (nfpar.NfDescription)
    :description_test  fails, with a diff and the command that regenerates it, when
                       the output differs from the checked-in description.textproto
"""

def nf_description(name, src, hdrs = [], golden = None, ports = None, config = [], visibility = None):
    """Analyzes `src` (a C file of this package) into `name`.generated.textproto.

    Args:
      name: target name; the golden file defaults to `name`.textproto.
      src: the NF's C source.
      hdrs: headers the source includes besides nflib's (e.g. //nfs/common:options.h).
      golden: the checked-in expected text proto.
      ports: input port count when nf_port_count is not constant.
      config: config overrides "FIELD=VALUE" (e.g. a required option's value).
      visibility: of the genrule.
    """
    golden = golden or name + ".textproto"
    out = name + ".generated.textproto"
    analyzer = Label("//parallelizer/cli:analyze")
    flags = ""
    if ports != None:
        flags += " --ports=%d" % ports
    for item in config:
        flags += " --config=" + item

    # The analyzer runs from the root of the NF's repository, so descriptions name
    # sources workspace-relative (nfs/nat/nat.c:204:10) whether this package is in
    # the main workspace or vendored (external/nfpar/...), and goldens match.
    # nflib's headers come from nfpar's root, wherever that is.
    package_root = _repository_root(native.repository_name())
    nflib_root = Label("//nflib:nf.h").workspace_root or "."
    if package_root == ".":
        nflib_dir = nflib_root
    else:
        nflib_dir = "$$execroot/" + nflib_root
    native.genrule(
        name = name,
        srcs = [src] + hdrs + [Label("//parallelizer/analysis:nflib_headers")],
        outs = [out],
        # The analyzer's summary line goes to stderr; show it only on failure.
        cmd = ("execroot=$$PWD; cd %s && " % package_root +
               "log=$$($$execroot/$(location %s) --src=%s " % (analyzer, _workspace_path(src)) +
               "--out=$$execroot/$@ --include_dir=. --include_dir=%s%s 2>&1) || " % (nflib_dir, flags) +
               "{ echo \"$$log\" >&2; exit 2; }"),
        tools = [analyzer],
        visibility = visibility,
    )
    regen = ("bazel run //parallelizer/cli:analyze -- --src=%s --out=%s" %
             (_workspace_path(src), _workspace_path(golden))) + flags
    native.py_test(
        name = name + "_test",
        size = "small",
        srcs = [Label("//parallelizer/analysis:golden_test.py")],
        main = Label("//parallelizer/analysis:golden_test.py"),
        args = [
            "--generated=$(location :%s)" % name,
            "--golden=$(location %s)" % golden,
            "--regen_command='%s'" % regen,
        ],
        data = [":" + name, golden],
    )


def _workspace_path(label_or_file):
    """Workspace-relative path of a file named by a label or a file of this package."""
    if label_or_file.startswith("//"):
        package, _, name = label_or_file[2:].partition(":")
        return package + "/" + name if package else name
    package = native.package_name()
    return package + "/" + label_or_file if package else label_or_file

def _repository_root(repository_name):
    """Exec-root-relative root of a repository ("@" is the main one)."""
    if repository_name in ("@", ""):
        return "."
    return "external/" + repository_name.lstrip("@")
