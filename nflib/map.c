/* Bucketized open-addressing hash map: linear probing over buckets of 15
 * slots, per-bucket overflow counts (as in folly's F14 tables) and
 * backward-shift deletion at bucket granularity.
 *
 * Layout: a control array of 32-byte words, one per bucket: fifteen 16-bit
 * slot lanes and, in the sixteenth lane, the bucket's overflow count: how many
 * stored keys have their home bucket before this one (cyclically, this one
 * included) and sit after it, i.e. whose probe passed it. A slot lane is 0
 * when empty, else the key's 15-bit hash tag, with bit 15 (DISPLACED) set
 * when the key is not in its home bucket. A parallel array holds the entries
 * {value, key}, fifteen per bucket. There are 1.25 slots per unit of
 * capacity, so a full map fills 80% of its slots.
 *
 * get compares the fifteen lanes with two SSE2 compares (the tag in the home
 * bucket, tag | DISPLACED further on); a key absent from its home bucket is
 * absent from the map when that bucket's overflow count is 0, so a miss
 * usually reads one 32-byte word and no key, and a hit reads that word and one
 * entry. put takes the first empty slot from the home bucket on, counting
 * itself into the overflow of every full bucket it passes. erase clears the
 * slot, uncounts the key, then refills the hole with a later key whose probe
 * passed it (if any), and so on with the hole that leaves: the layout stays
 * as if the stored keys had been inserted afresh (no tombstones, no drift of
 * probe lengths under churn).
 *
 * A count that reaches 0xffff (65535 keys passing one bucket: a degenerate
 * hash) sticks there: lookups stay correct and keep probing past it. */
#include "nflib/map.h"

#include <stdlib.h>
#include <string.h>

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

#if defined(__SSE2__) && !defined(__FRAMAC__)
#include <emmintrin.h>
#define MAP_SSE2 1
#endif

#define LANES 16         /* 16-bit lanes per control word (32 bytes) */
#define SLOTS 15         /* key slots per bucket: lanes 0 .. SLOTS-1 */
#define OVERFLOW_LANE 15 /* the last lane counts overflowing keys */
#define OVERFLOW_STICKY 0xffffu
#define DISPLACED 0x8000u /* lane bit: the key sits past its home bucket */
#define SLOT_LANES_MASK ((1u << SLOTS) - 1)
#define MAX_CAPACITY (1u << 30)
/* Slots per unit of capacity, as SLACK_NUM / SLACK_DEN: a full map fills
 * SLACK_DEN / SLACK_NUM of its slots. */
#ifndef SLACK_NUM
#define SLACK_NUM 5
#define SLACK_DEN 4
#endif

struct nf_map {
  uint16_t *ctrl;   /* bucket_count * LANES: tags, then the overflow count */
  uint8_t *entries; /* bucket_count * SLOTS * stride: int32 value, then the key */
  uint32_t buckets; /* bucket count, >= 1 (any count: homes use multiply-shift) */
  uint32_t stride;  /* bytes per entry */
  uint32_t key_size;
  uint32_t capacity; /* <= buckets * SLOTS */
  uint32_t size;
  nf_key_hash_fn hash;
  nf_key_eq_fn eq;
};

static inline uint16_t *ctrl_at(const struct nf_map *map, uint32_t bucket) {
  return map->ctrl + (size_t)bucket * LANES;
}

static inline uint8_t *entry_at(const struct nf_map *map, uint32_t bucket, uint32_t lane) {
  return map->entries + ((size_t)bucket * SLOTS + lane) * map->stride;
}

/* The top bits of the hash pick the bucket, the low 15 bits make the tag. */
static inline uint32_t home_of(const struct nf_map *map, uint32_t hash) {
  return (uint32_t)(((uint64_t)hash * map->buckets) >> 32);
}

static inline uint16_t tag_of(uint32_t hash) {
  uint16_t t = (uint16_t)(hash & 0x7fffu);
  return t ? t : 1;
}

static inline uint32_t next_bucket(const struct nf_map *map, uint32_t bucket) {
  return bucket + 1 == map->buckets ? 0 : bucket + 1;
}

/* Buckets from `from` forward to `to` (cyclic). */
static inline uint32_t distance(const struct nf_map *map, uint32_t from, uint32_t to) {
  return to >= from ? to - from : to + map->buckets - from;
}

/* The lane value of a key with this hash and home, stored in `bucket`. */
static inline uint16_t lane_value(uint32_t hash, uint32_t home, uint32_t bucket) {
  return (uint16_t)(tag_of(hash) | (bucket == home ? 0 : DISPLACED));
}

/* Bit l set iff slot lane l (< SLOTS) of the control word holds `tag`
 * (tag 0: iff the slot is empty). */
static inline uint32_t match_lanes(const uint16_t *ctrl, uint16_t tag) {
#ifdef MAP_SSE2
  __m128i want = _mm_set1_epi16((short)tag);
  __m128i lo = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)ctrl), want);
  __m128i hi = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)(ctrl + 8)), want);
  /* one bit per lane: saturating-pack the 16-bit lanes (0 or -1) to bytes */
  uint32_t bits = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(lo, hi));
  return bits & SLOT_LANES_MASK;
#else
  uint32_t bits = 0;
  for (uint32_t l = 0; l < SLOTS; l++)
    if (ctrl[l] == tag) bits |= 1u << l;
  return bits;
#endif
}

/* Bit l set iff slot lane l holds a displaced key. */
static inline uint32_t displaced_lanes(const uint16_t *ctrl) {
  uint32_t bits = 0;
  for (uint32_t l = 0; l < SLOTS; l++)
    if (ctrl[l] & DISPLACED) bits |= 1u << l;
  return bits;
}

static inline uint32_t lowest_lane(uint32_t bits) {
#if defined(__GNUC__) && !defined(__FRAMAC__)
  return (uint32_t)__builtin_ctz(bits);
#else
  uint32_t l = 0;
  while (!(bits & 1u)) {
    bits >>= 1;
    l++;
  }
  return l;
#endif
}

struct nf_map *nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                             nf_key_hash_fn hash, nf_key_eq_fn eq) {
  if (capacity == 0 || (capacity & (capacity - 1)) != 0) return NULL;
  if (key_size == 0 || key_size > 4096 || !hash || !eq) return NULL;
  struct nf_map *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base_unused;
  nf_instance_resolve(name, capacity, &resolved, &base_unused);
  if (resolved == 0 || resolved > MAX_CAPACITY) return NULL;
  struct nf_map *map = calloc(1, sizeof(*map));
  if (!map) return NULL;
  uint64_t slots = ((uint64_t)resolved * SLACK_NUM + SLACK_DEN - 1) / SLACK_DEN;
  map->buckets = (uint32_t)((slots + SLOTS - 1) / SLOTS);
  map->stride = (uint32_t)((sizeof(int32_t) + key_size + 3) & ~(size_t)3);
  map->ctrl = nf_alloc_zeroed((size_t)map->buckets * LANES * sizeof(uint16_t));
  map->entries = nf_alloc_zeroed((size_t)map->buckets * SLOTS * map->stride);
  if (!map->ctrl || !map->entries) {
    nf_map_destroy(map);
    return NULL;
  }
  map->key_size = key_size;
  map->capacity = resolved;
  map->hash = hash;
  map->eq = eq;
  nf_instance_publish(name, map);
  return map;
}

void nf_map_destroy(struct nf_map *map) {
  if (!map) return;
  free(map->ctrl);
  free(map->entries);
  free(map);
}

/* The entry holding key (hash `hash`), or NULL; *bucket_out is its bucket.
 * A probe moves past a bucket only while keys overflowed it, so it visits at
 * most every bucket once. */
static inline uint8_t *find(const struct nf_map *map, const void *key, uint32_t hash,
                            uint32_t *bucket_out, uint32_t *lane_out) {
  uint32_t bucket = home_of(map, hash);
  uint16_t want = tag_of(hash); /* in the home bucket; displaced further on */
  for (uint32_t probes = 0; probes < map->buckets; probes++) {
    const uint16_t *ctrl = ctrl_at(map, bucket);
    for (uint32_t hits = match_lanes(ctrl, want); hits; hits &= hits - 1) {
      uint32_t lane = lowest_lane(hits);
      uint8_t *entry = entry_at(map, bucket, lane);
      if (map->eq(entry + sizeof(int32_t), key)) {
        *bucket_out = bucket;
        *lane_out = lane;
        return entry;
      }
    }
    if (ctrl[OVERFLOW_LANE] == 0) return NULL;
    bucket = next_bucket(map, bucket);
    want = (uint16_t)(tag_of(hash) | DISPLACED);
  }
  return NULL;
}

bool nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out) {
  uint32_t bucket, lane;
  const uint8_t *entry = find(map, key, map->hash(key), &bucket, &lane);
  if (!entry) return false;
  memcpy(value_out, entry, sizeof(int32_t));
  return true;
}

int nf_map_put(struct nf_map *map, const void *key, int32_t value) {
  uint32_t hash = map->hash(key);
  uint32_t found_bucket, found_lane;
  if (find(map, key, hash, &found_bucket, &found_lane)) return NF_EXISTS;
  if (map->size >= map->capacity) return NF_FULL;
  nf_before_write_to(map);
  /* The first empty slot from home on; size < capacity <= slots, so one
   * exists. Every full bucket passed counts the key as overflowing it. */
  uint32_t home = home_of(map, hash);
  uint32_t bucket = home;
  uint32_t empty;
  for (;;) {
    uint16_t *ctrl = ctrl_at(map, bucket);
    empty = match_lanes(ctrl, 0);
    if (empty) break;
    if (ctrl[OVERFLOW_LANE] != OVERFLOW_STICKY) ctrl[OVERFLOW_LANE]++;
    bucket = next_bucket(map, bucket);
  }
  uint32_t lane = lowest_lane(empty);
  ctrl_at(map, bucket)[lane] = lane_value(hash, home, bucket);
  uint8_t *entry = entry_at(map, bucket, lane);
  memcpy(entry, &value, sizeof(value));
  memcpy(entry + sizeof(int32_t), key, map->key_size);
  map->size++;
  return NF_OK;
}

/* Lowers the overflow counts of buckets [from, to) by one (sticky ones stay). */
static inline void uncount(const struct nf_map *map, uint32_t from, uint32_t to) {
  for (uint32_t b = from; b != to; b = next_bucket(map, b)) {
    uint16_t *ctrl = ctrl_at(map, b);
    if (ctrl[OVERFLOW_LANE] != OVERFLOW_STICKY) ctrl[OVERFLOW_LANE]--;
  }
}

/* A key whose probe passed `hole` (home before it, stored after it): scans
 * the buckets after the hole while their predecessors are overflowed. Only
 * displaced keys can qualify; their homes are recomputed from their keys.
 * Returns false when there is none (the hole's count was sticky). */
static bool find_refill(const struct nf_map *map, uint32_t hole, uint32_t *bucket_out,
                        uint32_t *lane_out, uint32_t *hash_out) {
  uint32_t bucket = hole;
  for (uint32_t steps = 1; steps < map->buckets; steps++) {
    if (ctrl_at(map, bucket)[OVERFLOW_LANE] == 0) return false;
    bucket = next_bucket(map, bucket);
    for (uint32_t d = displaced_lanes(ctrl_at(map, bucket)); d; d &= d - 1) {
      uint32_t lane = lowest_lane(d);
      uint32_t hash = map->hash(entry_at(map, bucket, lane) + sizeof(int32_t));
      uint32_t home = home_of(map, hash);
      if (distance(map, home, hole) < distance(map, home, bucket)) {
        *bucket_out = bucket;
        *lane_out = lane;
        *hash_out = hash;
        return true;
      }
    }
  }
  return false;
}

int nf_map_erase(struct nf_map *map, const void *key) {
  uint32_t hash = map->hash(key);
  uint32_t bucket, lane;
  if (!find(map, key, hash, &bucket, &lane)) return NF_NOT_FOUND;
  nf_before_write_to(map);
  /* The entry's bytes stay: an empty lane's entry is never read. */
  ctrl_at(map, bucket)[lane] = 0;
  uncount(map, home_of(map, hash), bucket);
  map->size--;
  /* Backward shift: while a later key's probe passed the hole, move it into
   * the hole (its probe now ends there) and continue with the hole it left. */
  uint32_t from_bucket, from_lane, moved_hash;
  for (uint32_t moves = 0; moves < map->size; moves++) {
    if (ctrl_at(map, bucket)[OVERFLOW_LANE] == 0) break; /* the common case */
    if (!find_refill(map, bucket, &from_bucket, &from_lane, &moved_hash)) break;
    uint8_t *from = entry_at(map, from_bucket, from_lane);
    memcpy(entry_at(map, bucket, lane), from, map->stride);
    ctrl_at(map, bucket)[lane] = lane_value(moved_hash, home_of(map, moved_hash), bucket);
    ctrl_at(map, from_bucket)[from_lane] = 0;
    uncount(map, bucket, from_bucket);
    bucket = from_bucket;
    lane = from_lane;
  }
  return NF_OK;
}

/* Test support, declared by map_test.c (not part of the API in map.h). */
int nf_map_layout_error(const struct nf_map *map);
uint16_t *nf_map_home_overflow(struct nf_map *map, const void *key);

/* 0 when the layout invariants hold, recomputed from the stored keys, else
 * the line of the failed check:
 * - capacity fits the slots; every lane holds its key's tag, DISPLACED iff
 *   the key is not in its home bucket; size counts the occupied lanes;
 * - every bucket a stored key's probe passed is full (erase refilled holes);
 * - every overflow count is exactly the number of stored keys whose probe
 *   from their home passed that bucket, or sticky where that reached 0xffff. */
int nf_map_layout_error(const struct nf_map *map) {
  if (map->capacity > (uint64_t)map->buckets * SLOTS) return __LINE__;
  uint32_t *expected = calloc(map->buckets, sizeof(uint32_t));
  if (!expected) return __LINE__;
  int error = 0;
  uint32_t live = 0;
  for (uint32_t b = 0; b < map->buckets && !error; b++) {
    const uint16_t *ctrl = ctrl_at(map, b);
    for (uint32_t l = 0; l < SLOTS; l++) {
      if (ctrl[l] == 0) continue;
      live++;
      uint32_t hash = map->hash(entry_at(map, b, l) + sizeof(int32_t));
      uint32_t home = home_of(map, hash);
      if (ctrl[l] != lane_value(hash, home, b)) error = __LINE__;
      for (uint32_t x = home; x != b; x = next_bucket(map, x)) {
        expected[x]++;
        if (match_lanes(ctrl_at(map, x), 0) != 0) error = __LINE__; /* a hole it could fill */
      }
    }
  }
  if (!error && live != map->size) error = __LINE__;
  for (uint32_t b = 0; b < map->buckets && !error; b++) {
    uint16_t overflow = ctrl_at(map, b)[OVERFLOW_LANE];
    if (overflow != OVERFLOW_STICKY && overflow != expected[b]) error = __LINE__;
  }
  free(expected);
  return error;
}

/* The overflow count of key's home bucket, for tests that fake a sticky one. */
uint16_t *nf_map_home_overflow(struct nf_map *map, const void *key) {
  return &ctrl_at(map, home_of(map, map->hash(key)))[OVERFLOW_LANE];
}

uint32_t nf_map_size(const struct nf_map *map) {
  return map->size;
}

uint32_t nf_map_capacity(const struct nf_map *map) {
  return map->capacity;
}
