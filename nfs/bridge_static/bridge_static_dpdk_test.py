"""Runs //nfs/bridge_static:sequential with 3 net_pcap ports and a table file:
known destinations go to their port, unknown ones are flooded, and a bad table
file is reported with its line."""

import os
import sys
import tempfile

import pytest

from testing import dpdk_harness, frames

BINARY = dpdk_harness.runfile("nfs/bridge_static/sequential")


def write_table(text: str) -> str:
    fd, path = tempfile.mkstemp(suffix=".txt", dir=os.environ.get("TEST_TMPDIR"))
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def frame_to(dst_mac: str, i: int) -> bytes:
    return frames.udp_frame("10.0.0.1", "10.0.0.2", 1, i, src_mac="02:00:00:00:00:99", dst_mac=dst_mac)


def test_table_forwarding_and_flooding():
    table = write_table("# test table\n02:00:00:00:00:01 1\n02:00:00:00:00:02 2\n02:00:00:00:00:00 0\n")
    to_1 = [frame_to("02:00:00:00:00:01", i) for i in range(3)]
    to_2 = [frame_to("02:00:00:00:00:02", i) for i in range(3)]
    unknown = [frame_to("02:00:00:00:00:07", i) for i in range(2)]
    hairpin = [frame_to("02:00:00:00:00:00", 9)]
    run = dpdk_harness.run_nf(
        BINARY, {0: to_1 + to_2 + unknown + hairpin}, nf_args=["--ports", "3", "--table", table], ports=3
    )
    assert run.outputs[0] == []
    assert run.outputs[1] == to_1 + unknown
    assert run.outputs[2] == to_2 + unknown


def test_bad_table_line_is_reported():
    table = write_table("02:00:00:00:00:01 1\n02:00:00:00:00:0x 0\n")
    with pytest.raises(RuntimeError, match=r":2: bad MAC address '02:00:00:00:00:0x'"):
        dpdk_harness.run_nf(BINARY, {}, nf_args=["--table", table])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
