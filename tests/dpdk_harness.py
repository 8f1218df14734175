"""Runs a DPDK NF binary over pcaps on net_pcap virtual devices.

Each NF port becomes one `net_pcap` device reading `in<port>.pcap` and writing
`out<port>.pcap`; the binary stops itself after a short idle time (runtime option
--idle-exit-ms). Used by the per-NF DPDK tests and the README's main command.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence

import dpkt

from tests import nfpar_runfiles

# EAL options that work without hugepages, PCI devices or a shared runtime dir.
# (--in-memory is not allowed with --no-huge; --no-shconf keeps concurrent runs apart.)
EAL_BASE_ARGS = (
    "--no-huge",
    "--no-pci",
    "--no-shconf",
    "--no-telemetry",
    "-m",
    "256",
    "--log-level=lib.eal:error",
)


@dataclasses.dataclass(frozen=True)
class NfRun:
    """What an NF sent on each port, plus its console output."""

    outputs: dict[int, list[bytes]]
    stdout: str
    stderr: str


def write_pcap(path: str, frames: Sequence[bytes], start_ts: float = 1.0, gap_s: float = 1e-6) -> None:
    with open(path, "wb") as f:
        writer = dpkt.pcap.Writer(f, linktype=dpkt.pcap.DLT_EN10MB)
        for i, frame in enumerate(frames):
            writer.writepkt(frame, ts=start_ts + i * gap_s)


def read_pcap(path: str) -> list[bytes]:
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        return [bytes(buf) for _, buf in dpkt.pcap.Reader(f)]


def eal_args_for(workdir: str, ports: int, lcores: str = "0") -> list[str]:
    args = [*EAL_BASE_ARGS, "-l", lcores, f"--file-prefix=nfpar{os.getpid()}"]
    for port in range(ports):
        rx = os.path.join(workdir, f"in{port}.pcap")
        tx = os.path.join(workdir, f"out{port}.pcap")
        args.append(f"--vdev=net_pcap{port},rx_pcap={rx},tx_pcap={tx}")
    return args


def run_nf(
    binary_path: str,
    inputs: Mapping[int, Sequence[bytes]],
    nf_args: Sequence[str] = (),
    ports: int = 2,
    idle_exit_ms: int = 300,
    timeout_s: float = 60.0,
    workdir: str | None = None,
) -> NfRun:
    """Feeds inputs[port] into each port and returns the frames sent per port.

    Raises RuntimeError (with the binary's output) when the NF exits non-zero.
    """
    if workdir is None:
        workdir = tempfile.mkdtemp(prefix="nf_run_", dir=os.environ.get("TEST_TMPDIR"))
    for port in range(ports):
        write_pcap(os.path.join(workdir, f"in{port}.pcap"), inputs.get(port, ()))
    command = [
        binary_path,
        *eal_args_for(workdir, ports),
        "--",
        f"--idle-exit-ms={idle_exit_ms}",
        *nf_args,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {completed.returncode}\n"
            f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
        )
    outputs = {port: read_pcap(os.path.join(workdir, f"out{port}.pcap")) for port in range(ports)}
    return NfRun(outputs=outputs, stdout=completed.stdout, stderr=completed.stderr)


def runfile(path: str) -> str:
    """Absolute path of a data dependency given relative to nfpar's root (in the
    runfiles of nfpar's workspace or of one that vendors it)."""
    return nfpar_runfiles.path(path)
