"""The README's main job: runs an NF's DPDK binary on net_pcap virtual devices
over generated traffic and prints what it forwarded.

    bazel run //tools:demo -- [--flows=N] [--packets=N]
"""

from __future__ import annotations

import collections
import os
import tempfile

from absl import app, flags

from tests import dpdk_harness, frames

_PACKETS = flags.DEFINE_integer("packets", 1000, "packets per input port", lower_bound=1)
_SEED = flags.DEFINE_integer("seed", 7, "traffic seed")


def _summarize(label: str, sent: list[bytes]) -> str:
    sizes = collections.Counter(len(frame) for frame in sent)
    size_text = ", ".join(f"{count} x {size} B" for size, count in sorted(sizes.items()))
    return f"  {label}: {len(sent)} frames ({size_text or 'none'})"


def main(argv: list[str]) -> None:
    del argv
    binary = dpdk_harness.runfile("nfs/nop/sequential")
    inputs = {
        0: frames.random_udp_frames(_PACKETS.value, seed=_SEED.value),
        1: frames.random_udp_frames(_PACKETS.value, seed=_SEED.value + 1),
    }
    workdir = tempfile.mkdtemp(prefix="nfpar_demo_")
    print(f"demo: NOP NF under DPDK (net_pcap devices, pcaps in {workdir})")
    run = dpdk_harness.run_nf(binary, inputs, workdir=workdir)
    print(run.stdout.rstrip())
    for port in sorted(inputs):
        print(_summarize(f"port {port} received", inputs[port]))
    for port in sorted(run.outputs):
        print(_summarize(f"port {port} sent", run.outputs[port]))
    ok = run.outputs[1] == inputs[0] and run.outputs[0] == inputs[1]
    print(f"demo: forwarded byte-for-byte to the other port: {'yes' if ok else 'NO'}")
    print(f"demo: output pcaps: {os.path.join(workdir, 'out0.pcap')}, {os.path.join(workdir, 'out1.pcap')}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    app.run(main)
