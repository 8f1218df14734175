"""How each NF is benchmarked: its options, how the common traffic is adapted to
what the NF serves, and which of the published design's NFs it compares to.

Adaptations (tools/bench/workloads.py):
  PLAIN          the traffic as generated (port 0 = LAN/clients, 1 = WAN/servers)
  STATIC_TABLE   also writes a MAC table (LAN hosts on port 0, WAN hosts on 1)
                 and passes it as --table
  VIP_BACKENDS   clients talk to the VIP; the replies come from backends that
                 announce themselves with heartbeats at the start of the trace
"""

from __future__ import annotations

import dataclasses
import enum


class Workload(enum.Enum):
    PLAIN = "plain"
    STATIC_TABLE = "static_table"
    VIP_BACKENDS = "vip_backends"


@dataclasses.dataclass(frozen=True)
class NfSetup:
    name: str  # nfs/<name>
    nf_args: tuple[str, ...] = ()
    # Option that sets the flow expiry; the churn traffic shortens it so that
    # replaced flows are forgotten (None: the NF keeps no expiring state).
    expiry_option: str | None = "--expiry"
    workload: Workload = Workload.PLAIN
    # The NF of ../shared/reference/maestro_sn_keys.json, and our port -> its port.
    reference: str | None = None
    reference_ports: tuple[tuple[int, int], ...] = ((0, 0), (1, 1))


VIP = "203.0.113.10"
BACKENDS = 16
HEARTBEAT_PORT = 7777

SETUPS: dict[str, NfSetup] = {
    s.name: s
    for s in (
        NfSetup("nop", expiry_option=None, reference="nop"),
        NfSetup("bridge_static", expiry_option=None, workload=Workload.STATIC_TABLE, reference="sbridge"),
        # Every host has its own MAC: more than the default 65536 stations.
        NfSetup("bridge_learning", nf_args=("--max-macs=262144",)),
        # The published design numbers the policer's, limiter's and detector's WAN port 0.
        NfSetup("policer", reference="pol", reference_ports=((0, 1), (1, 0))),
        NfSetup("firewall", reference="fw"),
        NfSetup("nat", nf_args=("--external-ip=198.51.100.1",), reference="nat"),
        NfSetup("conn_limiter", reference="cl", reference_ports=((0, 1), (1, 0))),
        NfSetup("port_scan", reference="psd", reference_ports=((0, 1), (1, 0))),
        NfSetup(
            "load_balancer",
            nf_args=(f"--vip={VIP}", f"--heartbeat-port={HEARTBEAT_PORT}", "--backend-expiry=3600s"),
            expiry_option="--flow-expiry",
            workload=Workload.VIP_BACKENDS,
        ),
        # Written for the equivalence suite, not tuned to by anyone: benchmarked alike.
        NfSetup("udp_port_limiter"),
        # The published design numbers its WAN (counted by source prefix) port 0.
        NfSetup("hhh", reference="hhh", reference_ports=((0, 1), (1, 0))),
    )
}


def select(names: list[str]) -> list[NfSetup]:
    """The setups of `names` (all when empty), in the table's order."""
    if not names:
        return list(SETUPS.values())
    unknown = [n for n in names if n not in SETUPS]
    if unknown:
        raise ValueError(f"--nfs: unknown NF(s) {', '.join(unknown)}; known: {', '.join(SETUPS)}")
    return [SETUPS[n] for n in names]
