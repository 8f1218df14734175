"""Code generation from plans: the emitted C carries the plan's values, and
plans the runtimes could not run are refused with the file, field and value."""

from __future__ import annotations

import os
import re
import sys
import tempfile

import pytest
from google.protobuf import text_format

from parallelizer.codegen import config_model, generate
from proto import plan_pb2
from testing import nfpar_runfiles

TESTDATA = "tests/parallel/testdata"


def data_path(name: str) -> str:
    return nfpar_runfiles.path(f"{TESTDATA}/{name}")


def gen(path: str, strategy: str = "") -> str:
    """The config C file the library writes for the plan file at `path`."""
    with open(path, encoding="utf-8") as f:
        plan = generate.parse_plan(f.read(), path)
    return generate.generate(plan, path, generate.Options(strategy)).config_c


def write_plan(text: str) -> str:
    fd, path = tempfile.mkstemp(suffix=".textproto", dir=os.environ.get("TEST_TMPDIR"))
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


GOOD = """
nf_name: "t"
strategy: SHARED_NOTHING
strategy_reason: "a \\"quoted\\" reason */"
key_length_bytes: 40
reta_size: 64
cores: 4
ports { port: 0 rss_hf: 52 hashed_fields: ["ipv4.src", "l4.dst_port"] key_hex: "%s" }
objects { object: "table" placement: PARTITIONED capacity_per_core: 256 index_ranges_disjoint: true }
objects { object: "routes" placement: REPLICATED }
""" % ("00112233" * 10)


def test_generated_config_carries_the_plan():
    text = gen(write_plan(GOOD))
    assert ".strategy = NF_PAR_SHARED_NOTHING," in text
    assert ".shared_nothing_allowed = true," in text
    assert ".reta_size = 64," in text and ".planned_cores = 4," in text
    assert ".key_len = 40," in text
    key = re.search(r"\.key = \{ ([^}]*) \}", text).group(1)
    assert key.split(", ")[:4] == ["0x00", "0x11", "0x22", "0x33"] and len(key.split(", ")) == 40
    assert ".rss_hf = NF_PAR_RSS_IPV4 | NF_PAR_RSS_NONFRAG_IPV4_TCP | NF_PAR_RSS_NONFRAG_IPV4_UDP," in text
    assert ".hashed_fields = { NF_PAR_FIELD_IPV4_SRC, NF_PAR_FIELD_L4_DST_PORT }," in text
    assert '.name = "table",' in text
    # The plan's capacity_per_core is a report: runtimes share what the NF asks for.
    assert "capacity_per_core" not in text
    assert ".index_ranges_disjoint = true," in text
    assert ".placement = NF_PAR_REPLICATED," in text
    # The reason is a valid C string: quotes escaped.
    assert '.strategy_reason = "a \\"quoted\\" reason */",' in text


def test_strategy_override_keeps_the_plan_consent():
    text = gen(write_plan(GOOD), "locks")
    assert ".strategy = NF_PAR_LOCKS," in text and ".shared_nothing_allowed = true," in text


def test_lock_plan_without_ports_gets_the_default_symmetric_key():
    text = gen(data_path("nop_locks_plan.textproto"))
    assert ".port = NF_PAR_ANY_PORT," in text
    assert ".key = { " + ", ".join(["0x6d", "0x5a"] * 20) + " }" in text


@pytest.mark.parametrize(
    "change, message",
    [
        (("reta_size: 64", "reta_size: 100"), "reta_size 100 is not a power of two"),
        (
            ("key_length_bytes: 40", "key_length_bytes: 52"),
            "ports[0]: key of 40 bytes but the plan's key_length_bytes is 52",
        ),
        (('"l4.dst_port"', '"eth.src"'), "hashed field 'eth.src' is not hashable"),
        (("rss_hf: 52", "rss_hf: 4"), "hashed field 'l4.dst_port' needs NONFRAG_IPV4_TCP or _UDP"),
        # 0x40 (DPDK's NONFRAG_IPV4_SCTP) is a bit no runtime hashes.
        (("rss_hf: 52", "rss_hf: 116"), "rss_hf 0x74 has bits the runtimes do not handle (0x40)"),
        (("placement: REPLICATED", "placement: SHARED_LOCKED"), "object 'routes' is SHARED_LOCKED"),
        (('key_hex: "', 'key_hex: "zz'), "is not hexadecimal"),
        # The copies of the key and its length must agree (proto/plan.proto).
        (
            ('key_hex: "', 'key: "%s" key_hex: "' % ("\\x01" * 40)),
            "key and key_hex disagree",
        ),
        (("key_length_bytes: 40", "key_length_bytes: 0"), "key_length_bytes 0 is outside 16..64"),
        (("key_length_bytes: 40", "key_length_bytes: 65"), "key_length_bytes 65 is outside 16..64"),
        (('object: "table"', 'object: "my table"'), "'my table' is not a struct nf_state field name"),
    ],
)
def test_bad_plans_are_refused_precisely(change, message):
    path = write_plan(GOOD.replace(*change))
    with pytest.raises(config_model.PlanError) as error:
        gen(path)
    assert str(error.value).startswith(path)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "spelling, message",
    [
        ("sn", "--strategy=sn: 'sn' is the old spelling of shared_nothing; write shared_nothing"),
        ("shared-nothing", "'shared-nothing' is the old spelling of shared_nothing; write shared_nothing"),
        ("lock", "unknown strategy 'lock'; write one of shared_nothing, locks, tm, hybrid"),
    ],
)
def test_old_and_unknown_strategy_spellings_are_refused(spelling, message):
    with pytest.raises(config_model.PlanError, match=re.escape(message)):
        gen(write_plan(GOOD), spelling)
    assert ".strategy = NF_PAR_SHARED_NOTHING," in gen(write_plan(GOOD), "shared_nothing")  # control


def test_forced_shared_nothing_on_a_lock_plan_is_refused():
    path = data_path("nop_locks_plan.textproto")
    with pytest.raises(config_model.PlanError, match="does not allow shared-nothing .*build :parallel_locks"):
        gen(path, "shared_nothing")


def test_hybrid_needs_a_hybrid_plan():
    plan = _lb_hybrid_plan()
    config = config_model.build(plan, "lb.textproto")
    assert config.strategy == "NF_PAR_HYBRID" and config.hybrid_allowed
    assert not config.shared_nothing_allowed
    assert config_model.build(plan, "lb.textproto", "locks").hybrid_allowed  # the plan consents
    plan.strategy = plan_pb2.LOCKS
    assert not config_model.build(plan, "lb.textproto").hybrid_allowed
    with pytest.raises(config_model.PlanError, match="does not allow hybrid"):
        config_model.build(plan, "lb.textproto", "hybrid")
    plan.strategy = plan_pb2.HYBRID
    for o in plan.objects:
        if o.placement == plan_pb2.ObjectDecision.SHARED_LOCKED:
            o.placement = plan_pb2.ObjectDecision.REPLICATED
    with pytest.raises(config_model.PlanError, match="hybrid plan needs PARTITIONED and SHARED_LOCKED"):
        config_model.build(plan, "lb.textproto")
    del plan.ports[:]
    with pytest.raises(config_model.PlanError, match="hybrid plan needs an RSS key per port"):
        config_model.build(plan, "lb.textproto")


def _lb_hybrid_plan() -> plan_pb2.Plan:
    plan = plan_pb2.Plan(
        nf_name="lb", strategy=plan_pb2.HYBRID, strategy_reason="test", reta_size=128, key_length_bytes=40
    )
    plan.ports.add(port=0, key=bytes(range(40)), rss_hf=0x34, hashed_fields=["ipv4.src"])
    plan.objects.add(object="flows", placement=plan_pb2.ObjectDecision.PARTITIONED, capacity_per_core=8)
    plan.objects.add(object="backends", placement=plan_pb2.ObjectDecision.SHARED_LOCKED)
    return plan


def test_text_proto_errors_carry_line_and_column():
    path = write_plan(GOOD + "\nbogus_field: 1\n")
    with pytest.raises(config_model.PlanError, match=re.escape(path) + r":12:1 .*bogus_field"):
        gen(path)


def _with_reta(plan_text: str, port_tables: list[list[int]]) -> str:
    plan = plan_pb2.Plan()
    text_format.Parse(plan_text, plan)
    for port, table in zip(plan.ports, port_tables, strict=False):
        port.reta.extend(table)
    return text_format.MessageToString(plan)


def test_the_plans_reta_is_carried_into_the_config():
    table = [(7 * i) % 4 for i in range(64)]
    text = gen(write_plan(_with_reta(GOOD, [table])))
    body = re.search(r"plan_reta\[64\] = \{([^}]*)\}", text).group(1)
    assert [int(v) for v in body.replace(",", " ").split()] == table
    assert ".reta = plan_reta," in text


def test_a_plan_without_reta_leaves_it_to_the_runtime():
    text = gen(write_plan(GOOD))
    assert ".reta = NULL," in text and "plan_reta[" not in text


@pytest.mark.parametrize(
    "tables, message",
    [
        ([[0] * 63], "reta has 63 entries but reta_size is 64"),
        ([[0] * 63 + [4]], "reta[63] is queue 4 but the plan has cores 4; entries must be below cores"),
    ],
)
def test_bad_retas_are_refused(tables, message):
    with pytest.raises(config_model.PlanError, match=re.escape(message)):
        gen(write_plan(_with_reta(GOOD, tables)))


def test_ports_with_different_retas_are_refused():
    two = GOOD.replace(
        "objects {", 'ports { port: 1 rss_hf: 52 key_hex: "%s" }\nobjects {' % ("00112233" * 10), 1
    )
    with pytest.raises(config_model.PlanError, match="ports have different reta tables"):
        gen(write_plan(_with_reta(two, [[0] * 64, [1] * 64])))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
