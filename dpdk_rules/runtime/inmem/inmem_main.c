/* In-memory runtime of a parallel NF (no DPDK): loads one pcap per NF port,
 * merges them by timestamp into one input sequence, dispatches every packet to
 * a worker thread by software RSS with the plan's key and RETA exactly as a NIC
 * would (softrss.h), and runs the NF per worker under the chosen strategy, each
 * worker in its queue's order, with the pcap timestamp as `now`.
 *
 *   <nf>_inmem [options] -- [NF options]
 *
 *   --pcap=PORT:FILE      input of NF port PORT (repeat per port; missing: none)
 *   --workers=N           worker threads (default 1)
 *   --strategy=S          sequential | sn | locks | tm | hybrid (default: the plan's).
 *                         sequential: 1 worker, the NF's own state, no layout:
 *                         the reference for equivalence tests
 *   --outcomes=FILE       writes one CSV line per input packet, in input order:
 *                         index,port,worker,verdict,access,write_seq,now_ns,
 *                         refreshes,frame_hex (frame as sent). access: w (wrote
 *                         the shared state; write_seq is its number), r
 *                         (read-only; write_seq is the last write it observed)
 *                         under locks, tm and hybrid, - otherwise; now_ns: the time
 *                         nf_process got (locks, tm, hybrid: max(timestamp, shared
 *                         clock), serial.h); refreshes: dchain refreshes a
 *                         read-only packet deferred (refresh.h)
 *   --order=FILE          sequential only: process the packets in this order
 *                         with these times instead of input order and pcap
 *                         times. CSV lines index,now_ns (header optional), every
 *                         input index exactly once: a replay of a locks/tm run's
 *                         serialization (tests/equivalence)
 *   --window-ns=N         paced replay: a worker starts a packet with timestamp
 *                         t only when every packet older than t - N (on every
 *                         queue) has finished, as queues of a NIC that drain
 *                         within N ns of each other. Packets further apart than
 *                         N keep their input order; closer ones race. Default:
 *                         no pacing (each worker runs its queue at full speed)
 *   --tm-retries=N, --tm-force-fallback, --tm-emulate   as in the DPDK runtime
 *   --bench               pre-dispatched benchmark: packets preloaded per worker,
 *                         workers pinned to CPUs, --warmup=W (default 1) and
 *                         --repeat=R (default 5) timed runs; prints Mpps per run
 *                         and the median, by the wall clock and by the busiest
 *                         worker's CPU time. Each run restores the frames and
 *                         shifts time by the trace's span, so flows continue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dpdk_rules/runtime/inmem/pcap_io.h"
#include "dpdk_rules/runtime/options.h"
#include "dpdk_rules/runtime/parallel/config_util.h"
#include "dpdk_rules/runtime/parallel/exec.h"
#include "dpdk_rules/runtime/parallel/softrss.h"
#include "dpdk_rules/runtime/parallel/worker_state.h"
#include "nflib/instance.h"
#include "nflib/nf.h"

#define MAX_PORTS 16
#define MAX_REPEAT 1000

struct options {
  const char *pcap[MAX_PORTS];
  uint16_t workers;
  bool sequential;
  enum nf_par_strategy strategy;
  const char *outcomes;
  const char *order;
  int64_t window_ns; /* --window-ns, or -1: no pacing */
  uint32_t tm_retries;
  bool tm_force_fallback;
  bool tm_emulate;
  bool bench;
  uint32_t warmup;
  uint32_t repeat;
};

struct input_packet {
  int64_t ts_ns;
  uint16_t port;
  uint32_t len;
  uint8_t *frame;          /* working copy, rewritten by the NF */
  const uint8_t *pristine; /* as captured */
};

struct outcome {
  int32_t verdict;
  uint16_t worker;
  struct nf_par_serial_point point;
};

struct worker {
  struct nf_par_exec exec;
  pthread_t thread;
  uint32_t *queue;      /* input indexes, in order */
  const int64_t *times; /* --order: the time of each queue entry; NULL: pcap times */
  uint32_t queue_len;
  int cpu; /* pinned CPU, or -1 */
  int64_t time_shift;
  /* --window-ns: timestamp of this worker's next unprocessed packet
   * (INT64_MAX when its queue is done), for the others to wait on. */
  _Atomic int64_t next_ts;
  uint64_t start_ns, end_ns;
  uint64_t cpu_ns; /* this thread's CPU time over the run (excludes preemption) */
} __attribute__((aligned(NF_PAR_CACHE_LINE)));

struct runtime {
  struct options opts;
  uint16_t port_count;
  struct input_packet *packets;
  uint32_t packet_count;
  struct outcome *outcomes;
  struct worker *workers;
  pthread_barrier_t start, done;
  uint32_t runs;
};

static void die(const char *format, const char *a, const char *b) {
  fprintf(stderr, "%s: ", nf_name);
  fprintf(stderr, format, a, b);
  fputc('\n', stderr);
  exit(EXIT_FAILURE);
}

/* A bad option or value: one line, exit status 2 (options.h). */
static void usage_die(const char *format, const char *a, const char *b) {
  fprintf(stderr, "%s: ", nf_name);
  fprintf(stderr, format, a, b);
  fprintf(stderr, " (--help lists the options)\n");
  exit(RT_EXIT_USAGE);
}

static long parse_long(const char *option, const char *text, long min, long max) {
  char err[256];
  int64_t value = 0;
  if (!rt_parse_int(option, text, min, max, &value, err, sizeof(err))) usage_die("%s%s", err, "");
  return (long)value;
}

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: %s_inmem --pcap=PORT:FILE... [--workers=N] "
      "[--strategy=sequential|sn|locks|tm|hybrid] [--outcomes=FILE] [--order=FILE] [--window-ns=N] "
      "[--tm-retries=N] "
      "[--tm-force-fallback] [--tm-emulate] [--bench [--warmup=W] [--repeat=R]] -- [NF options]\n"
      "(the options are described at the top of dpdk_rules/runtime/inmem/inmem_main.c and in "
      "docs/RUNTIMES.md)\n\n",
      nf_name);
  nf_config_usage(out);
}

/* Parses runtime options up to "--"; returns the index of the first NF argument
 * minus one (so argv[result] can serve as the NF's argv[0]). */
static int parse_options(int argc, char **argv, struct options *opts) {
  memset(opts, 0, sizeof(*opts));
  opts->workers = 1;
  opts->strategy = nf_parallel_config.strategy;
  opts->tm_retries = 8;
  opts->window_ns = -1;
  opts->warmup = 1;
  opts->repeat = 5;
  if (rt_wants_help(argc, argv, 1)) {
    usage(stdout);
    exit(EXIT_SUCCESS);
  }
  int i = 1;
  for (; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--") == 0) break;
    if (strncmp(arg, "--pcap=", 7) == 0) {
      const char *colon = strchr(arg + 7, ':');
      if (colon == NULL) usage_die("invalid --pcap value '%s': expected PORT:FILE%s", arg + 7, "");
      char port_text[16];
      size_t n = (size_t)(colon - (arg + 7));
      if (n == 0 || n >= sizeof(port_text))
        usage_die("invalid port in --pcap value '%s'%s", arg + 7, "");
      memcpy(port_text, arg + 7, n);
      port_text[n] = '\0';
      long port = parse_long("--pcap port", port_text, 0, MAX_PORTS - 1);
      opts->pcap[port] = colon + 1;
    } else if (strncmp(arg, "--workers=", 10) == 0) {
      opts->workers = (uint16_t)parse_long("--workers", arg + 10, 1, NF_PAR_MAX_WORKERS);
    } else if (strncmp(arg, "--strategy=", 11) == 0) {
      if (strcmp(arg + 11, "sequential") == 0) {
        opts->sequential = true;
      } else if (!nf_par_parse_strategy(arg + 11, &opts->strategy)) {
        usage_die("invalid --strategy value '%s': expected sequential, sn, locks, tm or hybrid%s",
                  arg + 11, "");
      }
    } else if (strncmp(arg, "--outcomes=", 11) == 0) {
      opts->outcomes = arg + 11;
    } else if (strncmp(arg, "--order=", 8) == 0) {
      opts->order = arg + 8;
    } else if (strncmp(arg, "--tm-retries=", 13) == 0) {
      opts->tm_retries = (uint32_t)parse_long("--tm-retries", arg + 13, 0, 1000);
    } else if (strcmp(arg, "--tm-force-fallback") == 0) {
      opts->tm_force_fallback = true;
    } else if (strcmp(arg, "--tm-emulate") == 0) {
      opts->tm_emulate = true;
    } else if (strncmp(arg, "--window-ns=", 12) == 0) {
      opts->window_ns = parse_long("--window-ns", arg + 12, 0, INT32_MAX);
    } else if (strcmp(arg, "--bench") == 0) {
      opts->bench = true;
    } else if (strncmp(arg, "--warmup=", 9) == 0) {
      opts->warmup = (uint32_t)parse_long("--warmup", arg + 9, 0, MAX_REPEAT);
    } else if (strncmp(arg, "--repeat=", 9) == 0) {
      opts->repeat = (uint32_t)parse_long("--repeat", arg + 9, 1, MAX_REPEAT);
    } else {
      usage_die("unknown option '%s'%s (NF options go after --)", arg, "");
    }
  }
  if (opts->sequential && opts->workers != 1) {
    usage_die("--strategy=sequential runs on 1 worker: drop --workers%s%s", "", "");
  }
  if (opts->window_ns >= 0 && opts->bench) {
    usage_die("--window-ns paces a replay; --bench runs unpaced%s%s", "", "");
  }
  if (opts->order != NULL && (!opts->sequential || opts->bench)) {
    usage_die(
        "--order replays a serialization on the sequential NF: use it with "
        "--strategy=sequential and without --bench%s%s",
        "", "");
  }
  return i < argc ? i : argc - 1;
}

static int compare_packets(const void *a, const void *b) {
  const struct input_packet *x = a, *y = b;
  if (x->ts_ns != y->ts_ns) return x->ts_ns < y->ts_ns ? -1 : 1;
  if (x->port != y->port) return x->port < y->port ? -1 : 1;
  /* Same port and time: keep file order (frames are laid out in file order). */
  return x->pristine < y->pristine ? -1 : (x->pristine > y->pristine);
}

/* Loads every port's pcap and merges them by (timestamp, port, file order). */
static void load_inputs(struct runtime *rt, struct pcap_file *files) {
  char err[512] = "";
  uint64_t total = 0, bytes = 0;
  for (uint16_t port = 0; port < MAX_PORTS; port++) {
    if (rt->opts.pcap[port] == NULL) continue;
    if (port >= rt->port_count) {
      fprintf(stderr, "%s: --pcap for port %u but the NF has %u ports\n", nf_name, port,
              rt->port_count);
      exit(EXIT_FAILURE);
    }
    if (pcap_read_file(rt->opts.pcap[port], &files[port], err, sizeof(err)) != 0) {
      die("%s%s", err, "");
    }
    total += files[port].count;
    for (uint32_t i = 0; i < files[port].count; i++) bytes += files[port].records[i].len;
  }
  if (total > UINT32_MAX / 2) die("too many packets%s%s", "", "");
  rt->packet_count = (uint32_t)total;
  rt->packets = calloc(total ? total : 1, sizeof(*rt->packets));
  uint8_t *arena = malloc(bytes ? bytes : 1);
  if (rt->packets == NULL || arena == NULL) die("out of memory for packets%s%s", "", "");
  uint32_t n = 0;
  for (uint16_t port = 0; port < MAX_PORTS; port++) {
    for (uint32_t i = 0; i < files[port].count; i++) {
      const struct pcap_record *record = &files[port].records[i];
      rt->packets[n++] = (struct input_packet){
          .ts_ns = record->ts_ns, .port = port, .len = record->len, .pristine = record->data};
    }
  }
  qsort(rt->packets, n, sizeof(*rt->packets), compare_packets);
  for (uint32_t i = 0; i < n; i++) {
    rt->packets[i].frame = arena;
    memcpy(arena, rt->packets[i].pristine, rt->packets[i].len);
    arena += rt->packets[i].len;
  }
}

/* Fills each worker's queue with the input indexes RSS sends it, in order. */
static void dispatch(struct runtime *rt) {
  uint16_t workers = rt->opts.workers;
  static uint16_t reta[NF_PAR_MAX_RETA];
  nf_par_run_reta(&nf_parallel_config, reta, workers);
  uint32_t *counts = calloc(workers, sizeof(uint32_t));
  uint16_t *queue_of = malloc(sizeof(uint16_t) * (rt->packet_count ? rt->packet_count : 1));
  if (counts == NULL || queue_of == NULL) die("out of memory%s%s", "", "");
  for (uint32_t i = 0; i < rt->packet_count; i++) {
    const struct input_packet *p = &rt->packets[i];
    uint16_t queue = 0;
    if (workers > 1) {
      const struct nf_par_rss_port *rss = nf_par_rss_for_port(&nf_parallel_config, p->port);
      if (rss == NULL) {
        fprintf(stderr, "%s: the plan has no RSS key for port %u: cannot split its traffic\n",
                nf_name, p->port);
        exit(EXIT_FAILURE);
      }
      queue = nf_par_rss_queue(rss, reta, nf_parallel_config.reta_size, p->pristine, p->len);
    }
    queue_of[i] = queue;
    counts[queue]++;
  }
  for (uint16_t k = 0; k < workers; k++) {
    rt->workers[k].queue = malloc(sizeof(uint32_t) * (counts[k] ? counts[k] : 1));
    if (rt->workers[k].queue == NULL) die("out of memory%s%s", "", "");
    rt->workers[k].queue_len = 0;
  }
  for (uint32_t i = 0; i < rt->packet_count; i++) {
    struct worker *w = &rt->workers[queue_of[i]];
    w->queue[w->queue_len++] = i;
  }
  free(counts);
  free(queue_of);
}

static void order_fail(const char *path, uint32_t line, const char *what) {
  fprintf(stderr, "%s: --order file '%s' line %u: %s\n", nf_name, path, line, what);
  exit(EXIT_FAILURE);
}

/* --order: worker 0 (sequential) processes the input indexes in the file's
 * order with the file's times. Every input index must appear exactly once. */
static void load_order(struct runtime *rt) {
  const char *path = rt->opts.order;
  FILE *in = fopen(path, "r");
  if (in == NULL) die("cannot read --order file '%s': %s", path, strerror(errno));
  uint32_t count = rt->packet_count;
  uint32_t *queue = malloc(sizeof(uint32_t) * (count ? count : 1));
  int64_t *times = malloc(sizeof(int64_t) * (count ? count : 1));
  uint32_t *seen_at = calloc(count ? count : 1, sizeof(uint32_t)); /* line, 0: not seen */
  if (queue == NULL || times == NULL || seen_at == NULL) die("out of memory%s%s", "", "");
  char text[128], what[256];
  uint32_t line = 0, n = 0;
  while (fgets(text, sizeof(text), in) != NULL) {
    line++;
    if (strchr(text, '\n') == NULL && !feof(in)) order_fail(path, line, "line too long");
    if (line == 1 && strncmp(text, "index", 5) == 0) continue; /* header */
    if (text[0] == '\n' || text[0] == '\0') continue;
    char *end = NULL;
    errno = 0;
    unsigned long long index = strtoull(text, &end, 10);
    if (end == text || *end != ',' || errno != 0) {
      order_fail(path, line, "expected 'index,now_ns' (two integers)");
    }
    const char *time_text = end + 1;
    errno = 0;
    long long now = strtoll(time_text, &end, 10);
    if (end == time_text || (*end != '\n' && *end != '\r' && *end != '\0') || errno != 0) {
      order_fail(path, line, "expected 'index,now_ns' (two integers)");
    }
    if (index >= count) {
      snprintf(what, sizeof(what), "index %llu is not an input packet (the input has %u)", index,
               count);
      order_fail(path, line, what);
    }
    if (seen_at[index] != 0) {
      snprintf(what, sizeof(what), "index %llu already appears on line %u", index, seen_at[index]);
      order_fail(path, line, what);
    }
    seen_at[index] = line;
    queue[n] = (uint32_t)index;
    times[n++] = now;
  }
  fclose(in);
  if (n != count) {
    for (uint32_t i = 0; i < count; i++) {
      if (seen_at[i] == 0) {
        snprintf(what, sizeof(what), "has %u packets of the input's %u: index %u is missing", n,
                 count, i);
        order_fail(path, line, what);
      }
    }
  }
  free(seen_at);
  free(rt->workers[0].queue);
  rt->workers[0].queue = queue;
  rt->workers[0].queue_len = n;
  rt->workers[0].times = times;
}

static void create_states(struct runtime *rt, struct nf_config *cfg, struct nf_par_shared *shared) {
  char err[512] = "";
  uint16_t workers = rt->opts.workers;
  enum nf_par_strategy strategy = rt->opts.strategy;
  struct nf_state *one = NULL;
  if (rt->opts.sequential || (strategy != NF_PAR_SHARED_NOTHING && strategy != NF_PAR_HYBRID)) {
    one = nf_state_create(cfg, err, sizeof(err));
    if (one == NULL) die("state creation failed: %s%s", err, "");
  }
  for (uint16_t k = 0; k < workers; k++) {
    struct nf_state *state = one;
    if (state == NULL) {
      state =
          strategy == NF_PAR_HYBRID
              ? nf_par_worker_state_create_hybrid(&nf_parallel_config, cfg, k, workers,
                                                  &shared->objects, err, sizeof(err))
              : nf_par_worker_state_create(&nf_parallel_config, cfg, k, workers, err, sizeof(err));
      if (state == NULL) {
        fprintf(stderr, "%s: worker %u: state creation failed: %s\n", nf_name, k, err);
        exit(EXIT_FAILURE);
      }
    }
    enum nf_par_strategy exec_strategy = rt->opts.sequential ? NF_PAR_SHARED_NOTHING : strategy;
    nf_par_exec_init(&rt->workers[k].exec, exec_strategy, k, state, shared);
  }
  if (!rt->opts.sequential && strategy == NF_PAR_HYBRID &&
      nf_par_shared_objects_seal(&nf_parallel_config, &shared->objects, err, sizeof(err)) != 0)
    die("%s%s", err, "");
}

static uint64_t clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t monotonic_ns(void) {
  return clock_ns(CLOCK_MONOTONIC);
}

/* --window-ns: waits until every other worker's next packet is no older than
 * ts - window, i.e. all packets older than that have finished. The worker with
 * the oldest pending packet never waits, so the workers cannot deadlock. */
static void wait_for_window(const struct runtime *rt, const struct worker *w, int64_t ts) {
  int64_t limit = ts - rt->opts.window_ns;
  for (uint16_t k = 0; k < rt->opts.workers; k++) {
    const struct worker *other = &rt->workers[k];
    if (other == w) continue;
    while (atomic_load_explicit(&other->next_ts, memory_order_acquire) < limit) sched_yield();
  }
}

static void process_queue(struct runtime *rt, struct worker *w, bool record) {
  bool paced = rt->opts.window_ns >= 0;
  for (uint32_t j = 0; j < w->queue_len; j++) {
    uint32_t index = w->queue[j];
    struct input_packet *p = &rt->packets[index];
    if (paced) wait_for_window(rt, w, p->ts_ns);
    struct nf_packet packet;
    nf_packet_init(&packet, p->frame, p->len);
    nf_time_t now = (w->times != NULL ? w->times[j] : p->ts_ns) + w->time_shift;
    int verdict = nf_par_exec_process(&w->exec, &packet, p->port, now);
    if (record) {
      rt->outcomes[index].verdict = verdict;
      rt->outcomes[index].worker = w->exec.worker;
      rt->outcomes[index].point = w->exec.last;
    }
    if (paced) {
      int64_t next = j + 1 < w->queue_len ? rt->packets[w->queue[j + 1]].ts_ns : INT64_MAX;
      atomic_store_explicit(&w->next_ts, next, memory_order_release);
    }
  }
}

struct thread_arg {
  struct runtime *rt;
  struct worker *w;
};

static void *run_worker(void *arg) {
  struct thread_arg *a = arg;
  struct runtime *rt = a->rt;
  struct worker *w = a->w;
  if (w->cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  nf_par_exec_attach(&w->exec);
  for (uint32_t run = 0; run < rt->runs; run++) {
    if (rt->opts.bench) {
      /* Untimed: restore this worker's frames, shift time past the last run. */
      for (uint32_t j = 0; j < w->queue_len; j++) {
        struct input_packet *p = &rt->packets[w->queue[j]];
        memcpy(p->frame, p->pristine, p->len);
      }
    }
    pthread_barrier_wait(&rt->start);
    uint64_t cpu_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    w->start_ns = monotonic_ns();
    process_queue(rt, w, !rt->opts.bench);
    w->end_ns = monotonic_ns();
    w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    pthread_barrier_wait(&rt->done);
    /* The main thread reads the times between the two barriers. */
    pthread_barrier_wait(&rt->start);
  }
  nf_par_exec_detach(&w->exec);
  return NULL;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, uint32_t count) {
  qsort(values, count, sizeof(double), compare_double);
  return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static void write_outcomes(const struct runtime *rt) {
  FILE *out = fopen(rt->opts.outcomes, "w");
  if (out == NULL) die("cannot write --outcomes file '%s': %s", rt->opts.outcomes, strerror(errno));
  bool shared = !rt->opts.sequential && rt->opts.strategy != NF_PAR_SHARED_NOTHING;
  fprintf(out, "index,port,worker,verdict,access,write_seq,now_ns,refreshes,frame_hex\n");
  for (uint32_t i = 0; i < rt->packet_count; i++) {
    const struct input_packet *p = &rt->packets[i];
    const struct outcome *o = &rt->outcomes[i];
    fprintf(out, "%u,%u,%u,%d,%s,%" PRIu64 ",%" PRId64 ",%" PRIu32 ",", i, p->port, o->worker,
            o->verdict, shared ? (o->point.wrote ? "w" : "r") : "-", o->point.write_seq,
            o->point.now, o->point.refreshes);
    for (uint32_t b = 0; b < p->len; b++) fprintf(out, "%02x", p->frame[b]);
    fputc('\n', out);
  }
  if (fclose(out) != 0)
    die("cannot write --outcomes file '%s': %s", rt->opts.outcomes, strerror(errno));
}

/* tm: the run's TM state, or NULL when the strategy is not tm. */
static void print_worker_stats(const struct runtime *rt, const struct nf_par_tm *tm) {
  printf("%s: per-core statistics\n", nf_name);
  printf("%6s %6s %12s %12s %12s %12s %12s %12s\n", "worker", "cpu", "packets", "read_only",
         "write_rerun", "tm_commit", "tm_abort", "tm_fallback");
  for (uint16_t k = 0; k < rt->opts.workers; k++) {
    const struct nf_par_worker_stats *s = &rt->workers[k].exec.stats;
    printf("%6u %6d %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
           " %12" PRIu64 "\n",
           k, rt->workers[k].cpu, s->packets, s->read_only, s->write_reruns, s->tm.commits,
           s->tm.aborts, s->tm.fallbacks);
  }
  printf("%s: deferred refreshes per worker:", nf_name);
  for (uint16_t k = 0; k < rt->opts.workers; k++)
    printf(" %" PRIu64, rt->workers[k].exec.stats.deferred_refreshes);
  printf("\n");
  printf("%s: read-locked packets that wrote own objects per worker (hybrid):", nf_name);
  for (uint16_t k = 0; k < rt->opts.workers; k++)
    printf(" %" PRIu64, rt->workers[k].exec.stats.private_writes);
  printf("\n");
  if (tm != NULL) {
    struct nf_par_tm_stats sum = {0};
    for (uint16_t k = 0; k < rt->opts.workers; k++) {
      const struct nf_par_tm_stats *s = &rt->workers[k].exec.stats.tm;
      sum.commits += s->commits;
      sum.aborts += s->aborts;
      sum.aborts_locked += s->aborts_locked;
      sum.aborts_refreshes += s->aborts_refreshes;
      sum.fallbacks += s->fallbacks;
    }
    /* One line tests read (tests/equivalence/matrix.py). */
    printf("%s: tm path=%s commits=%" PRIu64 " aborts=%" PRIu64 " aborts_locked=%" PRIu64
           " aborts_refreshes=%" PRIu64 " fallbacks=%" PRIu64 "\n",
           nf_name, nf_par_tm_mode_name(tm->mode), sum.commits, sum.aborts, sum.aborts_locked,
           sum.aborts_refreshes, sum.fallbacks);
  }
}

int main(int argc, char **argv) {
  static struct runtime rt;
  int nf_arg0 = parse_options(argc, argv, &rt.opts);
  char err[512] = "";
  char *saved_arg0 = argv[nf_arg0];
  argv[nf_arg0] = argv[0];
  struct nf_config *cfg = nf_config_parse(argc - nf_arg0, argv + nf_arg0, err, sizeof(err));
  argv[nf_arg0] = saved_arg0;
  if (cfg == NULL) usage_die("%s%s", err, "");
  rt.port_count = nf_port_count(cfg);
  uint16_t workers = rt.opts.workers;
  if (!rt.opts.sequential && nf_par_check(&nf_parallel_config, rt.opts.strategy, workers,
                                          rt.port_count, err, sizeof(err)) != 0) {
    fprintf(stderr, "%s (%s): %s\n", nf_name, nf_par_strategy_name(rt.opts.strategy), err);
    return EXIT_FAILURE;
  }
  static struct pcap_file files[MAX_PORTS];
  load_inputs(&rt, files);
  rt.workers = aligned_alloc(NF_PAR_CACHE_LINE, sizeof(struct worker) * workers);
  rt.outcomes = calloc(rt.packet_count ? rt.packet_count : 1, sizeof(*rt.outcomes));
  if (rt.workers == NULL || rt.outcomes == NULL) die("out of memory%s%s", "", "");
  memset(rt.workers, 0, sizeof(struct worker) * workers);
  static struct nf_par_shared shared;
  nf_par_shared_init(&shared, workers,
                     nf_par_tm_choose_mode(rt.opts.tm_force_fallback, rt.opts.tm_emulate),
                     rt.opts.tm_retries);
  create_states(&rt, cfg, &shared);
  dispatch(&rt);
  if (rt.opts.order != NULL) load_order(&rt);
  for (uint16_t k = 0; k < workers; k++) {
    const struct worker *w = &rt.workers[k];
    atomic_init(&rt.workers[k].next_ts, w->queue_len ? rt.packets[w->queue[0]].ts_ns : INT64_MAX);
  }

  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int64_t span =
      rt.packet_count ? rt.packets[rt.packet_count - 1].ts_ns - rt.packets[0].ts_ns + 1 : 1;
  rt.runs = rt.opts.bench ? rt.opts.warmup + rt.opts.repeat : 1;
  pthread_barrier_init(&rt.start, NULL, workers + 1u);
  pthread_barrier_init(&rt.done, NULL, workers + 1u);
  struct thread_arg *args = calloc(workers, sizeof(*args));
  for (uint16_t k = 0; k < workers; k++) {
    rt.workers[k].cpu = rt.opts.bench && cpus > 0 ? (int)(k % cpus) : -1;
    args[k] = (struct thread_arg){.rt = &rt, .w = &rt.workers[k]};
    if (pthread_create(&rt.workers[k].thread, NULL, run_worker, &args[k]) != 0) {
      die("cannot start worker threads%s%s", "", "");
    }
  }
  const bool tm = !rt.opts.sequential && rt.opts.strategy == NF_PAR_TRANSACTIONAL_MEMORY;
  printf("%s: %s on %u workers, %u packets%s%s%s\n", nf_name,
         rt.opts.sequential ? "sequential" : nf_par_strategy_name(rt.opts.strategy), workers,
         rt.packet_count, tm ? " (TM path: " : "", tm ? nf_par_tm_path_text(shared.tm.mode) : "",
         tm ? ")" : "");
  double mpps[MAX_REPEAT], cpu_mpps[MAX_REPEAT];
  uint32_t timed = 0;
  for (uint32_t run = 0; run < rt.runs; run++) {
    for (uint16_t k = 0; k < workers; k++) rt.workers[k].time_shift = (int64_t)run * span;
    pthread_barrier_wait(&rt.start);
    pthread_barrier_wait(&rt.done);
    uint64_t first = UINT64_MAX, last = 0, busiest_cpu = 0;
    for (uint16_t k = 0; k < workers; k++) {
      if (rt.workers[k].start_ns < first) first = rt.workers[k].start_ns;
      if (rt.workers[k].end_ns > last) last = rt.workers[k].end_ns;
      if (rt.workers[k].cpu_ns > busiest_cpu) busiest_cpu = rt.workers[k].cpu_ns;
    }
    double seconds = (double)(last - first) / 1e9;
    if (rt.opts.bench) {
      /* Wall-clock rate, and the rate had no worker been preempted: the busiest
       * worker's CPU time as the makespan (what a machine shared with other
       * work can still measure). */
      double cpu_seconds = (double)busiest_cpu / 1e9;
      double rate = seconds > 0 ? rt.packet_count / seconds / 1e6 : 0;
      double cpu_rate = cpu_seconds > 0 ? rt.packet_count / cpu_seconds / 1e6 : 0;
      bool warm = run >= rt.opts.warmup;
      printf(
          "bench: run %u%s: %u packets in %.6f s: %.3f Mpps (busiest worker on CPU %.6f s: %.3f "
          "Mpps)\n",
          run, warm ? "" : " (warm-up)", rt.packet_count, seconds, rate, cpu_seconds, cpu_rate);
      if (warm) {
        mpps[timed] = rate;
        cpu_mpps[timed++] = cpu_rate;
      }
    }
    pthread_barrier_wait(&rt.start);
  }
  for (uint16_t k = 0; k < workers; k++) pthread_join(rt.workers[k].thread, NULL);
  if (rt.opts.bench) {
    printf(
        "bench: nf=%s strategy=%s workers=%u packets=%u runs=%u median_mpps=%.3f "
        "median_cpu_mpps=%.3f\n",
        nf_name, rt.opts.sequential ? "sequential" : nf_par_strategy_name(rt.opts.strategy),
        workers, rt.packet_count, timed, median(mpps, timed), median(cpu_mpps, timed));
  }
  print_worker_stats(&rt, tm ? &shared.tm : NULL);
  if (rt.opts.outcomes != NULL && !rt.opts.bench) write_outcomes(&rt);
  return EXIT_SUCCESS;
}
