"""capacity.py: shares and effective capacity, against hand-computed values."""

from __future__ import annotations

import unittest

from parallelizer.sharding import capacity
from proto import nf_description_pb2 as desc_pb2


class ShareTest(unittest.TestCase):
    def test_without_headroom(self) -> None:
        self.assertEqual(capacity.share(65536, 16, 100), 4096)
        self.assertEqual(capacity.share(64, 3, 100), 16)  # 21, down to a power of two
        self.assertEqual(capacity.share(100, 3, 100), 33)

    def test_with_headroom(self) -> None:
        self.assertEqual(capacity.share(64, 2, 150), 48)
        self.assertEqual(capacity.share(65536, 16, 150), 6144)
        self.assertEqual(capacity.share(100, 3, 150), 50)
        self.assertEqual(capacity.share(64, 2, 300), 64)  # never above the whole

    def test_effective_entries(self) -> None:
        # c = 32 per core, 2 cores, max/mean 45/32: the first core fills at 45.5 flows.
        self.assertEqual(capacity.effective_entries(32, 2, 64 / 45.5, 64), 45)
        self.assertEqual(capacity.effective_entries(32, 2, 1.0, 64), 64)

    def test_headroom_checks(self) -> None:
        capacity.check_headroom(1.5)
        for bad in (0.5, 1.234, float("nan"), 65.0):
            with self.assertRaises(ValueError):
                capacity.check_headroom(bad)

    def test_entry_bytes(self) -> None:
        obj = desc_pb2.StateObject(kind=desc_pb2.StateObject.MAP, key_type="k")
        obj.key_fields.add(name="a", offset_bytes=0, width_bits=32)
        obj.key_fields.add(name="b", offset_bytes=4, width_bits=16)
        self.assertEqual(capacity.entry_bytes(obj).bytes, 6 + 4)
        self.assertEqual(
            capacity.entry_bytes(desc_pb2.StateObject(kind=desc_pb2.StateObject.DCHAIN)).bytes, 0
        )


if __name__ == "__main__":
    unittest.main()
