/* The per-worker statistics the in-memory runtime prints at exit (stdout);
 * tests/equivalence/matrix.py reads the tm line. */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_STATS_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_STATS_H

#include "dpdk_rules/runtime/inmem/inmem_runtime.h"

/* tm: the run's TM state, or NULL when the strategy is not tm. */
void inmem_stats_print(const struct inmem_runtime *rt, const struct nf_par_tm *tm);

#endif
