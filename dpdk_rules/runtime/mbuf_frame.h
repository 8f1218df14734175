/* The frame of an mbuf as the one contiguous byte range nf_packet needs.
 *
 * Long frames arrive as chains of mbufs: with RX scatter (--mtu above the mbuf
 * data room) and from drivers that chain on their own (net_pcap chains frames
 * longer than a data room). rte_pktmbuf_linearize cannot help: it needs the
 * whole frame to fit the first segment's tailroom, which a 2 KiB data room does
 * not have for a jumbo frame. So a chained frame is copied into the worker's own
 * preallocated buffer, the NF runs on the copy, and the copy is written back over
 * the segments (nf_process keeps the frame's length, so the segments still fit
 * it). Single-segment frames, the common case, are used in place. */
#ifndef DPDK_RULES_RUNTIME_MBUF_FRAME_H
#define DPDK_RULES_RUNTIME_MBUF_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "dpdk_rules/runtime/options.h"

/* One per worker, allocated with the worker: nothing is allocated per packet. */
struct rt_frame_buffer {
  uint8_t bytes[RT_MAX_FRAME];
};

/* Sets *data and *len to m's frame, in place or copied into buffer. Returns
 * false when a chained frame is longer than RT_MAX_FRAME (the caller drops it). */
static inline bool rt_frame_view(struct rte_mbuf *m, struct rt_frame_buffer *buffer, uint8_t **data,
                                 uint32_t *len) {
  *len = rte_pktmbuf_pkt_len(m);
  if (likely(m->nb_segs == 1)) {
    *data = rte_pktmbuf_mtod(m, uint8_t *);
    return true;
  }
  if (*len > sizeof(buffer->bytes)) return false;
  uint32_t offset = 0;
  for (const struct rte_mbuf *seg = m; seg != NULL; seg = seg->next) {
    if (seg->data_len > *len - offset) return false; /* segments longer than pkt_len */
    memcpy(buffer->bytes + offset, rte_pktmbuf_mtod(seg, const uint8_t *), seg->data_len);
    offset += seg->data_len;
  }
  *data = buffer->bytes;
  return true;
}

/* Writes what the NF made of a copied frame back into m's segments (no-op for
 * a frame used in place). Call before m is sent or copied. */
static inline void rt_frame_write_back(struct rte_mbuf *m, const uint8_t *data) {
  if (likely(m->nb_segs == 1)) return;
  uint32_t offset = 0;
  for (struct rte_mbuf *seg = m; seg != NULL; seg = seg->next) {
    memcpy(rte_pktmbuf_mtod(seg, uint8_t *), data + offset, seg->data_len);
    offset += seg->data_len;
  }
}

#endif
