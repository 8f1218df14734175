/* The NF states of a run and each worker's execution context: what the
 * strategy gives each worker (its own state, a share of a partitioned one, or
 * the one shared state). */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_STATES_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_STATES_H

#include "dpdk_rules/runtime/inmem/inmem_runtime.h"

/* Builds the states for rt->opts and initialises every worker's exec; exits
 * with the NF's message (and, for shared-nothing, the worker) on failure. */
void inmem_states_create(struct inmem_runtime *rt, struct nf_config *cfg,
                         struct nf_par_shared *shared);

#endif
