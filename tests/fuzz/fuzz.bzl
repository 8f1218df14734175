"""libFuzzer binaries built with clang under Bazel 4, whose C toolchain is gcc.

`fuzz_binary` compiles its harness sources and, through the `fuzz_objects`
aspect, every C source of its cc_library deps (transitively: an NF's :nf,
//nflib, //nfs/common:options, ...) with clang, libFuzzer's coverage
instrumentation, ASan and UBSan, then links them with libFuzzer. Headers,
include paths and defines come from the libraries' CcInfo; each library is
compiled once and shared by every fuzzer that needs it. clang comes from PATH
(tools/setup.sh installs clang and libclang-rt-14-dev).

`nf_fuzz_test` is the per-NF harness plus its short run in `bazel test`
(tests/fuzz/BUILD.bazel calls it for every NF package; docs/FUZZING.md).
"""

COMPILE_FLAGS = [
    "-std=gnu11",
    "-O1",
    "-g",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer-no-link,address,undefined",
    "-fno-sanitize-recover=all",
]

LINK_FLAGS = ["-fsanitize=fuzzer,address,undefined", "-lm", "-lpthread"]

# nf_fuzz.c's fresh state per input (state_arena.h).
ARENA_LINK_FLAGS = ["-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=free"]

_CLANG = ("command -v clang >/dev/null || { echo 'tests/fuzz: clang not found on PATH: " +
          "run tools/setup.sh (it installs clang and libclang-rt-14-dev)' >&2; exit 1; }; " +
          "exec clang \"$@\"")

FuzzObjectsInfo = provider(
    doc = "Objects of a cc_library and its deps compiled for fuzzing.",
    fields = {"objects": "depset of .o files"},
)

def _compile(ctx, src, out, compilation_context, copts):
    args = ctx.actions.args()
    args.add_all(COMPILE_FLAGS)
    args.add_all(copts)
    args.add("-iquote", ".")
    args.add_all(compilation_context.quote_includes, before_each = "-iquote")
    args.add_all(compilation_context.includes, before_each = "-I")
    args.add_all(compilation_context.system_includes, before_each = "-isystem")
    args.add_all(compilation_context.defines, format_each = "-D%s")
    args.add("-c", src)
    args.add("-o", out)
    ctx.actions.run_shell(
        inputs = depset([src], transitive = [compilation_context.headers]),
        outputs = [out],
        command = _CLANG,
        arguments = [args],
        use_default_shell_env = True,  # clang from PATH
        mnemonic = "FuzzCompile",
        progress_message = "clang (fuzz) %s" % src.short_path,
    )

def _defines(copts):
    # Only the defines of a library's copts: its other flags are gcc's business.
    return [c for c in copts if c.startswith("-D")]

def _fuzz_objects_impl(target, ctx):
    transitive = [d[FuzzObjectsInfo].objects for d in getattr(ctx.rule.attr, "deps", []) if FuzzObjectsInfo in d]
    objects = []
    if ctx.rule.kind == "cc_library" and CcInfo in target:
        for src in ctx.rule.files.srcs:
            if src.extension != "c":
                continue
            out = ctx.actions.declare_file("%s.fuzz/%s.o" % (ctx.label.name, src.basename))
            _compile(ctx, src, out, target[CcInfo].compilation_context, _defines(ctx.rule.attr.copts))
            objects.append(out)
    return [FuzzObjectsInfo(objects = depset(objects, transitive = transitive))]

fuzz_objects = aspect(
    implementation = _fuzz_objects_impl,
    attr_aspects = ["deps"],
    doc = "Compiles the C sources of cc_library targets for fuzzing (see the module docstring).",
)

def _fuzz_binary_impl(ctx):
    contexts = [d[CcInfo].compilation_context for d in ctx.attr.deps]
    merged = cc_common.merge_cc_infos(cc_infos = [d[CcInfo] for d in ctx.attr.deps]).compilation_context
    objects = []
    for src in ctx.files.srcs:
        out = ctx.actions.declare_file("%s.fuzz/%s.o" % (ctx.label.name, src.basename))
        _compile(ctx, src, out, merged, [])
        objects.append(out)
    linked = depset(objects, transitive = [d[FuzzObjectsInfo].objects for d in ctx.attr.deps])
    binary = ctx.actions.declare_file(ctx.label.name)
    args = ctx.actions.args()
    args.add_all(linked)
    args.add_all(LINK_FLAGS + ctx.attr.linkopts)
    args.add("-o", binary)
    ctx.actions.run_shell(
        inputs = linked,
        outputs = [binary],
        command = _CLANG,
        arguments = [args],
        use_default_shell_env = True,
        mnemonic = "FuzzLink",
        progress_message = "clang (fuzz link) %s" % binary.short_path,
    )
    if not contexts:
        fail("fuzz_binary %s: give the libraries under test in deps" % ctx.label)
    return [DefaultInfo(executable = binary, files = depset([binary]))]

fuzz_binary = rule(
    implementation = _fuzz_binary_impl,
    executable = True,
    attrs = {
        "srcs": attr.label_list(allow_files = [".c"], doc = "the harness (defines LLVMFuzzerTestOneInput)"),
        "deps": attr.label_list(aspects = [fuzz_objects], providers = [CcInfo]),
        "linkopts": attr.string_list(),
    },
    doc = "A libFuzzer binary: srcs and every C source of deps compiled with clang (module docstring).",
)

def nf_fuzz_test(package, runs = 20000, spec = True, nf_args = []):
    """:<nf>_fuzzer (nf_fuzz.c linked with <package>:nf) and :<nf>_fuzz_test, its
    short fixed-budget run over the seed corpus (run_fuzz.py).

    The allowed rewrites come from <package>:description.textproto, the NF's
    options from <package>:test_spec (its capacities of the "overflow" profile,
    so exhaustion is reached within an input).

    Args:
      package: the NF's package, e.g. "//nfs/nat".
      runs: libFuzzer executions of the in-test run.
      spec: whether the package declares a test_spec (else no NF options).
      nf_args: NF options added after the spec's (e.g. smaller tables).
    """
    nf = package.rsplit("/", 1)[-1]
    fuzz_binary(
        name = nf + "_fuzzer",
        srcs = ["nf_fuzz.c"],
        deps = [package + ":nf", ":spec_frame", ":state_arena"],
        linkopts = ARENA_LINK_FLAGS,
        testonly = True,
    )
    fuzz_run_test(
        name = nf + "_fuzz_test",
        fuzzer = ":" + nf + "_fuzzer",
        corpus = "corpus/nf",
        runs = runs,
        args = ["--description=$(rootpath %s:description.textproto)" % package] +
               (["--spec=$(rootpath %s:test_spec)" % package] if spec else []) +
               ["--nf_arg=" + a for a in nf_args],
        data = [package + ":description.textproto"] + ([package + ":test_spec"] if spec else []),
    )

def fuzz_run_test(name, fuzzer, corpus, runs, args = [], data = [], expect_crash = None, **kwargs):
    """A py_test running `fuzzer` with -seed=1 -runs=`runs` over the seed corpus
    directory `corpus` (run_fuzz.py); with expect_crash, the run must end in a
    crash whose report names that oracle (a negative control)."""
    native.py_test(
        name = name,
        size = "medium",
        srcs = ["run_fuzz.py"],
        main = "run_fuzz.py",
        args = [
            "--fuzzer=$(rootpath %s)" % fuzzer,
            "--corpus=tests/fuzz/" + corpus,
            "--runs=%d" % runs,
        ] + (["--expect_crash=" + expect_crash] if expect_crash else []) + args,
        data = [fuzzer, ":corpus"] + data,
        python_version = "PY3",
        tags = ["fuzz"],
        deps = [":run_fuzz_lib"],
        **kwargs
    )
