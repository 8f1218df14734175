/* Worker threads and runs of the in-memory runtime (inmem_runtime.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/inmem/inmem_pacing.h"
#include "dpdk_rules/runtime/inmem/inmem_runtime.h"

/* Both barriers count the workers and the main thread. */
static pthread_barrier_t start, done;

static uint64_t clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void process_queue(struct inmem_runtime *rt, struct inmem_worker *w, bool record) {
  bool paced = rt->opts.rt.window_ns >= 0;
  for (uint32_t j = 0; j < w->queue.len; j++) {
    uint32_t index = w->queue.index[j];
    struct inmem_packet *p = &rt->input.packets[index];
    if (paced) inmem_pacing_wait(rt, w, p->ts_ns);
    struct nf_packet packet;
    nf_packet_init(&packet, p->frame, p->len);
    nf_time_t now = (w->queue.times != NULL ? w->queue.times[j] : p->ts_ns) + w->time_shift;
    int verdict = nf_par_exec_process(&w->exec, &packet, p->port, now);
    if (record) {
      rt->outcomes[index].verdict = verdict;
      rt->outcomes[index].worker = w->exec.worker;
      rt->outcomes[index].point = w->exec.last;
    }
    if (paced) inmem_pacing_advance(rt, w, j);
  }
}

struct thread_arg {
  struct inmem_runtime *rt;
  struct inmem_worker *w;
};

static void *run_worker(void *arg) {
  struct thread_arg *a = arg;
  struct inmem_runtime *rt = a->rt;
  struct inmem_worker *w = a->w;
  if (w->cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  nf_par_exec_attach(&w->exec);
  for (uint32_t run = 0; run < rt->runs; run++) {
    if (rt->mode->prepare != NULL) rt->mode->prepare(rt, w);
    pthread_barrier_wait(&start);
    uint64_t cpu_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    w->start_ns = clock_ns(CLOCK_MONOTONIC);
    process_queue(rt, w, rt->mode->record);
    w->end_ns = clock_ns(CLOCK_MONOTONIC);
    w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    pthread_barrier_wait(&done);
    /* The main thread reads the times between the two barriers. */
    pthread_barrier_wait(&start);
  }
  nf_par_exec_detach(&w->exec);
  return NULL;
}

void inmem_run_start(struct inmem_runtime *rt) {
  uint16_t workers = rt->opts.rt.workers;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  rt->runs = rt->mode->runs(&rt->opts);
  pthread_barrier_init(&start, NULL, workers + 1u);
  pthread_barrier_init(&done, NULL, workers + 1u);
  struct thread_arg *args = calloc(workers, sizeof(*args));
  for (uint16_t k = 0; k < workers; k++) {
    rt->workers[k].cpu = rt->mode->pin && cpus > 0 ? (int)(k % cpus) : -1;
    args[k] = (struct thread_arg){.rt = rt, .w = &rt->workers[k]};
    if (pthread_create(&rt->workers[k].thread, NULL, run_worker, &args[k]) != 0)
      inmem_die("cannot start worker threads");
  }
}

void inmem_run_finish(struct inmem_runtime *rt) {
  uint16_t workers = rt->opts.rt.workers;
  int64_t span = inmem_input_span(&rt->input);
  for (uint32_t run = 0; run < rt->runs; run++) {
    for (uint16_t k = 0; k < workers; k++) rt->workers[k].time_shift = (int64_t)run * span;
    pthread_barrier_wait(&start);
    pthread_barrier_wait(&done);
    if (rt->mode->run_done != NULL) rt->mode->run_done(rt, run);
    pthread_barrier_wait(&start);
  }
  for (uint16_t k = 0; k < workers; k++) pthread_join(rt->workers[k].thread, NULL);
}

bool inmem_strategy_is_shared(const struct inmem_options *opts) {
  return !opts->sequential && opts->strategy != NF_PAR_SHARED_NOTHING;
}
