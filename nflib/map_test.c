/* Unit and randomized differential tests of nf_map against an exact model,
 * plus white-box checks of the bucket layout's invariants: the test compiles
 * map.c itself (so the library's copy is not linked) to see struct nf_map. */
#include <string.h>

#include "nflib/instance.h"
#include "nflib/map.h"
#include "nflib/test_util.h"

struct flow_key {
  uint32_t src_ip;
  uint32_t dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow_key)

/* A deliberately terrible hash: 8 distinct values, so clusters are long and
 * wrap around the table end. */
static uint32_t weak_hash(const void *key) {
  const struct flow_key *k = key;
  return (k->src_ip & 7) * 0x10000001u;
}

static struct flow_key key_of(uint32_t id) {
  struct flow_key k;
  memset(&k, 0, sizeof(k));
  k.src_ip = id;
  k.dst_ip = id * 2654435761u;
  k.src_port = (uint16_t)(id >> 3);
  k.dst_port = (uint16_t)(id ^ 0x5555);
  k.proto = 6;
  return k;
}

/* Every value the same: one home bucket and one tag for all keys. */
static uint32_t constant_hash(const void *key) {
  (void)key;
  return 0x9e3779b9u;
}

/* Test support in map.c (not part of the API): 0 when the bucket layout's
 * invariants hold (overflow counts exact, tags right, size right), else the
 * map.c line of the failed check; the home bucket's overflow count. */
int nf_map_layout_error(const struct nf_map *map);
uint16_t *nf_map_home_overflow(struct nf_map *map, const void *key);
#define OVERFLOW_STICKY 0xffff
#define SLOTS 15

static void check_invariants(const struct nf_map *m) {
  CHECK_EQ(nf_map_layout_error(m), 0);
}

static void test_basics(void) {
  CHECK(nf_map_create("m", 0, sizeof(struct flow_key), flow_key_hash, flow_key_eq) == NULL);
  CHECK(nf_map_create("m", 6, sizeof(struct flow_key), flow_key_hash, flow_key_eq) == NULL);
  CHECK(nf_map_create("m", 8, 0, flow_key_hash, flow_key_eq) == NULL);
  /* The published limits: a key of NF_MAP_KEY_SIZE_MAX bytes is fine, one more
   * byte is not; a capacity above NF_MAP_CAPACITY_MAX is refused before any
   * allocation. */
  CHECK(nf_map_create("m", 8, NF_MAP_KEY_SIZE_MAX + 1, flow_key_hash, flow_key_eq) == NULL);
  CHECK(nf_map_create("m", NF_MAP_CAPACITY_MAX << 1, sizeof(struct flow_key), flow_key_hash,
                      flow_key_eq) == NULL);
  struct nf_map *widest = nf_map_create("m", 2, NF_MAP_KEY_SIZE_MAX, flow_key_hash, flow_key_eq);
  CHECK(widest != NULL);
  nf_map_destroy(widest);
  CHECK(nf_map_create("m", 8, sizeof(struct flow_key), NULL, flow_key_eq) == NULL);
  struct nf_map *m = nf_map_create("m", 4, sizeof(struct flow_key), flow_key_hash, flow_key_eq);
  CHECK(m != NULL);
  CHECK_EQ(nf_map_capacity(m), 4);
  CHECK_EQ(nf_map_size(m), 0);
  struct flow_key a = key_of(1), b = key_of(2);
  int32_t v = 77;
  CHECK(!nf_map_get(m, &a, &v));
  CHECK_EQ(v, 77); /* untouched on miss */
  CHECK_EQ(nf_map_put(m, &a, 10), NF_OK);
  CHECK_EQ(nf_map_put(m, &a, 11), NF_EXISTS);
  CHECK(nf_map_get(m, &a, &v));
  CHECK_EQ(v, 10);
  CHECK_EQ(nf_map_erase(m, &b), NF_NOT_FOUND);
  for (uint32_t i = 2; i <= 4; i++) {
    struct flow_key k = key_of(i);
    CHECK_EQ(nf_map_put(m, &k, (int32_t)i), NF_OK);
  }
  struct flow_key e = key_of(5);
  CHECK_EQ(nf_map_put(m, &e, 5), NF_FULL);
  CHECK_EQ(nf_map_size(m), 4);
  CHECK(!nf_map_get(m, &e, &v)); /* a miss on a full table terminates */
  CHECK_EQ(nf_map_erase(m, &a), NF_OK);
  CHECK(!nf_map_get(m, &a, &v));
  CHECK_EQ(nf_map_put(m, &e, 5), NF_OK);
  nf_map_destroy(m);
}

/* Hook discipline: the hook runs exactly once per successful put/erase, while
 * the map is still unchanged, and never for failed ones. */
static struct nf_map *probe_map;
static uint32_t probe_expected_size;
static void probe_size_unchanged(void) {
  CHECK_EQ(nf_map_size(probe_map), probe_expected_size);
}

/* Model: universe of `universe` keys; present[id] and value[id]. */
static void differential(uint32_t capacity, uint32_t universe, nf_key_hash_fn hash, uint64_t seed,
                         uint32_t ops, uint32_t invariant_every) {
  struct nf_map *m = nf_map_create("m", capacity, sizeof(struct flow_key), hash, flow_key_eq);
  CHECK(m != NULL);
  uint8_t *present = calloc(universe, 1);
  int32_t *value = calloc(universe, sizeof(int32_t));
  uint32_t size = 0;
  struct test_rng rng = {seed};
  probe_map = m;
  test_install_hook(probe_size_unchanged);
  for (uint32_t op = 0; op < ops; op++) {
    uint32_t id = rng_below(&rng, universe);
    struct flow_key k = key_of(id);
    uint32_t what = rng_below(&rng, 10);
    unsigned long hooks_before = test_hook_calls;
    probe_expected_size = size;
    if (what < 4) {
      int32_t v = -5;
      bool found = nf_map_get(m, &k, &v);
      CHECK_EQ(found, present[id]);
      CHECK_EQ(v, found ? value[id] : -5);
      CHECK_EQ(test_hook_calls, hooks_before);
    } else if (what < 7) {
      int32_t nv = (int32_t)(rng_next(&rng) & 0x7fffffff);
      int rc = nf_map_put(m, &k, nv);
      int expected = present[id] ? NF_EXISTS : (size == capacity ? NF_FULL : NF_OK);
      CHECK_EQ(rc, expected);
      CHECK_EQ(test_hook_calls - hooks_before, rc == NF_OK ? 1 : 0);
      if (rc == NF_OK) {
        present[id] = 1;
        value[id] = nv;
        size++;
      }
    } else {
      int rc = nf_map_erase(m, &k);
      CHECK_EQ(rc, present[id] ? NF_OK : NF_NOT_FOUND);
      CHECK_EQ(test_hook_calls - hooks_before, rc == NF_OK ? 1 : 0);
      if (rc == NF_OK) {
        present[id] = 0;
        size--;
      }
    }
    CHECK_EQ(nf_map_size(m), size);
    if (op % invariant_every == 0) check_invariants(m);
    if (op % 100000 == 0) { /* full sweep */
      for (uint32_t i = 0; i < universe; i++) {
        struct flow_key q = key_of(i);
        int32_t v;
        CHECK_EQ(nf_map_get(m, &q, &v), present[i]);
        if (present[i]) CHECK_EQ(v, value[i]);
      }
    }
  }
  nf_current_write_hook.fn = 0;
  free(present);
  free(value);
  nf_map_destroy(m);
}

/* A map of every power-of-two capacity holds exactly that many keys, refuses
 * one more, and after erasing everything holds them all again. */
static void test_exact_capacity(void) {
  for (uint32_t capacity = 1; capacity <= (1u << 16); capacity <<= 1) {
    struct nf_map *m =
        nf_map_create("m", capacity, sizeof(struct flow_key), flow_key_hash, flow_key_eq);
    CHECK(m != NULL);
    for (int round = 0; round < 2; round++) {
      for (uint32_t i = 0; i < capacity; i++) {
        struct flow_key k = key_of(i + (uint32_t)round * capacity);
        CHECK_EQ(nf_map_put(m, &k, (int32_t)i), NF_OK);
      }
      CHECK_EQ(nf_map_size(m), capacity);
      struct flow_key extra = key_of(5u * capacity + 1);
      CHECK_EQ(nf_map_put(m, &extra, 1), NF_FULL);
      check_invariants(m);
      for (uint32_t i = 0; i < capacity; i++) {
        struct flow_key k = key_of(i + (uint32_t)round * capacity);
        int32_t v = -1;
        CHECK(nf_map_get(m, &k, &v));
        CHECK_EQ(v, i);
        CHECK_EQ(nf_map_erase(m, &k), NF_OK);
      }
      CHECK_EQ(nf_map_size(m), 0);
      check_invariants(m);
    }
    nf_map_destroy(m);
  }
}

/* Under an instance layout the capacity need not be a power of two. */
static void test_layout_capacity(void) {
  struct nf_instance_layout layout = {.instance = 0, .instance_count = 1, .object_count = 1};
  layout.objects[0].name = "flows";
  layout.objects[0].capacity = 1000;
  layout.objects[0].mode = NF_LAYOUT_ABSOLUTE;
  nf_instance_begin(&layout);
  struct nf_map *m =
      nf_map_create("flows", 1024, sizeof(struct flow_key), flow_key_hash, flow_key_eq);
  nf_instance_end();
  CHECK(m != NULL);
  CHECK_EQ(nf_map_capacity(m), 1000);
  for (uint32_t i = 0; i < 1000; i++) {
    struct flow_key k = key_of(i);
    CHECK_EQ(nf_map_put(m, &k, (int32_t)i), NF_OK);
  }
  struct flow_key extra = key_of(1000);
  CHECK_EQ(nf_map_put(m, &extra, 1), NF_FULL);
  check_invariants(m);
  nf_map_destroy(m);
}

/* Erase leaves nothing behind: after a cluster of keys with one home bucket is
 * erased, in any order, every overflow count is 0 again, so a miss reads one
 * bucket. Also checks the counts while the cluster shrinks. */
static void test_erase_restores_counts(void) {
  struct nf_map *m = nf_map_create("m", 64, sizeof(struct flow_key), constant_hash, flow_key_eq);
  CHECK(m != NULL);
  struct test_rng rng = {7};
  uint32_t order[64];
  for (int round = 0; round < 20; round++) {
    for (uint32_t i = 0; i < 64; i++) {
      struct flow_key k = key_of(i);
      CHECK_EQ(nf_map_put(m, &k, (int32_t)i), NF_OK);
      order[i] = i;
    }
    /* 64 keys in 15-slot buckets from one home: 4 full buckets passed */
    struct flow_key any = key_of(0);
    CHECK_EQ(*nf_map_home_overflow(m, &any), 64 - SLOTS);
    check_invariants(m);
    for (uint32_t i = 63; i > 0; i--) {
      uint32_t j = rng_below(&rng, i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (uint32_t i = 0; i < 64; i++) {
      struct flow_key k = key_of(order[i]);
      CHECK_EQ(nf_map_erase(m, &k), NF_OK);
      if (i % 8 == 0) check_invariants(m);
    }
    CHECK_EQ(nf_map_size(m), 0);
    check_invariants(m); /* empty: every count must be 0 */
    CHECK_EQ(*nf_map_home_overflow(m, &any), 0);
  }
  nf_map_destroy(m);
}

/* A count that reaches 0xffff sticks: it is never decremented again (no
 * wrap-around to a small count that would cut probes short). The 65535 keys
 * needed are simulated by raising the home bucket's count by hand. */
static void test_sticky_overflow(void) {
  struct nf_map *m = nf_map_create("m", 64, sizeof(struct flow_key), constant_hash, flow_key_eq);
  CHECK(m != NULL);
  struct flow_key any = key_of(0);
  uint16_t *home_overflow = nf_map_home_overflow(m, &any);
  for (uint32_t i = 0; i < SLOTS + 1; i++) { /* fills home, one key overflows it */
    struct flow_key k = key_of(i);
    CHECK_EQ(nf_map_put(m, &k, (int32_t)i), NF_OK);
  }
  CHECK_EQ(*home_overflow, 1);
  *home_overflow = OVERFLOW_STICKY - 1; /* as if 65533 more had passed */
  struct flow_key k = key_of(100);
  CHECK_EQ(nf_map_put(m, &k, 100), NF_OK);
  CHECK_EQ(*home_overflow, OVERFLOW_STICKY);
  for (uint32_t i = 0; i < SLOTS + 1; i++) {
    struct flow_key q = key_of(i);
    CHECK_EQ(nf_map_erase(m, &q), NF_OK);
  }
  CHECK_EQ(*home_overflow, OVERFLOW_STICKY);
  int32_t v = 0;
  CHECK(nf_map_get(m, &k, &v));
  CHECK_EQ(v, 100);
  CHECK_EQ(nf_map_erase(m, &k), NF_OK);
  CHECK_EQ(*home_overflow, OVERFLOW_STICKY);
  CHECK(!nf_map_get(m, &k, &v)); /* a miss past a sticky bucket terminates */
  check_invariants(m);
  nf_map_destroy(m);
}

int main(void) {
  test_basics();
  test_exact_capacity();
  test_layout_capacity();
  test_erase_restores_counts();
  test_sticky_overflow();
  /* Mostly below capacity, often full: universe 1.5x capacity. */
  differential(1024, 1536, flow_key_hash, 1, 1000000, 1000);
  /* Always nearly full: churn at 93-100% of capacity. */
  differential(1024, 1100, flow_key_hash, 4, 300000, 1000);
  /* Long wrapped clusters from a bad hash. */
  differential(64, 96, weak_hash, 2, 300000, 100);
  /* Everything in one cluster, wrapping past the last bucket. */
  differential(64, 80, constant_hash, 5, 100000, 100);
  /* Near-empty large table with many misses. */
  differential(1 << 14, 1 << 16, flow_key_hash, 3, 300000, 20000);
  printf("map_test: OK\n");
  return 0;
}
