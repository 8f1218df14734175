"""ipv6_plans against independent readers: dpkt parses the frames, Python's
ipaddress checks the address plan; negative controls: share 0 changes no
byte, and a plan with one server /48 is seen as one /48."""

from __future__ import annotations

import ipaddress
import sys

import dpkt
import pytest

from testing.frame_checks import checksums_valid
from testing.traffic import ipv6_plans, profiles

SPEC = profiles.TrafficSpec(packets=6000, flows=600, seed=3)
LAN64 = ipaddress.IPv6Network("2001:db8:a00:1::/64")


@pytest.fixture(scope="module")
def ipv4() -> list[profiles.TrafficPacket]:
    return profiles.generate(SPEC)


def _ip6(frame: bytes) -> dpkt.ip6.IP6:
    eth = dpkt.ethernet.Ethernet(frame)
    assert isinstance(eth.data, dpkt.ip6.IP6), frame.hex()
    return eth.data


def test_share_zero_changes_nothing(ipv4):
    assert ipv6_plans.convert_packets(ipv4, 0.0) == ipv4


def test_all_ipv6_frames_parse_and_follow_the_plan(ipv4):
    out = ipv6_plans.convert_packets(ipv4, 1.0)
    assert len(out) == len(ipv4)
    servers48 = set()
    for before, after in zip(ipv4, out, strict=True):
        ip6 = _ip6(after.frame)
        assert checksums_valid(after.frame)
        assert after.frame[:12] == before.frame[:12] and after.port == before.port
        assert (after.timestamp_ns, ip6.nxt) == (before.timestamp_ns, before.flow.proto)
        assert (ip6.data.sport, ip6.data.dport) == (before.flow.src_port, before.flow.dst_port)
        src, dst = ipaddress.IPv6Address(ip6.src), ipaddress.IPv6Address(ip6.dst)
        client, server = (src, dst) if after.port == 0 else (dst, src)
        assert client in LAN64  # clients are 10/8 hosts
        if server not in LAN64:
            servers48.add(ipaddress.IPv6Network(f"{server}/48", strict=False))
    assert len(servers48) == ipv6_plans.SERVER_PREFIXES
    assert all(n.subnet_of(ipaddress.IPv6Network("2001:db8::/32")) for n in servers48)


def test_one_to_one_and_random_interface_ids(ipv4):
    plan = ipv6_plans.DEFAULT_PLAN
    hosts = {p.flow.src_ip for p in ipv4 if p.port == 0}
    mapped = {plan.address(h) for h in hosts}
    assert len(mapped) == len(hosts)
    # Interface IDs are not the IPv4 host bits: about half of each IID bit is set.
    ones = [sum((a >> b) & 1 for a in mapped) / len(mapped) for b in range(64)]
    assert all(0.35 < x < 0.65 for x in ones), ones


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_share_of_flows_and_both_directions_alike(ipv4, share):
    out = ipv6_plans.convert_packets(ipv4, share)
    family = {}
    for before, after in zip(ipv4, out, strict=True):
        client = before.flow if before.port == 0 else before.flow.reversed()
        fam = 6 if after.frame[12:14] == b"\x86\xdd" else 4
        assert family.setdefault(client, fam) == fam  # a flow and its replies share the family
    six = sum(f == 6 for f in family.values()) / len(family)
    assert abs(six - share) < 0.06, six


def test_convert_frame_agrees_with_convert_packets(ipv4):
    cache: dict = {}
    out = ipv6_plans.convert_packets(ipv4, 0.5)
    assert [ipv6_plans.convert_frame(p.frame, 0.5, cache=cache) for p in ipv4] == [p.frame for p in out]


def test_one_prefix_plan_is_one_prefix(ipv4):
    """Negative control of the /48 count above: a one-/48 plan gives one /48."""
    plan = ipv6_plans.AddressPlan(server_prefixes=1)
    servers = {plan.address(p.flow.dst_ip) >> 80 for p in ipv4 if p.port == 0 and p.flow.dst_ip >> 24 != 10}
    assert len(servers) == 1


def test_bad_share_is_refused(ipv4):
    with pytest.raises(ValueError, match="ipv6_share=1.5"):
        ipv6_plans.convert_packets(ipv4, 1.5)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
