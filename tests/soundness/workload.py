"""Traffic for the soundness check and the sequential recording runs.

Every profile of the equivalence matrix (tests/equivalence/traffic.py, with
the NF's options and shaping from its test spec, nf_spec.py), plus:

* prefix: client hosts of one /24, servers in four prefixes (keys that share
  masked bits: a plan keyed on a prefix, or wrongly on one, shows here);
* prefix_zipf: the same with Zipf-popular flows;
* swapped: the uniform traffic with the port roles swapped (flows start on
  port 1, replies come on port 0);
* port<N>: for each port N >= 2, client packets arrive on port N.

Server replies answer the NF's own output of the client packet they answer
(tests/equivalence/traffic.py reverse_frame), so a reply carries what the NF
handed out (a NAT port, a chosen backend); runs repeat until that settles."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Sequence

from testing import nf_spec
from testing.inmem import Packet
from testing.traffic import timed as traffic
from testing.traffic.profiles import Flow
from tests.soundness import trace as trace_mod
from tests.soundness.check import Run

PACKETS = 1600
MAX_PASSES = 12
CLIENT_PREFIX = 0x0A010200  # 10.1.2.0/24
SERVER_PREFIXES = ((0xCB007100, 0xFF), (0xC6120000, 0xFFFF), (0x64400700, 0xFF), (0xAC100000, 0xFFF))


def prefixed(flow: Flow) -> Flow:
    """Client in 10.1.2.0/24, server in one of four prefixes (by its address)."""
    base, mask = SERVER_PREFIXES[flow.dst_ip % len(SERVER_PREFIXES)]
    return Flow(
        CLIENT_PREFIX | (flow.src_ip & 0xFF),
        base | ((flow.dst_ip >> 2) & mask),
        flow.src_port,
        flow.dst_port,
        flow.proto,
    )


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    traffic: traffic.Traffic
    args: list[str]


def _seed(nf: str, profile: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(f"{nf}/{profile}")) & 0xFFFF


def profiles(
    nf: str, port_count: int, default_args: Sequence[str] = (), packets: int = PACKETS
) -> list[Profile]:
    entry = nf_spec.available().get(nf) or nf_spec.default(nf, default_args)
    out = []
    for name in entry.profiles:
        out.append(
            Profile(name, traffic.build(name, packets, _seed(nf, name), entry.shape), entry.args(name))
        )
    shape = entry.shape
    prefix_shape = dataclasses.replace(shape, flow=lambda f: shape.flow(prefixed(f)))
    uniform_args = entry.args("uniform")
    out.append(
        Profile("prefix", traffic.build("uniform", packets, _seed(nf, "prefix"), prefix_shape), uniform_args)
    )
    out.append(
        Profile(
            "prefix_zipf",
            traffic.build("zipf", packets, _seed(nf, "prefix_zipf"), prefix_shape),
            uniform_args,
        )
    )
    base = traffic.build("uniform", packets, _seed(nf, "swapped"), shape)
    swapped = [dataclasses.replace(p, port=1 - p.port) if p.port in (0, 1) else p for p in base.packets]
    out.append(Profile("swapped", traffic.Traffic(swapped, base.answers), uniform_args))
    for port in range(2, port_count):
        base = traffic.build("uniform", packets, _seed(nf, f"port{port}"), shape)
        moved = [dataclasses.replace(p, port=port) if p.port == 0 else p for p in base.packets]
        out.append(Profile(f"port{port}", traffic.Traffic(moved, base.answers), uniform_args))
    return out


def _run_driver(driver: str, packets: Sequence[Packet], args: Sequence[str], workdir: str) -> trace_mod.Trace:
    in_path = os.path.join(workdir, "in.bin")
    out_path = os.path.join(workdir, "trace.txt")
    trace_mod.write_input(in_path, packets)
    done = subprocess.run(
        [driver, in_path, out_path, "--", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{driver} {' '.join(args)} exited with {done.returncode}: {done.stderr}")
    with open(out_path) as f:
        return trace_mod.parse(f.read())


def record(driver: str, profile: Profile) -> Run:
    """Runs the recording driver until the replies answer its own outputs."""
    base = profile.traffic
    packets = list(base.packets)
    workdir = tempfile.mkdtemp(prefix="soundness_", dir=os.environ.get("TEST_TMPDIR"))
    for _ in range(MAX_PASSES):
        tr = _run_driver(driver, packets, profile.args, workdir)
        derived = list(base.packets)
        answers = {}
        for reply, client in base.answers.items():
            out = tr.outcomes[client]
            if out.verdict < 0:
                continue
            answer = traffic.reverse_frame(out.frame)
            if answer is not None:
                derived[reply] = dataclasses.replace(derived[reply], frame=answer)
                answers[reply] = client
        if derived == packets:
            return Run(profile.name, packets, answers, tr)
        packets = derived
    raise AssertionError(f"{profile.name}: replies do not settle after {MAX_PASSES} passes")
