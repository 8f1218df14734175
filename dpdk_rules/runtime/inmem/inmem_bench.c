/* Benchmark mode (inmem_runtime.h, --bench): packets preloaded and dispatched
 * before timing, workers pinned, --warmup untimed and --repeat timed runs.
 * Prints the rate of each run and the medians, by the wall clock and by the
 * busiest worker's CPU time. Outcomes are not recorded (that would be timed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/inmem/inmem_runtime.h"

/* The timed runs' rates (one benchmark per process). */
static double mpps[RT_INMEM_MAX_REPEAT], cpu_mpps[RT_INMEM_MAX_REPEAT];
static uint32_t timed;

static uint32_t bench_runs(const struct inmem_options *opts) {
  return opts->rt.warmup + opts->rt.repeat;
}

/* Untimed: restore this worker's frames, which the last run rewrote. */
static void bench_prepare(struct inmem_runtime *rt, struct inmem_worker *w) {
  for (uint32_t j = 0; j < w->queue.len; j++) {
    struct inmem_packet *p = &rt->input.packets[w->queue.index[j]];
    memcpy(p->frame, p->pristine, p->len);
  }
}

static void bench_run_done(struct inmem_runtime *rt, uint32_t run) {
  uint64_t first = UINT64_MAX, last = 0, busiest_cpu = 0;
  for (uint16_t k = 0; k < rt->opts.rt.workers; k++) {
    const struct inmem_worker *w = &rt->workers[k];
    if (w->start_ns < first) first = w->start_ns;
    if (w->end_ns > last) last = w->end_ns;
    if (w->cpu_ns > busiest_cpu) busiest_cpu = w->cpu_ns;
  }
  uint32_t packets = rt->input.count;
  /* Wall-clock rate, and the rate had no worker been preempted: the busiest
   * worker's CPU time as the makespan (what a machine shared with other work
   * can still measure). */
  double seconds = (double)(last - first) / 1e9;
  double cpu_seconds = (double)busiest_cpu / 1e9;
  double rate = seconds > 0 ? packets / seconds / 1e6 : 0;
  double cpu_rate = cpu_seconds > 0 ? packets / cpu_seconds / 1e6 : 0;
  bool warm = run >= rt->opts.rt.warmup;
  printf(
      "bench: run %u%s: %u packets in %.6f s: %.3f Mpps (busiest worker on CPU %.6f s: %.3f "
      "Mpps)\n",
      run, warm ? "" : " (warm-up)", packets, seconds, rate, cpu_seconds, cpu_rate);
  if (warm) {
    mpps[timed] = rate;
    cpu_mpps[timed++] = cpu_rate;
  }
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, uint32_t count) {
  qsort(values, count, sizeof(double), compare_double);
  return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static void bench_report(const struct inmem_runtime *rt) {
  printf(
      "bench: nf=%s strategy=%s workers=%u packets=%u runs=%u median_mpps=%.3f "
      "median_cpu_mpps=%.3f\n",
      nf_name, inmem_strategy_text(&rt->opts), rt->opts.rt.workers, rt->input.count, timed,
      median(mpps, timed), median(cpu_mpps, timed));
}

const struct inmem_mode inmem_bench_mode = {
    .record = false,
    .pin = true,
    .runs = bench_runs,
    .prepare = bench_prepare,
    .run_done = bench_run_done,
    .report = bench_report,
};
