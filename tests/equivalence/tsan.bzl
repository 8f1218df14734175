"""ThreadSanitizer builds of existing binaries: `tsan_binary` rebuilds a
cc_binary (and everything it links: runtime, NF, nflib) with
-fsanitize=thread through a configuration transition, and exposes it as an
executable. No change to the runtime's own BUILD files is needed."""

def _tsan_transition_impl(settings, attr):
    return {
        "//command_line_option:copt": settings["//command_line_option:copt"] + ["-fsanitize=thread", "-g", "-O1"],
        "//command_line_option:linkopt": settings["//command_line_option:linkopt"] + ["-fsanitize=thread"],
    }

_tsan_transition = transition(
    implementation = _tsan_transition_impl,
    inputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
    outputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
)

def _tsan_binary_impl(ctx):
    binary = ctx.attr.binary[0][DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = binary, is_executable = True)
    return [DefaultInfo(executable = out, files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

tsan_binary = rule(
    implementation = _tsan_binary_impl,
    attrs = {
        "binary": attr.label(cfg = _tsan_transition, executable = True, mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    executable = True,
)
