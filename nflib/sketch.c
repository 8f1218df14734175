/* Count-min sketch with per-counter expiry. Row r uses the slot
 * (h1 + r * h2) mod width (Kirsch-Mitzenmacher double hashing) where h1 and h2
 * are two independently seeded hashes of the key. */
#include <stdlib.h>

#include "nflib/sketch_limits.h"
#include "nflib/types.h"

#define SEED_1 0x5bd1e995u
#define SEED_2 0x1b873593u

struct nf_sketch_counter {
  uint32_t count;
  nf_time_t last; /* last increment */
};

struct nf_sketch {
  struct nf_sketch_counter *counters; /* depth rows of width counters */
  uint32_t width;
  uint32_t depth;
  uint32_t key_size;
  nf_time_t expiry;
};

/* The model of sketch.h over this representation (what WP proves the
 * contracts against): the arguments create checks, and width * depth valid
 * counters separate from the struct. nf_sketch_value is what a counter reads
 * as at time t (0 once expiry has passed since its last increment). */
/*@ predicate nf_sketch_live{L}(struct nf_sketch *s) =
      \valid(s) && 1 <= s->width <= NF_SKETCH_WIDTH_MAX && 1 <= s->depth <= NF_SKETCH_DEPTH_MAX &&
      s->key_size >= 1 && s->expiry > 0 &&
      \valid(s->counters + (0 .. s->width * s->depth - 1)) &&
      \separated(s, s->counters + (0 .. s->width * s->depth - 1));
    logic integer nf_sketch_key_size{L}(struct nf_sketch *s) = s->key_size;
    logic integer nf_sketch_elapsed(integer now, integer last) =
      now > last ? now - last : 0;
    predicate nf_sketch_counter_live{L}(struct nf_sketch_counter *c, integer expiry,
                                        integer t) =
      c->count != 0 && nf_sketch_elapsed(t, c->last) < expiry;
    logic integer nf_sketch_value{L}(struct nf_sketch *s, integer i, integer t) =
      s->counters[i].count != 0 && nf_sketch_elapsed(t, s->counters[i].last) < s->expiry ?
        s->counters[i].count : 0;
*/
/* Assumed (the provers know no bound on a bitwise and): a & m never exceeds
 * m for non-negative a and m. nf_masked names it, so that WP includes the
 * axiom where a goal uses it. */
/*@ axiomatic nf_sketch_bits {
      logic integer nf_masked(integer a, integer m) = a & m;
      axiom nf_masked_bound: \forall integer a, m;
        0 <= a && 0 <= m ==> 0 <= nf_masked(a, m) <= m && 0 <= nf_masked(m, a) <= m;
    }
*/
/* clang-format off */
#define NF_SKETCH_STATE(s) (s)->counters[0 .. (s)->width * (s)->depth - 1]
#define NF_SKETCH_ESTIMATE_POST(s, key, now) (\result <= UINT32_MAX)
#define NF_SKETCH_INCREMENT_POST(s, key, now)                            \
  (\forall integer i; 0 <= i < (s)->width * (s)->depth ==>               \
     nf_sketch_value(s, i, now) >= \old(nf_sketch_value(s, i, now)))
#define NF_SKETCH_EXPIRE_POST(s, now)                                    \
  (\forall integer i, t; 0 <= i < (s)->width * (s)->depth && t >= now ==> \
     nf_sketch_value(s, i, t) == \old(nf_sketch_value(s, i, t)))
/* The struct's fields are those of the function's pre-state (loops). */
#define NF_SKETCH_SAME_SHAPE(s)                                              \
  ((s)->counters == \at((s)->counters, Pre) && (s)->width == \at((s)->width, Pre) && \
   (s)->depth == \at((s)->depth, Pre) && (s)->expiry == \at((s)->expiry, Pre))
#define NF_SKETCH_STATE_AT_PRE(s) \
  \at((s)->counters, Pre)[0 .. \at((s)->width * (s)->depth, Pre) - 1]
/* clang-format on */
#define NF_SKETCH_IMPL
#include "nflib/sketch.h"

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

struct nf_sketch *nf_sketch_create(const char *name, uint32_t width, uint32_t depth,
                                   uint32_t key_size, nf_time_t expiry) {
  if (width == 0 || (width & (width - 1)) != 0 || width > NF_SKETCH_WIDTH_MAX) return NULL;
  if (depth == 0 || depth > NF_SKETCH_DEPTH_MAX || key_size == 0 || expiry <= 0) return NULL;
  struct nf_sketch *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base_unused;
  /* A sketch is sized by its width; a layout may only replicate or share it. */
  nf_instance_resolve(name, width, &resolved, &base_unused);
  (void)resolved;
  struct nf_sketch *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->counters = nf_alloc_zeroed((size_t)width * depth * sizeof(*s->counters));
  if (!s->counters) {
    free(s);
    return NULL;
  }
  s->width = width;
  s->depth = depth;
  s->key_size = key_size;
  s->expiry = expiry;
  nf_instance_publish(name, s);
  return s;
}

void nf_sketch_destroy(struct nf_sketch *sketch) {
  if (!sketch) return;
  free(sketch->counters);
  free(sketch);
}

/* Slot r lies in row r. */
/*@ requires nf_sketch_live(s);
    requires \valid_read((uint8_t *)key + (0 .. s->key_size - 1));
    requires \valid(slots + (0 .. s->depth - 1));
    requires \separated(slots + (0 .. s->depth - 1), s);
    assigns slots[0 .. s->depth - 1];
    ensures \forall integer r; 0 <= r < s->depth ==>
      r * s->width <= slots[r] < (r + 1) * s->width; */
static void row_slots(const struct nf_sketch *s, const void *key, uint32_t *slots) {
  uint32_t h1 = nf_hash_bytes_seeded(key, s->key_size, SEED_1);
  uint32_t h2 = nf_hash_bytes_seeded(key, s->key_size, SEED_2) | 1u;
  uint32_t mask = s->width - 1;
  uint32_t row = 0; /* r * width */
  /*@ loop invariant s->depth == \at(s->depth, Pre) && s->width == \at(s->width, Pre);
      loop invariant 0 <= r <= s->depth && (r < s->depth ==> row == r * s->width);
      loop invariant \forall integer j; 0 <= j < r ==>
        j * s->width <= slots[j] < (j + 1) * s->width;
      loop assigns r, row, slots[0 .. \at(s->depth, Pre) - 1];
      loop variant s->depth - r; */
  for (uint32_t r = 0; r < s->depth; r++) {
    uint32_t mixed = h1 + r * h2;
    uint32_t offset = mixed & mask;
    /*@ assert offset == nf_masked(mixed, mask) || offset == nf_masked(mask, mixed); */
    /*@ assert offset <= mask; */
    /*@ assert row + s->width == (r + 1) * s->width <= NF_SKETCH_DEPTH_MAX * NF_SKETCH_WIDTH_MAX; */
    slots[r] = row + offset;
    row += s->width;
  }
}

/* Time since `last`, exact for any two nf_time_t values (0 when now <= last):
 * the signed difference would overflow for stamps far apart. */
/*@ assigns \nothing;
    ensures \result == nf_sketch_elapsed(now, last); */
static inline uint64_t elapsed_since(nf_time_t now, nf_time_t last) {
  if (now <= last) return 0;
  /* Split so that no negative value is converted (WP knows the unsigned
   * conversion of in-range values only); gcc -O2 emits the same code as
   * (uint64_t)now - (uint64_t)last. */
  if (last >= 0 || now < 0) return (uint64_t)(now - last);
  return (uint64_t)now + (uint64_t)(-(last + 1)) + 1;
}

/* A counter is live while less than `expiry` has passed since its last
 * increment; estimate and expire agree on this boundary. */
/*@ requires \valid_read(s) && \valid_read(c) && s->expiry > 0;
    assigns \nothing;
    ensures \result <==> nf_sketch_counter_live(c, s->expiry, now); */
static inline bool is_live(const struct nf_sketch *s, const struct nf_sketch_counter *c,
                           nf_time_t now) {
  return c->count != 0 && elapsed_since(now, c->last) < (uint64_t)s->expiry;
}

uint32_t nf_sketch_estimate(const struct nf_sketch *sketch, const void *key, nf_time_t now) {
  uint32_t slots[NF_SKETCH_DEPTH_MAX];
  row_slots(sketch, key, slots);
  uint32_t min = UINT32_MAX;
  /*@ loop invariant 0 <= r <= sketch->depth;
      loop assigns r, min;
      loop variant sketch->depth - r; */
  for (uint32_t r = 0; r < sketch->depth; r++) {
    /*@ assert (r + 1) * sketch->width <= sketch->depth * sketch->width; */
    const struct nf_sketch_counter *c = &sketch->counters[slots[r]];
    uint32_t v = is_live(sketch, c, now) ? c->count : 0;
    if (v < min) min = v;
  }
  return min;
}

void nf_sketch_increment(struct nf_sketch *sketch, const void *key, nf_time_t now) {
  uint32_t slots[NF_SKETCH_DEPTH_MAX];
  row_slots(sketch, key, slots);
  nf_before_write_to(sketch);
  /*@ loop invariant 0 <= r <= sketch->depth;
      loop invariant \forall integer i; 0 <= i < sketch->width * sketch->depth ==>
        nf_sketch_value(sketch, i, now) >= \at(nf_sketch_value(sketch, i, now), Pre);
      loop invariant nf_sketch_live(sketch) && NF_SKETCH_SAME_SHAPE(sketch);
      loop assigns r, NF_SKETCH_STATE_AT_PRE(sketch);
      loop variant sketch->depth - r; */
  for (uint32_t r = 0; r < sketch->depth; r++) {
    /*@ assert (r + 1) * sketch->width <= sketch->depth * sketch->width; */
    struct nf_sketch_counter *c = &sketch->counters[slots[r]];
    if (!is_live(sketch, c, now)) c->count = 0;
    if (c->count != UINT32_MAX) c->count++;
    c->last = now;
  }
}

void nf_sketch_expire(struct nf_sketch *sketch, nf_time_t now) {
  size_t total = (size_t)sketch->width * sketch->depth;
  bool hooked = false;
  /*@ loop invariant 0 <= i <= total && total == sketch->width * sketch->depth;
      loop invariant \forall integer j, t; 0 <= j < total && t >= now ==>
        nf_sketch_value(sketch, j, t) == \at(nf_sketch_value(sketch, j, t), Pre);
      loop invariant nf_sketch_live(sketch) && NF_SKETCH_SAME_SHAPE(sketch);
      loop assigns i, hooked, NF_SKETCH_STATE_AT_PRE(sketch);
      loop variant total - i; */
  for (size_t i = 0; i < total; i++) {
    struct nf_sketch_counter *c = &sketch->counters[i];
    if (c->count != 0 && !is_live(sketch, c, now)) {
      if (!hooked) {
        nf_before_write_to(sketch);
        hooked = true;
      }
      c->count = 0;
    }
  }
}
