/* Unit and randomized differential tests of nf_dchain against a model that
 * tracks allocation, the LIFO free stack and last-use order explicitly. */
#include "nflib/dchain.h"
#include "nflib/test_util.h"

#include <sys/wait.h>
#include <unistd.h>

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

/* One chain under test and its model. */
struct chain_under_test {
  struct nf_dchain *chain;
  struct model m;
  uint32_t count;
};

static void model_init(struct chain_under_test *t, uint32_t capacity) {
  t->chain = nf_dchain_create("c", capacity);
  CHECK(t->chain != NULL);
  struct model m = {capacity,
                    calloc(capacity, 1),
                    calloc(capacity, sizeof(int64_t)),
                    calloc(capacity, sizeof(uint64_t)),
                    calloc(capacity, sizeof(uint32_t)),
                    0,
                    0};
  t->m = m;
  for (uint32_t i = 0; i < capacity; i++) t->m.free_stack[i] = capacity - 1 - i;
  t->m.free_top = capacity;
  t->count = 0;
}

static void model_fini(struct chain_under_test *t) {
  free(t->m.allocated);
  free(t->m.stamp);
  free(t->m.seq);
  free(t->m.free_stack);
  nf_dchain_destroy(t->chain);
}

/* One random operation on t, checked against t's model. */
static void random_step(struct chain_under_test *t, struct test_rng *rng, nf_time_t now) {
  struct nf_dchain *c = t->chain;
  struct model *m = &t->m;
  uint32_t capacity = m->capacity;
  uint32_t what = rng_below(rng, 12);
  unsigned long hooks = test_hook_calls;
  int32_t idx = (int32_t)rng_below(rng, capacity + 2) - 1; /* includes out of range */
  bool in_range = idx >= 0 && (uint32_t)idx < capacity;
  if (what < 4) {
    int32_t got = -7;
    bool ok = nf_dchain_allocate(c, now, &got);
    CHECK_EQ(ok, m->free_top > 0);
    if (ok) {
      uint32_t want = m->free_stack[--m->free_top];
      CHECK_EQ(got, want);
      m->allocated[want] = 1;
      m->stamp[want] = now;
      m->seq[want] = ++m->clock;
      t->count++;
    }
    CHECK_EQ(test_hook_calls - hooks, ok);
  } else if (what < 7) {
    int rc = nf_dchain_rejuvenate(c, idx, now);
    bool alloc = in_range && m->allocated[idx];
    CHECK_EQ(rc, alloc ? NF_OK : NF_NOT_FOUND);
    if (alloc) {
      m->stamp[idx] = now;
      m->seq[idx] = ++m->clock;
    }
    CHECK_EQ(test_hook_calls - hooks, alloc);
  } else if (what < 8) {
    CHECK_EQ(nf_dchain_is_allocated(c, idx), in_range && m->allocated[idx]);
    CHECK_EQ(test_hook_calls, hooks);
  } else if (what < 10) {
    nf_time_t older_than = now - (nf_time_t)rng_below(rng, 40);
    int64_t oldest = -1;
    for (uint32_t i = 0; i < capacity; i++)
      if (m->allocated[i] && (oldest < 0 || m->seq[i] < m->seq[oldest])) oldest = i;
    bool want = oldest >= 0 && m->stamp[oldest] < older_than;
    int32_t got = -7;
    bool ok = nf_dchain_expire_one(c, older_than, &got);
    CHECK_EQ(ok, want);
    if (ok) {
      CHECK_EQ(got, oldest);
      m->allocated[oldest] = 0;
      m->free_stack[m->free_top++] = (uint32_t)oldest;
      t->count--;
    }
    CHECK_EQ(test_hook_calls - hooks, ok);
  } else {
    int rc = nf_dchain_free(c, idx);
    bool alloc = in_range && m->allocated[idx];
    CHECK_EQ(rc, alloc ? NF_OK : NF_NOT_FOUND);
    if (alloc) {
      m->allocated[idx] = 0;
      m->free_stack[m->free_top++] = (uint32_t)idx;
      t->count--;
    }
    CHECK_EQ(test_hook_calls - hooks, alloc);
  }
  CHECK_EQ(nf_dchain_allocated_count(c), t->count);
}

/* Every index of t as its model says (the whole allocation set; the stamps
 * and their order are checked by t's later expire_one steps). */
static void check_allocation_set(const struct chain_under_test *t) {
  CHECK_EQ(nf_dchain_allocated_count(t->chain), t->count);
  for (int32_t i = -1; i <= (int32_t)t->m.capacity; i++) {
    bool in_range = i >= 0 && (uint32_t)i < t->m.capacity;
    CHECK_EQ(nf_dchain_is_allocated(t->chain, i), in_range && t->m.allocated[i]);
  }
}

/* Negative control of check_allocation_set: a chain whose model disagrees
 * with it in one index (as if an operation on another chain had freed it)
 * must fail the check. Run in a child, because a failed CHECK exits. */
static void test_allocation_check_rejects(void) {
  struct chain_under_test t;
  model_init(&t, 8);
  struct test_rng rng = {21};
  test_install_hook(0);
  for (int k = 0; k < 50; k++) random_step(&t, &rng, k);
  nf_current_write_hook.fn = 0;
  int32_t idx = 0;
  if (!nf_dchain_expire_one(t.chain, 1000, &idx)) CHECK(nf_dchain_allocate(t.chain, 60, &idx));
  /* t's model now disagrees with the chain at idx. */
  fprintf(stderr, "dchain_test: negative control, the CHECK failure below is expected\n");
  fflush(stderr);
  pid_t child = fork();
  CHECK(child >= 0);
  if (child == 0) {
    check_allocation_set(&t);
    _exit(0);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  model_fini(&t);
}

/* Random operations on n_chains chains, interleaved, each checked against its
 * own model. With more than one chain this is the runtime check of dchain.h's
 * same-kind frame (NF_DCHAIN_OTHERS_KEPT, stated for callers but not proved in
 * dchain.c): after every operation on one chain, every other chain still holds
 * exactly its model's allocation set, and its later expiries follow its own
 * model's order and stamps. */
static void differential(uint32_t n_chains, uint32_t capacity, uint64_t seed, uint32_t ops) {
  struct chain_under_test chains[4];
  CHECK(n_chains >= 1 && n_chains <= 4);
  for (uint32_t k = 0; k < n_chains; k++) model_init(&chains[k], capacity);
  struct test_rng rng = {seed};
  nf_time_t now = 0;
  test_install_hook(0);
  for (uint32_t op = 0; op < ops; op++) {
    now += rng_below(&rng, 3); /* time is monotonic, often equal */
    uint32_t chosen = rng_below(&rng, n_chains);
    random_step(&chains[chosen], &rng, now);
    if (n_chains > 1 && capacity <= 64)
      for (uint32_t k = 0; k < n_chains; k++)
        if (k != chosen) check_allocation_set(&chains[k]);
  }
  nf_current_write_hook.fn = 0;
  for (uint32_t k = 0; k < n_chains; k++) model_fini(&chains[k]);
}

int main(void) {
  test_basics();
  test_allocation_check_rejects();
  differential(1, 200, 11, 1000000);
  differential(1, 1, 12, 100000);
  /* The same-kind frame: IPv4 and IPv6 flow chains of one NF, and more. */
  differential(2, 48, 13, 400000);
  differential(3, 5, 14, 200000);
  printf("dchain_test: OK\n");
  return 0;
}
