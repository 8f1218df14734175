"""Runs an in-memory NF binary (dpdk_rules/runtime/inmem) over a timed packet
list and reads every packet's outcome back (the runtime's --outcomes CSV)."""

from __future__ import annotations

import csv
import dataclasses
import os
import struct
import subprocess
import tempfile
from collections.abc import Sequence

PCAP_MAGIC_NS = 0xA1B23C4D


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


def write_pcap(path: str, packets: Sequence[Packet]) -> None:
    """Nanosecond pcap (the runtime reads ns timestamps as they are)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC_NS, 2, 4, 0, 0, 65535, 1))
        for p in packets:
            sec, nsec = divmod(p.timestamp_ns, 1_000_000_000)
            f.write(struct.pack("<IIII", sec, nsec, len(p.frame), len(p.frame)))
            f.write(p.frame)


def check_order(packets: Sequence[Packet]) -> None:
    """The runtime merges ports by timestamp: strictly increasing timestamps make
    its input order (and so its outcome indexes) equal to the list order."""
    for i in range(1, len(packets)):
        if packets[i].timestamp_ns <= packets[i - 1].timestamp_ns:
            raise ValueError(
                f"packet {i}: timestamp {packets[i].timestamp_ns} ns is not after packet {i - 1}'s "
                f"{packets[i - 1].timestamp_ns} ns; give every packet its own time"
            )


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
    """order: (input index, now ns) in processing order, for the sequential NF:
    the runtime's --order replay."""
    check_order(packets)
    workdir = tempfile.mkdtemp(prefix="equiv_", dir=os.environ.get("TEST_TMPDIR"))
    options = []
    for port in range(ports):
        path = os.path.join(workdir, f"in{port}.pcap")
        write_pcap(path, [p for p in packets if p.port == port])
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
    with open(outcomes_path, newline="") as f:
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
            for r in csv.DictReader(f)
        ]
    if [o.port for o in outcomes] != [p.port for p in packets]:
        raise RuntimeError(f"{binary}: outcomes are not in input order")
    return Run(outcomes, done.stdout + done.stderr, command)
