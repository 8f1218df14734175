"""//nfs/<nf>:soundness_test (added by nf_package): records the NF's nflib
accesses over the soundness traffic and checks its plan (docs/SOUNDNESS.md).

    soundness_main.py --nf=NAME --driver=PATH --plan=PATH [--nf_arg=OPTION ...]
"""

from __future__ import annotations

import argparse
import sys
import time

from google.protobuf import text_format

from proto import plan_pb2
from tests.soundness import check, workload


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nf", required=True)
    parser.add_argument("--driver", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--nf_arg", action="append", default=[], help="NF option for NFs without a test_spec")
    args = parser.parse_args(argv)
    with open(args.plan) as f:
        plan = text_format.Parse(f.read(), plan_pb2.Plan())
    start = time.monotonic()
    runs = [workload.record(args.driver, p) for p in workload.profiles(args.nf, len(plan.ports), args.nf_arg)]
    recorded = time.monotonic()
    report = check.check(plan, runs)
    print(check.summary(args.nf, report, runs))
    print(f"{args.nf}: recording {recorded - start:.1f} s, check {time.monotonic() - recorded:.1f} s")
    for run in runs:
        print(
            f"  {run.name}: {len(run.packets)} packets, {len(run.trace.accesses)} accesses, {len(run.answers)} replies"
        )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
