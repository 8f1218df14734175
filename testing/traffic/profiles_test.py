"""Tests of the traffic generator: determinism, valid frames, the shape of each profile."""

import collections
import dataclasses
import sys

import dpkt
import pytest

from testing import frame_checks, frames
from testing.traffic import profiles


def test_same_seed_same_bytes_different_seed_different_bytes():
    spec = profiles.TrafficSpec(packets=500, flows=50, seed=9)
    a = profiles.generate(spec)
    b = profiles.generate(spec)
    c = profiles.generate(profiles.TrafficSpec(packets=500, flows=50, seed=10))
    assert [(p.port, p.timestamp_ns, p.frame) for p in a] == [(p.port, p.timestamp_ns, p.frame) for p in b]
    assert [p.frame for p in a] != [p.frame for p in c]


@pytest.mark.parametrize("size", [60, 64, 128, 1500])
def test_frames_parse_with_right_sizes_and_checksums(size):
    for packet in profiles.generate(profiles.TrafficSpec(packets=200, flows=20, frame_size=size, seed=2)):
        assert len(packet.frame) == size
        assert frame_checks.checksums_valid(packet.frame)  # dpkt's independent checksum
        ip = dpkt.ethernet.Ethernet(packet.frame).data
        assert int.from_bytes(ip.src, "big") == packet.flow.src_ip
        assert ip.data.dport == packet.flow.dst_port


def test_replies_reverse_an_earlier_client_flow_and_use_port_1():
    seen = set()
    replies = 0
    for packet in profiles.generate(
        profiles.TrafficSpec(packets=2000, flows=100, reply_fraction=0.5, seed=3)
    ):
        if packet.port == 0:
            seen.add(packet.flow)
        else:
            replies += 1
            assert packet.flow.reversed() in seen
    assert 600 < replies < 1400


def test_zipf_concentrates_on_popular_flows_and_uniform_does_not():
    def top_share(distribution):
        packets = profiles.generate(
            profiles.TrafficSpec(
                packets=20000, flows=1000, distribution=distribution, reply_fraction=0, seed=4
            )
        )
        counts = collections.Counter(p.flow for p in packets)
        return counts.most_common(1)[0][1] / len(packets)

    # Zipf(1.1) over 1000 ranks: P(rank 0) = 1 / H(1000, 1.1) ~ 0.17; uniform: ~0.001.
    assert 0.12 < top_share("zipf") < 0.22
    assert top_share("uniform") < 0.01


def test_churn_brings_new_flows():
    def distinct(churn):
        packets = profiles.generate(profiles.TrafficSpec(packets=5000, flows=100, churn=churn, seed=5))
        return len({p.flow for p in packets if p.port == 0})

    assert distinct(0.0) <= 100
    assert distinct(0.2) > 600  # ~1000 replacements expected


def test_client_server_mode_uses_few_servers():
    packets = profiles.generate(
        profiles.TrafficSpec(packets=3000, flows=1000, servers=8, reply_fraction=0, seed=6)
    )
    assert len({p.flow.dst_ip for p in packets}) <= 8


def test_timestamps_strictly_increase_after_merge():
    merged = profiles.merge(profiles.spoofed_wan(100, seed=1), profiles.port_scan(3, 50, seed=2))
    stamps = [p.timestamp_ns for p in merged]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_malformed_frames_each_break_one_rule():
    packets = profiles.malformed(seed=1)
    assert len(packets) == 16 and {p.port for p in packets} == {0, 1}
    f = [p.frame for p in packets[:8]]
    assert len(f[0]) < 14  # truncated Ethernet
    assert f[1][12:14] == b"\x86\xdd"  # not IPv4
    assert len(f[2]) < 14 + 20  # truncated IPv4 header
    assert f[3][14] & 0x0F == 4  # IHL < 5
    assert int.from_bytes(f[4][16:18], "big") > len(f[4]) - 14  # total length past the frame
    assert f[5][20] & 0x20  # more fragments
    assert f[6][23] == 47  # GRE
    assert len(f[7]) < 14 + 20 + 20 and f[7][23] == 6  # TCP header cut


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("flows", 0, "flows=0"),
        ("churn", 1.5, "churn=1.5"),
        ("distribution", "pareto", "distribution='pareto'"),
        ("frame_size", 20, "frame_size=20"),
    ],
)
def test_bad_spec_is_named(field, value, message):
    with pytest.raises(ValueError, match=message):
        profiles.generate(profiles.TrafficSpec(**{field: value}))


def test_flow_family_selects_the_builder() -> None:
    v6 = profiles.Flow(
        frames.ip6_int("2001:db8::1"), frames.ip6_int("2001:db8::2"), 1000, 80, frames.TCP, family=6
    )
    frame = frames.l4_frame(v6, 90)
    assert len(frame) == 90 and frame[12:14] == b"\x86\xdd"
    assert frame_checks.checksums_valid(frame)
    assert v6.reversed().family == 6
    assert frames.l4_frame(profiles.Flow(1, 2, 3, 4, frames.UDP), 64)[12:14] == b"\x08\x00"


def test_ipv6_address_plan_and_families() -> None:
    # Clients: one /64 with random interface IDs; servers: hosts of at most
    # server6_prefixes /48s (the plan of docs/BENCHMARKS.md); checked on the
    # frames' bytes with dpkt, not on the generator's Flow objects.
    spec = profiles.TrafficSpec(packets=3000, flows=300, seed=3, family="ipv6", servers=40, reply_fraction=0)
    packets = profiles.generate(spec)
    sources, dests = set(), set()
    for packet in packets:
        ip6 = dpkt.ethernet.Ethernet(packet.frame).data
        assert isinstance(ip6, dpkt.ip6.IP6)
        assert frame_checks.checksums_valid(packet.frame)
        sources.add(ip6.src)
        dests.add(ip6.dst)
    assert {s[:8] for s in sources} == {bytes.fromhex("20010db800000001")}
    assert len({s[8:] for s in sources}) > 250  # random interface IDs
    assert len({d[:6] for d in dests}) <= spec.server6_prefixes
    assert all(d[:4] == bytes.fromhex("20010db8") for d in dests)
    mixed = profiles.generate(dataclasses.replace(spec, family="mixed"))
    kinds = collections.Counter(p.frame[12:14] for p in mixed)
    assert kinds[b"\x86\xdd"] > 0 and kinds[b"\x08\x00"] > 0
    # IPv4 traffic is byte-identical to what it was before families existed.
    v4 = profiles.TrafficSpec(packets=200, flows=20, seed=5, servers=10)
    assert all(p.frame[12:14] == b"\x08\x00" for p in profiles.generate(v4))


def test_family_is_validated() -> None:
    with pytest.raises(ValueError, match="family='ipv5'"):
        profiles.TrafficSpec(family="ipv5").validate()


def test_malformed6_frames_are_ipv6_and_not_flows() -> None:
    frames6 = profiles.malformed6(4)
    assert len(frames6) == 16 and all(p.flow is None for p in frames6)
    assert all(p.frame[12:14] == b"\x86\xdd" for p in frames6)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
