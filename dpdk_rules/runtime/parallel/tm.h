/* Transactional-memory execution of one packet: an Intel RTM transaction with a
 * bounded retry budget, then a global fallback lock. The fallback lock word is
 * read inside every transaction, so a fallback holder aborts running
 * transactions and no transaction commits while it holds the lock. RTM is used
 * only when cpuid says the CPU has it (leaf 7, EBX bit 11) and it is not
 * disabled; otherwise every packet takes the fallback lock. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_TM_H
#define DPDK_RULES_RUNTIME_PARALLEL_TM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

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

/* Whether this CPU supports RTM (cpuid leaf 7, sub-leaf 0, EBX bit 11). */
bool nf_par_cpu_has_rtm(void);

/* use_rtm = RTM present && !force_fallback. */
void nf_par_tm_init(struct nf_par_tm *tm, bool force_fallback, uint32_t retries);

/* Runs nf_process(state, pkt, in_port, max(now, serial clock)) atomically with
 * respect to every other packet run through the same tm and serial, and records
 * the packet's place in *point (serial.h). *wrote must be set (by the nflib
 * write hook) when the packet writes state; it is cleared before each attempt. */
int nf_par_tm_process(struct nf_par_tm *tm, struct nf_par_serial *serial, struct nf_state *state,
                      struct nf_packet *pkt, uint16_t in_port, nf_time_t now, bool *wrote,
                      struct nf_par_serial_point *point, struct nf_par_tm_stats *stats);

#endif
