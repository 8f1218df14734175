/* Keys with 128-bit IPv6 addresses (issue #18) in every keyed nflib object:
 * map, vector cells, sketch and cht (through the key hash). The oracle is the
 * set of keys the test inserted: every inserted key is found with its value,
 * and each of the 288 one-bit neighbours of a key (any bit of either address
 * or port), never inserted, is absent: no byte of the key is ignored. */
#include <string.h>

#include "nflib/cht.h"
#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/packet.h"
#include "nflib/sketch.h"
#include "nflib/test_util.h"
#include "nflib/types.h"
#include "nflib/vector.h"

struct flow6_key {
  struct nf_ipv6_addr src, dst;
  uint16_t sport, dport;
};
NF_KEY_DECLARE(flow6_key)

#define KEY_BITS (8 * sizeof(struct flow6_key))

static struct flow6_key random_key(struct test_rng *rng) {
  struct flow6_key k;
  uint8_t *b = (uint8_t *)&k;
  for (size_t i = 0; i < sizeof(k); i++) b[i] = (uint8_t)rng_next(rng);
  /* Realistic plans: one /64 (random interface IDs) to one of a few /48s. */
  static const uint8_t prefix[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0};
  memcpy(k.src.bytes, prefix, 8);
  memcpy(k.dst.bytes, prefix, 6);
  k.dst.bytes[5] = (uint8_t)rng_below(rng, 3);
  return k;
}

static struct flow6_key flip(struct flow6_key k, uint32_t bit) {
  ((uint8_t *)&k)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  return k;
}

static void test_map(void) {
  CHECK_EQ(sizeof(struct flow6_key), 36); /* no padding: compared byte-wise */
  enum { N = 20000 };
  struct nf_map *m =
      nf_map_create("m", 32768, sizeof(struct flow6_key), flow6_key_hash, flow6_key_eq);
  CHECK(m != NULL);
  struct test_rng rng = {6};
  static struct flow6_key keys[N];
  for (int32_t i = 0; i < N; i++) {
    keys[i] = random_key(&rng);
    CHECK_EQ(nf_map_put(m, &keys[i], i), NF_OK);
  }
  CHECK_EQ(nf_map_size(m), N);
  for (int32_t i = 0; i < N; i++) {
    struct flow6_key copy = keys[i]; /* by content, not by pointer */
    int32_t v = -1;
    CHECK(nf_map_get(m, &copy, &v));
    CHECK_EQ(v, i);
    CHECK_EQ(nf_map_put(m, &copy, 7), NF_EXISTS);
  }
  for (int32_t i = 0; i < 50; i++) {
    for (uint32_t bit = 0; bit < KEY_BITS; bit++) {
      struct flow6_key n = flip(keys[i], bit);
      int32_t v;
      CHECK(!nf_map_get(m, &n, &v));
    }
  }
  for (int32_t i = 0; i < N; i += 2) CHECK_EQ(nf_map_erase(m, &keys[i]), NF_OK);
  for (int32_t i = 0; i < N; i++) {
    int32_t v;
    CHECK_EQ(nf_map_get(m, &keys[i], &v), i % 2 == 1);
  }
  nf_map_destroy(m);
}

static void test_vector(void) {
  struct nf_vector *v = nf_vector_create("v", 1024, sizeof(struct flow6_key), NULL);
  CHECK(v != NULL);
  struct test_rng rng = {7};
  static struct flow6_key cells[1024];
  for (int32_t i = 0; i < 1024; i++) {
    cells[i] = random_key(&rng);
    nf_vector_return(v, i, &cells[i]);
  }
  for (int32_t i = 0; i < 1024; i++) {
    struct flow6_key out;
    nf_vector_borrow(v, i, &out);
    CHECK(memcmp(&out, &cells[i], sizeof(out)) == 0);
  }
  nf_vector_destroy(v);
}

/* Count-min never undercounts; a one-bit neighbour of the only key counted
 * reads 0 unless it collides in every row (rare with width 4096). */
static void test_sketch(void) {
  struct nf_sketch *s = nf_sketch_create("s", 4096, 4, sizeof(struct flow6_key), 1000);
  CHECK(s != NULL);
  struct test_rng rng = {8};
  struct flow6_key k = random_key(&rng);
  for (int i = 0; i < 5; i++) nf_sketch_increment(s, &k, 10);
  struct flow6_key copy = k;
  CHECK_EQ(nf_sketch_estimate(s, &copy, 10), 5);
  uint32_t zero = 0;
  for (uint32_t bit = 0; bit < KEY_BITS; bit++) {
    struct flow6_key n = flip(k, bit);
    uint32_t e = nf_sketch_estimate(s, &n, 10);
    CHECK(e == 0 || e == 5);
    zero += e == 0;
  }
  CHECK(zero >= KEY_BITS - 2);
  nf_sketch_destroy(s);
}

/* The cht takes the key's hash: equal keys (by content) get the same backend;
 * keys of one /64 spread over every backend. */
static void test_cht(void) {
  enum { B = 8, KEYS = 8000 };
  struct nf_cht *c = nf_cht_create("c", B, 257);
  struct nf_dchain *alive = nf_dchain_create("alive", B);
  CHECK(c != NULL && alive != NULL);
  int32_t idx;
  for (int b = 0; b < B; b++) CHECK(nf_dchain_allocate(alive, 0, &idx));
  struct test_rng rng = {9};
  uint32_t per[B] = {0};
  for (int i = 0; i < KEYS; i++) {
    struct flow6_key k = random_key(&rng), copy = k;
    int32_t b1, b2;
    CHECK(nf_cht_find_backend(c, flow6_key_hash(&k), alive, &b1));
    CHECK(nf_cht_find_backend(c, flow6_key_hash(&copy), alive, &b2));
    CHECK_EQ(b1, b2);
    per[b1]++;
  }
  for (int b = 0; b < B; b++) CHECK(per[b] > KEYS / B / 2);
  nf_cht_destroy(c);
  nf_dchain_destroy(alive);
}

int main(void) {
  test_map();
  test_vector();
  test_sketch();
  test_cht();
  printf("ipv6_keys_test: OK\n");
  return 0;
}
