/* Count-min sketch of `depth` rows x `width` counters over a key struct, whose
 * counters expire: a counter not touched for `expiry` ns reads as zero. */
#ifndef NFLIB_SKETCH_H
#define NFLIB_SKETCH_H

#include "nflib/types.h"

struct nf_sketch;

/* width: power of two; depth in [1, 16]. */
struct nf_sketch *nf_sketch_create(const char *name, uint32_t width, uint32_t depth,
                                   uint32_t key_size, nf_time_t expiry);
void nf_sketch_destroy(struct nf_sketch *sketch);

/* READ. Estimate (min over rows) of the count of key at time now. */
uint32_t nf_sketch_estimate(const struct nf_sketch *sketch, const void *key, nf_time_t now);

/* WRITE. Adds one to key's counters and refreshes their timestamps. */
void nf_sketch_increment(struct nf_sketch *sketch, const void *key, nf_time_t now);

/* DESTROY. Zeroes counters not touched since before now - expiry. */
void nf_sketch_expire(struct nf_sketch *sketch, nf_time_t now);

#endif /* NFLIB_SKETCH_H */
