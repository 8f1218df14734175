/* Count-min sketch with per-counter expiry. Row r uses the slot
 * (h1 + r * h2) mod width (Kirsch-Mitzenmacher double hashing) where h1 and h2
 * are two independently seeded hashes of the key. */
#include "nflib/sketch.h"

#include <stdlib.h>

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

#define MAX_DEPTH 16
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

struct nf_sketch *nf_sketch_create(const char *name, uint32_t width, uint32_t depth,
                                   uint32_t key_size, nf_time_t expiry) {
  if (width == 0 || (width & (width - 1)) != 0 || width > (1u << 28)) return NULL;
  if (depth == 0 || depth > MAX_DEPTH || key_size == 0 || expiry <= 0) return NULL;
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

static void row_slots(const struct nf_sketch *s, const void *key, uint32_t *slots) {
  uint32_t h1 = nf_hash_bytes_seeded(key, s->key_size, SEED_1);
  uint32_t h2 = nf_hash_bytes_seeded(key, s->key_size, SEED_2) | 1u;
  for (uint32_t r = 0; r < s->depth; r++)
    slots[r] = r * s->width + ((h1 + r * h2) & (s->width - 1));
}

/* Time since `last`, exact for any two nf_time_t values (0 when now <= last):
 * the signed difference would overflow for stamps far apart. */
static inline uint64_t elapsed_since(nf_time_t now, nf_time_t last) {
  return now > last ? (uint64_t)now - (uint64_t)last : 0;
}

/* A counter is live while less than `expiry` has passed since its last
 * increment; estimate and expire agree on this boundary. */
static inline bool is_live(const struct nf_sketch *s, const struct nf_sketch_counter *c,
                           nf_time_t now) {
  return c->count != 0 && elapsed_since(now, c->last) < (uint64_t)s->expiry;
}

uint32_t nf_sketch_estimate(const struct nf_sketch *sketch, const void *key, nf_time_t now) {
  uint32_t slots[MAX_DEPTH];
  row_slots(sketch, key, slots);
  uint32_t min = UINT32_MAX;
  for (uint32_t r = 0; r < sketch->depth; r++) {
    const struct nf_sketch_counter *c = &sketch->counters[slots[r]];
    uint32_t v = is_live(sketch, c, now) ? c->count : 0;
    if (v < min) min = v;
  }
  return min;
}

void nf_sketch_increment(struct nf_sketch *sketch, const void *key, nf_time_t now) {
  uint32_t slots[MAX_DEPTH];
  row_slots(sketch, key, slots);
  nf_before_write_to(sketch);
  for (uint32_t r = 0; r < sketch->depth; r++) {
    struct nf_sketch_counter *c = &sketch->counters[slots[r]];
    if (!is_live(sketch, c, now)) c->count = 0;
    if (c->count != UINT32_MAX) c->count++;
    c->last = now;
  }
}

void nf_sketch_expire(struct nf_sketch *sketch, nf_time_t now) {
  size_t total = (size_t)sketch->width * sketch->depth;
  bool hooked = false;
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
