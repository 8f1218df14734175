"""The rss_hf bits a plan may set and the runtimes understand.

Owner of the values: codegen writes them into the runtimes' generated header
(`NF_PAR_RSS_<name>` in parallel_limits.h), the sharding stage picks the bits of
the hash inputs it models, and the DPDK runtime checks at compile time that each
equals DPDK 22.11's `RTE_ETH_RSS_<name>` (dpdk_main.c static assertions).
"""

from __future__ import annotations

# name -> bit, in RTE_ETH_RSS_<name> order.
BITS: dict[str, int] = {
    "IPV4": 1 << 2,
    "FRAG_IPV4": 1 << 3,
    "NONFRAG_IPV4_TCP": 1 << 4,
    "NONFRAG_IPV4_UDP": 1 << 5,
    "NONFRAG_IPV4_OTHER": 1 << 7,
    "IPV6": 1 << 8,
    "FRAG_IPV6": 1 << 9,
    "NONFRAG_IPV6_TCP": 1 << 10,
    "NONFRAG_IPV6_UDP": 1 << 11,
    "NONFRAG_IPV6_OTHER": 1 << 13,  # bit 12 is NONFRAG_IPV6_SCTP
    # The _EX types hash the Home Address option / routing header's final
    # address instead of the fixed header's; known here so that plans and
    # runtimes can name them, never set by the planner (nf_pkt_ipv6_src/dst
    # return the fixed header's addresses, which the keys are proved on).
    "IPV6_EX": 1 << 15,
    "IPV6_TCP_EX": 1 << 16,
    "IPV6_UDP_EX": 1 << 17,
    "L4_DST_ONLY": 1 << 60,
    "L4_SRC_ONLY": 1 << 61,
    "L3_DST_ONLY": 1 << 62,
    "L3_SRC_ONLY": 1 << 63,
}

IPV4 = BITS["IPV4"]
FRAG_IPV4 = BITS["FRAG_IPV4"]
NONFRAG_IPV4_TCP = BITS["NONFRAG_IPV4_TCP"]
NONFRAG_IPV4_UDP = BITS["NONFRAG_IPV4_UDP"]
NONFRAG_IPV4_OTHER = BITS["NONFRAG_IPV4_OTHER"]
IPV6 = BITS["IPV6"]
FRAG_IPV6 = BITS["FRAG_IPV6"]
NONFRAG_IPV6_TCP = BITS["NONFRAG_IPV6_TCP"]
NONFRAG_IPV6_UDP = BITS["NONFRAG_IPV6_UDP"]
NONFRAG_IPV6_OTHER = BITS["NONFRAG_IPV6_OTHER"]
KNOWN = sum(BITS.values())


def c_name(name: str) -> str:
    """The runtimes' macro for bit `name` (parallel_limits.h)."""
    return "NF_PAR_RSS_" + name


def dpdk_name(name: str) -> str:
    """DPDK's macro for bit `name` (rte_ethdev.h)."""
    return "RTE_ETH_RSS_" + name
