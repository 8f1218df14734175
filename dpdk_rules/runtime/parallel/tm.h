/* Transactional-memory execution of one packet: an Intel RTM transaction with a
 * bounded retry budget, then a global fallback lock. The fallback lock word is
 * read inside every transaction, so a fallback holder aborts running
 * transactions and no transaction commits while it holds the lock. RTM is used
 * only when cpuid says the CPU has it (leaf 7, EBX bit 11) and it is not
 * disabled; otherwise every packet takes the fallback lock.
 *
 * Deferred refreshes (refresh.h): inside a transaction, dchain refreshes go to
 * the worker's buffer (transactional writes, rolled back on abort). A
 * transaction's first state write checks every worker's buffer (they enter its
 * read set, so a later deferral by another transaction conflicts with it) and
 * aborts when any is non-empty: that packet then runs under the fallback lock,
 * which applies all deferred refreshes before running it. So a write never
 * runs while a refresh is pending, as under the lock runtime's write lock. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_TM_H
#define DPDK_RULES_RUNTIME_PARALLEL_TM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/refresh.h"
#include "dpdk_rules/runtime/parallel/rwlock.h"
#include "dpdk_rules/runtime/parallel/serial.h"
#include "nflib/nf.h"

struct nf_par_tm {
  _Atomic uint32_t fallback_lock __attribute__((aligned(NF_PAR_CACHE_LINE)));
  bool use_rtm;     /* RTM present and not forced off */
  uint32_t retries; /* transaction attempts before the fallback lock */
};

struct nf_par_tm_stats {
  uint64_t commits;   /* packets committed in a transaction */
  uint64_t aborts;    /* aborted attempts */
  uint64_t fallbacks; /* packets run under the fallback lock */
};

/* One worker's side of nf_par_tm_process, shared with its nflib hooks. */
struct nf_par_tm_worker {
  bool wrote;          /* the write hook saw a write in this attempt */
  bool in_transaction; /* inside an RTM transaction: refreshes may be deferred */
  struct nf_par_refresh_buffer *own;
  const struct nf_par_refreshes *all;
};

/* Whether this CPU supports RTM (cpuid leaf 7, sub-leaf 0, EBX bit 11). */
bool nf_par_cpu_has_rtm(void);

/* use_rtm = RTM present && !force_fallback. */
void nf_par_tm_init(struct nf_par_tm *tm, bool force_fallback, uint32_t retries);

/* Runs nf_process(state, pkt, in_port, max(now, serial clock)) atomically with
 * respect to every other packet run through the same tm, serial and
 * refreshes, and records the packet's place in *point (serial.h). The calling
 * thread's nflib write hook must call nf_par_tm_before_write(worker), and its
 * refresh hook may defer into worker->own only while worker->in_transaction. */
int nf_par_tm_process(struct nf_par_tm *tm, struct nf_par_serial *serial,
                      struct nf_par_refreshes *refreshes, struct nf_state *state,
                      struct nf_packet *pkt, uint16_t in_port, nf_time_t now,
                      struct nf_par_tm_worker *worker, struct nf_par_serial_point *point,
                      struct nf_par_tm_stats *stats);

/* The write hook's work under tm: notes that the packet writes; inside a
 * transaction, on the packet's first write, aborts it when any worker has a
 * deferred refresh (the packet then runs under the fallback lock). */
void nf_par_tm_before_write(struct nf_par_tm_worker *worker);

#endif
