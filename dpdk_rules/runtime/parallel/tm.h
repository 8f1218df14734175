/* Transactional-memory execution of one packet: a hardware transaction with a
 * bounded retry budget, then a global fallback lock (lock elision). The
 * fallback lock word is read first inside every transaction, so a fallback
 * holder aborts running transactions and no transaction commits while it holds
 * the lock.
 *
 * Three modes (nf_par_tm_mode), chosen once per run:
 *  RTM:      Intel RTM (cpuid leaf 7, EBX bit 11), unless forced off;
 *  fallback: every packet under the fallback lock (no RTM, or
 *            --tm-force-fallback);
 *  emulated: a software model of RTM for tests on any CPU (--tm-emulate). An
 *            emulated transaction runs exclusively (an emulation lock, which
 *            the fallback holder takes too) and aborts at pseudo-random points
 *            the way RTM can: at begin (conflict, retry), at its first state
 *            write (conflict or capacity) and explicitly (fallback held,
 *            refreshes pending). An abort rolls back what the attempt changed
 *            before its first state write (nflib calls the write hook before
 *            any side effect): the packet, the worker's deferred refreshes and
 *            its flags. It exercises every path of nf_par_tm_process that RTM
 *            takes, except hardware conflict detection itself.
 *
 * Deferred refreshes (refresh.h): inside a transaction that has not written,
 * dchain refreshes go to the worker's buffer (transactional writes, rolled back
 * on abort). A transaction's first state write checks every worker's buffer
 * (they enter its read set, so a later deferral by another transaction
 * conflicts with it) and aborts when any is non-empty: that packet then runs
 * under the fallback lock, which applies all deferred refreshes before running
 * it. A transaction that has written refreshes in place, inside the
 * transaction, as the lock runtime's writer does: deferring them would apply
 * them at the next drain, after what the packet itself did to the chain and in
 * merge order with other workers' refreshes of the same time, which reorders
 * the chain and so later expiry and allocation (docs/RUNTIMES.md, "TM").
 *
 * Serialization record (serial.h): a committed transaction is a write if it
 * wrote, else a read-only packet after the last write it observed. A packet run
 * under the fallback lock is recorded as a write when it wrote or when the
 * drain before it applied any deferred refresh: the drain changes the chains
 * and moves the shared clock, and a read-only record there would leave that
 * move unexplained (the serialization check rejects it). Otherwise it is a
 * read-only packet like a committed one. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_TM_H
#define DPDK_RULES_RUNTIME_PARALLEL_TM_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/parallel/packet_snapshot.h"
#include "dpdk_rules/runtime/parallel/refresh.h"
#include "dpdk_rules/runtime/parallel/rwlock.h"
#include "dpdk_rules/runtime/parallel/serial.h"
#include "nflib/nf.h"

enum nf_par_tm_mode {
  NF_PAR_TM_FALLBACK, /* every packet under the fallback lock */
  NF_PAR_TM_RTM,      /* Intel RTM transactions, fallback lock after the retries */
  NF_PAR_TM_EMULATED, /* the software model of RTM (tests) */
};

struct nf_par_tm {
  _Atomic uint32_t fallback_lock __attribute__((aligned(NF_PAR_CACHE_LINE)));
  /* Emulated mode: held by an emulated transaction and by the fallback holder. */
  _Atomic uint32_t emulation_lock __attribute__((aligned(NF_PAR_CACHE_LINE)));
  enum nf_par_tm_mode mode;
  uint32_t retries; /* transaction attempts before the fallback lock */
};

struct nf_par_tm_stats {
  uint64_t commits;          /* packets committed in a transaction */
  uint64_t aborts;           /* aborted attempts, all causes */
  uint64_t aborts_locked;    /* of which: the fallback lock was held */
  uint64_t aborts_refreshes; /* of which: first write with deferred refreshes pending */
  uint64_t fallbacks;        /* packets run under the fallback lock */
};

/* The emulated mode's per-worker state. */
struct nf_par_tm_emulation {
  jmp_buf restart;
  unsigned int status; /* the abort status longjmp delivers (RTM's encoding) */
  uint64_t random;     /* xorshift state: where aborts are injected */
  uint32_t own_count;  /* the worker's refresh buffer count at begin */
  struct nf_par_packet_snapshot packet;
};

/* One worker's side of nf_par_tm_process, shared with its nflib hooks. */
struct nf_par_tm_worker {
  bool wrote;          /* the write hook saw a write in this attempt */
  bool in_transaction; /* inside a transaction (RTM or emulated) */
  enum nf_par_tm_mode mode;
  struct nf_par_refresh_buffer *own;
  const struct nf_par_refreshes *all;
  struct nf_par_tm_emulation emulation;
};

/* Whether this CPU supports RTM (cpuid leaf 7, sub-leaf 0, EBX bit 11). */
bool nf_par_cpu_has_rtm(void);

/* The mode a run gets: emulated when asked, else fallback when forced or
 * without RTM, else RTM. */
enum nf_par_tm_mode nf_par_tm_choose_mode(bool force_fallback, bool emulate);

/* "RTM", "fallback lock", "emulated HTM". */
const char *nf_par_tm_mode_name(enum nf_par_tm_mode mode);

/* The mode as runtimes print it: the name, and for the fallback why (forced,
 * or no RTM on this CPU). */
const char *nf_par_tm_path_text(enum nf_par_tm_mode mode);

void nf_par_tm_init(struct nf_par_tm *tm, enum nf_par_tm_mode mode, uint32_t retries);

/* Binds a worker to its refresh buffer and the run's mode; seed: where the
 * emulated mode injects aborts (any value; a worker's own is reproducible). */
void nf_par_tm_worker_init(struct nf_par_tm_worker *worker, const struct nf_par_tm *tm,
                           struct nf_par_refresh_buffer *own, const struct nf_par_refreshes *all,
                           uint64_t seed);

/* Runs nf_process(state, pkt, in_port, max(now, serial clock)) atomically with
 * respect to every other packet run through the same tm, serial and
 * refreshes, and records the packet's place in *point (serial.h). The calling
 * thread's nflib write hook must call nf_par_tm_before_write(worker), and its
 * refresh hook may defer into worker->own only while
 * nf_par_tm_may_defer(worker). */
int nf_par_tm_process(struct nf_par_tm *tm, struct nf_par_serial *serial,
                      struct nf_par_refreshes *refreshes, struct nf_state *state,
                      struct nf_packet *pkt, uint16_t in_port, nf_time_t now,
                      struct nf_par_tm_worker *worker, struct nf_par_serial_point *point,
                      struct nf_par_tm_stats *stats);

/* The write hook's work under tm: notes that the packet writes; inside a
 * transaction, on the packet's first write, aborts it when any worker has a
 * deferred refresh (the packet then runs under the fallback lock). */
void nf_par_tm_before_write(struct nf_par_tm_worker *worker);

/* Whether a refresh may be deferred now: inside a transaction that has not
 * written (after a write the transaction refreshes in place). */
static inline bool nf_par_tm_may_defer(const struct nf_par_tm_worker *worker) {
  return worker->in_transaction && !worker->wrote;
}

#endif
