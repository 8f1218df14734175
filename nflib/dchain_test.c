/* Unit and randomized differential tests of nf_dchain against a model that
 * tracks allocation, the LIFO free stack and last-use order explicitly. */
#include "nflib/dchain.h"
#include "nflib/test_util.h"

static void test_basics(void) {
  CHECK(nf_dchain_create("c", 0) == NULL);
  CHECK(nf_dchain_create("c", NF_DCHAIN_CAPACITY_MAX + 1) == NULL);
  struct nf_dchain *c = nf_dchain_create("c", 3);
  CHECK(c != NULL);
  CHECK_EQ(nf_dchain_capacity(c), 3);
  CHECK_EQ(nf_dchain_index_base(c), 0);
  int32_t i0, i1, i2, x;
  CHECK(nf_dchain_allocate(c, 10, &i0));
  CHECK(nf_dchain_allocate(c, 20, &i1));
  CHECK(nf_dchain_allocate(c, 30, &i2));
  CHECK_EQ(i0, 0);
  CHECK_EQ(i1, 1);
  CHECK_EQ(i2, 2);
  CHECK(!nf_dchain_allocate(c, 40, &x));
  CHECK_EQ(nf_dchain_allocated_count(c), 3);
  CHECK_EQ(nf_dchain_rejuvenate(c, 0, 50), NF_OK); /* order now 1, 2, 0 */
  CHECK_EQ(nf_dchain_rejuvenate(c, 3, 50), NF_NOT_FOUND);
  CHECK_EQ(nf_dchain_rejuvenate(c, -1, 50), NF_NOT_FOUND);
  CHECK(!nf_dchain_expire_one(c, 20, &x)); /* oldest has stamp 20, not < 20 */
  CHECK(nf_dchain_expire_one(c, 21, &x));
  CHECK_EQ(x, 1);
  CHECK(!nf_dchain_is_allocated(c, 1));
  CHECK(nf_dchain_is_allocated(c, 0));
  CHECK(!nf_dchain_is_allocated(c, 7));
  CHECK(nf_dchain_expire_one(c, 1000, &x));
  CHECK_EQ(x, 2);
  CHECK_EQ(nf_dchain_free(c, 2), NF_NOT_FOUND);
  CHECK_EQ(nf_dchain_free(c, 0), NF_OK);
  CHECK_EQ(nf_dchain_allocated_count(c), 0);
  CHECK(!nf_dchain_expire_one(c, 1000, &x));
  CHECK(nf_dchain_allocate(c, 60, &x)); /* most recently freed first */
  CHECK_EQ(x, 0);
  nf_dchain_destroy(c);
}

struct model {
  uint32_t capacity;
  uint8_t *allocated;
  int64_t *stamp;
  uint64_t *seq; /* order of last allocate/rejuvenate */
  uint32_t *free_stack;
  uint32_t free_top;
  uint64_t clock;
};

static void differential(uint32_t capacity, uint64_t seed, uint32_t ops) {
  struct nf_dchain *c = nf_dchain_create("c", capacity);
  CHECK(c != NULL);
  struct model m = {capacity,
                    calloc(capacity, 1),
                    calloc(capacity, sizeof(int64_t)),
                    calloc(capacity, sizeof(uint64_t)),
                    calloc(capacity, sizeof(uint32_t)),
                    0,
                    0};
  for (uint32_t i = 0; i < capacity; i++) m.free_stack[i] = capacity - 1 - i;
  m.free_top = capacity;
  struct test_rng rng = {seed};
  nf_time_t now = 0;
  test_install_hook(0);
  uint32_t count = 0;
  for (uint32_t op = 0; op < ops; op++) {
    now += rng_below(&rng, 3); /* time is monotonic, often equal */
    uint32_t what = rng_below(&rng, 12);
    unsigned long hooks = test_hook_calls;
    int32_t idx = (int32_t)rng_below(&rng, capacity + 2) - 1; /* includes out of range */
    bool in_range = idx >= 0 && (uint32_t)idx < capacity;
    if (what < 4) {
      int32_t got = -7;
      bool ok = nf_dchain_allocate(c, now, &got);
      CHECK_EQ(ok, m.free_top > 0);
      if (ok) {
        uint32_t want = m.free_stack[--m.free_top];
        CHECK_EQ(got, want);
        m.allocated[want] = 1;
        m.stamp[want] = now;
        m.seq[want] = ++m.clock;
        count++;
      }
      CHECK_EQ(test_hook_calls - hooks, ok);
    } else if (what < 7) {
      int rc = nf_dchain_rejuvenate(c, idx, now);
      bool alloc = in_range && m.allocated[idx];
      CHECK_EQ(rc, alloc ? NF_OK : NF_NOT_FOUND);
      if (alloc) {
        m.stamp[idx] = now;
        m.seq[idx] = ++m.clock;
      }
      CHECK_EQ(test_hook_calls - hooks, alloc);
    } else if (what < 8) {
      CHECK_EQ(nf_dchain_is_allocated(c, idx), in_range && m.allocated[idx]);
      CHECK_EQ(test_hook_calls, hooks);
    } else if (what < 10) {
      nf_time_t older_than = now - (nf_time_t)rng_below(&rng, 40);
      int64_t oldest = -1;
      for (uint32_t i = 0; i < capacity; i++)
        if (m.allocated[i] && (oldest < 0 || m.seq[i] < m.seq[oldest])) oldest = i;
      bool want = oldest >= 0 && m.stamp[oldest] < older_than;
      int32_t got = -7;
      bool ok = nf_dchain_expire_one(c, older_than, &got);
      CHECK_EQ(ok, want);
      if (ok) {
        CHECK_EQ(got, oldest);
        m.allocated[oldest] = 0;
        m.free_stack[m.free_top++] = (uint32_t)oldest;
        count--;
      }
      CHECK_EQ(test_hook_calls - hooks, ok);
    } else {
      int rc = nf_dchain_free(c, idx);
      bool alloc = in_range && m.allocated[idx];
      CHECK_EQ(rc, alloc ? NF_OK : NF_NOT_FOUND);
      if (alloc) {
        m.allocated[idx] = 0;
        m.free_stack[m.free_top++] = (uint32_t)idx;
        count--;
      }
      CHECK_EQ(test_hook_calls - hooks, alloc);
    }
    CHECK_EQ(nf_dchain_allocated_count(c), count);
  }
  nf_current_write_hook.fn = 0;
  free(m.allocated);
  free(m.stamp);
  free(m.seq);
  free(m.free_stack);
  nf_dchain_destroy(c);
}

int main(void) {
  test_basics();
  differential(200, 11, 1000000);
  differential(1, 12, 100000);
  printf("dchain_test: OK\n");
  return 0;
}
