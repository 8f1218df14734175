/* The locks and tm strategies under real threads, with a small counting NF
 * defined here: per source address it keeps a packet count (map -> dchain
 * index -> vector cell). Port-0 packets increment the count (a state write),
 * port-1 packets only read it. Every packet first rewrites its IPv4 destination
 * (dst + 1) before touching state, so a rerun that did not restore the frame
 * would leave dst + 2.
 *
 * Checks: no lost updates (final counts equal the packets sent per address),
 * every frame rewritten exactly once, writes rerun under the write lock and
 * reads completed under the read lock, the serialization record and the
 * shared clock (serial.h) with skewed worker clocks; the TM fallback path, the
 * detected path (RTM where the CPU has it) and the emulated HTM (tm.h)
 * serialize correctly. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/parallel/exec.h"
#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/vector.h"
#include "nfs/testing/check.h"
#include "nfs/testing/packets.h"

const struct nf_parallel_config nf_parallel_config;
const char *const nf_name = "exec_test";

#define ADDRESSES 64
#define PACKETS_PER_WORKER 20000
#define WORKERS 4

struct addr_key {
  uint32_t addr;
};
NF_KEY_DECLARE(addr_key)

struct nf_config {
  int unused;
};

struct nf_state {
  struct nf_map *flows;
  struct nf_dchain *chain;
  struct nf_vector *counts;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argc, (void)argv, (void)err, (void)err_len;
  return calloc(1, sizeof(struct nf_config));
}
void nf_config_usage(FILE *out) {
  (void)out;
}
uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  (void)cfg, (void)err, (void)err_len;
  struct nf_state *state = calloc(1, sizeof(*state));
  state->flows = nf_map_create("flows", 128, sizeof(struct addr_key), addr_key_hash, addr_key_eq);
  state->chain = nf_dchain_create("chain", 128);
  state->counts = nf_vector_create("counts", 128, sizeof(uint64_t), NULL);
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_pkt_set_ipv4_dst(pkt, nf_pkt_ipv4_dst(pkt) + 1);
  struct addr_key key = {nf_pkt_ipv4_src(pkt)};
  int32_t index;
  if (!nf_map_get(state->flows, &key, &index)) {
    if (in_port == 1) return NF_DROP;
    if (!nf_dchain_allocate(state->chain, now, &index)) return NF_DROP;
    uint64_t one = 1;
    nf_vector_return(state->counts, index, &one);
    nf_map_put(state->flows, &key, index);
    return 1;
  }
  uint64_t count;
  nf_vector_borrow(state->counts, index, &count);
  if (in_port == 1) return 0;
  count++;
  nf_vector_return(state->counts, index, &count);
  return 1;
}

struct worker_arg {
  struct nf_par_exec exec;
  uint32_t seed;
  uint64_t sent[ADDRESSES]; /* port-0 packets per address */
  uint64_t bad_rewrites;
  uint64_t bad_verdicts;
  nf_time_t now[PACKETS_PER_WORKER];
  struct nf_par_serial_point points[PACKETS_PER_WORKER];
};

/* Worker k's clock runs CLOCK_SKEW x k ahead: arrival times of packets that
 * reach the shared state are not ordered across workers. */
#define CLOCK_SKEW 5000

static void *run_worker(void *arg) {
  struct worker_arg *w = arg;
  nf_par_exec_attach(&w->exec);
  uint32_t x = w->seed;
  for (int i = 0; i < PACKETS_PER_WORKER; i++) {
    x = x * 1103515245u + 12345u;
    uint32_t addr = TEST_IP(10, 0, 0, (x >> 16) % ADDRESSES);
    uint16_t port = (x >> 8) % 4 == 0 ? 0 : 1; /* read-mostly: 1/4 writes */
    struct test_frame f;
    test_frame_udp(&f, addr, TEST_IP(192, 168, 0, 1), 1000, 2000);
    w->now[i] = (nf_time_t)i * 10 + CLOCK_SKEW * w->exec.worker;
    int verdict = nf_par_exec_process(&w->exec, &f.pkt, port, w->now[i]);
    w->points[i] = w->exec.last;
    if (test_frame_ipv4_dst(&f) != TEST_IP(192, 168, 0, 2)) w->bad_rewrites++;
    if (port == 0) {
      w->sent[addr & 0xff]++;
      if (verdict != 1) w->bad_verdicts++;
    } else if (verdict != 0 && verdict != NF_DROP) {
      w->bad_verdicts++;
    }
  }
  nf_par_exec_detach(&w->exec);
  return NULL;
}

static nf_time_t max_time(nf_time_t a, nf_time_t b) {
  return a > b ? a : b;
}

/* The serialization record (serial.h) against its definition: writes are
 * numbered 1..N without gaps or repeats, each worker's packets are in queue
 * order in the serialization, and every packet ran at max(its time, the time
 * of the last write it follows), so writes see non-decreasing times. */
static uint64_t check_serialization(const struct worker_arg *workers) {
  static nf_time_t write_time[WORKERS * PACKETS_PER_WORKER + 1];
  static bool numbered[WORKERS * PACKETS_PER_WORKER + 1];
  memset(numbered, 0, sizeof(numbered));
  uint64_t writes = 0;
  for (uint16_t k = 0; k < WORKERS; k++) {
    for (int i = 0; i < PACKETS_PER_WORKER; i++) {
      const struct nf_par_serial_point *p = &workers[k].points[i];
      if (!p->wrote) continue;
      REQUIRE(p->write_seq >= 1 && p->write_seq <= (uint64_t)WORKERS * PACKETS_PER_WORKER);
      CHECK(!numbered[p->write_seq]);
      numbered[p->write_seq] = true;
      write_time[p->write_seq] = p->now;
      writes++;
    }
  }
  for (uint64_t n = 1; n <= writes; n++) CHECK(numbered[n]);
  write_time[0] = INT64_MIN;
  for (uint64_t n = 1; n <= writes; n++) {
    CHECK(write_time[n] >= write_time[n - 1]);
  }
  for (uint16_t k = 0; k < WORKERS; k++) {
    for (int i = 0; i < PACKETS_PER_WORKER; i++) {
      const struct nf_par_serial_point *p = &workers[k].points[i];
      nf_time_t now = workers[k].now[i];
      REQUIRE(p->write_seq <= writes);
      nf_time_t before = p->wrote ? write_time[p->write_seq - 1] : write_time[p->write_seq];
      CHECK_EQ(p->now, max_time(now, before));
      if (i == 0) continue;
      const struct nf_par_serial_point *q = &workers[k].points[i - 1];
      /* (write_seq, read after write) never goes back within a queue. */
      CHECK(p->write_seq > q->write_seq || (p->write_seq == q->write_seq && !p->wrote));
      CHECK(p->now >= q->now);
    }
  }
  return writes;
}

/* Runs WORKERS threads on one shared state; returns the summed stats. */
static struct nf_par_worker_stats run(enum nf_par_strategy strategy, enum nf_par_tm_mode tm_mode) {
  static struct nf_par_shared shared;
  nf_par_shared_init(&shared, WORKERS, tm_mode, 4);
  struct nf_state *state = nf_state_create(NULL, NULL, 0);
  static struct worker_arg workers[WORKERS];
  memset(workers, 0, sizeof(workers));
  pthread_t threads[WORKERS];
  for (uint16_t k = 0; k < WORKERS; k++) {
    nf_par_exec_init(&workers[k].exec, strategy, k, state, &shared);
    workers[k].seed = 17 + k;
    pthread_create(&threads[k], NULL, run_worker, &workers[k]);
  }
  struct nf_par_worker_stats total;
  memset(&total, 0, sizeof(total));
  for (uint16_t k = 0; k < WORKERS; k++) pthread_join(threads[k], NULL);
  for (uint32_t a = 0; a < ADDRESSES; a++) {
    uint64_t expected = 0;
    for (uint16_t k = 0; k < WORKERS; k++) expected += workers[k].sent[a];
    struct addr_key key = {TEST_IP(10, 0, 0, a)};
    int32_t index;
    uint64_t count = 0;
    if (nf_map_get(state->flows, &key, &index)) nf_vector_borrow(state->counts, index, &count);
    CHECK_EQ(count, expected);
  }
  for (uint16_t k = 0; k < WORKERS; k++) {
    CHECK_EQ(workers[k].bad_rewrites, 0);
    CHECK_EQ(workers[k].bad_verdicts, 0);
    const struct nf_par_worker_stats *s = &workers[k].exec.stats;
    CHECK_EQ(s->packets, PACKETS_PER_WORKER);
    total.packets += s->packets;
    total.read_only += s->read_only;
    total.write_reruns += s->write_reruns;
    total.tm.commits += s->tm.commits;
    total.tm.aborts += s->tm.aborts;
    total.tm.aborts_locked += s->tm.aborts_locked;
    total.tm.aborts_refreshes += s->tm.aborts_refreshes;
    total.tm.fallbacks += s->tm.fallbacks;
  }
  uint64_t writes = check_serialization(workers);
  if (strategy == NF_PAR_LOCKS) CHECK_EQ(writes, total.write_reruns);
  /* Every port-0 packet writes (a new entry or a count); port-1 packets never do. */
  uint64_t sent = 0;
  for (uint16_t k = 0; k < WORKERS; k++) {
    for (uint32_t a = 0; a < ADDRESSES; a++) sent += workers[k].sent[a];
  }
  CHECK_EQ(writes, sent);
  return total;
}

static void test_locks_rerun_writes_and_lose_nothing(void) {
  struct nf_par_worker_stats s = run(NF_PAR_LOCKS, NF_PAR_TM_FALLBACK);
  CHECK_EQ(s.read_only + s.write_reruns, (uint64_t)WORKERS * PACKETS_PER_WORKER);
  /* About 1/4 of packets write, the rest only read. */
  CHECK(s.write_reruns > (uint64_t)WORKERS * PACKETS_PER_WORKER / 8);
  CHECK(s.read_only > (uint64_t)WORKERS * PACKETS_PER_WORKER / 2);
}

static void test_tm_forced_fallback_serializes(void) {
  struct nf_par_worker_stats s = run(NF_PAR_TRANSACTIONAL_MEMORY, NF_PAR_TM_FALLBACK);
  CHECK_EQ(s.tm.fallbacks, (uint64_t)WORKERS * PACKETS_PER_WORKER);
  CHECK_EQ(s.tm.commits, 0);
}

static void test_tm_detected_path(void) {
  /* RTM where cpuid has it (every packet commits or falls back), else the
   * fallback lock for all. */
  const enum nf_par_tm_mode mode = nf_par_tm_choose_mode(false, false);
  struct nf_par_worker_stats s = run(NF_PAR_TRANSACTIONAL_MEMORY, mode);
  CHECK_EQ(s.tm.commits + s.tm.fallbacks, (uint64_t)WORKERS * PACKETS_PER_WORKER);
  if (mode == NF_PAR_TM_RTM) {
    CHECK(s.tm.commits > 0);
  } else {
    CHECK_EQ(s.tm.commits, 0);
    fprintf(stderr, "tm: this CPU has no RTM: the RTM path was not exercised here\n");
  }
  fprintf(stderr, "tm: path=%s commits=%llu aborts=%llu fallbacks=%llu\n",
          nf_par_tm_mode_name(mode), (unsigned long long)s.tm.commits,
          (unsigned long long)s.tm.aborts, (unsigned long long)s.tm.fallbacks);
}

/* The emulated HTM (tm.h) on any CPU: transactions commit, abort at begin and
 * at the first write (and explicitly), fall back, and the counts, the record
 * and the frames stay exact (run() checks them). */
static void test_tm_emulated_mixes_commits_and_fallbacks(void) {
  struct nf_par_worker_stats s = run(NF_PAR_TRANSACTIONAL_MEMORY, NF_PAR_TM_EMULATED);
  CHECK_EQ(s.tm.commits + s.tm.fallbacks, (uint64_t)WORKERS * PACKETS_PER_WORKER);
  CHECK(s.tm.commits > (uint64_t)WORKERS * PACKETS_PER_WORKER / 2);
  CHECK(s.tm.fallbacks > 0);
  CHECK(s.tm.aborts > s.tm.fallbacks);
  fprintf(stderr, "tm emulated: commits=%llu aborts=%llu (locked %llu) fallbacks=%llu\n",
          (unsigned long long)s.tm.commits, (unsigned long long)s.tm.aborts,
          (unsigned long long)s.tm.aborts_locked, (unsigned long long)s.tm.fallbacks);
}

int main(void) {
  RUN_TEST(test_locks_rerun_writes_and_lose_nothing);
  RUN_TEST(test_tm_forced_fallback_serializes);
  RUN_TEST(test_tm_detected_path);
  RUN_TEST(test_tm_emulated_mixes_commits_and_fallbacks);
  return test_main_result();
}
