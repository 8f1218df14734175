"""Unions and accesses through pointer casts (issue 14, items 4 and 5).

Unions are refused wherever a union type appears, at the `union` keyword, with
the advice to use a struct and compute the value explicitly. Integer accesses
through pointer casts (`((uint8_t *)&key)[0] = 0`, `*(uint16_t *)&key = x`)
are modelled byte-exactly (x86-64, little-endian); other reinterpretations are
refused. Each message is asserted exactly."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest

from parallelizer.analysis import describe
from parallelizer.analysis.errors import AnalysisError
from proto import nf_description_pb2 as pb
from testing import nfpar_runfiles

# The paths below are relative to nfpar's root, also when nfpar is vendored.
os.chdir(nfpar_runfiles.root())

TESTDATA = "parallelizer/analysis/testdata"

UNION_WHAT = (
    "unions are not supported (their members share bytes, which the analysis would track as "
    "separate fields and get keys wrong)"
)
UNION_INSTEAD = (
    "use a struct and compute the overlapping value explicitly, "
    "e.g. key.prefix = src & 0xffffff00 instead of writing key.u.bytes[0] = 0"
)

HEADER = '#include "minimal_nf.h"\n'
PROCESS = (
    "int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {\n"
    "  (void)state; (void)now; (void)in_port; (void)pkt;\n"
)


def write_nf(decls: str, body: str) -> str:
    """Path of minimal_nf.h + decls + an nf_process with body. Line 2 holds the
    first line of decls; the body starts on the line after PROCESS."""
    directory = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    path = os.path.join(directory, "test_nf.c")
    with open(path, "w") as out:
        out.write(HEADER + decls + PROCESS + body + "\n}\n")
    return path


def body_line(decls: str, offset: int = 0) -> int:
    return 1 + decls.count("\n") + 2 + 1 + offset


def analyze(path: str) -> pb.NfDescription:
    return describe.analyze(path, [".", TESTDATA], 1).description


def error_of(path: str) -> str:
    with pytest.raises(AnalysisError) as info:
        analyze(path)
    return str(info.value)


# ---- unions -------------------------------------------------------------------------

UNION_FORMS = {
    # name: (decls, body, (line, column) of the `union` keyword relative to decls/body, kind)
    "declaration": ("union ab { uint32_t a; uint8_t b[4]; };\n", "  return 0;", ("decl", 0, 1), "union ab"),
    "forward declaration": ("union ab;\n", "  return 0;", ("decl", 0, 1), "union ab"),
    "typedef": (
        "typedef union { uint32_t a; uint8_t b[4]; } ab_t;\n",
        "  return 0;",
        ("decl", 0, 9),
        "anonymous union",
    ),
    "member": (
        "struct pk {\n  union ab { uint32_t prefix; uint8_t bytes[4]; } u;\n};\n",
        "  return 0;",
        ("decl", 1, 3),
        "union ab",
    ),
    "anonymous member": (
        "struct pk {\n  uint16_t port;\n  union { uint32_t prefix; uint8_t bytes[4]; };\n};\n",
        "  return 0;",
        ("decl", 2, 3),
        "anonymous union",
    ),
    "local variable": (
        "",
        "  union ab { uint32_t a; uint8_t b[4]; } x;\n  x.a = 1;\n  return x.b[0];",
        ("body", 0, 3),
        "union ab",
    ),
    "cast to a union pointer": (
        "",
        "  uint32_t v = nf_pkt_ipv4_src(pkt);\n  return ((union { uint32_t a; uint8_t b[4]; } *)&v)->b[0];",
        ("body", 1, 12),
        "anonymous union",
    ),
    "sizeof": ("", "  return (int)sizeof(union ab);", ("body", 0, 22), "union ab"),
    "array length": (
        "",
        "  char buf[sizeof(union { uint32_t a; uint8_t b[4]; })];\n  return 0;",
        ("body", 0, 19),
        "anonymous union",
    ),
    "unreached code": (
        "",
        "  if (0) {\n    union ab x;\n    (void)x;\n  }\n  return 0;",
        ("body", 1, 5),
        "union ab",
    ),
}


@pytest.mark.parametrize("form", sorted(UNION_FORMS))
def test_every_union_use_is_refused_at_its_keyword(form: str) -> None:
    decls, body, (where, line_offset, column), kind = UNION_FORMS[form]
    path = write_nf(decls, body)
    line = 2 + line_offset if where == "decl" else body_line(decls, line_offset)
    assert error_of(path) == f"{path}:{line}:{column}: error: {kind}: {UNION_WHAT}; {UNION_INSTEAD}"


def test_union_key_of_issue_14_is_refused() -> None:
    # The per-/24 counter that wrote key.u.prefix and cleared key.u.bytes[0] got a plan
    # hashing all of ipv4.src; it is now refused at the union.
    path = f"{TESTDATA}/union_key.c"
    assert error_of(path) == f"{path}:21:3: error: anonymous union: {UNION_WHAT}; {UNION_INSTEAD}"


# ---- writes and reads through pointer casts -----------------------------------------


def keys(desc: pb.NfDescription) -> list[pb.Expr]:
    return [op.key for path in desc.paths for op in path.ops if op.HasField("key")]


def field(name: str, width: int) -> pb.Expr:
    return pb.Expr(packet_field=name, width_bits=width)


def const(value: int, width: int) -> pb.Expr:
    return pb.Expr(constant=value, width_bits=width)


def apply(op: str, width: int, *args: pb.Expr, params: tuple[int, ...] = ()) -> pb.Expr:
    return pb.Expr(apply=pb.Apply(op=op, args=list(args), params=list(params)), width_bits=width)


def struct(type_name: str, **fields: pb.Expr) -> pb.Expr:
    expr = pb.Expr()
    expr.struct_value.type_name = type_name
    for name, value in fields.items():
        expr.struct_value.fields.add(name=name, value=value)
    return expr


def test_byte_cleared_through_cast_gives_the_masked_key() -> None:
    # ((uint8_t *)&key)[0] = 0 clears the prefix's low byte (little-endian): the key is
    # ipv4.src & 0xffffff00, exactly what the struct-based NF (negative control) yields.
    masked = struct("prefix_key", prefix=apply("bvand", 32, field("ipv4.src", 32), const(0xFFFFFF00, 32)))
    cast = analyze(f"{TESTDATA}/prefix_counter_cast.c")
    control = analyze(f"{TESTDATA}/prefix_counter_masked.c")
    assert keys(cast) and keys(control)
    assert all(key == masked for key in keys(cast)), keys(cast)[0]
    assert all(key == masked for key in keys(control)), keys(control)[0]
    assert len(cast.paths) == len(control.paths)


def key_of(body: str) -> pb.Expr:
    path = write_nf(
        "",
        "  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};\n"
        + body
        + "\n  int32_t index;\n  return nf_map_get(state->table, &key, &index) ? 1 : 0;",
    )
    found = keys(analyze(path))
    assert found and all(key == found[0] for key in found)
    return found[0]


def test_byte_pointer_variable_writes_only_its_bytes() -> None:
    # p[1] = 0 and p[3] = 7: bytes 1 and 3 change, bytes 0 and 2 stay ipv4.src's.
    key = key_of("  char *p = (char *)&key;\n  p[1] = 0;\n  p[3] = 7;")
    src = field("ipv4.src", 32)
    expected = apply("bvor", 32, apply("bvand", 32, src, const(0x00FF00FF, 32)), const(0x07000000, 32))
    assert key == struct("addr_key", addr=expected)


def test_wider_store_through_cast_replaces_the_low_half() -> None:
    key = key_of("  *(uint16_t *)&key = nf_pkt_l4_src_port(pkt);")
    expected = apply(
        "bvor",
        32,
        apply("bvand", 32, field("ipv4.src", 32), const(0xFFFF0000, 32)),
        apply("zero_extend", 32, field("l4.src_port", 16), params=(16,)),
    )
    assert key == struct("addr_key", addr=expected)


def test_memset_of_a_viewed_byte_and_helper_taking_a_byte_pointer() -> None:
    key = key_of("  uint8_t *p = (uint8_t *)&key;\n  memset(&p[0], 0, 1);\n  ((uint8_t *)&key)[1] = 0;")
    assert key == struct("addr_key", addr=apply("bvand", 32, field("ipv4.src", 32), const(0xFFFF0000, 32)))


def test_read_through_cast_extracts_the_byte() -> None:
    path = write_nf("", "  uint32_t src = nf_pkt_ipv4_src(pkt);\n  return ((uint8_t *)&src)[3];")
    desc = analyze(path)
    assert len(desc.paths) == 1
    top_byte = apply("extract", 8, field("ipv4.src", 32), params=(31, 24))
    assert desc.paths[0].outcome.out_port == apply("zero_extend", 32, top_byte, params=(24,))


def test_whole_key_passed_through_a_byte_pointer_is_the_whole_key() -> None:
    # nflib reads sizeof(key) bytes from the address, whatever the pointer's type.
    key = key_of("  const uint8_t *p = (const uint8_t *)&key;\n  (void)p;")
    assert key == struct("addr_key", addr=field("ipv4.src", 32))


CAST_ERRORS = {
    "padding": (
        "  struct { uint32_t addr; uint8_t proto; } k = {0};\n  uint8_t *p = (uint8_t *)&k;\n  p[6] = 1;\n  return 0;",
        (2, 3),
        "access through a pointer cast to padding bytes of struct <anonymous struct 1> (it covers byte 6)",
        "access declared fields only (e.g. key.field = value)",
    ),
    "out of bounds": (
        "  struct addr_key key = {.addr = 1};\n  uint8_t *p = (uint8_t *)&key;\n  p[4] = 1;\n  return 0;",
        (2, 3),
        "1-byte access at byte 4 of a 4-byte struct addr_key (out of bounds)",
        "keep accesses through pointer casts inside the object",
    ),
    "other struct": (
        "  struct addr_key key = {.addr = 1};\n  struct addr_cell *c = (struct addr_cell *)&key;\n"
        "  c->port = 1;\n  return 0;",
        (2, 3),
        "struct addr_key accessed through a pointer to struct addr_cell",
        "access objects through pointers of their own type, or their bytes through an integer pointer "
        "such as (uint8_t *)&key",
    ),
    "bytes passed as a key": (
        "  struct addr_key key = {.addr = 1};\n  uint8_t *p = (uint8_t *)&key;\n  int32_t index;\n"
        "  return nf_map_get(state->table, &p[1], &index);",
        (3, 36),  # pycparser places `&p[1]` at its operand
        "argument 2 of nf_map_get points into the bytes of an object (through a pointer cast)",
        "pass the address of the whole object (e.g. &key)",
    ),
    "memcpy into part of a key": (
        "  struct addr_key key = {.addr = 1};\n  memcpy(&key, &in_port, sizeof(in_port));\n  return 0;",
        (1, 3),
        "memcpy over 2 bytes of a 4-byte object",
        "memcpy whole objects: pass sizeof(the object)",
    ),
    "pointer arithmetic on a byte pointer": (
        "  struct addr_key key = {.addr = 1};\n  uint8_t *p = (uint8_t *)&key + 1;\n  *p = 0;\n  return 0;",
        (1, 16),
        "pointer arithmetic",
        "index arrays with [], and reach state only through nflib calls",
    ),
    "pointer bytes": (
        "  struct addr_key key = {.addr = 1};\n  struct addr_key *k = &key;\n"
        "  uint8_t b = ((uint8_t *)&k)[0];\n  return b;",
        (2, 16),
        "bytes of struct addr_key * accessed through a pointer cast",
        "access only integer fields through pointer casts; keep pointers and state objects typed",
    ),
}


@pytest.mark.parametrize("case", sorted(CAST_ERRORS))
def test_cast_access_refused_with_advice(case: str) -> None:
    body, (line_offset, column), what, instead = CAST_ERRORS[case]
    path = write_nf("", body)
    assert error_of(path) == f"{path}:{body_line('', line_offset)}:{column}: error: {what}; {instead}"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
