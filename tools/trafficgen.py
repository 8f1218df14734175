"""Writes deterministic test traffic as one pcap per NF port.

    bazel run //tools:trafficgen -- --out_prefix=/tmp/t/in --packets=100000 \
        --flows=40000 --distribution=zipf --zipf_s=1.1 --churn=0.01 --seed=3

writes /tmp/t/in0.pcap (LAN/client side) and /tmp/t/in1.pcap (WAN/server side).
Timestamps are globally increasing across ports, so a runtime that merges the
ports by timestamp replays the exact interleaving. A relative --out_prefix is
relative to where bazel runs; exit codes and error lines: docs/CLI.md.
"""

from __future__ import annotations

import collections
import os

import dpkt
from absl import flags

from parallelizer import limits
from parallelizer.cli import conventions
from testing.traffic import profiles

_OUT = flags.DEFINE_string("out_prefix", None, "output path prefix; <prefix><port>.pcap", required=True)
_PACKETS = flags.DEFINE_integer("packets", 10_000, "packets in total")
_FLOWS = flags.DEFINE_integer("flows", 1_000, "concurrent flows")
_DIST = flags.DEFINE_enum("distribution", "uniform", ["uniform", "zipf"], "flow popularity")
_ZIPF_S = flags.DEFINE_float("zipf_s", 1.1, "Zipf exponent")
_CHURN = flags.DEFINE_float("churn", 0.0, "per-packet probability of replacing a flow by a new one")
_REPLY = flags.DEFINE_float("reply_fraction", 0.5, "share of packets that are replies on port 1")
_SIZE = flags.DEFINE_integer("frame_size", 64, "frame size in bytes (without FCS)")
_SERVERS = flags.DEFINE_integer("servers", 0, "client-to-server mode: number of Zipf-popular servers")
_PPS = flags.DEFINE_float("pps", 1e6, "packet rate used for timestamps")
_SEED = flags.DEFINE_integer("seed", 1, "random seed")
_PORTS = flags.DEFINE_integer(
    "ports",
    2,
    "number of pcaps to write (ports without traffic get empty ones)",
    lower_bound=1,
    upper_bound=limits.MAX_PORTS,
)


def write_port_pcaps(packets: list[profiles.TrafficPacket], out_prefix: str, ports: int) -> dict[int, int]:
    """Writes <out_prefix><port>.pcap for every port; returns packets per port."""
    directory = os.path.dirname(out_prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    counts: dict[int, int] = collections.Counter()
    files = {port: open(f"{out_prefix}{port}.pcap", "wb") for port in range(ports)}
    try:
        writers = {port: dpkt.pcap.Writer(f, linktype=dpkt.pcap.DLT_EN10MB) for port, f in files.items()}
        for packet in packets:
            if packet.port >= ports:
                raise ValueError(f"packet on port {packet.port} but only {ports} ports are written")
            writers[packet.port].writepkt(packet.frame, ts=packet.timestamp_ns / 1e9)
            counts[packet.port] += 1
    finally:
        for f in files.values():
            f.close()
    return dict(counts)


def main(argv: list[str]) -> int:
    del argv  # the conventions refuse positional arguments
    spec = profiles.TrafficSpec(
        packets=_PACKETS.value,
        flows=_FLOWS.value,
        distribution=_DIST.value,
        zipf_s=_ZIPF_S.value,
        churn=_CHURN.value,
        reply_fraction=_REPLY.value,
        frame_size=_SIZE.value,
        servers=_SERVERS.value,
        pps=_PPS.value,
        seed=_SEED.value,
    )
    try:
        packets = profiles.generate(spec)  # validates the spec first
        counts = write_port_pcaps(packets, _OUT.value, _PORTS.value)
    except ValueError as error:  # names each flag and value
        raise conventions.UsageError.text(f"{error}; see --helpshort") from None
    except OSError as error:
        raise conventions.UsageError(
            "--out_prefix",
            _OUT.value,
            f"cannot write the pcaps ({error.strerror})",
            "pass a writable path prefix",
        ) from None
    for port in range(_PORTS.value):
        print(f"trafficgen: {_OUT.value}{port}.pcap: {counts.get(port, 0)} packets")
    return conventions.EXIT_OK


if __name__ == "__main__":
    conventions.run(main, "trafficgen")
