/* Hash and equality of key structs; instance layout resolution per thread;
 * shared objects (NF_LAYOUT_SHARED); the object-aware write hook. */
#include <pthread.h>
#include <string.h>

#include "nflib/access.h"
#include "nflib/cht.h"
#include "nflib/dchain.h"
#include "nflib/instance.h"
#include "nflib/lpm.h"
#include "nflib/map.h"
#include "nflib/sketch.h"
#include "nflib/test_util.h"
#include "nflib/vector.h"

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

/* nf_bytes_equal (8 bytes at a time, then byte by byte) agrees with memcmp
 * for every length up to 40, every alignment, and a difference in every byte
 * and every bit, including bytes just outside the compared range. */
static void test_bytes_equal(void) {
  uint8_t a[64], b[64];
  struct test_rng rng = {12345};
  for (size_t i = 0; i < sizeof(a); i++) a[i] = (uint8_t)rng_next(&rng);
  for (size_t len = 0; len <= 40; len++)
    for (size_t oa = 0; oa < 8; oa++)
      for (size_t ob = 0; ob < 8; ob++) {
        memcpy(b + ob, a + oa, len);
        b[ob + len] = (uint8_t)~a[oa + len]; /* past the end: never read */
        CHECK(nf_bytes_equal(a + oa, b + ob, len));
        for (size_t k = 0; k < len; k++)
          for (int bit = 0; bit < 8; bit++) {
            b[ob + k] ^= (uint8_t)(1u << bit);
            CHECK(!nf_bytes_equal(a + oa, b + ob, len));
            CHECK_EQ(memcmp(a + oa, b + ob, len) == 0, 0);
            b[ob + k] ^= (uint8_t)(1u << bit);
          }
      }
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

/* Builds every kind of object under a layout: "m", "v", "c", "s", "h", "l"
 * shared, "own" a 1/2 share. */
struct objects {
  struct nf_map *m, *own;
  struct nf_vector *v;
  struct nf_dchain *c;
  struct nf_sketch *s;
  struct nf_cht *h;
  struct nf_lpm *l;
};

static void build_objects(const struct nf_instance_layout *l, struct objects *o) {
  nf_instance_begin(l);
  o->m = nf_map_create("m", 64, sizeof(struct k5), k5_hash, k5_eq);
  o->own = nf_map_create("own", 64, sizeof(struct k5), k5_hash, k5_eq);
  o->v = nf_vector_create("v", 10, 4, NULL);
  o->c = nf_dchain_create("c", 10);
  o->s = nf_sketch_create("s", 16, 2, sizeof(struct k5), 1000);
  o->h = nf_cht_create("h", 4, 13);
  o->l = nf_lpm_create("l", 4);
  nf_instance_end();
}

static void test_shared_objects(void) {
  static void *slots[6];
  static struct nf_instance_layout two[2];
  const char *names[6] = {"m", "v", "c", "s", "h", "l"};
  for (uint32_t k = 0; k < 2; k++) {
    two[k].instance = k;
    two[k].instance_count = 2;
    two[k].object_count = 7;
    for (uint32_t i = 0; i < 6; i++)
      two[k].objects[i] = (struct nf_object_layout){
          .name = names[i], .mode = NF_LAYOUT_SHARED, .shared_object = &slots[i]};
    two[k].objects[6] = (struct nf_object_layout){.name = "own", .mode = NF_LAYOUT_SHARE};
  }
  struct objects a, b;
  build_objects(&two[0], &a);
  CHECK(a.m && a.own && a.v && a.c && a.s && a.h && a.l);
  CHECK(slots[0] == a.m && slots[1] == a.v && slots[2] == a.c);
  CHECK(slots[3] == a.s && slots[4] == a.h && slots[5] == a.l);
  build_objects(&two[1], &b);
  /* The second instance gets the first one's objects, except its own share. */
  CHECK(b.m == a.m && b.v == a.v && b.c == a.c && b.s == a.s && b.h == a.h && b.l == a.l);
  CHECK(b.own != a.own);
  /* A shared object has the whole requested capacity, a share half of it. */
  CHECK_EQ(nf_map_capacity(a.m), 64);
  CHECK_EQ(nf_map_capacity(b.own), 32);
  CHECK_EQ(nf_dchain_capacity(a.c), 10);
  CHECK_EQ(nf_dchain_index_base(a.c), 0);
  CHECK_EQ(nf_vector_capacity(a.v), 10);
  /* An empty slot in a later instance (e.g. reset by the runtime) builds anew. */
  slots[0] = NULL;
  struct objects c;
  build_objects(&two[1], &c);
  CHECK(c.m != a.m && slots[0] == c.m && c.v == a.v);
  /* Without a layout nothing is shared. */
  struct nf_map *alone = nf_map_create("m", 64, sizeof(struct k5), k5_hash, k5_eq);
  CHECK(alone != a.m && alone != c.m);
  /* Each distinct object once: a's shared ones, the three shares, c's new map. */
  nf_map_destroy(alone);
  nf_map_destroy(c.m);
  nf_map_destroy(c.own);
  nf_map_destroy(b.own);
  nf_map_destroy(a.own);
  nf_map_destroy(a.m);
  nf_vector_destroy(a.v);
  nf_dchain_destroy(a.c);
  nf_sketch_destroy(a.s);
  nf_cht_destroy(a.h);
  nf_lpm_destroy(a.l);
}

static int plain_calls;
static const void *written[8];
static int object_calls;

static void plain_hook(void *ctx) {
  (void)ctx;
  plain_calls++;
}

static void object_hook(void *ctx, const void *object) {
  CHECK(ctx == &object_calls);
  if (object_calls < 8) written[object_calls] = object;
  object_calls++;
}

static void test_object_write_hook(void) {
  struct nf_map *m = nf_map_create("m", 16, sizeof(struct k5), k5_hash, k5_eq);
  struct nf_vector *v = nf_vector_create("v", 4, 4, NULL);
  struct nf_dchain *c = nf_dchain_create("c", 4);
  struct nf_sketch *s = nf_sketch_create("s", 16, 2, sizeof(struct k5), 1000);
  struct nf_lpm *l = nf_lpm_create("l", 4);
  struct k5 key;
  memset(&key, 0, sizeof(key));
  uint32_t cell = 7;
  int32_t index;
  /* Only the plain hook set: every write reaches it. */
  nf_current_write_hook = (struct nf_write_hook){plain_hook, NULL};
  CHECK_EQ(nf_map_put(m, &key, 1), NF_OK);
  nf_vector_return(v, 0, &cell);
  CHECK_EQ(plain_calls, 2);
  /* The object hook replaces it and names each written object. */
  nf_current_object_write_hook = (struct nf_object_write_hook){object_hook, &object_calls};
  CHECK_EQ(nf_map_erase(m, &key), NF_OK);
  nf_vector_return(v, 1, &cell);
  CHECK(nf_dchain_allocate(c, 5, &index));
  CHECK_EQ(nf_dchain_rejuvenate(c, index, 6), NF_OK);
  nf_sketch_increment(s, &key, 6);
  CHECK_EQ(nf_lpm_add(l, 0x0a000000, 8, 1), NF_OK);
  CHECK_EQ(plain_calls, 2);
  CHECK_EQ(object_calls, 6);
  CHECK(written[0] == m && written[1] == v && written[2] == c && written[3] == c);
  CHECK(written[4] == s && written[5] == l);
  nf_current_object_write_hook = (struct nf_object_write_hook){NULL, NULL};
  nf_current_write_hook = (struct nf_write_hook){NULL, NULL};
}

int main(void) {
  test_hash();
  test_bytes_equal();
  test_instance();
  test_shared_objects();
  test_object_write_hook();
  printf("types_test: OK\n");
  return 0;
}
