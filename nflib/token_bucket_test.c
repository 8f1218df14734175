/* Token bucket: burst, long-run rate with tiny refills, clock jitter. */
#include "nflib/test_util.h"
#include "nflib/time.h"
#include "nflib/token_bucket.h"

static void test_burst(void) {
  struct nf_token_bucket b = {1000, 0};
  CHECK(nf_token_bucket_take(&b, 0, 1000, 1000, 600));
  CHECK(!nf_token_bucket_take(&b, 0, 1000, 1000, 600));
  CHECK_EQ(b.tokens, 400);
  /* 0.2 s at 1000 B/s = 200 bytes. */
  CHECK(nf_token_bucket_take(&b, NF_NS_PER_SEC / 5, 1000, 1000, 600));
  CHECK_EQ(b.tokens, 0);
  /* Long idle: capped at burst. */
  CHECK(nf_token_bucket_take(&b, 1000 * NF_NS_PER_SEC, 1000, 1000, 1000));
  CHECK(!nf_token_bucket_take(&b, 1000 * NF_NS_PER_SEC, 1000, 1000, 1));
  /* Time going backwards changes nothing. */
  CHECK(!nf_token_bucket_take(&b, 5, 1000, 1000, 1));
  /* Rate 0: never refills. */
  struct nf_token_bucket z = {0, 0};
  CHECK(!nf_token_bucket_take(&z, 100 * NF_NS_PER_SEC, 0, 1000, 1));
}

/* Calls every 1 us at 1 MB/s credit 1 byte each: the long-run rate must be
 * exact even though no single call earns a fraction. */
static void test_long_run(uint64_t seed) {
  struct test_rng rng = {seed};
  const uint64_t rate = 1000000, burst = 1500;
  struct nf_token_bucket b = {burst, 0};
  uint64_t sent = 0;
  nf_time_t now = 0;
  for (uint32_t i = 0; i < 1000000; i++) {
    now += 300 + rng_below(&rng, 1400);
    uint64_t size = 1 + rng_below(&rng, 3);
    if (nf_token_bucket_take(&b, now, rate, burst, size)) sent += size;
  }
  /* Allowed: burst + rate * time (+1 rounding byte per second at most). */
  uint64_t allowed = burst + (uint64_t)((double)rate * now / NF_NS_PER_SEC);
  CHECK(sent <= allowed);
  CHECK(sent + 3 * 1000 >= allowed - burst); /* saturated sender gets the rate */
}

/* Huge rates and times do not overflow. */
static void test_large(void) {
  struct nf_token_bucket b = {0, 0};
  uint64_t rate = 100ull * 1000 * 1000 * 1000; /* 100 GB/s */
  CHECK(nf_token_bucket_take(&b, 1000000 * NF_NS_PER_SEC, rate, UINT64_MAX / 2, rate));
  CHECK(b.tokens > 0);
  struct nf_token_bucket c = {0, 0};
  CHECK(nf_token_bucket_take(&c, NF_NS_PER_SEC / 2, rate, UINT64_MAX / 2, rate / 2));
  CHECK_EQ(c.tokens, 0);
}

/* Times whose difference exceeds INT64_MAX (a bucket never filled, stamped
 * INT64_MIN) refill exactly like any long idle period: no overflow (the
 * _asan build traps signed overflow). */
static void test_extreme_times(void) {
  struct nf_token_bucket b = {0, INT64_MIN};
  CHECK(nf_token_bucket_take(&b, INT64_MAX, 1000, 1000, 1000));
  CHECK_EQ(b.last_fill, INT64_MAX);
  CHECK(!nf_token_bucket_take(&b, INT64_MAX, 1000, 1000, 1));
  struct nf_token_bucket c = {0, INT64_MIN};
  CHECK(nf_token_bucket_take(&c, 1, 1ull << 40, UINT64_MAX, 1));
  CHECK_EQ(c.last_fill, 1);
  /* A clock far in the past: nothing earned, nothing changed. */
  struct nf_token_bucket d = {5, INT64_MAX};
  CHECK(!nf_token_bucket_take(&d, INT64_MIN, 1000, 1000, 6));
  CHECK_EQ(d.tokens, 5);
  CHECK_EQ(d.last_fill, INT64_MAX);
}

int main(void) {
  test_extreme_times();
  test_burst();
  test_long_run(81);
  test_large();
  CHECK(nf_time_now() > 0);
  printf("token_bucket_test: OK\n");
  return 0;
}
