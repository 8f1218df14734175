"""Runs an in-memory NF binary (dpdk_rules/runtime/inmem) over a timed packet
list and reads every packet's outcome back (the runtime's --outcomes CSV).

The one runner of the matrix, the runtime tests and the soundness workloads:
packets carry their port and time; `timed` gives untimed (port, frame) lists
times of their own, in list order."""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Sequence

from google.protobuf import text_format

from proto import plan_pb2
from testing import nfpar_runfiles, pcap

START_NS = 1_000_000_000  # the time of the first packet of `timed`
GAP_NS = 10_000  # between two packets of `timed`


@dataclasses.dataclass(frozen=True)
class Packet:
    port: int
    timestamp_ns: int
    frame: bytes


@dataclasses.dataclass(frozen=True)
class Outcome:
    index: int
    port: int
    worker: int
    verdict: int  # output port, -1 drop, -2 flood (nflib/nf.h)
    frame: bytes  # as the NF left it
    # Locks/tm: "w" wrote the shared state (write_seq: its number), "r" read
    # only (write_seq: the last write it observed); "-" otherwise
    # (dpdk_rules/runtime/parallel/serial.h).
    access: str = "-"
    write_seq: int = 0
    now_ns: int = 0  # the time nf_process got
    refreshes: int = 0  # "r": dchain refreshes it deferred (refresh.h)


@dataclasses.dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    stdout: str
    command: list[str]
    stderr: str = ""

    @property
    def output(self) -> str:
        """All the binary printed (TSan and TM reports included)."""
        return self.stdout + self.stderr


def timed(packets: Sequence[tuple[int, bytes]]) -> list[Packet]:
    """(port, frame) packets in this global order, each with its own time."""
    return [Packet(port, START_NS + i * GAP_NS, frame) for i, (port, frame) in enumerate(packets)]


def check_order(packets: Sequence[Packet]) -> None:
    """The runtime merges ports by timestamp: strictly increasing timestamps make
    its input order (and so its outcome indexes) equal to the list order."""
    for i in range(1, len(packets)):
        if packets[i].timestamp_ns <= packets[i - 1].timestamp_ns:
            raise ValueError(
                f"packet {i}: timestamp {packets[i].timestamp_ns} ns is not after packet {i - 1}'s "
                f"{packets[i - 1].timestamp_ns} ns; give every packet its own time"
            )


def _read_outcomes(path: str) -> list[Outcome]:
    with open(path, newline="") as f:
        return [
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
            for r in csv.DictReader(f)
        ]


def run(
    binary: str,
    packets: Sequence[Packet],
    strategy: str,
    workers: int = 1,
    nf_args: Sequence[str] = (),
    extra: Sequence[str] = (),
    ports: int = 2,
    env: dict[str, str] | None = None,
    timeout_s: float = 120,
    order: Sequence[tuple[int, int]] | None = None,
) -> Run:
    """ports: pcaps written (at least one per port a packet names); order:
    (input index, now ns) in processing order, for the sequential NF: the
    runtime's --order replay."""
    check_order(packets)
    workdir = tempfile.mkdtemp(prefix="inmem_", dir=os.environ.get("TEST_TMPDIR"))
    options = []
    for port in range(max(ports, 1 + max((p.port for p in packets), default=0))):
        path = os.path.join(workdir, f"in{port}.pcap")
        pcap.write_ns(path, [(p.timestamp_ns, p.frame) for p in packets if p.port == port])
        options.append(f"--pcap={port}:{path}")
    outcomes_path = os.path.join(workdir, "outcomes.csv")
    if order is not None:
        order_path = os.path.join(workdir, "order.csv")
        with open(order_path, "w") as f:
            f.write("index,now_ns\n")
            f.writelines(f"{index},{now}\n" for index, now in order)
        options.append(f"--order={order_path}")
    command = [
        binary,
        *options,
        f"--strategy={strategy}",
        *([f"--workers={workers}"] if strategy != "sequential" else []),
        f"--outcomes={outcomes_path}",
        *extra,
        "--",
        *nf_args,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}\n{done.stdout}\n{done.stderr}")
    outcomes = _read_outcomes(outcomes_path)
    if [o.port for o in outcomes] != [p.port for p in packets]:
        raise RuntimeError(f"{binary}: outcomes are not in input order")
    return Run(outcomes, done.stdout, command, done.stderr)


def load_plan(path: str) -> plan_pb2.Plan:
    """A plan text proto, `path` relative to nfpar's root in the runfiles."""
    plan = plan_pb2.Plan()
    with open(nfpar_runfiles.path(path)) as f:
        text_format.Parse(f.read(), plan)
    return plan
