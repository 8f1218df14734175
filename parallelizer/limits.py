"""Sizes the parallelizer accepts, each with the reason it is the limit.

The analyzer (--ports) and the planner (a description's port_count) refuse
larger inputs at once instead of running for minutes or out of memory.
"""

from __future__ import annotations

# Ports an NF may have: the smallest limit of the runtimes a plan feeds. They
# keep per-port state in fixed arrays: the in-memory runtime RT_INMEM_MAX_PORTS = 16
# (dpdk_rules/runtime/options.h), the DPDK runtimes RT_MAX_PORTS = 32
# (dpdk_rules/runtime/stats.h). A plan for more ports could never run on all of
# them; the planner's RSS key system also grows with the square of the port
# count (16 ports: ~2 s, 32: ~35 s). Raise it together with the runtimes.
MAX_PORTS = 16

# The parallel runtimes' fixed arrays (struct nf_parallel_config). Codegen
# writes them into the generated parallel_limits.h that parallel_config.h
# includes, and refuses plans beyond them.
MAX_KEY_LEN = 64  # bytes of one RSS key
MIN_KEY_LEN = 16  # a shorter key cannot cover the 12-byte IPv4/L4 hash input
MAX_RSS_PORTS = 16  # ports with their own RSS entry
MAX_OBJECTS = 32  # state objects of one NF
MAX_HASHED_FIELDS = 4  # ipv4.src, ipv4.dst, l4.src_port, l4.dst_port
MAX_RETA = 512  # RETA entries (the largest NIC table, i40e/ice)
MAX_WORKERS = 64  # worker lcores (and RX/TX queue pairs) of one run
ANY_PORT = 0xFFFF  # the RSS entry of every port a plan does not name

# RSS key lengths the planner solves for: the NICs' key sizes, 40 bytes
# (ixgbe, mlx5) and 52 bytes (i40e, ice). A key of one length is not a key of
# the other: the Toeplitz hash of a shorter key is a different function.
KEY_LENGTHS = (40, 52)
# Defaults of a plan (the planner's PlanOptions, plan_main's flags and the
# nf_plan/nf_package macros, which pass nothing unless they are set).
DEFAULT_KEY_LENGTH = 52
DEFAULT_RETA_SIZE = 512
# RETA sizes the planner plans for: the NICs' table sizes. The runtimes run
# any power of two up to MAX_RETA (a hand-written plan's).
RETA_SIZES = (64, 128, 512)
