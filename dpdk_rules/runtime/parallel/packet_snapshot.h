/* A copy of what an abandoned speculative run of a packet may have changed in
 * the packet: its parsed view and the header bytes nflib's setters rewrite.
 * The lock runtime takes one before a read attempt and puts it back before the
 * rerun under the write lock; the emulated HTM (tm.h) does the same for an
 * emulated abort (real RTM rolls the packet back with everything else). */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_PACKET_SNAPSHOT_H
#define DPDK_RULES_RUNTIME_PARALLEL_PACKET_SNAPSHOT_H

#include <stdint.h>
#include <string.h>

#include "nflib/packet.h"

/* nflib's setters only rewrite Ethernet, IPv4 and TCP/UDP header bytes, all
 * within the first 14 + 60 + 20 bytes of a frame. */
#define NF_PAR_SAVED_HEADER_BYTES 128

struct nf_par_packet_snapshot {
  struct nf_packet parsed;
  uint32_t saved; /* header bytes copied: min(len, NF_PAR_SAVED_HEADER_BYTES) */
  uint8_t header[NF_PAR_SAVED_HEADER_BYTES];
};

static inline void nf_par_packet_save(struct nf_par_packet_snapshot *snapshot,
                                      const struct nf_packet *pkt) {
  snapshot->parsed = *pkt;
  snapshot->saved = pkt->len < NF_PAR_SAVED_HEADER_BYTES ? pkt->len : NF_PAR_SAVED_HEADER_BYTES;
  memcpy(snapshot->header, pkt->data, snapshot->saved);
}

static inline void nf_par_packet_restore(const struct nf_par_packet_snapshot *snapshot,
                                         struct nf_packet *pkt) {
  *pkt = snapshot->parsed;
  memcpy(pkt->data, snapshot->header, snapshot->saved);
}

#endif /* DPDK_RULES_RUNTIME_PARALLEL_PACKET_SNAPSHOT_H */
