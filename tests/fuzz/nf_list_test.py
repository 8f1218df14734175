"""Every NF package with a checked-in description is fuzzed: the NF packages
of tests/fuzz/BUILD.bazel (NF_PACKAGES, given as arguments) equal the packages
of the source tree whose BUILD.bazel calls nf_package and that have a
description.textproto (an NF without one cannot be planned either; nf.bzl).

The source tree is found through this test's runfile link to tests/fuzz's
BUILD.bazel. Includes a negative control: a list missing a package fails."""

from __future__ import annotations

import os
import sys

from testing import nfpar_runfiles


def nf_packages(root: str) -> set[str]:
    found = set()
    for directory, _, files in os.walk(os.path.join(root, "nfs")):
        if "BUILD.bazel" not in files or "description.textproto" not in files:
            continue
        with open(os.path.join(directory, "BUILD.bazel"), encoding="utf-8") as f:
            if "nf_package(" in f.read():
                found.add("//" + os.path.relpath(directory, root).replace(os.sep, "/"))
    return found


def problems(listed: set[str], present: set[str]) -> list[str]:
    out = [
        f"{p}: an NF package with a description but no fuzz target; add it to NF_PACKAGES "
        "in tests/fuzz/BUILD.bazel"
        for p in sorted(present - listed)
    ]
    out += [
        f"{p}: in NF_PACKAGES of tests/fuzz/BUILD.bazel but not an NF package with a "
        "description.textproto; remove it"
        for p in sorted(listed - present)
    ]
    return out


def main() -> int:
    build = os.path.realpath(nfpar_runfiles.path("tests/fuzz/BUILD.bazel"))
    root = os.path.dirname(os.path.dirname(os.path.dirname(build)))
    present = nf_packages(root)
    listed = set(sys.argv[1:])
    if len(present) < 2:
        print(f"FAIL: found {len(present)} NF packages under {root}/nfs; is the source tree readable?")
        return 1
    # Negative control: dropping one listed package must be reported.
    dropped = sorted(present)[0]
    if not any(dropped in p for p in problems(present - {dropped}, present)):
        print("FAIL: negative control: a missing package was not reported")
        return 1
    found = problems(listed, present)
    print(f"{len(present)} NF packages, {len(listed)} fuzzed")
    for line in found:
        print("FAIL:", line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
