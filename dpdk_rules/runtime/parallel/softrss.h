/* Software RSS: the Toeplitz hash and queue choice a NIC makes for a frame,
 * given a port's plan entry (key, rss_hf) and a RETA. Used by the in-memory
 * runtime to dispatch packets and by tests to pre-split traffic per queue.
 *
 * Hash input, as DPDK NICs build it (all in network byte order):
 *   TCP (rss_hf has NONFRAG_IPV4_TCP) or UDP (NONFRAG_IPV4_UDP), unfragmented
 *   with a complete L4 header: src addr, dst addr, src port, dst port;
 *   other IPv4 (fragments, other protocols, TCP/UDP whose type is not hashed or
 *   whose L4 header is truncated) when rss_hf has IPV4 (or FRAG_IPV4 for
 *   fragments, NONFRAG_IPV4_OTHER for other protocols): src addr, dst addr;
 *   IPv6 the same way with NONFRAG_IPV6_TCP / NONFRAG_IPV6_UDP / IPV6 /
 *   FRAG_IPV6 / NONFRAG_IPV6_OTHER over src addr (16 bytes), dst addr (16
 *   bytes)[, src port, dst port] (DPDK's struct rte_ipv6_tuple order); the
 *   ports of NF_PKT_IPV6_L4_OK packets only (nflib's parse: extension
 *   headers walked, every fragment hashed on its addresses);
 *   anything else (neither, malformed): not hashed, hash 0 -> RETA entry 0.
 * L3_SRC_ONLY / L3_DST_ONLY / L4_SRC_ONLY / L4_DST_ONLY keep only that half.
 * The RETA index is the hash's low log2(RETA size) bits. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_SOFTRSS_H
#define DPDK_RULES_RUNTIME_PARALLEL_SOFTRSS_H

#include <stdint.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"

/* The 32-bit Toeplitz hash of data[0 .. len-1] under key (Microsoft RSS spec):
 * for every set input bit i (bit 0 = MSB of data[0]) XOR in key bits i..i+31. */
/*@ requires key_len * 8 >= len * 8 + 32;
    requires \valid_read(key + (0 .. key_len - 1));
    requires \valid_read(data + (0 .. len - 1));
    assigns \nothing; */
uint32_t nf_par_toeplitz(const uint8_t *key, uint32_t key_len, const uint8_t *data, uint32_t len);

/* The longest hash input: IPv6 TCP/UDP (16 + 16 + 2 + 2 bytes). */
#define NF_PAR_RSS_INPUT_MAX 36

/* Builds the hash input of frame under rss (see above) into input (at most
 * NF_PAR_RSS_INPUT_MAX bytes); returns its length, 0 when the frame is not hashed. */
uint32_t nf_par_rss_input(const struct nf_par_rss_port *rss, const uint8_t *frame, uint32_t len,
                          uint8_t input[NF_PAR_RSS_INPUT_MAX]);

/* The NIC's RSS hash of frame (0 when not hashed). */
uint32_t nf_par_rss_hash(const struct nf_par_rss_port *rss, const uint8_t *frame, uint32_t len);

/* The queue RSS sends frame to: reta[hash & (reta_size - 1)]. */
static inline uint16_t nf_par_rss_queue(const struct nf_par_rss_port *rss, const uint16_t *reta,
                                        uint16_t reta_size, const uint8_t *frame, uint32_t len) {
  return reta[nf_par_rss_hash(rss, frame, len) & (uint32_t)(reta_size - 1)];
}

#endif
