/* Token bucket arithmetic (pure, no state of its own: buckets live in vectors). */
#ifndef NFLIB_TOKEN_BUCKET_H
#define NFLIB_TOKEN_BUCKET_H

#include "nflib/time.h"
#include "nflib/types.h"

struct nf_token_bucket {
  uint64_t tokens;     /* bytes available */
  nf_time_t last_fill; /* time of the last refill */
};

/* Refills at rate bytes/s up to burst, then takes `amount` bytes if available.
 * Returns true (and debits) when the packet conforms. Over any interval the
 * bytes accepted are at most burst + rate * elapsed / 1e9 (the fraction of a
 * byte earned is carried in last_fill, not lost). Pure: no nf_before_write();
 * the bucket is a copy borrowed from a vector and returned by the NF. Any
 * times are accepted (no overflow); a time before last_fill refills nothing.
 *
 * The rate bound is the contract's `credit` clause: the bytes gained (tokens
 * left plus the bytes taken, minus the tokens before, capped at burst) are at
 * most rate times the advance of last_fill, and last_fill never passes `now`;
 * summed over calls, accepted <= burst + rate * (now - first last_fill) / 1e9. */
/*@ requires \valid(bucket);
    assigns *bucket;
    ensures bucket->tokens <= burst;
    ensures bucket->last_fill >= \old(bucket->last_fill);
    ensures bucket->last_fill <= \max(now, \old(bucket->last_fill));
    ensures \result ==> bucket->tokens + amount <= burst;
    ensures credit:
      (bucket->tokens + (\result ? amount : 0) - \min(\old(bucket->tokens), burst)) *
        NF_NS_PER_SEC <= (bucket->last_fill - \old(bucket->last_fill)) * rate;
    behavior conforms:
      assumes amount == 0;
      ensures \result == \true;
    behavior refuses:
      assumes amount > 0;
      ensures !\result ==> bucket->tokens < amount;
      ensures !\result ==> bucket->tokens >= \min(\old(bucket->tokens), burst);
*/
bool nf_token_bucket_take(struct nf_token_bucket *bucket, nf_time_t now, uint64_t rate,
                          uint64_t burst, uint64_t amount);

#endif /* NFLIB_TOKEN_BUCKET_H */
