"""How an NF's test spec adapts the generic traffic to what the NF serves: the
`shape` of `nf_package(test_spec = ...)` (nf_spec.py) made into a
timed.Shape. Parameters (strings, as the JSON spec gives them):

  macs_from_ips      "True": every host has its own MAC (timed.mac_of), for
                     NFs that key on MACs (learning bridges)
  vip                clients talk to this address (ports 80 and 443) instead of
                     random servers: a service behind a virtual IP
  backends           with vip: this many servers, from backend_base on, that
                     announce themselves with UDP heartbeats (src and dst port
                     heartbeat_port) to the VIP from the first server port,
                     every third of heartbeat_expiry, from before the first
                     client packet; in the heartbeat_loss profile half of them
                     fall silent mid-trace and one comes back later
  backend_base       first backend address (default 10.9.0.1)
  vip6               IPv6 clients talk to this IPv6 address (ports 80 and 443);
                     without it they keep their server address (an IPv4-only
                     service drops them as foreign). With backends, as many
                     IPv6 backends from backend6_base heartbeat to vip6 too
  backend6_base      first IPv6 backend address (default 2001:db8:9::1)
  heartbeat_port     with backends: their UDP port (no default: the NF's
                     option takes the same placeholder, {heartbeat_port})
  heartbeat_expiry   a duration such as 1000us, 1ms, 2s

Every parameter is also a placeholder of the spec's options ({vip}, ...), so
the NF's options and the traffic share one value."""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
from collections.abc import Sequence

from testing import frames
from testing.inmem import Packet
from testing.traffic import timed
from testing.traffic.profiles import Flow

PARAMS = (
    "macs_from_ips",
    "vip",
    "backends",
    "backend_base",
    "heartbeat_port",
    "heartbeat_expiry",
    "vip6",
    "backend6_base",
)
DEFAULTS = {"backend_base": "10.9.0.1", "backend6_base": "2001:db8:9::1"}
_UNITS_NS = (("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000))
SERVICE_PORTS = (443, 80)  # by client port parity


def duration_ns(text: str) -> int:
    for unit, scale in _UNITS_NS:
        number = text[: -len(unit)]
        if text.endswith(unit) and number.isdigit():
            return int(number) * scale
    raise ValueError(f"duration {text!r}: write a whole number with ns, us, ms or s, e.g. 1000us")


def _ip(name: str, text: str) -> int:
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        raise ValueError(f"{name}={text!r}: expected an IPv4 address such as 192.0.2.1") from None


def _ip6(name: str, text: str) -> int:
    try:
        return int(ipaddress.IPv6Address(text))
    except ValueError:
        raise ValueError(f"{name}={text!r}: expected an IPv6 address such as 2001:db8::1") from None


def check(params: dict[str, str], profiles: Sequence[str]) -> None:
    """Raises ValueError naming the parameter and what to write."""
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(PARAMS)}")
    if params.get("macs_from_ips", "True") not in ("True", "False"):
        raise ValueError(f"macs_from_ips={params['macs_from_ips']!r}: expected True or False")
    if "vip" in params:
        _ip("vip", params["vip"])
    if "vip6" in params:
        _ip6("vip6", params["vip6"])
        _ip6("backend6_base", params.get("backend6_base", DEFAULTS["backend6_base"]))
    heartbeats = "backends" in params
    if heartbeats:
        if "vip" not in params or "heartbeat_expiry" not in params or "heartbeat_port" not in params:
            raise ValueError(
                "backends needs vip, heartbeat_port and heartbeat_expiry (where, from which port and how "
                "often backends heartbeat)"
            )
        if not params["heartbeat_port"].isdigit() or not 0 < int(params["heartbeat_port"]) < 65536:
            raise ValueError(f"heartbeat_port={params['heartbeat_port']!r}: expected a UDP port, 1 to 65535")
        if not params["backends"].isdigit() or int(params["backends"]) < 1:
            raise ValueError(f"backends={params['backends']!r}: expected a positive count")
        duration_ns(params["heartbeat_expiry"])
        _ip("backend_base", params.get("backend_base", DEFAULTS["backend_base"]))
    if "heartbeat_loss" in profiles and not heartbeats:
        raise ValueError(
            "the heartbeat_loss profile needs heartbeating backends (backends, vip, heartbeat_expiry)"
        )


@functools.cache
def _cached(items: tuple[tuple[str, str], ...], roles: tuple[str, ...]) -> timed.Shape:
    params = {**DEFAULTS, **dict(items)}
    kwargs = {"macs_from_ips": params.get("macs_from_ips") == "True"}
    if "vip" in params:
        vip = _ip("vip", params["vip"])
        vip6 = _ip6("vip6", params["vip6"]) if "vip6" in params else None
        # IPv4 clients go to the IPv4 VIP, IPv6 clients to vip6; without vip6
        # they keep their server address (the NF drops them as foreign).
        kwargs["flow"] = lambda f: (
            Flow(f.src_ip, vip, f.src_port, SERVICE_PORTS[f.dst_port % 2], f.proto)
            if f.family == 4
            else Flow(f.src_ip, vip6, f.src_port, SERVICE_PORTS[f.dst_port % 2], f.proto, 6)
            if vip6 is not None
            else dataclasses.replace(f, dst_port=SERVICE_PORTS[f.dst_port % 2])
        )
    if "backends" in params:
        kwargs["background"] = Heartbeats(params, roles)
    return timed.Shape(**kwargs)


def shape(params: dict[str, str], roles: Sequence[str]) -> timed.Shape:
    return _cached(tuple(sorted(params.items())), tuple(roles))


class Heartbeats:
    """The background of a VIP service: backend heartbeats (see the module doc)."""

    def __init__(self, params: dict[str, str], roles: Sequence[str]):
        base = _ip("backend_base", params["backend_base"])
        count = int(params["backends"])
        self.backends = [base + i for i in range(count)]
        self.vip = _ip("vip", params["vip"])
        # IPv6 backends heartbeat to vip6 as well, when the service has one.
        self.vip6 = _ip6("vip6", params["vip6"]) if "vip6" in params else None
        base6 = _ip6("backend6_base", params["backend6_base"]) if self.vip6 is not None else 0
        self.backends6 = [base6 + i for i in range(count)] if self.vip6 is not None else []
        self.port = int(params["heartbeat_port"])
        self.expiry_ns = duration_ns(params["heartbeat_expiry"])
        self.server_port = roles.index("server")
        self.client_mac = timed.port_mac(roles.index("client"), roles)

    def heartbeat(self, backend: int, ts: int, family: int = 4) -> Packet:
        vip = self.vip if family == 4 else self.vip6
        flow = Flow(backend, vip, self.port, self.port, 17, family)
        frame = frames.l4_frame(flow, 64, src_mac=timed.mac_of(backend), dst_mac=self.client_mac)
        return Packet(self.server_port, ts, frame)

    def __call__(self, start: int, end: int, profile: str) -> list[Packet]:
        period = self.expiry_ns // 3
        out = []
        t = start - 1000
        while t <= end:
            middle = start + (end - start) // 2
            late = start + 3 * (end - start) // 4
            for k, backend in enumerate(self.backends):
                silent = (
                    profile == "heartbeat_loss" and k % 2 == 1 and middle <= t and not (k == 1 and t >= late)
                )
                if not silent:
                    out.append(self.heartbeat(backend, t + k))
                    if self.backends6:
                        out.append(self.heartbeat(self.backends6[k], t + k, 6))
            t += period
        return out
