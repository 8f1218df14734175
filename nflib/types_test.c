/* Hash and equality of key structs; instance layout resolution per thread. */
#include <pthread.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/instance.h"
#include "nflib/map.h"
#include "nflib/test_util.h"

struct k5 {
  uint32_t src, dst;
  uint16_t sport, dport;
  uint8_t proto, pad[3];
};
NF_KEY_DECLARE(k5)

static void test_hash(void) {
  struct k5 a, b;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  CHECK(k5_eq(&a, &b));
  CHECK_EQ(k5_hash(&a), k5_hash(&b));
  b.pad[2] = 1;
  CHECK(!k5_eq(&a, &b));
  CHECK(k5_hash(&a) != k5_hash(&b));
  /* Lengths that are not a multiple of 8 or 4 use every byte. */
  uint8_t bytes[23] = {0};
  for (size_t len = 1; len <= sizeof(bytes); len++) {
    uint32_t h0 = nf_hash_bytes(bytes, len);
    bytes[len - 1] ^= 0x80;
    CHECK(nf_hash_bytes(bytes, len) != h0);
    bytes[len - 1] ^= 0x80;
  }
  /* Sequential addresses spread evenly over the low bits (map slots):
   * chi-square over 1024 buckets of 1M keys stays near its mean 1023. */
  enum { BUCKETS = 1024, KEYS = 1 << 20 };
  static uint32_t hist[BUCKETS];
  for (uint32_t i = 0; i < KEYS; i++) {
    a.src = 0x0a000000 + i;
    a.sport = (uint16_t)(i * 7);
    hist[k5_hash(&a) & (BUCKETS - 1)]++;
  }
  double expect = (double)KEYS / BUCKETS, chi = 0;
  for (int i = 0; i < BUCKETS; i++) chi += (hist[i] - expect) * (hist[i] - expect) / expect;
  CHECK(chi < 1300);
}

static struct nf_instance_layout layout;

static void *other_thread(void *arg) {
  (void)arg;
  uint32_t cap;
  int32_t base;
  nf_instance_resolve("flows", 100, &cap, &base); /* layout is per thread */
  CHECK_EQ(cap, 100);
  CHECK_EQ(base, 0);
  return NULL;
}

static void test_instance(void) {
  layout.instance = 2;
  layout.instance_count = 4;
  layout.object_count = 2;
  layout.objects[0] = (struct nf_object_layout){"flows", 25, 50};
  layout.objects[1] = (struct nf_object_layout){"table", 1000, 0};
  nf_instance_begin(&layout);
  uint32_t cap;
  int32_t base;
  nf_instance_resolve("flows", 100, &cap, &base);
  CHECK_EQ(cap, 25);
  CHECK_EQ(base, 50);
  nf_instance_resolve("absent", 100, &cap, &base);
  CHECK_EQ(cap, 100);
  CHECK_EQ(base, 0);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  /* dchain takes its index range; a map its (non power of two) capacity. */
  struct nf_dchain *c = nf_dchain_create("flows", 100);
  struct nf_map *m = nf_map_create("table", 4096, sizeof(struct k5), k5_hash, k5_eq);
  nf_instance_end();
  CHECK_EQ(nf_dchain_capacity(c), 25);
  CHECK_EQ(nf_dchain_index_base(c), 50);
  int32_t idx;
  CHECK(nf_dchain_allocate(c, 0, &idx));
  CHECK_EQ(idx, 50);
  CHECK(!nf_dchain_is_allocated(c, 0));
  CHECK(nf_dchain_is_allocated(c, 50));
  CHECK_EQ(nf_map_capacity(m), 1000);
  struct k5 key;
  memset(&key, 0, sizeof(key));
  for (uint32_t i = 0; i < 1000; i++) {
    key.src = i;
    CHECK_EQ(nf_map_put(m, &key, (int32_t)i), NF_OK);
  }
  key.src = 1000;
  CHECK_EQ(nf_map_put(m, &key, 0), NF_FULL);
  nf_instance_resolve("flows", 100, &cap, &base);
  CHECK_EQ(cap, 100); /* ended */
  nf_dchain_destroy(c);
  nf_map_destroy(m);
}

int main(void) {
  test_hash();
  test_instance();
  printf("types_test: OK\n");
  return 0;
}
