"""Dependency analysis on hand-built descriptions."""

import sys

import pytest

from parallelizer.sharding import dependencies, validate
from parallelizer.testing import descriptions as td


def eqs(c: dependencies.Constraint) -> set[str]:
    return {str(e) for e in c.equalities}


def cross(objects, name, a=0, b=1):
    return [c for c in objects[name].constraints if (c.port_a, c.port_b) == (a, b)]


def test_no_state_has_no_objects():
    assert dependencies.analyze(td.no_state()) == {}


def test_firewall_reply_is_the_swapped_five_tuple():
    objects = dependencies.analyze(td.firewall_like())
    [c] = cross(objects, "flows")
    assert eqs(c) == {
        "ipv4.src = ipv4.dst",
        "ipv4.dst = ipv4.src",
        "l4.src_port = l4.dst_port",
        "l4.dst_port = l4.src_port",
    }
    # The dchain is reached through the map's value on both ports: it follows the map.
    assert {eqs(c) == eqs(x) for x in cross(objects, "flow_chain")} == {True}
    assert all(not o.blockers for o in objects.values())
    assert objects["flows"].family == objects["flow_chain"].family == objects["flow_keys"].family


@pytest.mark.parametrize("with_relations", [True, False])
def test_nat_relates_remote_endpoint_only(with_relations):
    objects = dependencies.analyze(td.nat_like(with_relations=with_relations))
    for name in ("flows", "ports", "int_flows"):
        [c] = cross(objects, name)
        assert eqs(c) == {"ipv4.dst = ipv4.src", "l4.dst_port = l4.src_port"}
        assert not objects[name].blockers
    assert objects["ports"].index_leaves_nf and objects["flows"].index_leaves_nf
    assert not objects["int_flows"].index_leaves_nf  # a map is not an index space


def test_index_from_packet_without_stored_value_check_blocks():
    d = td.nat_like(with_relations=False)
    for p in d.paths:
        del p.conditions[:]  # the WAN side no longer compares the stored remote endpoint
    objects = dependencies.analyze(d)
    assert any("index read from the packet" in b for b in objects["flows"].blockers)


def test_mac_keyed_state_is_blocked_naming_object_and_fields():
    objects = dependencies.analyze(td.mac_bridge_like())
    blockers = " ".join(objects["macs"].blockers)
    assert "'macs'" in blockers and "eth.src" in blockers and "eth.dst" in blockers


def test_global_counter_is_blocked():
    objects = dependencies.analyze(td.global_counter_like())
    assert objects["total"].blockers


def test_lb_backend_table_blocked_flow_table_not():
    objects = dependencies.analyze(td.lb_like())
    assert objects["backends"].blockers
    assert not objects["flows"].blockers and not objects["flow_backend"].blockers
    assert not objects["cht"].written_by_packets


def test_in_port_in_key_separates_ports():
    d = td.keyed_counter("per_port", 0, td.struct("k", port=td.pf("in_port"), ip=td.pf("ipv4.src")))
    d.paths.extend(
        td._flow_table_paths(
            7,
            1,
            td.struct("k", port=td.pf("in_port"), ip=td.pf("ipv4.src")),
            "index_of",
            "chain",
            "cells",
            True,
        )
    )
    objects = dependencies.analyze(d)
    assert not cross(objects, "index_of")  # in_port 0 and 1 never share a key
    assert cross(objects, "index_of", 1, 1)


def test_prefix_key_relates_only_prefix_bits():
    objects = dependencies.analyze(td.prefix_keyed_like())
    [c] = objects["index_of"].constraints
    assert eqs(c) == {"ipv4.src[31:8] = ipv4.src[31:8]"}


def test_written_flag_is_the_analysis_fact_and_a_contradiction_is_refused():
    """Sharding reads written_by_packets; a description whose flag says 'not
    written' while a path writes the object is refused, not corrected."""
    good = td.firewall_like()
    validate.check(good, "firewall_like")  # positive control: consistent flags pass
    bad = td.firewall_like()
    obj = next(o for o in bad.objects if o.written_by_packets)
    obj.written_by_packets = False
    with pytest.raises(
        validate.DescriptionError, match=rf"'{obj.name}' is changed by a path.*written_by_packets is false"
    ):
        validate.check(bad, "firewall_like")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
