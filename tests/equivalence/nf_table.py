"""The NFs of the matrix: options per profile (port roles, capacities, expiry),
the profiles that apply and NF-specific traffic shaping. Options in `common`
hold for every profile; `per_profile` adds to them."""

from __future__ import annotations

import dataclasses
import os
import struct
import tempfile

from tests.equivalence import traffic
from tests.equivalence.runner import Packet
from tools.traffic import framing
from tools.traffic.profiles import Flow

CHURN_EXPIRY = f"{traffic.CHURN_EXPIRY_NS // 1000}us"
ALL = ("uniform", "zipf", "churn", "spoofed", "portscan", "overflow", "malformed")
STATELESS = ("uniform", "zipf", "spoofed", "portscan", "malformed")


@dataclasses.dataclass(frozen=True)
class NfEntry:
    name: str
    profiles: tuple[str, ...]
    common: tuple[str, ...] = ()
    per_profile: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    shape: traffic.Shape = dataclasses.field(default_factory=traffic.Shape)

    def args(self, profile: str) -> list[str]:
        return [*self.common, *self.per_profile.get(profile, ())]


def _expiring(option: str, capacity_option: str, small: int = 64) -> dict[str, tuple[str, ...]]:
    return {"churn": (option, CHURN_EXPIRY), "overflow": (capacity_option, str(small))}


def _static_bridge_table() -> str:
    path = os.path.join(tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR")), "macs.txt")
    with open(path, "w") as f:
        f.write(f"# matrix hosts\n{framing.CLIENT_MAC.hex(':')} 0\n{framing.SERVER_MAC.hex(':')} 1\n")
    return path


# ------------------------------------------------------------ load balancer
VIP = 0xC0000201  # 192.0.2.1
BACKENDS = [0x0A090001 + i for i in range(8)]  # 10.9.0.1 ..
LB_BACKEND_EXPIRY_NS = 1_000_000
HEARTBEAT_PORT = 7777


def _heartbeat(backend: int, ts: int) -> Packet:
    flow = Flow(backend, VIP, HEARTBEAT_PORT, HEARTBEAT_PORT, 17)
    frame = framing.l4_frame(flow, 64, src_mac=traffic.mac_of(backend), dst_mac=framing.CLIENT_MAC)
    return Packet(1, ts, frame)


def _lb_heartbeats(start: int, end: int, profile: str) -> list[Packet]:
    """Every backend heartbeats every third of --backend-expiry from before the
    first client packet; in heartbeat_loss, half of them fall silent mid-trace
    (and one comes back later)."""
    period = LB_BACKEND_EXPIRY_NS // 3
    out = []
    t = start - 1000
    while t <= end:
        middle = start + (end - start) // 2
        late = start + 3 * (end - start) // 4
        for k, backend in enumerate(BACKENDS):
            silent = profile == "heartbeat_loss" and k % 2 == 1 and middle <= t and not (k == 1 and t >= late)
            if not silent:
                out.append(_heartbeat(backend, t + k))
        t += period
    return out


def _to_vip(flow: Flow) -> Flow:
    return Flow(flow.src_ip, VIP, flow.src_port, 80 if flow.dst_port % 2 else 443, flow.proto)


# ------------------------------------------------------------ the table
def entries() -> dict[str, NfEntry]:
    table = [
        NfEntry("nop", STATELESS),
        NfEntry("bridge_static", STATELESS, common=("--table", _static_bridge_table())),
        NfEntry(
            "bridge_learning",
            ALL,
            per_profile=_expiring("--expiry", "--max-macs"),
            shape=traffic.Shape(macs_from_ips=True),
        ),
        NfEntry(
            "policer",
            ALL,
            common=("--rate", "100K", "--burst", "2000"),
            per_profile=_expiring("--expiry", "--max-addresses"),
        ),
        NfEntry("firewall", ALL, per_profile=_expiring("--expiry", "--max-flows")),
        NfEntry(
            "nat",
            ALL,
            common=("--external-ip", "198.51.100.1"),
            per_profile=_expiring("--expiry", "--max-flows"),
        ),
        NfEntry(
            "conn_limiter", ALL, common=("--limit", "4"), per_profile=_expiring("--expiry", "--max-flows")
        ),
        NfEntry(
            "port_scan",
            ALL,
            common=("--threshold", "8"),
            per_profile={
                "churn": ("--expiry", CHURN_EXPIRY),
                "overflow": ("--max-sources", "64", "--max-touched", "64"),
            },
        ),
        NfEntry(
            "load_balancer",
            (*ALL, "heartbeat_loss"),
            common=("--vip", "192.0.2.1", "--backend-expiry", f"{LB_BACKEND_EXPIRY_NS // 1000}us"),
            per_profile={
                "churn": ("--flow-expiry", CHURN_EXPIRY),
                "heartbeat_loss": ("--flow-expiry", CHURN_EXPIRY),
                "overflow": ("--max-flows", "64"),
            },
            shape=traffic.Shape(flow=_to_vip, background=_lb_heartbeats),
        ),
        NfEntry(
            "udp_port_limiter",
            ALL,
            common=("--limit", "6", "--window", "200us"),
            per_profile=_expiring("--expiry", "--max-services"),
        ),
    ]
    return {e.name: e for e in table}


def ip_text(ip: int) -> str:
    return ".".join(str(b) for b in struct.pack("!I", ip))
