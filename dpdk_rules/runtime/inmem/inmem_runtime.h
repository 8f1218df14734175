/* The in-memory runtime's run: worker threads, each running its queue through
 * nf_par_exec_process (the strategies live in parallel/exec.c), in runs
 * separated by barriers. What a run is for is a mode, behind a function table
 * (as DPDK's examples/l3fwd selects its lookup method):
 *
 *   replay (inmem_replay.c)  one run; outcomes recorded per packet, optionally
 *                            paced (--window-ns), written to --outcomes
 *   bench  (inmem_bench.c)   warm-up and timed runs on pinned workers; frames
 *                            restored before each run, Mpps printed
 */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_RUNTIME_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dpdk_rules/runtime/inmem/inmem_input.h"
#include "dpdk_rules/runtime/inmem/inmem_options.h"
#include "dpdk_rules/runtime/inmem/inmem_outcomes.h"
#include "dpdk_rules/runtime/inmem/inmem_queue.h"
#include "dpdk_rules/runtime/parallel/exec.h"

struct inmem_worker {
  struct nf_par_exec exec;
  pthread_t thread;
  struct inmem_queue queue;
  int cpu; /* pinned CPU, or -1 */
  int64_t time_shift;
  /* --window-ns: timestamp of this worker's next unprocessed packet
   * (INT64_MAX when its queue is done), for the others to wait on. */
  _Atomic int64_t next_ts;
  uint64_t start_ns, end_ns;
  uint64_t cpu_ns; /* this thread's CPU time over the run (excludes preemption) */
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

struct inmem_runtime;

struct inmem_mode {
  bool record; /* fill outcomes[] during the run */
  bool pin;    /* worker k on CPU k mod CPUs */
  uint32_t (*runs)(const struct inmem_options *opts);
  /* On each worker's thread before each run, untimed; may be NULL. */
  void (*prepare)(struct inmem_runtime *rt, struct inmem_worker *w);
  /* On the main thread after each run, while the workers wait: their times
   * are stable; may be NULL. */
  void (*run_done)(struct inmem_runtime *rt, uint32_t run);
  /* After the last run, before the per-core statistics; may be NULL. */
  void (*report)(const struct inmem_runtime *rt);
  /* After the statistics; may be NULL. */
  void (*finish)(const struct inmem_runtime *rt);
};

extern const struct inmem_mode inmem_replay_mode;
extern const struct inmem_mode inmem_bench_mode;

struct inmem_runtime {
  struct inmem_options opts;
  const struct inmem_mode *mode;
  uint16_t port_count;
  struct inmem_input input;
  struct inmem_outcome *outcomes; /* per input index */
  struct inmem_worker *workers;
  uint32_t runs;
};

/* Starts the workers (pinned if the mode says so); they wait for the first
 * run. */
void inmem_run_start(struct inmem_runtime *rt);

/* Runs mode->runs() runs and joins the workers. Run r shifts time by r times
 * the input's span, so that flows continue instead of going back in time. */
void inmem_run_finish(struct inmem_runtime *rt);

/* Whether the strategy serializes a shared state (locks, tm, hybrid): the
 * outcomes then say which packets wrote it. */
bool inmem_strategy_is_shared(const struct inmem_options *opts);

#endif
