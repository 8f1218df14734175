"""Runs an in-memory parallel NF binary over per-port packet lists and reads
back every packet's outcome (the runtime's --outcomes CSV)."""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Sequence

import dpkt
from google.protobuf import text_format

from proto import plan_pb2
from tests import dpdk_harness


@dataclasses.dataclass(frozen=True)
class Outcome:
    index: int
    port: int
    worker: int
    verdict: int
    frame: bytes
    access: str = "-"  # locks/tm: w (wrote) or r (read only); else -
    write_seq: int = 0  # w: its write number; r: the last write it observed
    now_ns: int = 0  # the time nf_process got
    refreshes: int = 0  # r: dchain refreshes it deferred (refresh.h)


@dataclasses.dataclass(frozen=True)
class InmemRun:
    outcomes: list[Outcome]
    stdout: str


def write_inputs(workdir: str, packets: Sequence[tuple[int, bytes]]) -> list[str]:
    """Writes (port, frame) packets, in this global order, into one pcap per port
    with strictly increasing timestamps; returns the --pcap options."""
    ports = sorted({port for port, _ in packets} | {0, 1})
    options = []
    for port in ports:
        path = os.path.join(workdir, f"in{port}.pcap")
        with open(path, "wb") as f:
            writer = dpkt.pcap.Writer(f, linktype=dpkt.pcap.DLT_EN10MB)
            for i, (p, frame) in enumerate(packets):
                if p == port:
                    writer.writepkt(frame, ts=1.0 + i * 1e-5)
        options.append(f"--pcap={port}:{path}")
    return options


def run(
    binary: str,
    packets: Sequence[tuple[int, bytes]],
    strategy: str,
    workers: int = 1,
    extra: Sequence[str] = (),
    nf_args: Sequence[str] = (),
) -> InmemRun:
    workdir = tempfile.mkdtemp(prefix="inmem_", dir=os.environ.get("TEST_TMPDIR"))
    outcomes_path = os.path.join(workdir, "outcomes.csv")
    command = [
        binary,
        *write_inputs(workdir, packets),
        f"--strategy={strategy}",
        *([f"--workers={workers}"] if strategy != "sequential" else []),
        f"--outcomes={outcomes_path}",
        *extra,
        "--",
        *nf_args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}\n{done.stdout}\n{done.stderr}")
    with open(outcomes_path, newline="") as f:
        rows = list(csv.DictReader(f))
    outcomes = [
        Outcome(
            int(r["index"]),
            int(r["port"]),
            int(r["worker"]),
            int(r["verdict"]),
            bytes.fromhex(r["frame_hex"]),
            r["access"],
            int(r["write_seq"]),
            int(r["now_ns"]),
            int(r["refreshes"]),
        )
        for r in rows
    ]
    return InmemRun(outcomes, done.stdout)


def load_plan(path: str) -> plan_pb2.Plan:
    plan = plan_pb2.Plan()
    with open(dpdk_harness.runfile(path)) as f:
        text_format.Parse(f.read(), plan)
    return plan
