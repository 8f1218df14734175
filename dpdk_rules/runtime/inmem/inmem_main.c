/* In-memory runtime of a parallel NF (no DPDK): loads one pcap per NF port,
 * merges them by timestamp into one input sequence (inmem_input.h), dispatches
 * every packet to a worker thread by software RSS with the plan's key and RETA
 * exactly as a NIC would (inmem_queue.h), and runs the NF per worker under the
 * chosen strategy (inmem_states.h, parallel/exec.h), each worker in its
 * queue's order, with the pcap timestamp as `now`, as a replay or a benchmark
 * (inmem_runtime.h).
 *
 *   <nf>_inmem [runtime options] -- [NF options]
 *
 * The options are rows of dpdk_rules/runtime/options.c (--help lists them);
 * docs/RUNTIMES.md, "In-memory runtime", describes what they do. This file
 * only wires the parts together, in the order in which their errors are
 * reported: options, NF options, the plan's consent, inputs, states. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/inmem/inmem_options.h"
#include "dpdk_rules/runtime/inmem/inmem_pacing.h"
#include "dpdk_rules/runtime/inmem/inmem_runtime.h"
#include "dpdk_rules/runtime/inmem/inmem_states.h"
#include "dpdk_rules/runtime/inmem/inmem_stats.h"
#include "dpdk_rules/runtime/parallel/config_util.h"
#include "nflib/nf.h"

/* The NF's own parser sees argv[nf_arg0..argc) with argv[0] in front. */
static struct nf_config *parse_nf_options(int argc, char **argv, int nf_arg0) {
  char err[512] = "";
  char *saved_arg0 = argv[nf_arg0];
  argv[nf_arg0] = argv[0];
  struct nf_config *cfg = nf_config_parse(argc - nf_arg0, argv + nf_arg0, err, sizeof(err));
  argv[nf_arg0] = saved_arg0;
  if (cfg == NULL) inmem_usage_die("%s", err);
  return cfg;
}

int main(int argc, char **argv) {
  static struct inmem_runtime rt;
  int nf_arg0 = inmem_options_parse(argc, argv, &rt.opts);
  struct nf_config *cfg = parse_nf_options(argc, argv, nf_arg0);
  rt.mode = rt.opts.rt.bench ? &inmem_bench_mode : &inmem_replay_mode;
  rt.port_count = nf_port_count(cfg);
  uint16_t workers = rt.opts.rt.workers;
  char err[512] = "";
  if (!rt.opts.sequential && nf_par_check(&nf_parallel_config, rt.opts.strategy, workers,
                                          rt.port_count, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s (%s): %s\n", nf_name, nf_par_strategy_name(rt.opts.strategy), err);
    return EXIT_FAILURE;
  }
  inmem_input_load(&rt.input, rt.opts.rt.pcap, rt.port_count);
  rt.workers = aligned_alloc(NF_PAR_CACHE_LINE, sizeof(struct inmem_worker) * workers);
  rt.outcomes = calloc(rt.input.count ? rt.input.count : 1, sizeof(*rt.outcomes));
  if (rt.workers == NULL || rt.outcomes == NULL) inmem_die("out of memory");
  memset(rt.workers, 0, sizeof(struct inmem_worker) * workers);
  static struct nf_par_shared shared;
  nf_par_shared_init(&shared, workers,
                     nf_par_tm_choose_mode(rt.opts.rt.tm_force_fallback, rt.opts.rt.tm_emulate),
                     rt.opts.rt.tm_retries);
  inmem_states_create(&rt, cfg, &shared);
  /* Queues are filled in the order of the workers (worker k: queue k). */
  static struct inmem_queue queues[NF_PAR_MAX_WORKERS];
  inmem_dispatch(&rt.input, workers, queues);
  if (rt.opts.rt.order != NULL) inmem_order_load(rt.opts.rt.order, rt.input.count, &queues[0]);
  for (uint16_t k = 0; k < workers; k++) rt.workers[k].queue = queues[k];
  inmem_pacing_init(&rt);

  inmem_run_start(&rt);
  const bool tm = !rt.opts.sequential && rt.opts.strategy == NF_PAR_TRANSACTIONAL_MEMORY;
  printf("%s: %s on %u workers, %u packets%s%s%s\n", nf_name, inmem_strategy_text(&rt.opts),
         workers, rt.input.count, tm ? " (TM path: " : "",
         tm ? nf_par_tm_path_text(shared.tm.mode) : "", tm ? ")" : "");
  inmem_run_finish(&rt);
  if (rt.mode->report != NULL) rt.mode->report(&rt);
  inmem_stats_print(&rt, tm ? &shared.tm : NULL);
  if (rt.mode->finish != NULL) rt.mode->finish(&rt);
  return EXIT_SUCCESS;
}
