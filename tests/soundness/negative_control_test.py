"""Negative controls: the NAT's and the firewall's real access records
checked against deliberately wrong plans (a wrong RSS key, a port hashing
fewer fields) must fail, naming the objects whose entries the wrong plan
splits; the real plans pass. On dual-stack traffic (the ipv6 and mixed
profiles), the firewall's keys cut to what IPv4 uses (the IPv6 input's
destination and ports ignored) must fail on exactly its IPv6 objects."""

from __future__ import annotations

import functools
import random
import sys

import pytest
from google.protobuf import text_format

from proto import plan_pb2
from testing import dpdk_harness
from tests.soundness import check, workload

PROFILES = ("uniform", "churn", "prefix", "ipv6", "mixed")
# Toeplitz: input bit i is hashed with key bits i..i+31. The IPv4 TCP/UDP
# input is 12 bytes (key bytes 0..15), the IPv6 one 36 (key bytes 0..39).
IPV4_KEY_BYTES = 16


@functools.cache
def nf(name: str) -> tuple[plan_pb2.Plan, tuple[check.Run, ...]]:
    with open(dpdk_harness.runfile(f"nfs/{name}/plan.textproto")) as f:
        plan = text_format.Parse(f.read(), plan_pb2.Plan())
    driver = dpdk_harness.runfile(f"nfs/{name}/soundness_driver")
    runs = tuple(
        workload.record(driver, p) for p in workload.profiles(name, len(plan.ports)) if p.name in PROFILES
    )
    return plan, runs


def mutated(
    plan: plan_pb2.Plan, port: int, key: bytes | None = None, rss_hf: int | None = None
) -> plan_pb2.Plan:
    out = plan_pb2.Plan()
    out.CopyFrom(plan)
    cfg = next(p for p in out.ports if p.port == port)
    if key is not None:
        cfg.key = key
        cfg.key_hex = key.hex()
    if rss_hf is not None:
        cfg.rss_hf = rss_hf
    return out


@pytest.mark.parametrize("name", ["nat", "firewall"])
def test_the_real_plan_passes(name):
    plan, runs = nf(name)
    report = check.check(plan, runs)
    assert report.ok, check.summary(name, report, runs)
    assert report.pairs > 1000


def test_nat_with_a_random_wan_key_fails_on_the_flow_chain():
    plan, runs = nf("nat")
    key = random.Random(7).randbytes(len(plan.ports[1].key))
    report = check.check(mutated(plan, 1, key=key), runs)
    print(check.summary("nat (random WAN key)", report, runs))
    assert not report.ok
    # WAN replies reach their flow through the port they carry: the dchain
    # check/refresh and the flow_keys read; flow_table is only used on the LAN.
    assert report.failed_objects() == {"flow_chain", "flow_keys"}
    failure = next(f for f in report.failures if f.pair.obj == "flow_chain")
    assert "port 0" in failure.first_desc and "port 1" in failure.second_desc
    assert 2 <= failure.workers <= 64


def test_nat_lan_port_hashing_only_addresses_fails():
    """rss_hf = IPV4 only on the LAN port: the plan's LAN fields (remote
    address and port) lose the port, the WAN side still hashes it."""
    plan, runs = nf("nat")
    report = check.check(mutated(plan, 0, rss_hf=0x4), runs)
    assert not report.ok
    assert "flow_chain" in report.failed_objects()


def test_firewall_without_the_symmetric_key_fails_on_the_flow_table():
    """The WAN port given the LAN port's key: replies (addresses and ports
    swapped) no longer hash like their flow."""
    plan, runs = nf("firewall")
    report = check.check(mutated(plan, 1, key=bytes(plan.ports[0].key)), runs)
    print(check.summary("firewall (LAN key on the WAN port)", report, runs))
    assert not report.ok
    assert "flow_table" in report.failed_objects()
    failure = next(f for f in report.failures if f.pair.obj == "flow_table")
    assert "map get_hit" in failure.pair.rule
    assert "object flow_table entry key" in str(failure)


def test_nat_hashed_fields_that_leave_out_a_hashed_field_fail():
    """The WAN port's hashed_fields without l4.src_port, which its key hashes:
    the plan's statement is false of the key the NIC gets."""
    plan, runs = nf("nat")
    wrong = mutated(plan, 1)
    del wrong.ports[1].hashed_fields[:]
    wrong.ports[1].hashed_fields.append("ipv4.src")
    report = check.check(wrong, runs)
    assert not report.failures  # the key itself is right
    assert any(
        "port 1: hashed_fields ['ipv4.src'] leave out l4.src_port" in e for e in report.errors
    ), report.errors


def test_firewall_dual_stack_traffic_reaches_the_ipv6_objects():
    """The IPv6 profiles exercise the IPv6 state (else the controls below prove nothing)."""
    _, runs = nf("firewall")
    touched = {a.obj for run in runs if run.name in ("ipv6", "mixed") for a in run.trace.accesses}
    assert {"flow6_table", "flow6_keys", "flow6_chain"} <= touched
    assert "flow_table" in {a.obj for run in runs if run.name == "mixed" for a in run.trace.accesses}


def test_firewall_keys_that_ignore_the_ipv6_addresses_fail_on_the_ipv6_objects():
    """Both ports' keys with every bit past the IPv4 window zeroed: IPv4
    packets hash as before, IPv6 packets hash their source's first words
    only, so a reply (the server's address as source) leaves its flow."""
    plan, runs = nf("firewall")
    wrong = plan
    for port in (0, 1):
        key = bytes(next(p for p in plan.ports if p.port == port).key)
        wrong = mutated(wrong, port, key=key[:IPV4_KEY_BYTES] + bytes(len(key) - IPV4_KEY_BYTES))
    report = check.check(wrong, runs)
    print(check.summary("firewall (keys cut to the IPv4 window)", report, runs))
    assert not report.ok
    assert report.failed_objects() and report.failed_objects() <= {"flow6_table", "flow6_keys", "flow6_chain"}
    assert "flow6_table" in report.failed_objects()
    failure = next(f for f in report.failures if f.pair.obj == "flow6_table")
    assert "tcp [" in str(failure) or "udp [" in str(failure)  # IPv6 packets named


def test_firewall_hashed_fields_ipv6_that_leave_out_a_hashed_field_fail():
    """hashed_fields_ipv6 of the WAN port without ipv6.dst, which its key hashes."""
    plan, runs = nf("firewall")
    wrong = mutated(plan, 1)
    cfg = next(p for p in wrong.ports if p.port == 1)
    kept = [f for f in cfg.hashed_fields_ipv6 if f != "ipv6.dst"]
    del cfg.hashed_fields_ipv6[:]
    cfg.hashed_fields_ipv6.extend(kept)
    report = check.check(wrong, runs)
    assert not report.failures
    assert any(
        f"port 1: hashed_fields_ipv6 {kept} leave out ipv6.dst" in e for e in report.errors
    ), report.errors


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-s"]))
