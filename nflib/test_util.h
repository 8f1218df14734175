/* Minimal checking and deterministic randomness for nflib's tests. */
#ifndef NFLIB_TEST_UTIL_H
#define NFLIB_TEST_UTIL_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);                                \
    if (check_a_ != check_b_) {                                                                    \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, \
              #b, check_a_, check_b_);                                                             \
      exit(1);                                                                                     \
    }                                                                                              \
  } while (0)

/* splitmix64: deterministic, fast, good enough for test inputs. */
struct test_rng {
  uint64_t state;
};

static inline uint64_t rng_next(struct test_rng *r) {
  uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static inline uint32_t rng_below(struct test_rng *r, uint32_t n) {
  return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A write hook that counts calls, for checking nf_before_write() discipline. */
#include "nflib/access.h"

static unsigned long test_hook_calls;
static void (*test_hook_probe)(void);

static void test_hook_fn(void *ctx) {
  (void)ctx;
  test_hook_calls++;
  if (test_hook_probe) test_hook_probe();
}

static inline void test_install_hook(void (*probe)(void)) {
  test_hook_calls = 0;
  test_hook_probe = probe;
  nf_current_write_hook.fn = test_hook_fn;
  nf_current_write_hook.ctx = 0;
}
#endif /* NFLIB_TEST_UTIL_H */
