"""The harness's nfpar_runfiles under its old import name, for the tests of
parallelizer/ and nflib/ that still import `tests.nfpar_runfiles` (their
owners move them to `testing.nfpar_runfiles`; then this file goes)."""

from testing.nfpar_runfiles import REPOSITORY, path, root

__all__ = ["REPOSITORY", "path", "root"]
