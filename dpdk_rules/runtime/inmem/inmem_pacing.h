/* --window-ns: paced replay. Each worker publishes the timestamp of its next
 * pending packet; a worker starts a packet with timestamp t only once every
 * other worker's next pending packet is no older than t - window, i.e. every
 * older packet has finished. Packets further apart than the window keep their
 * input order; closer ones race, as queues of a NIC that drain within the
 * window of each other. */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_PACING_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_PACING_H

#include "dpdk_rules/runtime/inmem/inmem_runtime.h"

/* Before the run: every worker's first pending timestamp. */
void inmem_pacing_init(struct inmem_runtime *rt);

/* Waits until w may start a packet with timestamp ts. The worker with the
 * oldest pending packet never waits, so the workers cannot deadlock. */
void inmem_pacing_wait(const struct inmem_runtime *rt, const struct inmem_worker *w, int64_t ts);

/* After w finished queue entry j: publishes its next pending timestamp. */
void inmem_pacing_advance(const struct inmem_runtime *rt, struct inmem_worker *w, uint32_t j);

#endif
