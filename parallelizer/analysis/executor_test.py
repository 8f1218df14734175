"""Unit tests of the symbolic executor: path counts, conditions, outcomes and
relations on small NFs whose paths are counted by hand in the comments."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from parallelizer.analysis import describe
from parallelizer.analysis.expr_eval import evaluate
from proto import nf_description_pb2 as pb
from testing import nfpar_runfiles

# The paths below are relative to nfpar's root, also when nfpar is vendored.
os.chdir(nfpar_runfiles.root())

TESTDATA = "parallelizer/analysis/testdata"
DROP, FORWARD, FLOOD = pb.Outcome.DROP, pb.Outcome.FORWARD, pb.Outcome.FLOOD


def analyze_process(body: str, ports: int | None = None) -> pb.NfDescription:
    """Description of minimal_nf.h plus an nf_process with `body`."""
    source = (
        '#include "minimal_nf.h"\n'
        "int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {\n"
        "  (void)state; (void)now; (void)in_port; (void)pkt;\n" + body + "\n}\n"
    )
    directory = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    path = os.path.join(directory, "test_nf.c")
    with open(path, "w") as out:
        out.write(source)
    return describe.analyze(path, [".", TESTDATA], ports).description


def out_port(path: pb.Path) -> int | None:
    if path.outcome.action != FORWARD:
        return None
    assert path.outcome.out_port.WhichOneof("kind") == "constant"
    return path.outcome.out_port.constant


def test_independent_branches_multiply() -> None:
    # Two independent two-way branches whose arms read state: 4 paths per port, 2 ports.
    desc = analyze_process("""
  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  int out = 1;
  if (nf_pkt_ipv4_proto(pkt) == 6) {
    nf_map_get(state->table, &key, &index);
    out = 0;
  }
  if (nf_pkt_l4_dst_port(pkt) == 80) return NF_DROP;
  return in_port == 0 ? out : 1;""")
    assert desc.port_count == 2
    assert len(desc.paths) == 8
    assert [p.in_port for p in desc.paths] == [0] * 4 + [1] * 4
    port0 = [p for p in desc.paths if p.in_port == 0]
    assert sorted(p.outcome.action for p in port0) == sorted([DROP, DROP, FORWARD, FORWARD])
    assert sorted(out_port(p) for p in port0 if p.outcome.action == FORWARD) == [0, 1]
    # The first condition reads `ipv4.proto = 6` at the field's own width.
    first = port0[0].conditions[0]
    assert first.apply.op == "="
    assert first.apply.args[0].packet_field == "ipv4.proto"
    assert first.apply.args[0].width_bits == 8
    assert first.apply.args[1].constant == 6


def test_independent_branch_without_state_is_merged() -> None:
    # The same NF with an arm that only sets a local: the first if is merged (merge.py),
    # so 2 paths per port and port 0's out port is ite(ipv4.proto = 6, 0, 1).
    desc = analyze_process("""
  int out = 1;
  if (nf_pkt_ipv4_proto(pkt) == 6) out = 0;
  if (nf_pkt_l4_dst_port(pkt) == 80) return NF_DROP;
  return in_port == 0 ? out : 1;""")
    assert len(desc.paths) == 4
    forward = [p for p in desc.paths if p.in_port == 0 and p.outcome.action == FORWARD]
    assert len(forward) == 1
    port = forward[0].outcome.out_port
    assert port.apply.op == "ite"
    assert [evaluate(port, {"ipv4.proto": proto}) for proto in (0, 6, 17)] == [1, 0, 1]


def test_infeasible_paths_are_pruned() -> None:
    # p > 100 && p < 50 is impossible: 2 paths, never FLOOD.
    desc = analyze_process(
        """
  uint16_t p = nf_pkt_l4_dst_port(pkt);
  if (p > 100) {
    if (p < 50) return NF_FLOOD;
    return 1;
  }
  return 0;""",
        ports=1,
    )
    assert len(desc.paths) == 2
    assert all(p.outcome.action == FORWARD for p in desc.paths)
    assert sorted(out_port(p) for p in desc.paths) == [0, 1]
    # The inner branch is decided by the outer one: only one condition per path.
    assert all(len(p.conditions) == 1 for p in desc.paths)


def test_bounded_loop_and_switch_fallthrough() -> None:
    # proto 0, 1, 2 -> 1 each; 6 falls through to 17's case -> 110; 17 -> 100; else 0.
    # The loop's ifs are merged (hits is a sum of ite terms); the switch forks 3 ways.
    desc = analyze_process(
        """
  uint8_t proto = nf_pkt_ipv4_proto(pkt);
  int hits = 0;
  for (int i = 0; i < 3; i++) {
    if (proto == i) hits++;
  }
  switch (proto) {
    case 6:
      hits += 10;
    case 17:
      hits += 100;
      break;
    default:
      break;
  }
  return hits;""",
        ports=1,
    )
    assert len(desc.paths) == 3
    by_proto = {}
    for path in desc.paths:
        for proto in range(256):
            fields = {"ipv4.proto": proto}
            if all(evaluate(c, fields) for c in path.conditions):
                assert proto not in by_proto, "paths overlap"
                by_proto[proto] = evaluate(path.outcome.out_port, fields)
    expected = {proto: 0 for proto in range(256)} | {0: 1, 1: 1, 2: 1, 6: 110, 17: 100}
    assert by_proto == expected


def test_short_circuit_skips_calls() -> None:
    # The map is read only when proto == 6: 3 paths, the first without ops.
    desc = analyze_process(
        """
  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  if (nf_pkt_ipv4_proto(pkt) == 6 && nf_map_get(state->table, &key, &index)) return 1;
  return 0;""",
        ports=1,
    )
    assert len(desc.paths) == 3
    no_ops = [p for p in desc.paths if not p.ops]
    assert len(no_ops) == 1 and out_port(no_ops[0]) == 0
    reads = [p.ops[0] for p in desc.paths if p.ops]
    assert all(
        op.call == "nf_map_get" and op.object == "table" and op.kind == pb.StateOp.READ for op in reads
    )
    key = reads[0].key.struct_value
    assert key.type_name == "addr_key"
    assert [(f.name, f.value.packet_field) for f in key.fields] == [("addr", "ipv4.src")]
    assert sorted(out_port(p) for p in desc.paths) == [0, 0, 1]


def test_stored_value_compared_from_paths() -> None:
    # Port 0 stores ipv4.dst in cell.addr; port 1 passes only when cell.addr == ipv4.src.
    desc = analyze_process("""
  struct addr_cell cell;
  if (in_port == 0) {
    cell.addr = nf_pkt_ipv4_dst(pkt);
    cell.port = nf_pkt_l4_dst_port(pkt);
    cell.pad = 0;
    nf_vector_return(state->cells, 0, &cell);
    return 1;
  }
  nf_vector_borrow(state->cells, 0, &cell);
  if (cell.addr != nf_pkt_ipv4_src(pkt)) return NF_DROP;
  return 0;""")
    stored = [r for r in desc.relations if r.kind == pb.Relation.STORED_VALUE_COMPARED]
    assert len(stored) == 1
    relation = stored[0]
    assert (relation.object, relation.writer_port, relation.reader_port) == ("cells", 0, 1)
    assert [(p.writer_field, p.reader_field, p.via) for p in relation.pairs] == [
        ("ipv4.dst", "ipv4.src", "addr")
    ]
    objects = {o.name: o for o in desc.objects}
    assert objects["cells"].written_by_packets
    assert not objects["table"].written_by_packets


def test_nat_like_relations_and_objects() -> None:
    # nat_like.c: LAN flows allocate an index of `ports` that becomes the source port
    # (port_start + index); WAN replies index `ports`/`flow_keys` with their destination
    # port and must come from the stored destination (dst_ip, dst_port).
    desc = describe.analyze(f"{TESTDATA}/nat_like.c", ["."]).description
    assert desc.nf_name == "nat_like"
    assert [(o.name, o.kind, o.capacity, o.capacity_expr) for o in desc.objects] == [
        ("flows", pb.StateObject.MAP, 1024, "cfg->max_flows"),
        ("flow_keys", pb.StateObject.VECTOR, 1024, "cfg->max_flows"),
        ("ports", pb.StateObject.DCHAIN, 1024, "cfg->max_flows"),
    ]
    assert [(f.name, f.offset_bytes, f.width_bits) for f in desc.objects[0].key_fields] == [
        ("src_ip", 0, 32),
        ("dst_ip", 4, 32),
        ("src_port", 8, 16),
        ("dst_port", 10, 16),
        ("proto", 12, 8),
        ("pad", 13, 24),
    ]
    config = {c.name: c.value.constant for c in desc.config_values}
    assert config["cfg.port_start"] == 1024 and config["cfg.lan_port"] == 0
    found = {
        (
            pb.Relation.Kind.Name(r.kind),
            r.object,
            r.writer_port,
            r.reader_port,
            tuple((p.writer_field, p.reader_field, p.via) for p in r.pairs),
        )
        for r in desc.relations
    }
    assert found == {
        (
            "STORED_VALUE_COMPARED",
            "flow_keys",
            0,
            1,
            (("ipv4.dst", "ipv4.src", "dst_ip"), ("l4.dst_port", "l4.src_port", "dst_port")),
        ),
        ("INDEX_RETURNS_IN_PACKET", "ports", 0, 1, (("l4.src_port", "l4.dst_port", "index"),)),
        ("INDEX_RETURNS_IN_PACKET", "flow_keys", 0, 1, (("l4.src_port", "l4.dst_port", "index"),)),
        (
            "SAME_KEY",
            "flows",
            0,
            0,
            (
                ("ipv4.dst", "ipv4.dst", "dst_ip"),
                ("ipv4.proto", "ipv4.proto", "proto"),
                ("ipv4.src", "ipv4.src", "src_ip"),
                ("l4.dst_port", "l4.dst_port", "dst_port"),
                ("l4.src_port", "l4.src_port", "src_port"),
            ),
        ),
    }
    # LAN: a known flow or a new one (allocated or table full); rewrites on success.
    lan_forward = [p for p in desc.paths if p.in_port == 0 and p.outcome.action == FORWARD]
    assert len(lan_forward) == 2
    assert all([r.field for r in p.outcome.rewrites] == ["ipv4.src", "l4.src_port"] for p in lan_forward)


def test_firewall_like_reverses_the_key_on_the_wan() -> None:
    desc = describe.analyze(f"{TESTDATA}/firewall_like.c", ["."]).description
    cross = [r for r in desc.relations if r.kind == pb.Relation.SAME_KEY and r.writer_port != r.reader_port]
    assert len(cross) == 1 and (cross[0].writer_port, cross[0].reader_port) == (0, 1)
    assert sorted((p.via, p.writer_field, p.reader_field) for p in cross[0].pairs) == [
        ("ext_ip", "ipv4.dst", "ipv4.src"),
        ("ext_port", "l4.dst_port", "l4.src_port"),
        ("int_ip", "ipv4.src", "ipv4.dst"),
        ("int_port", "l4.src_port", "l4.dst_port"),
    ]
    # 3 drops (bad status, proto 1, proto 47) per port, then 3 LAN / 2 WAN outcomes.
    assert len(desc.paths) == 11


def test_output_is_deterministic() -> None:
    first = describe.analyze(f"{TESTDATA}/firewall_like.c", ["."]).description
    second = describe.analyze(f"{TESTDATA}/firewall_like.c", ["."]).description
    assert first.SerializeToString(deterministic=True) == second.SerializeToString(deterministic=True)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
