"""Paths of nfpar's files at run time, wherever nfpar sits.

In nfpar's own workspace the runfiles of a test or `bazel run` target hold
nfpar's files under `<runfiles>/<main workspace name>/`; in a workspace that
vendors nfpar (docs/VENDORING.md) under `<runfiles>/<name the consumer gave
nfpar>/`, next to the consumer's own files. TEST_WORKSPACE names the consumer
there, so it cannot locate nfpar. This module's own runfiles path does: it sits
at <nfpar root>/testing/, so the directory two levels above it is nfpar's root in
this runfiles tree, whatever the consumer called the repository.

Why not Bazel's runfiles library (@bazel_tools//tools/python/runfiles): Bazel 4
puts every runfiles repository on sys.path, and that library's package is
`bazel_tools/tools/`, a top-level `tools` package that sorts before `nfpar/`
and hides nfpar's own `tools` (tools.bench). Runfile links are
always built on the Linux hosts nfpar supports, so the directory is enough.
"""

import os

# <runfiles>/<repository>/testing/nfpar_runfiles.py
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPOSITORY = os.path.basename(_ROOT)


def root() -> str:
    """Absolute path of nfpar's root in the runfiles tree (holds nflib/, nfs/, ...)."""
    return _ROOT


def path(relative: str) -> str:
    """Absolute path of nfpar's file `relative` (to nfpar's root, e.g. "nfs/nat/plan.textproto")."""
    location = os.path.join(_ROOT, relative)
    if os.path.exists(location):
        return location
    raise FileNotFoundError(
        f"{relative}: not in the runfiles of repository '{REPOSITORY}' ({_ROOT}); "
        "add the target that makes it to the data of the test or binary"
    )
