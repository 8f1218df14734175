"""prefix_balance: ranks and balances of hand-made keys whose values follow
from the Toeplitz definition, not from the code under test."""

import sys

import numpy as np
import pytest

from tools.bench import prefix_balance

RETA = 512
# Key bit 30 set, all else zero: input bit i (source bit 31 - i) XORs in the key
# window starting at key bit i, whose hash bit t is key bit i + 31 - t; so input
# bit i < 8 reaches index bit i + 1 and nothing else does: source bit 31 is
# index bit 1, ..., source bit 24 index bit 8 (the top byte, bit-reversed, << 1).
SLASH8_KEY = bytes.fromhex("00000002" + "00" * 48)


def test_source_ranks_of_a_top_byte_key():
    assert prefix_balance.source_rank(SLASH8_KEY, RETA, 8) == 8
    assert prefix_balance.source_rank(SLASH8_KEY, RETA, 32) == 8
    assert prefix_balance.source_rank(bytes(52), RETA, 32) == 0  # negative control


def test_reta_index_is_the_top_byte():
    flows = np.array([[0xAB000000 | 0x123456, 1, 2, 3], [0x01FFFFFF, 4, 5, 6]], dtype=np.uint64)
    indexes = prefix_balance.toeplitz.reta_indexes(SLASH8_KEY, RETA, flows)
    # 0xAB = 10101011 reversed is 11010101 = 0xD5; 0x01 reversed is 0x80.
    assert list(indexes) == [0xD5 << 1, 0x80 << 1]


def test_one_slash24_lands_on_one_queue_and_uniform_spreads():
    traffic = prefix_balance.mixes(4000, seed=3)
    rows = prefix_balance.rows_for("k", SLASH8_KEY, RETA, traffic, ["mod"])
    by_mix = {r.split(" | ")[3]: [float(x) for x in r.strip(" |").split(" | ")[4:]] for r in rows}
    # Every source of one /24 has one index: all packets on one queue.
    assert by_mix["one /24"] == [2.0, 4.0, 8.0, 16.0]
    # i mod q with index = top byte << 1 uses only even entries: at 2 queues one
    # queue gets everything; at 16, half of them (max/mean about 2).
    assert by_mix["uniform"][0] == 2.0
    assert by_mix["uniform"][3] == pytest.approx(2.0, abs=0.2)


def test_bad_key_is_one_line(capsys):
    assert prefix_balance.main(["--plan=/nonexistent.textproto", "--port=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("prefix_balance: --plan=/nonexistent.textproto")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
