"""nf_plan: the parallelization plan of an NF from its description.

In nfs/<name>/BUILD.bazel (next to nf_description):

    load("//parallelizer/cli:plan.bzl", "nf_plan")
    nf_plan(name = "plan", description = "description.textproto")

gives :plan, a genrule writing plan.textproto (nfpar.Plan) with the planner's
summary on failure only.
"""

def nf_plan(name, description, strategy = "auto", key_length = 52, reta_size = 512, cores = 16, seed = 1,
            testonly = False, visibility = None):
    tool = Label("//parallelizer/cli:plan")
    flags = " --strategy=%s --key_length=%d --reta_size=%d --cores=%d --seed=%d" % (
        strategy,
        key_length,
        reta_size,
        cores,
        seed,
    )
    native.genrule(
        name = name,
        srcs = [description],
        outs = [name + ".textproto"],
        cmd = ("log=$$($(location %s) --description=$(location %s) --out=$@%s 2>&1) || " % (tool, description, flags) +
               "{ echo \"$$log\" >&2; exit 2; }"),
        tools = [tool],
        testonly = testonly,
        visibility = visibility,
    )
