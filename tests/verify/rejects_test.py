"""Negative controls of the per-NF :verify (dpdk_rules/nf_verify.bzl): WP must
refuse bad_lookup_nf.c, whose nf_process reads one past the end of a table,
naming that read's goal, while lookup_nf.c (the same NF, in bounds) passes
as //tests/verify:lookup_verify; and verify_test.py must refuse
internal_include_nf.c (lookup_nf.c plus nflib's private internal.h)."""

import os
import subprocess
import sys

from testing import nfpar_runfiles


def verify(source: str) -> subprocess.CompletedProcess:
    # The prover passes come from BUILD.bazel (WP_PASSES, as :verify's).
    command = [
        sys.executable,
        nfpar_runfiles.path("nflib/verify_test.py"),
        "--source=" + source,
        "--roots=nf_process",
        "--model=Typed+cast",
        *sys.argv[1:],
    ]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(command, cwd=nfpar_runfiles.root(), env=env, capture_output=True, text=True)


def main() -> int:
    run = verify("tests/verify/internal_include_nf.c")
    out = run.stdout + run.stderr
    if run.returncode == 0 or "includes nflib/internal.h" not in out:
        print(out[-5000:])
        print("rejects_test FAILED: :verify did not refuse an NF that includes nflib/internal.h")
        return 1
    run = verify("tests/verify/bad_lookup_nf.c")
    out = run.stdout + run.stderr
    if run.returncode == 0:
        print(out)
        print("rejects_test FAILED: :verify accepted an out-of-bounds read")
        return 1
    if "nf_process_assert_rte_index_bound" not in out.split("unproved goals:")[-1]:
        print(out[-5000:])
        print("rejects_test FAILED: refused, but not for the out-of-bounds read")
        return 1
    print("refused as it must be:", out.split("unproved goals:")[-1].strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
