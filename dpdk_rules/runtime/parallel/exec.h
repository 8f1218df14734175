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
 * Under locks and tm a packet runs with the shared state's effective time
 * max(now, clock) and its place in the serialization is recorded (serial.h). */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_EXEC_H
#define DPDK_RULES_RUNTIME_PARALLEL_EXEC_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/parallel_config.h"
#include "dpdk_rules/runtime/parallel/refresh.h"
#include "dpdk_rules/runtime/parallel/rwlock.h"
#include "dpdk_rules/runtime/parallel/serial.h"
#include "dpdk_rules/runtime/parallel/tm.h"
#include "nflib/nf.h"

/* nflib's setters only rewrite Ethernet, IPv4 and TCP/UDP header bytes, all
 * within the first 14 + 60 + 20 bytes of a frame; the lock runtime saves this
 * much before a read attempt and puts it back before the rerun. */
#define NF_PAR_SAVED_HEADER_BYTES 128

/* State shared by all workers of the locks and tm strategies. */
struct nf_par_shared {
  struct nf_par_rwlock rwlock;
  struct nf_par_tm tm;
  struct nf_par_serial serial;
  struct nf_par_refreshes refreshes;
};

struct nf_par_worker_stats {
  uint64_t packets;
  uint64_t read_only;          /* locks: completed under the read lock */
  uint64_t write_reruns;       /* locks: abandoned and rerun under the write lock */
  uint64_t deferred_refreshes; /* locks, tm: dchain refreshes of read-only packets */
  struct nf_par_tm_stats tm;
};

struct nf_par_exec {
  enum nf_par_strategy strategy;
  uint16_t worker;
  struct nf_state *state; /* own (shared-nothing) or the shared one */
  struct nf_par_shared *shared;
  bool in_read_attempt;
  uint32_t refresh_mark; /* locks: own buffer's count when the read attempt began */
  struct nf_par_refresh_buffer *refresh_buffer; /* this worker's, in shared */
  struct nf_par_tm_worker tm;
  jmp_buf restart;
  /* The last packet's place in the serialization (locks, tm); shared-nothing:
   * write_seq 0, wrote false, now as given. */
  struct nf_par_serial_point last;
  struct nf_par_worker_stats stats;
  uint8_t saved_header[NF_PAR_SAVED_HEADER_BYTES];
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

/* workers: how many workers share `shared` (ignored for shared-nothing). */
void nf_par_shared_init(struct nf_par_shared *shared, uint16_t workers, bool tm_force_fallback,
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
