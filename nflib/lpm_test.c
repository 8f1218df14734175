/* DIR-24-8 tests against a linear scan over the added prefixes. */
#include "nflib/lpm.h"
#include "nflib/test_util.h"

struct route {
  uint32_t prefix;
  uint8_t len;
  int32_t value;
};

static uint32_t mask_of(uint8_t len) {
  return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Longest matching prefix; for an equal prefix re-added, the last value. */
static bool reference(const struct route *routes, uint32_t n, uint32_t addr, int32_t *value) {
  int best = -1;
  for (uint32_t i = 0; i < n; i++) {
    if ((addr & mask_of(routes[i].len)) != (routes[i].prefix & mask_of(routes[i].len))) continue;
    if (best < 0 || routes[i].len >= routes[best].len) best = (int)i;
  }
  if (best < 0) return false;
  *value = routes[best].value;
  return true;
}

static void test_basics(void) {
  CHECK(nf_lpm_create("l", NF_LPM_LONG_PREFIX_GROUPS_MAX + 1) == NULL);
  struct nf_lpm *l = nf_lpm_create("l", 1);
  int32_t v = -1;
  CHECK(!nf_lpm_lookup(l, 0x0a000001, &v));
  CHECK_EQ(nf_lpm_add(l, 0, 33, 1), NF_INVALID);
  CHECK_EQ(nf_lpm_add(l, 0, 8, -1), NF_INVALID);
  CHECK_EQ(nf_lpm_add(l, 0, 8, 1 << 24), NF_INVALID);
  CHECK_EQ(nf_lpm_add(l, 0x0a000000, 8, 1), NF_OK);
  CHECK_EQ(nf_lpm_add(l, 0x0a000100, 32, 2), NF_OK);
  CHECK_EQ(nf_lpm_add(l, 0x0a000107, 30, 5), NF_OK);   /* host bits ignored: 10.0.1.4/30 */
  CHECK_EQ(nf_lpm_add(l, 0x0b000000, 25, 3), NF_FULL); /* second group needed */
  CHECK(nf_lpm_lookup(l, 0x0a000100, &v));
  CHECK_EQ(v, 2);
  CHECK(nf_lpm_lookup(l, 0x0a000101, &v));
  CHECK_EQ(v, 1);
  CHECK(nf_lpm_lookup(l, 0x0a000106, &v));
  CHECK_EQ(v, 5);
  CHECK(!nf_lpm_lookup(l, 0x0b000001, &v));
  CHECK_EQ(nf_lpm_add(l, 0, 0, 9), NF_OK); /* default route under everything */
  CHECK(nf_lpm_lookup(l, 0x0b000001, &v));
  CHECK_EQ(v, 9);
  CHECK(nf_lpm_lookup(l, 0x0a000100, &v));
  CHECK_EQ(v, 2);
  nf_lpm_destroy(l);
}

static void differential(uint64_t seed, uint32_t route_count, uint32_t lookups) {
  struct test_rng rng = {seed};
  struct nf_lpm *l = nf_lpm_create("l", 64);
  struct route *routes = malloc(route_count * sizeof(*routes));
  uint32_t n = 0;
  /* Addresses cluster in a few /16s so prefixes overlap at every length. */
  uint32_t bases[4] = {0x0a000000, 0x0a010000, 0xc0a80000, 0x08080000};
  test_install_hook(0);
  for (uint32_t i = 0; i < route_count; i++) {
    struct route r;
    r.prefix = bases[rng_below(&rng, 4)] | (uint32_t)(rng_next(&rng) & 0xffff);
    uint32_t kind = rng_below(&rng, 4);
    r.len = (uint8_t)(kind == 0   ? rng_below(&rng, 17)
                      : kind == 1 ? 16 + rng_below(&rng, 9)
                                  : 24 + rng_below(&rng, 9));
    r.value = (int32_t)rng_below(&rng, 1 << 24);
    r.prefix &= mask_of(r.len);
    unsigned long hooks = test_hook_calls;
    int rc = nf_lpm_add(l, r.prefix, r.len, r.value);
    CHECK(rc == NF_OK || rc == NF_FULL);
    CHECK_EQ(test_hook_calls - hooks, rc == NF_OK);
    if (rc == NF_OK) routes[n++] = r;
  }
  nf_current_write_hook.fn = 0;
  CHECK(n > route_count / 2);
  for (uint32_t i = 0; i < lookups; i++) {
    uint32_t addr = rng_below(&rng, 8) == 0
                        ? (uint32_t)rng_next(&rng)
                        : bases[rng_below(&rng, 4)] | (uint32_t)(rng_next(&rng) & 0xffff);
    int32_t want = -1, got = -1;
    bool w = reference(routes, n, addr, &want);
    CHECK_EQ(nf_lpm_lookup(l, addr, &got), w);
    if (w) CHECK_EQ(got, want);
  }
  free(routes);
  nf_lpm_destroy(l);
}

int main(void) {
  test_basics();
  differential(71, 150, 1000000);
  printf("lpm_test: OK\n");
  return 0;
}
