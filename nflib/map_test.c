/* Unit and randomized differential tests of nf_map against an exact model. */
#include <string.h>

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

static void test_basics(void) {
  CHECK(nf_map_create("m", 0, sizeof(struct flow_key), flow_key_hash, flow_key_eq) == NULL);
  CHECK(nf_map_create("m", 6, sizeof(struct flow_key), flow_key_hash, flow_key_eq) == NULL);
  CHECK(nf_map_create("m", 8, 0, flow_key_hash, flow_key_eq) == NULL);
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
                         uint32_t ops) {
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

int main(void) {
  test_basics();
  /* Mostly below capacity, often full: universe 1.5x capacity. */
  differential(1024, 1536, flow_key_hash, 1, 1000000);
  /* Long wrapped clusters from a bad hash. */
  differential(64, 96, weak_hash, 2, 300000);
  /* Near-empty large table with many misses. */
  differential(1 << 14, 1 << 16, flow_key_hash, 3, 300000);
  printf("map_test: OK\n");
  return 0;
}
