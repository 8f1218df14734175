/* Deferred refreshes of the lock runtime (dpdk_rules/runtime/parallel/
 * refresh.h) on a small flow NF defined here: per source address a dchain
 * index (map -> index, vector of keys for expiry).
 *   port 0: an existing flow is refreshed (its only state change), a new one
 *           is allocated (a write);
 *   port 1: expires every flow idle for EXPIRY (now - EXPIRY), nothing else;
 *   port 2: refreshes the flow of the source, then allocates the flow of the
 *           destination (a refresh followed by a write in one packet).
 * Workers run on the test's thread one packet at a time (each exec attached
 * before its packet), so the interleaving across workers is chosen here; one
 * threaded case counts refreshes under concurrent drains. Record and replay
 * under threads: the equivalence matrix and its TSan stress test. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/parallel/exec.h"
#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/map.h"
#include "nflib/vector.h"
#include "nfs/testing/check.h"
#include "nfs/testing/packets.h"

const struct nf_parallel_config nf_parallel_config;
const char *const nf_name = "refresh_test";

#define FLOWS 2048
#define EXPIRY 1000

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
  struct nf_vector *keys;
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
  return 3;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  (void)cfg, (void)err, (void)err_len;
  struct nf_state *state = calloc(1, sizeof(*state));
  state->flows = nf_map_create("flows", FLOWS, sizeof(struct addr_key), addr_key_hash, addr_key_eq);
  state->chain = nf_dchain_create("chain", FLOWS);
  state->keys = nf_vector_create("keys", FLOWS, sizeof(struct addr_key), NULL);
  return state;
}

static int touch(struct nf_state *state, uint32_t addr, nf_time_t now) {
  struct addr_key key = {addr};
  int32_t index;
  if (nf_map_get(state->flows, &key, &index)) {
    nf_dchain_rejuvenate(state->chain, index, now);
    return 0;
  }
  if (!nf_dchain_allocate(state->chain, now, &index)) return NF_DROP;
  nf_vector_return(state->keys, index, &key);
  nf_map_put(state->flows, &key, index);
  return 1;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  if (in_port == 1) {
    return nf_expire_items(state->chain, state->keys, state->flows, now - EXPIRY);
  }
  int verdict = touch(state, nf_pkt_ipv4_src(pkt), now);
  if (in_port == 2) verdict = touch(state, nf_pkt_ipv4_dst(pkt), now);
  return verdict;
}

static struct nf_par_shared shared;
static struct nf_par_exec execs[2];
static struct nf_state *state;

static void setup(enum nf_par_strategy strategy1) {
  nf_par_shared_init(&shared, 2, NF_PAR_TM_FALLBACK, 4);
  state = nf_state_create(NULL, NULL, 0);
  nf_par_exec_init(&execs[0], NF_PAR_LOCKS, 0, state, &shared);
  nf_par_exec_init(&execs[1], strategy1, 1, state, &shared);
}

#define ADDR(i) TEST_IP(10, 0, (i) >> 8, (i)&0xff)

/* Runs one packet (src, dst) on worker w's exec and returns its verdict. */
static int send(uint16_t w, uint16_t port, uint32_t src, uint32_t dst, nf_time_t now) {
  struct test_frame f;
  test_frame_udp(&f, src, dst, 1000, 2000);
  nf_par_exec_attach(&execs[w]);
  int verdict = nf_par_exec_process(&execs[w], &f.pkt, port, now);
  nf_par_exec_detach(&execs[w]);
  return verdict;
}

static bool alive(uint32_t addr) {
  struct addr_key key = {addr};
  int32_t index;
  return nf_map_get(state->flows, &key, &index);
}

static void test_refresh_only_packets_stay_under_the_read_lock(void) {
  setup(NF_PAR_LOCKS);
  for (int i = 0; i < 10; i++) CHECK_EQ(send(0, 0, ADDR(i), 0, 100 + i), 1);
  CHECK_EQ(execs[0].stats.write_reruns, 10);
  CHECK_EQ(execs[0].last.write_seq, 10);
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 10; i++) {
      CHECK_EQ(send(0, 0, ADDR(i), 0, 200 + round * 10 + i), 0);
      CHECK(!execs[0].last.wrote);
      CHECK_EQ(execs[0].last.refreshes, 1);
      CHECK_EQ(execs[0].last.write_seq, 10); /* observed the last creation */
    }
  }
  CHECK_EQ(execs[0].stats.write_reruns, 10);
  CHECK_EQ(execs[0].stats.read_only, 30);
  CHECK_EQ(execs[0].stats.deferred_refreshes, 30);
  CHECK_EQ(shared.refreshes.buffers[0].count, 30);
  /* A read that finds nothing old enough leaves the buffer alone. */
  CHECK_EQ(send(0, 1, 0, 0, 250), 0);
  CHECK(!execs[0].last.wrote);
  CHECK_EQ(shared.refreshes.buffers[0].count, 30);
}

/* Flow a created at 100, b at 200; a refreshed at 1000 by a read-locked packet
 * on the other worker. An expiry write at 1500 (threshold 500, between a's old
 * and new timestamps) must free b and keep a: it applies the deferred refresh
 * before running. */
static void test_refreshed_entry_survives_a_later_expiry(enum nf_par_strategy expiring) {
  setup(expiring);
  const uint32_t a = ADDR(1), b = ADDR(2);
  CHECK_EQ(send(0, 0, a, 0, 100), 1);
  CHECK_EQ(send(0, 0, b, 0, 200), 1);
  CHECK_EQ(send(0, 0, a, 0, 1000), 0);
  CHECK(!execs[0].last.wrote);
  CHECK_EQ(execs[0].last.refreshes, 1);
  CHECK_EQ(send(1, 1, 0, 0, 1500), 1); /* one flow expired: b */
  CHECK(execs[1].last.wrote);
  CHECK(alive(a));
  CHECK(!alive(b));
  CHECK_EQ(shared.refreshes.buffers[0].count, 0);
  /* a's stamp is 1000 now: a write at 2001 (threshold 1001) frees it. */
  CHECK_EQ(send(1, 1, 0, 0, 2001), 1);
  CHECK(!alive(a));
}

static void test_refreshed_entry_survives_a_later_expiry_locks(void) {
  test_refreshed_entry_survives_a_later_expiry(NF_PAR_LOCKS);
}

/* Same, the expiry running under the tm fallback lock: it must drain too. */
static void test_refreshed_entry_survives_a_tm_fallback_expiry(void) {
  test_refreshed_entry_survives_a_later_expiry(NF_PAR_TRANSACTIONAL_MEMORY);
}

/* A write that arrives with an earlier time than a deferred refresh runs at
 * the refresh's time: the drain advances the shared clock, so the dchain sees
 * non-decreasing times. */
static void test_write_runs_no_earlier_than_a_deferred_refresh(void) {
  setup(NF_PAR_LOCKS);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 100), 1);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 5000), 0); /* worker 0 runs ahead */
  CHECK_EQ(execs[0].last.now, 5000);
  CHECK_EQ(send(1, 0, ADDR(2), 0, 300), 1); /* worker 1 lags: a creation */
  CHECK(execs[1].last.wrote);
  CHECK_EQ(execs[1].last.now, 5000);
  /* Expiry at 5999 (threshold 4999) keeps both: stamps 5000 and 5000. */
  CHECK_EQ(send(1, 1, 0, 0, 5999), 0);
  CHECK(alive(ADDR(1)) && alive(ADDR(2)));
}

/* Deferred refreshes of two workers are applied merged by time (ties: lower
 * worker first): w0 defers b@20, a@40 and w1 a@10, c@30; applied a@10, b@20,
 * c@30, a@40, the chain's order is b, c, a. An expiry with threshold 35 frees
 * b and c and keeps a (applying worker by worker would leave a at 10, first in
 * line). Then c is the most recently freed index: the next allocation gets it. */
static void test_workers_refreshes_apply_in_time_order(void) {
  setup(NF_PAR_LOCKS);
  const uint32_t a = ADDR(1), b = ADDR(2), c = ADDR(3), d = ADDR(4);
  CHECK_EQ(send(0, 0, a, 0, 1), 1);
  CHECK_EQ(send(0, 0, b, 0, 2), 1);
  CHECK_EQ(send(0, 0, c, 0, 3), 1);
  struct addr_key ck = {c};
  int32_t c_index;
  REQUIRE(nf_map_get(state->flows, &ck, &c_index));
  CHECK_EQ(send(1, 0, a, 0, 10), 0);
  CHECK_EQ(send(0, 0, b, 0, 20), 0);
  CHECK_EQ(send(1, 0, c, 0, 30), 0);
  CHECK_EQ(send(0, 0, a, 0, 40), 0);
  CHECK_EQ(shared.refreshes.buffers[0].count, 2);
  CHECK_EQ(shared.refreshes.buffers[1].count, 2);
  CHECK_EQ(send(1, 1, 0, 0, 35 + EXPIRY), 2);
  CHECK(alive(a));
  CHECK(!alive(b));
  CHECK(!alive(c));
  CHECK_EQ(send(0, 0, d, 0, 2000), 1);
  struct addr_key dk = {d};
  int32_t d_index;
  REQUIRE(nf_map_get(state->flows, &dk, &d_index));
  CHECK_EQ(d_index, c_index);
}

/* A packet that refreshes and then writes is abandoned under the read lock:
 * its deferred refresh is dropped with the attempt (the rerun refreshes under
 * the write lock), not applied twice nor left in the buffer. */
static void test_abandoned_attempt_drops_its_deferred_refresh(void) {
  setup(NF_PAR_LOCKS);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 100), 1);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 150), 0); /* deferred: in the buffer */
  CHECK_EQ(shared.refreshes.buffers[0].count, 1);
  CHECK_EQ(send(0, 2, ADDR(1), ADDR(2), 200), 1); /* refresh 1, create 2 */
  CHECK(execs[0].last.wrote);
  CHECK_EQ(execs[0].last.refreshes, 0);
  CHECK_EQ(execs[0].stats.deferred_refreshes, 1);
  CHECK_EQ(shared.refreshes.buffers[0].count, 0);
  CHECK_EQ(shared.refreshes.applied, 1); /* the one at 150 only */
  /* Both at 200: a threshold of 200 keeps both, 201 frees both. */
  CHECK_EQ(send(0, 1, 0, 0, 200 + EXPIRY), 0);
  CHECK_EQ(send(0, 1, 0, 0, 201 + EXPIRY), 2);
}

/* A full buffer sends the refresh through the write path, which drains it. */
static void test_full_buffer_falls_back_to_the_write_lock(void) {
  setup(NF_PAR_LOCKS);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 1), 1);
  for (int i = 0; i < NF_PAR_REFRESH_CAPACITY; i++) {
    CHECK_EQ(send(0, 0, ADDR(1), 0, 2 + i), 0);
  }
  CHECK_EQ(execs[0].stats.write_reruns, 1);
  CHECK_EQ(shared.refreshes.buffers[0].count, NF_PAR_REFRESH_CAPACITY);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 5000), 0);
  CHECK(execs[0].last.wrote);
  CHECK_EQ(execs[0].stats.write_reruns, 2);
  CHECK_EQ(shared.refreshes.buffers[0].count, 0);
  CHECK_EQ(execs[0].stats.deferred_refreshes, NF_PAR_REFRESH_CAPACITY);
  CHECK_EQ(shared.refreshes.applied, NF_PAR_REFRESH_CAPACITY);
  CHECK_EQ(send(0, 0, ADDR(1), 0, 5001), 0); /* deferring again */
  CHECK(!execs[0].last.wrote);
  CHECK_EQ(shared.refreshes.buffers[0].count, 1);
}

/* Threads: no deferred refresh is lost or applied twice under concurrent
 * drains. Every refresh a completed read-only packet deferred is applied by a
 * drain or still pending at the end; abandoned attempts add none. */
#define THREADS 4
#define THREAD_PACKETS 20000

struct thread_arg {
  uint16_t worker;
  struct nf_par_exec exec;
};

static void *run_thread(void *arg) {
  struct thread_arg *t = arg;
  nf_par_exec_attach(&t->exec);
  uint32_t x = 7 + t->worker;
  for (int i = 0; i < THREAD_PACKETS; i++) {
    x = x * 1103515245u + 12345u;
    uint32_t r = (x >> 8) % 100;
    uint16_t port = r < 80 ? 0 : r < 95 ? 2 : 1;
    struct test_frame f;
    test_frame_udp(&f, ADDR((x >> 16) % 512), ADDR(512 + (x >> 4) % 512), 1000, 2000);
    nf_par_exec_process(&t->exec, &f.pkt, port, (nf_time_t)i * 10);
  }
  nf_par_exec_detach(&t->exec);
  return NULL;
}

static void test_threads_lose_and_duplicate_no_refresh(void) {
  static struct nf_par_shared threaded;
  nf_par_shared_init(&threaded, THREADS, NF_PAR_TM_FALLBACK, 4);
  struct nf_state *shared_state = nf_state_create(NULL, NULL, 0);
  static struct thread_arg args[THREADS];
  pthread_t threads[THREADS];
  for (uint16_t k = 0; k < THREADS; k++) {
    args[k].worker = k;
    nf_par_exec_init(&args[k].exec, NF_PAR_LOCKS, k, shared_state, &threaded);
    pthread_create(&threads[k], NULL, run_thread, &args[k]);
  }
  uint64_t deferred = 0, pending = 0, reruns = 0;
  for (uint16_t k = 0; k < THREADS; k++) pthread_join(threads[k], NULL);
  for (uint16_t k = 0; k < THREADS; k++) {
    deferred += args[k].exec.stats.deferred_refreshes;
    reruns += args[k].exec.stats.write_reruns;
    pending += threaded.refreshes.buffers[k].count;
  }
  CHECK(deferred > (uint64_t)THREADS * THREAD_PACKETS / 2);
  CHECK(reruns > 0);
  CHECK_EQ(threaded.refreshes.applied + pending, deferred);
  nf_par_refresh_drain(&threaded.refreshes);
  CHECK_EQ(threaded.refreshes.applied, deferred);
}

int main(void) {
  RUN_TEST(test_refresh_only_packets_stay_under_the_read_lock);
  RUN_TEST(test_refreshed_entry_survives_a_later_expiry_locks);
  RUN_TEST(test_refreshed_entry_survives_a_tm_fallback_expiry);
  RUN_TEST(test_write_runs_no_earlier_than_a_deferred_refresh);
  RUN_TEST(test_workers_refreshes_apply_in_time_order);
  RUN_TEST(test_abandoned_attempt_drops_its_deferred_refresh);
  RUN_TEST(test_full_buffer_falls_back_to_the_write_lock);
  RUN_TEST(test_threads_lose_and_duplicate_no_refresh);
  return test_main_result();
}
