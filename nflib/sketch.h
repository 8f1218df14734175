/* Count-min sketch of `depth` rows x `width` counters over a key struct, whose
 * counters expire: a counter not touched for `expiry` ns reads as zero. */
#ifndef NFLIB_SKETCH_H
#define NFLIB_SKETCH_H

#include "nflib/sketch_limits.h"
#include "nflib/types.h"

struct nf_sketch;

/* Abstract model: nf_sketch_run(s, key, now) is the exact number of increments
 * of key since its last gap of >= expiry between increments (0 once key has
 * been idle for expiry); estimates never undercount it.
 * Two ghost regions of their own, as the dchain's and the vector's (dchain.h):
 * nf_sketch_shape holds what create sets and nothing else changes (live, key
 * size), nf_sketch_heap the counters. So an operation on another kind of
 * object (map, dchain, ...) leaves every sketch as it was, and increment or
 * expire on one sketch leaves every sketch live with its key size (the NF
 * state invariants that name two sketches, e.g. an IPv4 and an IPv6 one).
 * Only create and destroy assign nf_sketch_shape (and nf_heap).
 * sketch.c defines NF_SKETCH_IMPL and the model over its representation
 * instead (the refinement, docs/VERIFICATION.md): NF_SKETCH_STATE is the
 * counters' memory (assigns clauses), and the NF_SKETCH_*_POST clauses are
 * replaced by what WP proves of the counters: estimate and increment by \true
 * (the history relation nf_sketch_run needs ghost state: not proved, tested by
 * sketch_test), increment never lowers a counter's value at `now`, expire
 * changes no counter's value at any t >= now. */
/*@ ghost extern int nf_sketch_shape; */
/*@ ghost extern int nf_sketch_heap; */
#ifndef NF_SKETCH_IMPL
/*@ axiomatic nf_sketch_model {
      predicate nf_sketch_live{L}(struct nf_sketch *s) reads nf_sketch_shape;
      logic integer nf_sketch_key_size{L}(struct nf_sketch *s) reads nf_sketch_shape;
      logic integer nf_sketch_run{L}(struct nf_sketch *s, uint8_t *key, nf_time_t now)
        reads nf_sketch_shape, nf_sketch_heap;
    }
*/
/* Not clang-formatted: it splits ACSL's `==>` into `== >`, which Frama-C rejects. */
/* clang-format off */
#define NF_SKETCH_STATE(s) nf_sketch_heap
#define NF_SKETCH_ESTIMATE_POST(s, key, now) \
  (\result >= nf_sketch_run(s, key, now) || \result == UINT32_MAX)
#define NF_SKETCH_INCREMENT_POST(s, key, now) \
  (nf_sketch_run(s, key, now) == \old(nf_sketch_run(s, key, now)) + 1)
#define NF_SKETCH_EXPIRE_POST(s, now)           \
  (\forall uint8_t *k, nf_time_t t; t >= now ==> \
     nf_sketch_run(s, k, t) == \old(nf_sketch_run(s, k, t)))
/* clang-format on */
#endif

/* width: a power of two, at most NF_SKETCH_WIDTH_MAX; depth in
 * [1, NF_SKETCH_DEPTH_MAX]; key_size >= 1; expiry > 0. NULL on bad arguments
 * or no memory. */
/*@ requires name == \null || \valid_read(name);
    assigns nf_heap, nf_sketch_shape, nf_sketch_heap, \result \from width, depth, key_size, expiry;
    ensures \result == \null ||
      (nf_sketch_live(\result) && nf_sketch_key_size(\result) == key_size);
    ensures depth == 0 || depth > NF_SKETCH_DEPTH_MAX || key_size == 0 || expiry <= 0 ==>
      \result == \null;
    ensures width == 0 || width > NF_SKETCH_WIDTH_MAX ==> \result == \null; */
struct nf_sketch *nf_sketch_create(const char *name, uint32_t width, uint32_t depth,
                                   uint32_t key_size, nf_time_t expiry);
/*@ requires sketch == \null || nf_sketch_live(sketch);
    assigns nf_heap, nf_sketch_shape, nf_sketch_heap; */
void nf_sketch_destroy(struct nf_sketch *sketch);

/* READ. Estimate (min over rows) of the count of key at time now. A counter
 * last incremented at t reads as 0 when now - t >= expiry. */
/*@ requires nf_sketch_live(sketch);
    requires nf_bytes_readable((uint8_t *)key, nf_sketch_key_size(sketch));
    assigns \nothing;
    ensures NF_SKETCH_ESTIMATE_POST(sketch, (uint8_t *)key, now); */
uint32_t nf_sketch_estimate(const struct nf_sketch *sketch, const void *key, nf_time_t now);

/* WRITE. Adds one to key's counters (restarting expired ones from 0,
 * saturating at UINT32_MAX) and refreshes their timestamps. */
/*@ requires nf_sketch_live(sketch);
    requires nf_bytes_readable((uint8_t *)key, nf_sketch_key_size(sketch));
    assigns NF_SKETCH_STATE(sketch);
    ensures nf_sketch_live(sketch);
    ensures NF_SKETCH_INCREMENT_POST(sketch, (uint8_t *)key, now); */
void nf_sketch_increment(struct nf_sketch *sketch, const void *key, nf_time_t now);

/* EXPIRE. Zeroes counters that read as 0 at now (expiry or more since their last
 * increment), so no estimate changes: this only resets memory. Scans
 * width * depth counters; calls nf_before_write() only if it zeroes one. */
/*@ requires nf_sketch_live(sketch);
    assigns NF_SKETCH_STATE(sketch);
    ensures nf_sketch_live(sketch);
    ensures NF_SKETCH_EXPIRE_POST(sketch, now); */
void nf_sketch_expire(struct nf_sketch *sketch, nf_time_t now);

#endif /* NFLIB_SKETCH_H */
