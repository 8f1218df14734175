"""Sizes the parallelizer accepts, each with the reason it is the limit.

The analyzer (--ports) and the planner (a description's port_count) refuse
larger inputs at once instead of running for minutes or out of memory.
"""

from __future__ import annotations

# Ports an NF may have. The parallel runtimes keep per-port counters, TX
# buffers and pcap inputs in fixed arrays of MAX_PORTS entries
# (dpdk_rules/runtime/parallel/dpdk_main.c, dpdk_rules/runtime/inmem/inmem_main.c),
# so a plan for more ports could never run; the planner's RSS key system also
# grows with the square of the port count (16 ports: ~2 s, 32: ~35 s).
MAX_PORTS = 16
