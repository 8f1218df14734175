/* What one worker processes: input indexes in its order, as the RX queue of a
 * NIC would hand them over. Filled by software RSS (inmem_dispatch) or, for a
 * replay, by an --order file (inmem_order). */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_QUEUE_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_QUEUE_H

#include <stdint.h>

#include "dpdk_rules/runtime/inmem/inmem_input.h"

struct inmem_queue {
  uint32_t *index;      /* input indexes, in processing order */
  const int64_t *times; /* --order: the time of each entry; NULL: pcap times */
  uint32_t len;
};

/* Sends every input packet to queue k in [0, workers) exactly as a NIC with
 * the plan's RSS key, hash fields and RETA would (softrss.h); each queue keeps
 * input order. Exits when a port needs a key the plan lacks. */
void inmem_dispatch(const struct inmem_input *input, uint16_t workers, struct inmem_queue *queues);

/* --order: replaces *queue (the sequential worker's) with the file's order and
 * times. Every input index must appear exactly once; errors name the file, the
 * line and the index, and exit. */
void inmem_order_load(const char *path, uint32_t input_count, struct inmem_queue *queue);

#endif
