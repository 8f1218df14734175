/* Token bucket refill-and-take arithmetic. */
#include "nflib/token_bucket.h"

#include "nflib/time.h"

/* Bytes earned in `elapsed` ns at `rate` bytes/s, saturating at `cap`. */
static uint64_t earned(uint64_t elapsed, uint64_t rate, uint64_t cap) {
  uint64_t secs = elapsed / NF_NS_PER_SEC, frac_ns = elapsed % NF_NS_PER_SEC;
  if (secs != 0 && secs > cap / rate) return cap;
  uint64_t whole = secs * rate;
  /* frac_ns < 1e9, so frac_ns * rate fits for rate < 1.8e10 bytes/s; above
   * that use the split product to stay exact enough without overflow. */
  uint64_t part = (rate < (1ull << 34)) ? frac_ns * rate / NF_NS_PER_SEC
                                        : frac_ns * (rate / NF_NS_PER_SEC) +
                                              frac_ns * (rate % NF_NS_PER_SEC) / NF_NS_PER_SEC;
  uint64_t total = whole + part;
  return (total < whole || total > cap) ? cap : total;
}

bool nf_token_bucket_take(struct nf_token_bucket *bucket, nf_time_t now, uint64_t rate,
                          uint64_t burst, uint64_t amount) {
  if (bucket->tokens > burst) bucket->tokens = burst;
  if (now > bucket->last_fill && rate > 0) {
    uint64_t elapsed = (uint64_t)(now - bucket->last_fill);
    uint64_t room = burst - bucket->tokens;
    uint64_t add = earned(elapsed, rate, room);
    if (add >= room) {
      bucket->tokens = burst;
      bucket->last_fill = now;
    } else if (add > 0) {
      /* Advance last_fill only by the time these whole bytes took, so the
       * fractional byte carries over and the long-run rate is exact. */
      bucket->tokens += add;
      uint64_t used_ns = (add < (1ull << 33) && rate < (1ull << 34))
                             ? (add * NF_NS_PER_SEC + rate - 1) / rate
                             : elapsed;
      if (used_ns > elapsed) used_ns = elapsed;
      bucket->last_fill += (nf_time_t)used_ns;
    }
  } else if (rate == 0 && now > bucket->last_fill) {
    bucket->last_fill = now;
  }
  if (bucket->tokens < amount) return false;
  bucket->tokens -= amount;
  return true;
}
