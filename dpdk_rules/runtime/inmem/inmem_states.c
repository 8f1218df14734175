#include "dpdk_rules/runtime/inmem/inmem_states.h"

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/parallel/worker_state.h"

void inmem_states_create(struct inmem_runtime *rt, struct nf_config *cfg,
                         struct nf_par_shared *shared) {
  char err[512] = "";
  uint16_t workers = rt->opts.rt.workers;
  enum nf_par_strategy strategy = rt->opts.strategy;
  bool sequential = rt->opts.sequential;
  /* sequential, locks and tm: one state for every worker, built without a
   * layout as the sequential NF builds it. */
  struct nf_state *one = NULL;
  if (sequential || (strategy != NF_PAR_SHARED_NOTHING && strategy != NF_PAR_HYBRID)) {
    one = nf_state_create(cfg, err, sizeof(err));
    if (one == NULL) inmem_die("state creation failed: %s", err);
  }
  for (uint16_t k = 0; k < workers; k++) {
    struct nf_state *state = one;
    if (state == NULL) {
      state =
          strategy == NF_PAR_HYBRID
              ? nf_par_worker_state_create_hybrid(&nf_parallel_config, cfg, k, workers,
                                                  &shared->objects, err, sizeof(err))
              : nf_par_worker_state_create(&nf_parallel_config, cfg, k, workers, err, sizeof(err));
      if (state == NULL) inmem_die("worker %u: state creation failed: %s", k, err);
    }
    /* The sequential reference runs as one shared-nothing worker: no locks. */
    enum nf_par_strategy exec_strategy = sequential ? NF_PAR_SHARED_NOTHING : strategy;
    nf_par_exec_init(&rt->workers[k].exec, exec_strategy, k, state, shared);
  }
  if (!sequential && strategy == NF_PAR_HYBRID &&
      nf_par_shared_objects_seal(&nf_parallel_config, &shared->objects, err, sizeof(err)) != 0)
    inmem_die("%s", err);
}
