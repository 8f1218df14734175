"""Runs a DPDK NF binary over pcaps on net_pcap virtual devices.

Each NF port becomes one `net_pcap` device reading `in<port>.pcap` and writing
`out<port>.pcap`; the binary stops itself after a short idle time (runtime option
--idle-exit-ms). Devices without RSS get their traffic split per RX queue
beforehand (presplit_vdevs, with softrss.split). Used by the per-NF DPDK tests,
the runtime tests and the README's main command (tools/demo.py).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence

from testing import nfpar_runfiles, pcap

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


# The DPDK device's pcaps (microsecond timestamps, what net_pcap reads).
write_pcap = pcap.write
read_pcap = pcap.read


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


def presplit_vdevs(workdir: str, queues: Mapping[int, Sequence[Sequence[bytes]]]) -> list[str]:
    """--vdev options of one net_pcap device per port with one RX pcap per
    queue (queues[port][queue]: its frames) and as many TX pcaps; run the NF
    with --no-rss, then read_queue_outputs."""
    vdevs = []
    for port in sorted(queues):
        args = []
        for q, frames in enumerate(queues[port]):
            rx = os.path.join(workdir, f"in{port}_{q}.pcap")
            write_pcap(rx, frames)
            args.append(f"rx_pcap={rx}")
        args += [f"tx_pcap={os.path.join(workdir, f'out{port}_{q}.pcap')}" for q in range(len(queues[port]))]
        vdevs.append(f"--vdev=net_pcap{port}," + ",".join(args))
    return vdevs


def read_queue_outputs(workdir: str, ports: int, nqueues: int) -> dict[int, list[list[bytes]]]:
    """What each TX queue of presplit_vdevs's devices sent: [port][queue] -> frames."""
    return {
        port: [read_pcap(os.path.join(workdir, f"out{port}_{q}.pcap")) for q in range(nqueues)]
        for port in range(ports)
    }


def runfile(path: str) -> str:
    """Absolute path of a data dependency given relative to nfpar's root (in the
    runfiles of nfpar's workspace or of one that vendors it)."""
    return nfpar_runfiles.path(path)
