"""Paths of nfpar's files at run time, wherever nfpar sits.

In nfpar's own workspace the runfiles of a test or `bazel run` target hold
nfpar's files under `<runfiles>/<main workspace name>/`; in a workspace that
vendors nfpar (docs/VENDORING.md) under `<runfiles>/<name the consumer gave
nfpar>/`, next to the consumer's own files. TEST_WORKSPACE names the consumer
there, so it cannot locate nfpar. This module's own runfiles path does: it sits
at <nfpar root>/tests/, so the repository directory above it is nfpar's name in
this runfiles tree, whatever the consumer called it. Lookups then go through
Bazel's runfiles library (directory or manifest based).
"""

import os

from bazel_tools.tools.python.runfiles import runfiles

# <runfiles>/<repository>/tests/nfpar_runfiles.py -> <repository>
REPOSITORY = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_runfiles = None


def path(relative: str) -> str:
    """Absolute path of nfpar's file `relative` (to nfpar's root, e.g. "nfs/nat/plan.textproto")."""
    global _runfiles
    if _runfiles is None:
        _runfiles = runfiles.Create()
    location = _runfiles.Rlocation(f"{REPOSITORY}/{relative}") if _runfiles else None
    if location and os.path.exists(location):
        return location
    raise FileNotFoundError(
        f"{relative}: not in the runfiles of repository '{REPOSITORY}'; "
        "add the target that makes it to the data of the test or binary"
    )


def root() -> str:
    """Absolute path of nfpar's root in the runfiles tree (holds nflib/, nfs/, ...)."""
    marker = "tests/nfpar_runfiles.py"
    return path(marker)[: -len(marker)].rstrip("/")
