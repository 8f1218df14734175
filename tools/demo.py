"""The README's main job: parallelize an NF end to end and run it on DPDK.

    bazel run //tools:demo -- [--packets=N] [--flows=N] [--workers=2]

1. analyses the NAT's C source into a description (parallelizer/analysis),
2. plans it (parallelizer/sharding): strategy, per-object decisions, RSS keys,
3. generates LAN traffic plus unsolicited WAN packets, split per RX queue by the
   plan's RSS keys exactly as a NIC would (net_pcap devices have no RSS),
4. runs the generated shared-nothing NAT (//nfs/nat:parallel_shared_nothing) on `workers`
   lcores with DPDK net_pcap devices and prints its per-core statistics,
5. checks the outputs: every LAN packet leaves translated to the external IP,
   with a port in its worker's disjoint range, and every unsolicited WAN packet
   is dropped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import dpkt
from absl import app, flags

from proto import plan_pb2
from testing import dpdk_harness, softrss
from testing.traffic import profiles

_PACKETS = flags.DEFINE_integer("packets", 4000, "LAN packets", lower_bound=1)
_FLOWS = flags.DEFINE_integer("flows", 1000, "LAN flows", lower_bound=1)
_WORKERS = flags.DEFINE_integer("workers", 2, "worker lcores", lower_bound=1, upper_bound=2)
_SEED = flags.DEFINE_integer("seed", 7, "traffic seed")

EXTERNAL_IP = "192.0.2.1"
PORT_START = 1024


def _step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _run_tool(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    print((done.stdout + done.stderr).rstrip())
    if done.returncode != 0:
        raise SystemExit(f"demo: {os.path.basename(command[0])} failed (exit {done.returncode})")


def main(argv: list[str]) -> None:
    del argv
    workers = _WORKERS.value
    workdir = tempfile.mkdtemp(prefix="nfpar_demo_")
    description = os.path.join(workdir, "nat_description.textproto")
    plan_path = os.path.join(workdir, "nat_plan.textproto")

    _step("1. analysis: nfs/nat/nat.c -> NF description")
    _run_tool(
        [
            dpdk_harness.runfile("parallelizer/cli/analyze"),
            f"--src={dpdk_harness.runfile('nfs/nat/nat.c')}",
            f"--include_dir={os.path.dirname(os.path.dirname(os.path.dirname(dpdk_harness.runfile('nfs/nat/nat.c'))))}",
            f"--out={description}",
        ]
    )

    _step("2. sharding: description -> plan (same flags as //nfs/nat:plan)")
    _run_tool(
        [dpdk_harness.runfile("parallelizer/cli/plan"), f"--description={description}", f"--out={plan_path}"]
    )

    # The binary was generated from //nfs/nat:plan (the checked-in description);
    # the traffic must be split with the keys compiled into it.
    built_plan = plan_pb2.Plan()
    from google.protobuf import text_format

    with open(dpdk_harness.runfile("nfs/nat/plan.textproto")) as f:
        text_format.Parse(f.read(), built_plan)
    fresh_plan = plan_pb2.Plan()
    with open(plan_path) as f:
        text_format.Parse(f.read(), fresh_plan)
    same = [p.key_hex for p in built_plan.ports] == [p.key_hex for p in fresh_plan.ports]
    print(
        f"demo: keys of the plan just made {'equal' if same else 'DIFFER from'} those built into //nfs/nat:parallel_shared_nothing"
    )

    _step(f"3. traffic: {_PACKETS.value} LAN packets over {_FLOWS.value} flows + 200 unsolicited WAN packets")
    lan = profiles.generate(
        profiles.TrafficSpec(packets=_PACKETS.value, flows=_FLOWS.value, reply_fraction=0.0, seed=_SEED.value)
    )
    wan = profiles.spoofed_wan(200, seed=_SEED.value + 1)
    packets = [(p.port, p.frame) for p in profiles.merge(lan, wan)]
    queues = softrss.split(packets, built_plan, workers)
    for port in (0, 1):
        sizes = ", ".join(f"queue {q}: {len(frames)}" for q, frames in enumerate(queues[port]))
        print(f"  port {port} RX queues by RSS: {sizes}")

    _step(f"4. run //nfs/nat:parallel_shared_nothing on {workers} lcores (DPDK, net_pcap devices)")
    vdevs = dpdk_harness.presplit_vdevs(workdir, queues)
    command = [
        dpdk_harness.runfile("nfs/nat/parallel_shared_nothing"),
        *dpdk_harness.EAL_BASE_ARGS,
        "-l",
        ",".join(str(c) for c in range(workers)),
        f"--file-prefix=demo{os.getpid()}",
        *vdevs,
        "--",
        "--idle-exit-ms=300",
        "--no-rss",
        f"--external-ip={EXTERNAL_IP}",
        f"--port-start={PORT_START}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    print(done.stdout.rstrip())
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"demo: the parallel NAT failed (exit {done.returncode})")

    _step("5. check")
    capacity = next(o.capacity_total for o in built_plan.objects if o.index_ranges_disjoint)
    per_worker = capacity // workers
    translated = 0
    sent = dpdk_harness.read_queue_outputs(workdir, 2, workers)
    for q in range(workers):
        for frame in sent[1][q]:
            ip = dpkt.ethernet.Ethernet(frame).data
            index = ip.data.sport - PORT_START
            if (
                ip.src != bytes(map(int, EXTERNAL_IP.split(".")))
                or not q * per_worker <= index < (q + 1) * per_worker
            ):
                raise SystemExit(
                    f"demo: worker {q} sent an untranslated or out-of-range frame: {frame.hex()}"
                )
            translated += 1
    leaked = sum(len(frames) for frames in sent[0])
    print(
        f"demo: {translated} of {len(lan)} LAN packets left translated to {EXTERNAL_IP}, ports in per-worker ranges"
    )
    print(f"demo: {leaked} of {len(wan)} unsolicited WAN packets passed (expected 0)")
    print(f"demo: files in {workdir}")
    if translated != len(lan) or leaked:
        raise SystemExit(1)


if __name__ == "__main__":
    app.run(main)
