/* Runs one packet through the NF under a parallel strategy; the worker loop of
 * both the DPDK and the in-memory runtime calls nf_par_exec_process.
 *
 *  shared-nothing: nf_process on the worker's own state, nothing shared.
 *  locks: one shared state. The packet first runs under the worker's read lock
 *    with the nflib write hook armed; the first state write calls the hook,
 *    which releases the read lock and longjmps back; the packet bytes the NF may
 *    have rewritten are restored and the packet reruns under the write lock.
 *    A dchain refresh under the read lock is deferred (refresh.h), not a write;
 *    the write lock applies all deferred refreshes before its packet runs.
 *  tm: one shared state, each packet in an RTM transaction or under the
 *    fallback lock (tm.h).
 *  hybrid: each worker's state holds its own shares of the partitioned
 *    objects and the one instance of every shared object (worker_state.h).
 *    Every packet runs as under locks, but the write hook (nflib's
 *    object-aware one) lets writes to the worker's own objects through and
 *    abandons the read attempt only at a write to a shared object; refreshes
 *    are deferred only for shared chains. A completed read section publishes
 *    its effective time in the worker's own line; the write lock advances the
 *    clock to the latest of them, so the serialization's times never go back.
 * Under locks, tm and hybrid a packet runs with the shared state's effective
 * time max(now, clock) and its place in the serialization is recorded
 * (serial.h). */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_EXEC_H
#define DPDK_RULES_RUNTIME_PARALLEL_EXEC_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/config_util.h"
#include "dpdk_rules/runtime/parallel/packet_snapshot.h"
#include "dpdk_rules/runtime/parallel/parallel_config.h"
#include "dpdk_rules/runtime/parallel/refresh.h"
#include "dpdk_rules/runtime/parallel/rwlock.h"
#include "dpdk_rules/runtime/parallel/serial.h"
#include "dpdk_rules/runtime/parallel/tm.h"
#include "nflib/nf.h"

/* Hybrid: the effective time of the worker's latest completed read section,
 * written by the worker under its read lock, read by writers. */
struct nf_par_read_clock {
  nf_time_t latest;
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

/* State shared by all workers of the locks, tm and hybrid strategies. */
struct nf_par_shared {
  struct nf_par_rwlock rwlock;
  struct nf_par_tm tm;
  struct nf_par_serial serial;
  struct nf_par_refreshes refreshes;
  struct nf_par_shared_objects objects; /* hybrid: the objects under the lock */
  uint16_t workers;
  struct nf_par_read_clock read_clocks[NF_PAR_MAX_WORKERS]; /* hybrid */
};

struct nf_par_worker_stats {
  uint64_t packets;
  uint64_t read_only;          /* locks: completed under the read lock */
  uint64_t write_reruns;       /* locks: abandoned and rerun under the write lock */
  uint64_t deferred_refreshes; /* locks, tm, hybrid: dchain refreshes of read-only packets */
  uint64_t private_writes;     /* hybrid: read sections that wrote the worker's own objects */
  uint64_t private_reruns;     /* hybrid: reruns whose abandoned attempt wrote own objects */
  struct nf_par_tm_stats tm;
};

struct nf_par_exec {
  enum nf_par_strategy strategy;
  uint16_t worker;
  struct nf_state *state; /* own (shared-nothing) or the shared one */
  struct nf_par_shared *shared;
  bool in_read_attempt;
  bool private_written;  /* hybrid: this read attempt wrote the worker's own objects */
  uint32_t refresh_mark; /* locks: own buffer's count when the read attempt began */
  struct nf_par_refresh_buffer *refresh_buffer; /* this worker's, in shared */
  struct nf_par_tm_worker tm;
  jmp_buf restart;
  /* The last packet's place in the serialization (locks, tm); shared-nothing:
   * write_seq 0, wrote false, now as given. */
  struct nf_par_serial_point last;
  struct nf_par_worker_stats stats;
  struct nf_par_packet_snapshot snapshot; /* locks, hybrid: the packet before a read attempt */
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

/* workers: how many workers share `shared` (ignored for shared-nothing);
 * tm_mode: nf_par_tm_choose_mode's answer for the run's options. */
void nf_par_shared_init(struct nf_par_shared *shared, uint16_t workers, enum nf_par_tm_mode tm_mode,
                        uint32_t tm_retries);

void nf_par_exec_init(struct nf_par_exec *exec, enum nf_par_strategy strategy, uint16_t worker,
                      struct nf_state *state, struct nf_par_shared *shared);

/* Installs this thread's nflib write hook; call on the worker's own thread
 * before its first packet. */
void nf_par_exec_attach(struct nf_par_exec *exec);

/* Uninstalls it. */
void nf_par_exec_detach(struct nf_par_exec *exec);

int nf_par_exec_process(struct nf_par_exec *exec, struct nf_packet *pkt, uint16_t in_port,
                        nf_time_t now);

#endif
