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
