"""How each NF is benchmarked, as its package declares it: the `bench` section
of `nf_package(test_spec = ...)` (testing/nf_spec.py, BENCH_KEYS), read from
the NF's :test_spec in the bench's runfiles, like the matrix reads it.

Adaptations of the common traffic (tools/bench/workloads.py):
  PLAIN          the traffic as generated (port 0 = LAN/clients, 1 = WAN/servers)
  STATIC_TABLE   also writes a MAC table (LAN hosts on port 0, WAN hosts on 1)
                 and passes it as --table
  VIP_BACKENDS   clients talk to the VIP; the replies come from backends that
                 announce themselves with heartbeats at the start of the trace
"""

from __future__ import annotations

import dataclasses
import enum

from testing import nf_spec


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
    # VIP_BACKENDS: the service address, backend count and heartbeat port.
    vip: str = ""
    vip6: str = ""  # the IPv6 service address ("": IPv6 mixes are not run on it)
    backends: int = 0
    heartbeat_port: int = 0


def from_spec(spec: nf_spec.NfSpec) -> NfSetup:
    bench = spec.bench
    workload = Workload(bench["workload"])
    params = spec.bench_params()
    vip_backends = workload is Workload.VIP_BACKENDS
    return NfSetup(
        name=spec.name,
        nf_args=tuple(spec.bench_args()),
        expiry_option=bench["expiry_option"],
        workload=workload,
        reference=bench.get("reference"),
        reference_ports=tuple(
            sorted((int(ours), theirs) for ours, theirs in bench["reference_ports"].items())
        ),
        vip=params["vip"] if vip_backends else "",
        vip6=params.get("vip6", "") if vip_backends else "",
        backends=int(params["backends"]) if vip_backends else 0,
        heartbeat_port=int(params["heartbeat_port"]) if vip_backends else 0,
    )


def available() -> dict[str, NfSetup]:
    """The setups of every NF whose :test_spec is in the runfiles, by name."""
    return {name: from_spec(spec) for name, spec in sorted(nf_spec.available().items())}


def select(names: list[str]) -> list[NfSetup]:
    """The setups of `names` (all in the runfiles when empty, by name)."""
    setups = available()
    if not names:
        return list(setups.values())
    unknown = [n for n in names if n not in setups]
    if unknown:
        raise ValueError(
            f"--nfs: unknown NF(s) {', '.join(unknown)}; known: {', '.join(setups)} "
            "(an NF is known when its :test_spec is in the bench's data, tools/bench/BUILD.bazel NFS)"
        )
    return [setups[n] for n in names]
