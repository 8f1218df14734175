"""nf_plan: the parallelization plan of an NF from its description.

In nfs/<name>/BUILD.bazel (next to nf_description):

    load("//parallelizer/cli:plan.bzl", "nf_plan")
    nf_plan(name = "plan", description = "description.textproto")

gives :plan, a genrule writing plan.textproto (nfpar.Plan) with the planner's
summary on failure only.

`traffic_profile` makes the plan's RETA balance measured load
(docs/SHARDING.md, "RETA from a traffic profile"): a dict {port: pcap} of the
packets arriving on each NF input port, or one pcap (a string) for port 0.
`capacity_headroom` (a string: Bazel 4 has no floats, e.g. "1.5") sizes each core's share of partitioned objects at
headroom x capacity / cores (docs/SHARDING.md, "Capacity").
`key_length`, `reta_size` and `cores` left at None take the planner's defaults
(parallelizer/limits.py: DEFAULT_KEY_LENGTH, DEFAULT_RETA_SIZE; PlanOptions.cores),
so each default has one owner; a NIC with 40-byte keys (ixgbe, mlx5) wants
key_length = 40.
`lock_free_family` ("IPV4" or "IPV6"; None: the planner's default, IPV4): when
one RSS key cannot partition the state of both address families, whose state
stays partitioned (docs/SHARDING.md, "IPv6").
"""

def _profiles(traffic_profile):
    """{port: label} from a dict or a single label (port 0)."""
    if traffic_profile == None:
        return {}
    if type(traffic_profile) == type(""):
        return {0: traffic_profile}
    return {int(port): label for port, label in traffic_profile.items()}

def nf_plan(name, description, strategy = "auto", key_length = None, reta_size = None, cores = None, seed = 1,
            traffic_profile = None, capacity_headroom = "1", lock_free_family = None, testonly = False,
            visibility = None):
    tool = Label("//parallelizer/cli:plan")
    profiles = _profiles(traffic_profile)
    flags = " --strategy=%s --seed=%d --capacity_headroom=%s" % (strategy, seed, capacity_headroom)
    for flag, value in [("key_length", key_length), ("reta_size", reta_size), ("cores", cores)]:
        if value != None:
            flags += " --%s=%d" % (flag, value)
    if lock_free_family != None:
        flags += " --lock_free_family=%s" % lock_free_family
    for port, label in sorted(profiles.items()):
        flags += " --traffic_profile=%d:$(location %s)" % (port, label)
    native.genrule(
        name = name,
        srcs = [description] + [label for _, label in sorted(profiles.items())],
        outs = [name + ".textproto"],
        cmd = ("log=$$($(location %s) --description=$(location %s) --out=$@%s 2>&1) || " % (tool, description, flags) +
               "{ echo \"$$log\" >&2; exit 2; }"),
        tools = [tool],
        testonly = testonly,
        visibility = visibility,
    )

def nf_first_golden(golden, description):
    """Stands in for a missing checked-in description: when `golden` (a file
    of this package) does not exist yet, a genrule of that name fails with the
    command that writes the first one, so `:plan` and `:description_test`
    stop at a message instead of Bazel's bare "missing input file" (Bazel 4
    cannot attach a message to a missing source file). Once the file is
    checked in, the glob finds it and this adds nothing.

    Args:
      golden: the checked-in description's file name (e.g. description.textproto).
      description: name of the nf_description target that analyzes the source.
    """
    if native.glob([golden], allow_empty = True):
        return
    package = native.package_name()
    command = "bazel build //{p}:{d} && cp bazel-bin/{p}/{d}.generated.textproto {p}/{g}".format(
        p = package,
        d = description,
        g = golden,
    )
    native.genrule(
        name = golden.replace(".", "_") + "_missing",
        outs = [golden],
        cmd = "echo '%s' >&2; exit 1" % (
            "%s/%s is missing: the plan of an NF is made from its checked-in description. " % (package, golden) +
            "Write the first one from the analysis, review it and check it in: " + command
        ),
    )
