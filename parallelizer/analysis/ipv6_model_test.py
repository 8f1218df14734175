"""The analyzer's IPv6 model: nf_pkt_ipv6_* getters and setters, struct
nf_ipv6_addr keys, the parse statuses read from nflib/packet.h, and each
path's address families (Path.families) from its pkt.status constraint."""

from __future__ import annotations

import os
import re
import sys
import tempfile

import pytest
from pycparser import c_parser

from parallelizer.analysis import describe, nflib_model
from proto import nf_description_pb2 as pb
from testing import nfpar_runfiles

os.chdir(nfpar_runfiles.root())
TESTDATA = "parallelizer/analysis/testdata"
F = pb.Path.Family


def analyze(body: str) -> pb.NfDescription:
    source = (
        '#include "minimal_nf.h"\n'
        "struct v6_key {\n  struct nf_ipv6_addr addr;\n};\nNF_KEY_DECLARE(v6_key)\n"
        "int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {\n"
        "  (void)state; (void)now; (void)in_port; (void)pkt;\n" + body + "\n}\n"
    )
    directory = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    path = os.path.join(directory, "test_nf.c")
    with open(path, "w") as out:
        out.write(source)
    return describe.analyze(path, [".", TESTDATA], 1).description


def header_statuses() -> dict[str, int]:
    """enum nf_parse_status read from nflib/packet.h's text (not through the analyzer)."""
    text = open("nflib/packet.h").read()
    body = re.search(r"enum nf_parse_status \{(.*?)\};", text, re.S).group(1)
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"(NF_PKT_\w+)\s*=\s*(\d+)", body)}


def test_statuses_come_from_the_header():
    desc_statuses = header_statuses()
    assert desc_statuses["NF_PKT_IPV6_L4_OK"] == 9 and max(desc_statuses.values()) == 15
    # Every status the family table names exists in the header.
    assert set(nflib_model.STATUS_FAMILIES) <= set(desc_statuses)
    # The analyzer's reading of a unit declaring the enum is the header's.
    ast = c_parser.CParser().parse("enum nf_parse_status { A = 0, B, C = 7, D };")
    assert nflib_model.parse_statuses(ast, {"A": 0, "B": 1, "C": 7, "D": 8}) == {
        "A": 0,
        "B": 1,
        "C": 7,
        "D": 8,
    }
    # Negative control: a unit without the enum has no statuses (the analyzer refuses it).
    assert nflib_model.parse_statuses(c_parser.CParser().parse("enum other { X };"), {"X": 0}) == {}


def test_ipv6_paths_keys_rewrites_and_families():
    desc = analyze("""
  if (nf_pkt_status(pkt) == NF_PKT_IPV6_L4_OK) {
    struct v6_key key = {.addr = nf_pkt_ipv6_src(pkt)};
    int32_t index;
    if (nf_map_get(state->table, &key, &index)) return 1;
    nf_pkt_set_ipv6_dst(pkt, nf_pkt_ipv6_src(pkt));
    nf_pkt_set_ipv6_flow_label(pkt, 7);
    return 0;
  }
  if (nf_pkt_status(pkt) == NF_PKT_L4_OK) return 1;
  return NF_DROP;""")
    families = [list(p.families) for p in desc.paths]
    assert families == [[F.IPV6], [F.IPV6], [F.IPV4], [F.IPV4, F.IPV6, F.NOT_IP]]
    get = desc.paths[0].ops[0]
    assert get.call == "nf_map_get"
    (field,) = get.key.struct_value.fields  # struct v6_key { struct nf_ipv6_addr addr; }
    assert field.name == "addr" and field.value.struct_value.type_name == "nf_ipv6_addr"
    (addr_bytes,) = field.value.struct_value.fields
    assert addr_bytes.value.packet_field == "ipv6.src" and addr_bytes.value.width_bits == 128
    rewrites = {r.field: r.value for r in desc.paths[1].outcome.rewrites}
    assert rewrites["ipv6.dst"].packet_field == "ipv6.src"
    assert rewrites["ipv6.flow_label"].constant == 7


def test_ipv4_only_status_test_keeps_ipv6_out():
    """A path that tested NF_PKT_L4_OK cannot be an IPv6 packet: the statuses
    are per family, so an IPv4-only NF's state paths stay IPv4."""
    desc = analyze("""
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) return NF_DROP;
  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  if (nf_map_get(state->table, &key, &index)) return 1;
  return 0;""")
    stateful = [p for p in desc.paths if p.ops]
    assert stateful and all(list(p.families) == [F.IPV4] for p in stateful)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
