/* The flow-table pattern (map + key vector + dchain) driven by random packets
 * with expiry, checked against a model of each key's last-seen time. */
#include <string.h>

#include "nflib/expirator.h"
#include "nflib/test_util.h"

struct key {
  uint32_t id;
  uint32_t salt;
};
NF_KEY_DECLARE(key)

struct entry { /* vector cell: starts with the key, as nf_expire_items needs */
  struct key key;
  uint64_t payload;
};

static struct key key_of(uint32_t id) {
  struct key k = {id, id * 7919u};
  return k;
}

static void flow_table(uint32_t capacity, uint32_t universe, uint64_t seed, uint32_t ops) {
  struct nf_map *map = nf_map_create("map", capacity, sizeof(struct key), key_hash, key_eq);
  struct nf_vector *keys = nf_vector_create("keys", capacity, sizeof(struct entry), NULL);
  struct nf_dchain *chain = nf_dchain_create("chain", capacity);
  CHECK(map && keys && chain);
  int64_t *last_seen = malloc(universe * sizeof(int64_t));
  for (uint32_t i = 0; i < universe; i++) last_seen[i] = -1; /* absent */
  uint32_t live = 0;
  struct test_rng rng = {seed};
  const nf_time_t ttl = 1000;
  nf_time_t now = 0;
  for (uint32_t op = 0; op < ops; op++) {
    now += rng_below(&rng, 4);
    /* Expire first, as NFs do. */
    int expected = 0;
    if (op % 7 == 0 || live == capacity) {
      for (uint32_t i = 0; i < universe; i++)
        if (last_seen[i] >= 0 && last_seen[i] < now - ttl) {
          last_seen[i] = -1;
          expected++;
        }
      CHECK_EQ(nf_expire_items(chain, keys, map, now - ttl), expected);
      live -= (uint32_t)expected;
    }
    uint32_t id = rng_below(&rng, universe);
    struct key k = key_of(id);
    int32_t index;
    bool found = nf_map_get(map, &k, &index);
    CHECK_EQ(found, last_seen[id] >= 0);
    if (found) {
      struct entry e;
      nf_vector_borrow(keys, index, &e);
      CHECK_EQ(e.key.id, id);
      CHECK_EQ(e.payload, (uint64_t)id * 3);
      CHECK_EQ(nf_dchain_rejuvenate(chain, index, now), NF_OK);
      last_seen[id] = now;
    } else if (nf_dchain_allocate(chain, now, &index)) {
      struct entry e = {k, (uint64_t)id * 3};
      nf_vector_return(keys, index, &e);
      CHECK_EQ(nf_map_put(map, &k, index), NF_OK);
      last_seen[id] = now;
      live++;
    } else {
      CHECK_EQ(live, capacity);
    }
    CHECK_EQ(nf_map_size(map), live);
    CHECK_EQ(nf_dchain_allocated_count(chain), live);
  }
  /* Everything expires eventually. */
  CHECK_EQ(nf_expire_items(chain, keys, map, now + ttl), (int)live);
  CHECK_EQ(nf_map_size(map), 0);
  free(last_seen);
  nf_map_destroy(map);
  nf_vector_destroy(keys);
  nf_dchain_destroy(chain);
}

static void test_expire_indexes(void) {
  struct nf_dchain *c = nf_dchain_create("pool", 4);
  int32_t i;
  for (int t = 0; t < 4; t++) CHECK(nf_dchain_allocate(c, t * 10, &i));
  CHECK_EQ(nf_expire_indexes(c, 0), 0);
  CHECK_EQ(nf_expire_indexes(c, 11), 2);
  CHECK_EQ(nf_dchain_allocated_count(c), 2);
  CHECK_EQ(nf_expire_indexes(c, 100), 2);
  nf_dchain_destroy(c);
}

int main(void) {
  test_expire_indexes();
  flow_table(256, 512, 31, 1000000);
  printf("expirator_test: OK\n");
  return 0;
}
