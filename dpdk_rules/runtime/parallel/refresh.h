/* Deferred dchain refreshes of a shared state (locks and tm).
 *
 * A packet that runs speculatively (under the read lock, or inside an RTM
 * transaction) and refreshes an allocated dchain index does not write the
 * chain: nflib's refresh hook (nflib/access.h) hands the refresh to the runtime,
 * which appends (chain, index, time) to the worker's own buffer. Every section
 * that may write the shared state and excludes all other packets (write lock,
 * tm fallback lock) first drains all workers' buffers: it applies every
 * deferred refresh with nf_dchain_rejuvenate, merged across workers by (time,
 * worker) and in buffer order within a worker, and advances the shared clock to
 * the largest time applied (serial.h), so that the write sees a time no earlier
 * than any timestamp in its chains.
 *
 * Why the result equals applying each refresh at its packet's place in the
 * serialization (docs/RUNTIMES.md, "Deferred refreshes"): between two writes
 * only read-only packets run; refreshes change nothing but timestamps and the
 * chains' time order, and the only nflib operations that read those are the
 * expiry functions, whose answer under a read lock can only be "nothing is old
 * enough" (freeing is a write, which abandons the attempt); a refresh only
 * raises a timestamp (its time is at least the shared clock, which is at least
 * every timestamp already in a chain), so "nothing is old enough" on the chain
 * without the pending refreshes stays true with any of them applied. Hence no
 * read-only packet's outcome depends on whether the refreshes before it were
 * applied, and applying them all, in the replay's order, right before the next
 * write gives that write the state the sequential NF has there. The replay
 * order of a write's read-only successors is (time, worker, queue order): the
 * drain order. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_REFRESH_H
#define DPDK_RULES_RUNTIME_PARALLEL_REFRESH_H

#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"
#include "dpdk_rules/runtime/parallel/rwlock.h"
#include "nflib/dchain.h"

/* Refreshes one worker defers between two drains; when its buffer is full the
 * refresh is done by the write path (the packet reruns as a writer). 8 KiB x 3
 * per worker: a drain every 1024 refreshing packets at worst. */
#define NF_PAR_REFRESH_CAPACITY 1024

struct nf_par_refresh {
  struct nf_dchain *chain;
  nf_time_t now;
  int32_t index;
};

/* Written by its worker inside its speculative sections, and emptied by a
 * drainer while every worker is excluded; on its own cache lines. */
struct nf_par_refresh_buffer {
  uint32_t count;
  struct nf_par_refresh entries[NF_PAR_REFRESH_CAPACITY];
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

struct nf_par_refreshes {
  uint16_t workers;
  uint64_t applied; /* refreshes drained so far (statistics, tests) */
  struct nf_par_refresh_buffer buffers[NF_PAR_MAX_WORKERS];
};

/*@ requires \valid(refreshes);
    requires 1 <= workers <= NF_PAR_MAX_WORKERS;
    assigns *refreshes;
    ensures refreshes->workers == workers && refreshes->applied == 0;
    ensures \forall integer k; 0 <= k < NF_PAR_MAX_WORKERS ==> refreshes->buffers[k].count == 0; */
void nf_par_refreshes_init(struct nf_par_refreshes *refreshes, uint16_t workers);

/* Appends a refresh to the worker's buffer: false (nothing appended) when it
 * is full. */
/*@ requires \valid(buffer) && buffer->count <= NF_PAR_REFRESH_CAPACITY;
    assigns *buffer;
    ensures \result <==> \old(buffer->count) < NF_PAR_REFRESH_CAPACITY;
    ensures \result ==> buffer->count == \old(buffer->count) + 1;
    ensures !\result ==> buffer->count == \old(buffer->count); */
static inline bool nf_par_refresh_defer(struct nf_par_refresh_buffer *buffer,
                                        struct nf_dchain *chain, int32_t index, nf_time_t now) {
  if (buffer->count == NF_PAR_REFRESH_CAPACITY) return false;
  buffer->entries[buffer->count++] = (struct nf_par_refresh){chain, now, index};
  return true;
}

/* Whether any worker has a deferred refresh (reads every buffer's count). */
/*@ requires \valid_read(refreshes);
    assigns \nothing; */
static inline bool nf_par_refresh_pending(const struct nf_par_refreshes *refreshes) {
  for (uint16_t k = 0; k < refreshes->workers; k++) {
    if (refreshes->buffers[k].count != 0) return true;
  }
  return false;
}

/* Applies and removes every deferred refresh, in (time, worker, buffer order),
 * with the calling thread's refresh hook off; returns the largest time applied,
 * or INT64_MIN when there was none. Only while no other packet runs on the
 * shared state. A deferred index that is no longer allocated is a runtime bug
 * (a write ran without draining first): the process aborts naming it. */
nf_time_t nf_par_refresh_drain(struct nf_par_refreshes *refreshes);

#endif /* DPDK_RULES_RUNTIME_PARALLEL_REFRESH_H */
