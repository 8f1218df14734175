/* Count-min sketch tests: never below the exact count of the key's current
 * run (increments since its last gap >= expiry), the count-min error bound
 * holds for the expected fraction of keys, expiry zeroes idle counters. */
#include <math.h>

#include "nflib/sketch.h"
#include "nflib/test_util.h"

struct key {
  uint32_t a;
  uint32_t b;
};

static struct key key_of(uint32_t id) {
  struct key k = {id, ~id};
  return k;
}

static void test_basics(void) {
  CHECK(nf_sketch_create("s", 100, 4, 8, 10) == NULL); /* width not a power of two */
  CHECK(nf_sketch_create("s", 64, 0, 8, 10) == NULL);
  CHECK(nf_sketch_create("s", 64, NF_SKETCH_DEPTH_MAX + 1, 8, 10) == NULL);
  CHECK(nf_sketch_create("s", NF_SKETCH_WIDTH_MAX << 1, 4, 8, 10) == NULL);
  CHECK(nf_sketch_create("s", 64, 4, 8, 0) == NULL);
  struct nf_sketch *s = nf_sketch_create("s", 1024, 4, sizeof(struct key), 100);
  struct key k = key_of(1);
  CHECK_EQ(nf_sketch_estimate(s, &k, 0), 0);
  for (int i = 0; i < 5; i++) nf_sketch_increment(s, &k, 10 * i);
  CHECK_EQ(nf_sketch_estimate(s, &k, 40), 5);
  CHECK_EQ(nf_sketch_estimate(s, &k, 139), 5);
  CHECK_EQ(nf_sketch_estimate(s, &k, 140), 0); /* idle for expiry: reads zero */
  nf_sketch_increment(s, &k, 140);             /* restarts from zero */
  CHECK_EQ(nf_sketch_estimate(s, &k, 141), 1);
  test_install_hook(0);
  nf_sketch_expire(s, 200); /* last = 140 >= 200 - 100: nothing to zero */
  CHECK_EQ(test_hook_calls, 0);
  CHECK_EQ(nf_sketch_estimate(s, &k, 200), 1);
  nf_sketch_expire(s, 240); /* exactly expiry since 140: reads 0, so zeroed */
  CHECK_EQ(test_hook_calls, 1);
  CHECK_EQ(nf_sketch_estimate(s, &k, 141), 0); /* counters really zeroed */
  nf_sketch_increment(s, &k, 300);
  CHECK_EQ(test_hook_calls, 2);
  nf_current_write_hook.fn = 0;
  nf_sketch_destroy(s);

  /* Stamps far apart: the signed difference would overflow (UBSan variant). */
  s = nf_sketch_create("s", 64, 2, sizeof(struct key), 100);
  nf_sketch_increment(s, &k, INT64_MIN + 1);
  CHECK_EQ(nf_sketch_estimate(s, &k, INT64_MIN + 50), 1);
  CHECK_EQ(nf_sketch_estimate(s, &k, INT64_MAX), 0);
  nf_sketch_expire(s, INT64_MAX);
  CHECK_EQ(nf_sketch_estimate(s, &k, INT64_MIN + 2), 0); /* zeroed */
  nf_sketch_increment(s, &k, INT64_MAX);
  CHECK_EQ(nf_sketch_estimate(s, &k, INT64_MIN), 1); /* time going back: still live */
  nf_sketch_expire(s, INT64_MIN);
  CHECK_EQ(nf_sketch_estimate(s, &k, INT64_MAX), 1);
  nf_sketch_destroy(s);
}

/* 1M random operations with expiry against exact per-key runs. */
static void differential_lower_bound(uint64_t seed, uint32_t ops) {
  const uint32_t universe = 5000;
  const nf_time_t expiry = 3000;
  struct nf_sketch *s = nf_sketch_create("s", 4096, 4, sizeof(struct key), expiry);
  uint32_t *run = calloc(universe, sizeof(uint32_t));
  int64_t *last = malloc(universe * sizeof(int64_t));
  for (uint32_t i = 0; i < universe; i++) last[i] = INT64_MIN / 2;
  struct test_rng rng = {seed};
  nf_time_t now = 0;
  uint64_t exact_hits = 0, queries = 0;
  for (uint32_t op = 0; op < ops; op++) {
    now += rng_below(&rng, 3);
    /* Skewed keys: a few heavy hitters, many mice. */
    uint32_t id = rng_below(&rng, 4) == 0 ? rng_below(&rng, 10) : rng_below(&rng, universe);
    struct key k = key_of(id);
    uint32_t what = rng_below(&rng, 100);
    if (what < 60) {
      if (now - last[id] >= expiry) run[id] = 0;
      run[id]++;
      last[id] = now;
      nf_sketch_increment(s, &k, now);
    } else if (what < 99) {
      uint32_t truth = now - last[id] < expiry ? run[id] : 0;
      uint32_t est = nf_sketch_estimate(s, &k, now);
      CHECK(est >= truth);
      queries++;
      exact_hits += est == truth;
    } else {
      nf_sketch_expire(s, now);
    }
  }
  /* ~1500 live keys over 4096 x 4 counters: all rows collide for ~1% of keys. */
  fprintf(stderr, "exact %" PRIu64 " of %" PRIu64 "\n", exact_hits, queries);
  CHECK(exact_hits * 10 > queries * 9);
  free(run);
  free(last);
  nf_sketch_destroy(s);
}

/* Without expiry: P(est - true > e/width * N) <= e^-depth per key. */
static void error_bound(uint64_t seed) {
  const uint32_t width = 512, depth = 3, universe = 20000, n = 200000;
  struct nf_sketch *s = nf_sketch_create("s", width, depth, sizeof(struct key), (nf_time_t)1 << 60);
  uint32_t *count = calloc(universe, sizeof(uint32_t));
  struct test_rng rng = {seed};
  for (uint32_t i = 0; i < n; i++) {
    uint32_t id = rng_below(&rng, 2) ? rng_below(&rng, 100) : rng_below(&rng, universe);
    count[id]++;
    struct key k = key_of(id);
    nf_sketch_increment(s, &k, i);
  }
  double bound = exp(1.0) / width * n;
  uint32_t violations = 0;
  for (uint32_t id = 0; id < universe; id++) {
    struct key k = key_of(id);
    uint32_t est = nf_sketch_estimate(s, &k, n);
    CHECK(est >= count[id]);
    if (est - count[id] > bound) violations++;
  }
  double allowed = exp(-(double)depth) * universe;
  CHECK(violations <= allowed);
  free(count);
  nf_sketch_destroy(s);
}

int main(void) {
  test_basics();
  differential_lower_bound(51, 1000000);
  error_bound(52);
  printf("sketch_test: OK\n");
  return 0;
}
