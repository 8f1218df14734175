/* A shared-nothing worker's own state: nf_state_create under the worker's
 * layout (config_util.h), with a precise message when the layout is what makes
 * it fail. Shared by the DPDK and the in-memory runtime. */
#ifndef DPDK_RULES_RUNTIME_PARALLEL_WORKER_STATE_H
#define DPDK_RULES_RUNTIME_PARALLEL_WORKER_STATE_H

#include <stddef.h>

#include "dpdk_rules/runtime/parallel/config_util.h"
#include "dpdk_rules/runtime/parallel/parallel_config.h"
#include "nflib/nf.h"

/* Creates worker `worker` of `workers`'s state. On failure returns NULL with
 * a message in err: the NF's own message and, when some partitioned object
 * cannot be built with its share alone (e.g. a configured capacity smaller
 * than the worker count leaves it 0 entries), the names of those objects.
 * Diagnosing a failure builds trial states that are not freed (nflib has no
 * destructor for a whole state): callers exit after a failure. */
/*@ requires \valid_read(par) && \valid_read(cfg);
    requires workers >= 1 && worker < workers;
    requires \valid(err + (0 .. err_len - 1)); */
struct nf_state *nf_par_worker_state_create(const struct nf_parallel_config *par,
                                            const struct nf_config *cfg, uint16_t worker,
                                            uint16_t workers, char *err, size_t err_len);

/* The same for a hybrid worker (nf_par_build_hybrid_layout): its shares of
 * the partitioned objects, and the shared objects, built by the first worker
 * and stored in `shared`, then found there by the others. Create workers 0,
 * 1, ... in order with the same `shared`, then nf_par_shared_objects_seal. */
/*@ requires \valid_read(par) && \valid_read(cfg) && \valid(shared);
    requires workers >= 1 && worker < workers;
    requires \valid(err + (0 .. err_len - 1)); */
struct nf_state *nf_par_worker_state_create_hybrid(const struct nf_parallel_config *par,
                                                   const struct nf_config *cfg, uint16_t worker,
                                                   uint16_t workers,
                                                   struct nf_par_shared_objects *shared, char *err,
                                                   size_t err_len);

#endif
