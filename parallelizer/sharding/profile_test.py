"""profile.py: LPT against a brute-force optimum (an oracle that shares no
code with it), the rule for unloaded entries, pcap parsing, and negative
controls."""

from __future__ import annotations

import itertools
import struct
import unittest

import numpy as np

from parallelizer.sharding import profile, reta, toeplitz


def brute_force_makespan(loads: list[int], queues: int) -> int:
    """The smallest possible maximum queue load, by trying every assignment."""
    best = sum(loads)
    for assignment in itertools.product(range(queues), repeat=len(loads)):
        per_queue = [0] * queues
        for load, q in zip(loads, assignment, strict=True):
            per_queue[q] += load
        best = min(best, max(per_queue))
    return best


def makespan(loads: np.ndarray, table: list[int], queues: int) -> int:
    return int(profile.queue_loads(loads, table, queues).max())


def graham_bound_holds(loads: np.ndarray, table: list[int], queues: int) -> bool:
    """LPT's guarantee: makespan <= (4/3 - 1/(3q)) x the optimum."""
    optimum = brute_force_makespan([int(x) for x in loads if x], queues)
    return makespan(loads, table, queues) * 3 * queues <= optimum * (4 * queues - 1)


def pcap(frames: list[bytes], magic: int = 0xA1B2C3D4, linktype: int = 1) -> bytes:
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", i, 0, len(frame), len(frame)) + frame
    return out


def udp(src: int, dst: int, sport: int, dport: int, flags_fragment: int = 0) -> bytes:
    ip = struct.pack("!BBHHHBBHII", 0x45, 0, 28, 0, flags_fragment, 64, 17, 0, src, dst)
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + struct.pack("!HHHH", sport, dport, 8, 0)


class LptTest(unittest.TestCase):
    def test_hand_computed_case(self) -> None:
        # Entries 0..7 of a RETA of 8, loads 7,6,5,4,3,2,0,0 on 3 queues.
        # Optimum 9 (7+2, 6+3, 5+4); LPT: 7->q0, 6->q1, 5->q2, 4->q2(9), 3->q1(9), 2->q0(9).
        loads = np.array([7, 6, 5, 4, 3, 2, 0, 0])
        table = profile.lpt_table(loads, 3)
        self.assertEqual(makespan(loads, table, 3), 9)
        self.assertEqual(brute_force_makespan([7, 6, 5, 4, 3, 2], 3), 9)

    def test_within_graham_bound_of_brute_force(self) -> None:
        rng = np.random.default_rng(5)
        for trial in range(30):
            queues = int(rng.integers(2, 4))
            loads = np.zeros(16, dtype=np.int64)
            busy = rng.choice(16, size=int(rng.integers(3, 8)), replace=False)
            loads[busy] = (rng.zipf(1.3, size=len(busy)) % 1000) + 1
            table = profile.lpt_table(loads, queues)
            self.assertTrue(graham_bound_holds(loads, table, queues), (trial, loads.tolist(), queues))

    def test_negative_control_rule_on_skewed_load_fails_the_bound(self) -> None:
        # The RETA rule ignores load: with every load on entries the rule
        # sends to queue 0, it breaks the bound the checker enforces.
        rule = reta.table(16, 2)
        loads = np.array([10 if q == 0 else 0 for q in rule])
        self.assertFalse(graham_bound_holds(loads, rule, 2))
        self.assertTrue(graham_bound_holds(loads, profile.lpt_table(loads, 2), 2))

    def test_unloaded_entries_keep_the_rule(self) -> None:
        loads = np.zeros(64, dtype=np.int64)
        loads[[3, 9, 40]] = [100, 50, 25]
        table = profile.lpt_table(loads, 4)
        rule = reta.table(64, 4)
        self.assertEqual(
            [t for i, t in enumerate(table) if loads[i] == 0],
            [r for i, r in enumerate(rule) if loads[i] == 0],
        )
        # Each queue keeps its rule share (16) of the entries, less the loaded ones.
        counts = np.bincount(table, minlength=4)
        self.assertTrue(all(c >= 16 - 3 for c in counts), counts)

    def test_lower_bound_is_the_heaviest_entry(self) -> None:
        loads = np.array([8, 1, 1, 1, 1, 0, 0, 0])
        self.assertAlmostEqual(profile.lower_bound(loads, 4), 8 * 4 / 12)


class PcapTest(unittest.TestCase):
    def test_rows_match_the_frames(self) -> None:
        frames = [udp(0x0A000001, 0xC0000207, 1234, 53), udp(1, 2, 3, 4, 0x2000), b"\x00" * 10]
        p = profile.read_pcap(1, "t.pcap", pcap(frames))
        self.assertEqual(p.rows.tolist(), [[0x0A000001, 0xC0000207, 1234, 53], [1, 2, 0, 0]])
        self.assertEqual((p.skipped, p.packets), (1, 3))

    def test_nanosecond_big_endian_magic(self) -> None:
        data = pcap([udp(5, 6, 7, 8)])
        data = (
            struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1)
            + bytes(b for b in struct.pack(">IIII", 0, 0, 42, 42))
            + udp(5, 6, 7, 8)
        )
        self.assertEqual(profile.read_pcap(0, "t", data).rows.tolist(), [[5, 6, 7, 8]])

    def test_entry_loads_use_the_reference_hash(self) -> None:
        key = bytes(range(52))
        rows = np.array([[0x0A000001, 0xC0000207, 1234, 53]], dtype=np.uint64)
        data = toeplitz.ipv4_l4_input(0x0A000001, 0xC0000207, 1234, 53)
        entry = toeplitz.reta_index(toeplitz.toeplitz_hash(key, data), 128)
        self.assertEqual(int(np.argmax(profile.entry_loads(key, 128, rows))), entry)

    def test_bad_inputs(self) -> None:
        for data, needle in [
            (b"\x0a\x0d\x0d\x0a" + bytes(40), "not a pcap"),
            (pcap([], linktype=101), "link type 101"),
            (pcap([udp(1, 2, 3, 4)])[:-5], "the file ends first"),
        ]:
            with self.assertRaisesRegex(profile.ProfileError, needle):
                profile.read_pcap(0, "t.pcap", data)
        for spec in ["file.pcap", "x:file.pcap", "0:"]:
            with self.assertRaises(profile.ProfileError):
                profile.parse_spec(spec)
        self.assertEqual(profile.parse_spec("1:a:b.pcap"), (1, "a:b.pcap"))

    def test_port_not_of_the_nf(self) -> None:
        p = profile.read_pcap(3, "t.pcap", pcap([udp(1, 2, 3, 4)]))
        with self.assertRaisesRegex(profile.ProfileError, "port 3 is not a port"):
            profile.profile_reta([p], {0: bytes(52), 1: bytes(52)}, 64, 2)


if __name__ == "__main__":
    unittest.main()
