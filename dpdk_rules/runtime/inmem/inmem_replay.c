/* Replay mode (inmem_runtime.h): one run over the input, each packet's outcome
 * recorded; --window-ns paces it (inmem_pacing.h); --outcomes writes the
 * record after the statistics. */
#include "dpdk_rules/runtime/inmem/inmem_runtime.h"

static uint32_t replay_runs(const struct inmem_options *opts) {
  (void)opts;
  return 1;
}

static void replay_finish(const struct inmem_runtime *rt) {
  if (rt->opts.rt.outcomes == NULL) return;
  inmem_outcomes_write(rt->opts.rt.outcomes, &rt->input, rt->outcomes,
                       inmem_strategy_is_shared(&rt->opts));
}

const struct inmem_mode inmem_replay_mode = {
    .record = true,
    .pin = false,
    .runs = replay_runs,
    .finish = replay_finish,
};
