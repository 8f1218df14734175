/* Open-addressing hash map with linear probing kept in Robin Hood order: the
 * entries of every cluster are sorted by home slot, so a lookup stops at the
 * first slot whose entry is closer to its home than the key would be.
 *
 * Layout: a dense array of 32-bit hash tags (0 = empty slot), probed first,
 * and a parallel array of entries {value, key}. A miss usually reads one cache
 * line of tags and no key; a hit reads the tag line and one entry, whose line
 * is prefetched together with the tags. Erase shifts the following entries
 * back (no tombstones), so probe lengths never degrade. */
#include "nflib/map.h"

#include <stdlib.h>
#include <string.h>

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

#define TAG_BIT 0x80000000u
#define MAX_SLOTS (1u << 30)

/* Probes walk consecutive slots: fetching the lines at the home slot early
 * overlaps the tag and entry cache misses (a no-op for the proof tools). */
#if defined(__GNUC__) && !defined(__FRAMAC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

struct nf_map {
  uint32_t *tags;   /* slot count; hash | TAG_BIT, or 0 when the slot is empty */
  uint8_t *entries; /* slot count * stride: int32 value, then the key */
  uint32_t mask;    /* slot count - 1 (slot count a power of two >= capacity) */
  uint32_t stride;  /* bytes per entry */
  uint32_t key_size;
  uint32_t capacity;
  uint32_t size;
  nf_key_hash_fn hash;
  nf_key_eq_fn eq;
};

static inline uint8_t *entry_at(const struct nf_map *map, uint32_t i) {
  return map->entries + (size_t)i * map->stride;
}

static inline int32_t entry_value(const uint8_t *entry) {
  int32_t v;
  memcpy(&v, entry, sizeof(v));
  return v;
}

/* How far slot i is from the home slot of the tag stored in it. */
static inline uint32_t displacement(const struct nf_map *map, uint32_t i, uint32_t tag) {
  return (i - tag) & map->mask;
}

struct nf_map *nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                             nf_key_hash_fn hash, nf_key_eq_fn eq) {
  if (capacity == 0 || (capacity & (capacity - 1)) != 0) return NULL;
  if (key_size == 0 || key_size > 4096 || !hash || !eq) return NULL;
  uint32_t resolved;
  int32_t base_unused;
  nf_instance_resolve(name, capacity, &resolved, &base_unused);
  if (resolved == 0 || resolved > MAX_SLOTS) return NULL;
  uint32_t slot_count = 1;
  while (slot_count < resolved) slot_count <<= 1;
  struct nf_map *map = calloc(1, sizeof(*map));
  if (!map) return NULL;
  map->stride = (uint32_t)((sizeof(int32_t) + key_size + 3) & ~(size_t)3);
  map->tags = nf_alloc_zeroed((size_t)slot_count * sizeof(uint32_t));
  map->entries = nf_alloc_zeroed((size_t)slot_count * map->stride);
  if (!map->tags || !map->entries) {
    nf_map_destroy(map);
    return NULL;
  }
  map->mask = slot_count - 1;
  map->key_size = key_size;
  map->capacity = resolved;
  map->hash = hash;
  map->eq = eq;
  return map;
}

void nf_map_destroy(struct nf_map *map) {
  if (!map) return;
  free(map->tags);
  free(map->entries);
  free(map);
}

/* Slot holding key (with hash tag `tag`), or -1. */
static inline int64_t find_slot(const struct nf_map *map, const void *key, uint32_t tag) {
  uint32_t i = tag & map->mask;
  PREFETCH(&map->tags[i]);
  PREFETCH(entry_at(map, i));
  for (uint32_t dist = 0; dist <= map->mask; dist++) {
    uint32_t t = map->tags[i];
    if (t == 0 || displacement(map, i, t) < dist) return -1;
    if (t == tag && map->eq(entry_at(map, i) + sizeof(int32_t), key)) return i;
    i = (i + 1) & map->mask;
  }
  return -1;
}

bool nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out) {
  uint32_t tag = map->hash(key) | TAG_BIT;
  int64_t i = find_slot(map, key, tag);
  if (i < 0) return false;
  *value_out = entry_value(entry_at(map, (uint32_t)i));
  return true;
}

/* Moves slots [from, to) to [from + 1, to + 1); no wrap-around. */
static inline void shift_up(const struct nf_map *map, uint32_t from, uint32_t to) {
  if (to <= from) return;
  memmove(&map->tags[from + 1], &map->tags[from], (size_t)(to - from) * sizeof(uint32_t));
  memmove(entry_at(map, from + 1), entry_at(map, from), (size_t)(to - from) * map->stride);
}

static inline void copy_slot(const struct nf_map *map, uint32_t dst, uint32_t src) {
  map->tags[dst] = map->tags[src];
  memcpy(entry_at(map, dst), entry_at(map, src), map->stride);
}

int nf_map_put(struct nf_map *map, const void *key, int32_t value) {
  uint32_t tag = map->hash(key) | TAG_BIT;
  if (find_slot(map, key, tag) >= 0) return NF_EXISTS;
  if (map->size >= map->capacity) return NF_FULL;
  nf_before_write();
  /* Insertion point: the first slot that is empty or whose entry is closer to
   * its home than we are (its home comes after ours), keeping clusters sorted. */
  uint32_t i = tag & map->mask;
  for (uint32_t dist = 0;; dist++) {
    uint32_t t = map->tags[i];
    if (t == 0 || displacement(map, i, t) < dist) break;
    i = (i + 1) & map->mask;
  }
  /* Shift [i, next empty) forward by one slot. size < slot count, so an empty
   * slot exists. */
  uint32_t j = i;
  while (map->tags[j] != 0) j = (j + 1) & map->mask;
  if (j < i) { /* the run wraps: move [0, j) up, the last slot to 0, then [i, end) */
    shift_up(map, 0, j);
    copy_slot(map, 0, map->mask);
    j = map->mask;
  }
  shift_up(map, i, j);
  map->tags[i] = tag;
  uint8_t *e = entry_at(map, i);
  memcpy(e, &value, sizeof(value));
  memcpy(e + sizeof(int32_t), key, map->key_size);
  map->size++;
  return NF_OK;
}

int nf_map_erase(struct nf_map *map, const void *key) {
  uint32_t tag = map->hash(key) | TAG_BIT;
  int64_t found = find_slot(map, key, tag);
  if (found < 0) return NF_NOT_FOUND;
  nf_before_write();
  /* Backward-shift deletion: pull back every following entry that is not at
   * its home slot, until an empty slot or an entry at home. */
  uint32_t i = (uint32_t)found;
  for (;;) {
    uint32_t next = (i + 1) & map->mask;
    uint32_t t = map->tags[next];
    if (t == 0 || displacement(map, next, t) == 0) break;
    copy_slot(map, i, next);
    i = next;
  }
  map->tags[i] = 0;
  memset(entry_at(map, i), 0, map->stride);
  map->size--;
  return NF_OK;
}

uint32_t nf_map_size(const struct nf_map *map) {
  return map->size;
}

uint32_t nf_map_capacity(const struct nf_map *map) {
  return map->capacity;
}
