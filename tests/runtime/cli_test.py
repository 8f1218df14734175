"""The runtime binaries' command line: --help without EAL arguments, usage
errors on one line with exit status 2, input files checked by name.

The expected option names are written out here (the runtime's table is not
read), and each refusal has an accepted neighbour as its negative control."""

import os
import subprocess
import sys
import tempfile

import pytest

from testing import dpdk_harness

DPDK_BINARIES = ["nfs/firewall/sequential", "tests/parallel/firewall_parallel"]
RUNTIME_OPTIONS = ["--idle-exit-ms=N", "--burst=N", "--stats-interval-ms=N", "--mtu=N"]
PARALLEL_OPTIONS = ["--no-rss", "--tm-retries=N", "--tm-force-fallback", "--tm-emulate"]
NF_OPTIONS = ["--lan-port N", "--wan-port N", "--max-flows N", "--expiry T"]


def run(binary, *args):
    return subprocess.run(
        [dpdk_harness.runfile(binary), *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("binary", DPDK_BINARIES)
@pytest.mark.parametrize("where", ["alone", "after_separator", "after_nf_options"])
def test_help_lists_runtime_and_nf_options(binary, where):
    args = {
        "alone": ["--help"],
        # EAL arguments that could not start (no such device): --help needs no EAL.
        "after_separator": ["-a", "0000:ff:1f.7", "--", "--help"],
        "after_nf_options": ["--", "--burst=4", "--lan-port", "0", "--help"],
    }[where]
    done = run(binary, *args)
    assert done.returncode == 0, done.stderr
    for option in RUNTIME_OPTIONS + NF_OPTIONS:
        assert option in done.stdout
    for option in PARALLEL_OPTIONS:
        assert (option in done.stdout) == binary.endswith("parallel")


def test_inmem_help_lists_nf_options():
    done = run("tests/parallel/firewall_inmem", "--help")
    assert done.returncode == 0, done.stderr
    for option in ["--pcap=PORT:FILE", "--tm-emulate", *NF_OPTIONS]:
        assert option in done.stdout


@pytest.mark.parametrize("binary", DPDK_BINARIES)
@pytest.mark.parametrize(
    "arg, message",
    [
        ("--idle-exit-ms=", "invalid --idle-exit-ms value '': expected an integer in 0..9223372036854"),
        ("--idle-exit-ms=9223372036854775807", "invalid --idle-exit-ms value '9223372036854775807'"),
        ("--idle-exit-ms=-1", "invalid --idle-exit-ms value '-1'"),
        ("--burst=65", "invalid --burst value '65': expected an integer in 1..64"),
        ("--stats-interval-ms=x", "invalid --stats-interval-ms value 'x'"),
        ("--max-flows=3", "invalid value '3' for --max-flows"),
    ],
)
def test_usage_errors_are_one_line_with_status_2(binary, arg, message):
    done = run(binary, "--no-huge", "--", arg)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert "--help lists the options" in lines[0]


def test_largest_idle_exit_is_accepted_and_never_fires():
    """Negative control of the overflow refusal: the largest accepted value
    runs (and does not stop at once, as the overflowed product did)."""
    workdir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    for port in range(2):
        dpdk_harness.write_pcap(os.path.join(workdir, f"in{port}.pcap"), [])
    command = [
        dpdk_harness.runfile("nfs/firewall/sequential"),
        *dpdk_harness.eal_args_for(workdir, 2),
        "--",
        "--idle-exit-ms=9223372036854",
    ]
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(command, capture_output=True, text=True, timeout=3, check=False)


def test_sequential_refuses_parallel_options():
    done = run("nfs/firewall/sequential", "--no-huge", "--", "--no-rss")
    assert done.returncode == 2
    assert "only the parallel runtime takes --no-rss" in done.stderr


def test_inmem_pcap_that_is_a_directory_is_named():
    directory = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    done = run("tests/parallel/firewall_inmem", f"--pcap=0:{directory}")
    assert done.returncode != 0
    assert f"{directory}: is a directory, not a pcap file" in done.stderr
    assert "9223372036854775807" not in done.stderr
    # Negative control: an empty but real pcap in the same place is read.
    path = os.path.join(directory, "in0.pcap")
    dpdk_harness.write_pcap(path, [])
    done = run("tests/parallel/firewall_inmem", f"--pcap=0:{path}")
    assert done.returncode == 0, done.stderr


def test_inmem_usage_errors_exit_2():
    done = run("tests/parallel/firewall_inmem", "--workers=")
    assert done.returncode == 2
    assert "invalid --workers value ''" in done.stderr


@pytest.mark.parametrize(
    "spelling, message",
    [
        ("sn", "--strategy=sn is the old spelling of shared_nothing: write --strategy=shared_nothing"),
        ("shared-nothing", "old spelling of shared_nothing: write --strategy=shared_nothing"),
        ("lock", "invalid --strategy value 'lock': expected sequential, shared_nothing, locks, tm or hybrid"),
    ],
)
def test_inmem_old_strategy_spellings_are_refused_naming_the_new_one(spelling, message):
    done = run("tests/parallel/firewall_inmem", f"--strategy={spelling}", "--pcap=0:/nonexistent.pcap")
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_inmem_strategy_spellings_are_accepted():
    """Negative control: the spellings themselves pass option parsing (and
    stop at the missing input file, not at --strategy)."""
    for spelling in ("shared_nothing", "locks", "tm", "sequential"):
        done = run("tests/parallel/firewall_inmem", f"--strategy={spelling}", "--pcap=0:/nonexistent.pcap")
        assert "--strategy" not in done.stderr and "/nonexistent.pcap" in done.stderr, done.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
