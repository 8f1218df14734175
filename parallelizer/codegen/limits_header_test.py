"""The compiled parallel_limits.h (through parallel_config.h) holds the values
of its Python owners. The expected values are read from the owners
(limits.py, schema/rss_hf.py, sharding/fields.py) directly, not from the
generator, and the C side is what the compiler sees (limits_dump)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from parallelizer import limits
from parallelizer.schema import rss_hf, strategies
from testing import nfpar_runfiles


def expected() -> dict[str, int | str]:
    out = {
        "NF_PAR_MAX_KEY_LEN": limits.MAX_KEY_LEN,
        "NF_PAR_MAX_RSS_PORTS": limits.MAX_RSS_PORTS,
        "NF_PAR_MAX_OBJECTS": limits.MAX_OBJECTS,
        "NF_PAR_MAX_HASHED_FIELDS": limits.MAX_HASHED_FIELDS,
        "NF_PAR_MAX_RETA": limits.MAX_RETA,
        "NF_PAR_MAX_WORKERS": limits.MAX_WORKERS,
        "NF_PAR_ANY_PORT": limits.ANY_PORT,
        "sizeof_key": limits.MAX_KEY_LEN,
        "sizeof_hashed_fields": limits.MAX_HASHED_FIELDS,
        # Hashable fields, in the Toeplitz input's order (softrss indexes by it).
        "NF_PAR_FIELD_IPV4_SRC": 0,
        "NF_PAR_FIELD_IPV4_DST": 1,
        "NF_PAR_FIELD_L4_SRC_PORT": 2,
        "NF_PAR_FIELD_L4_DST_PORT": 3,
    }
    out.update({"NF_PAR_RSS_" + name: bit for name, bit in rss_hf.BITS.items()})
    # Strategy spellings by plan.proto value (the C enum's values), and the
    # runtimes' list of choices.
    out.update({f"strategy_{value}": name for name, value in strategies.NAMES.items()})
    out["strategy_choices"] = "|".join(strategies.NAMES)
    return out


def c_values() -> dict[str, int | str]:
    text = subprocess.run(
        [nfpar_runfiles.path("parallelizer/codegen/limits_dump")], check=True, capture_output=True, text=True
    ).stdout
    pairs = (line.split() for line in text.splitlines())
    return {name: value if name.startswith("strategy_") else int(value) for name, value in pairs}


def disagreements(c: dict[str, int], python: dict[str, int]) -> list[str]:
    names = sorted(set(c) | set(python))
    return [f"{n}: C {c.get(n)} vs Python {python.get(n)}" for n in names if c.get(n) != python.get(n)]


def test_c_header_matches_python_owners():
    assert disagreements(c_values(), expected()) == []


def test_a_drifted_value_is_reported():
    """Negative control: the check names a value that differs, and one missing."""
    c = c_values()
    wrong = dict(expected(), NF_PAR_MAX_RETA=limits.MAX_RETA * 2)
    del wrong["NF_PAR_RSS_IPV4"]
    wrong["strategy_1"] = "sn"
    assert disagreements(c, wrong) == [
        f"NF_PAR_MAX_RETA: C {limits.MAX_RETA} vs Python {limits.MAX_RETA * 2}",
        f"NF_PAR_RSS_IPV4: C {rss_hf.IPV4} vs Python None",
        "strategy_1: C shared_nothing vs Python sn",
    ]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
