/* Token bucket refill-and-take arithmetic. Proved with Frama-C WP
 * (docs/VERIFICATION.md, //nflib:verify_token_bucket). */
#include "nflib/token_bucket.h"

#include "nflib/time.h"

/* floor(frac_ns * rate / 1e9) for frac_ns < 1e9, for any rate without
 * overflow: frac_ns * (rate / 1e9) + frac_ns * (rate % 1e9) / 1e9. */
/*@ requires frac_ns < NF_NS_PER_SEC;
    assigns \nothing;
    ensures \result * NF_NS_PER_SEC <= frac_ns * rate < (\result + 1) * NF_NS_PER_SEC; */
static uint64_t frac_bytes(uint64_t frac_ns, uint64_t rate) {
  uint64_t rate_hi = rate / NF_NS_PER_SEC, rate_lo = rate % NF_NS_PER_SEC;
  /*@ assert rate == rate_hi * NF_NS_PER_SEC + rate_lo; */
  /*@ assert rate_hi <= 18446744073 && rate_lo < NF_NS_PER_SEC; */
  /*@ assert frac_ns * rate_hi <= 999999999 * 18446744073; */
  /*@ assert frac_ns * rate_lo < NF_NS_PER_SEC * NF_NS_PER_SEC; */
  uint64_t lo = frac_ns * rate_lo / NF_NS_PER_SEC;
  /*@ assert lo * NF_NS_PER_SEC <= frac_ns * rate_lo < (lo + 1) * NF_NS_PER_SEC; */
  /*@ assert frac_ns * rate == frac_ns * rate_hi * NF_NS_PER_SEC + frac_ns * rate_lo; */
  return frac_ns * rate_hi + lo;
}

/* Bytes earned in `elapsed` ns at `rate` bytes/s, saturating at `cap`: never
 * more than the exact amount elapsed * rate / 1e9. */
/*@ requires rate > 0;
    assigns \nothing;
    ensures \result <= cap;
    ensures \result * NF_NS_PER_SEC <= elapsed * rate; */
static uint64_t earned(uint64_t elapsed, uint64_t rate, uint64_t cap) {
  uint64_t secs = elapsed / NF_NS_PER_SEC, frac_ns = elapsed % NF_NS_PER_SEC;
  /*@ assert elapsed == secs * NF_NS_PER_SEC + frac_ns; */
  if (secs > cap / rate) {
    /*@ assert secs >= cap / rate + 1; */
    /*@ assert secs * rate >= (cap / rate + 1) * rate; */
    /*@ assert cap < secs * rate; */
    return cap;
  }
  /*@ assert secs * rate <= (cap / rate) * rate <= cap; */
  uint64_t whole = secs * rate;
  uint64_t part = frac_bytes(frac_ns, rate);
  /*@ assert part * NF_NS_PER_SEC <= frac_ns * rate; */
  /*@ assert elapsed * rate == secs * rate * NF_NS_PER_SEC + frac_ns * rate; */
  if (part > cap - whole) return cap;
  return whole + part;
}

/* later - earlier for any later > earlier, without signed overflow (the
 * difference of two int64 can exceed INT64_MAX, never UINT64_MAX). */
/*@ requires later > earlier;
    assigns \nothing;
    ensures \result == later - earlier; */
static uint64_t time_diff(nf_time_t later, nf_time_t earlier) {
  if (earlier >= 0 || later < 0) return (uint64_t)(later - earlier);
  return (uint64_t)later + (uint64_t)(-(earlier + 1)) + 1;
}

bool nf_token_bucket_take(struct nf_token_bucket *bucket, nf_time_t now, uint64_t rate,
                          uint64_t burst, uint64_t amount) {
  if (bucket->tokens > burst) bucket->tokens = burst;
  if (now > bucket->last_fill && rate > 0) {
    /* Exact, even where the signed difference would overflow. */
    uint64_t elapsed = time_diff(now, bucket->last_fill);
    uint64_t room = burst - bucket->tokens;
    uint64_t add = earned(elapsed, rate, room);
    if (add >= room) {
      bucket->tokens = burst;
      bucket->last_fill = now;
    } else if (add > 0) {
      bucket->tokens += add;
      if (add < (1ull << 33) && rate < (1ull << 34)) {
        /* Advance last_fill only by the time these whole bytes took, so the
         * fractional byte carries over and the long-run rate is exact. */
        uint64_t used_ns = (add * NF_NS_PER_SEC + rate - 1) / rate;
        /*@ assert used_ns * rate >= add * NF_NS_PER_SEC; */
        /*@ assert used_ns <= add * NF_NS_PER_SEC + rate - 1; */
        if (used_ns > elapsed) used_ns = elapsed;
        bucket->last_fill += (nf_time_t)used_ns;
      } else {
        bucket->last_fill = now;
      }
    }
  } else if (rate == 0 && now > bucket->last_fill) {
    bucket->last_fill = now;
  }
  if (bucket->tokens < amount) return false;
  bucket->tokens -= amount;
  return true;
}
