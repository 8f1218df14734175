/* Open-addressing hash map with linear probing kept in Robin Hood order: the
 * entries of every cluster are sorted by home slot, so a lookup stops at the
 * first slot whose entry is closer to its home than the key would be.
 * Each slot holds the key's 32-bit hash tag (0 = empty), the value and the key
 * itself, so a hit usually costs one cache miss. Erase shifts the following
 * entries back (no tombstones). */
#include "nflib/map.h"

#include <stdlib.h>
#include <string.h>

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

#define TAG_BIT 0x80000000u
#define MAX_SLOTS (1u << 30)

struct nf_map_slot {
  uint32_t tag; /* hash | TAG_BIT; 0 when empty */
  int32_t value;
  uint8_t key[];
};

struct nf_map {
  uint8_t *slots;
  uint32_t mask;   /* slot count - 1 (slot count a power of two >= capacity) */
  uint32_t stride; /* bytes per slot */
  uint32_t key_size;
  uint32_t capacity;
  uint32_t size;
  nf_key_hash_fn hash;
  nf_key_eq_fn eq;
};

static inline struct nf_map_slot *slot_at(const struct nf_map *map, uint32_t i) {
  return (struct nf_map_slot *)(map->slots + (size_t)i * map->stride);
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
  map->stride = (uint32_t)((sizeof(struct nf_map_slot) + key_size + 7) & ~(size_t)7);
  map->slots = nf_alloc_zeroed((size_t)slot_count * map->stride);
  if (!map->slots) {
    free(map);
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
  free(map->slots);
  free(map);
}

/* Slot holding key (with hash tag `tag`), or -1. */
static inline int64_t find_slot(const struct nf_map *map, const void *key, uint32_t tag) {
  uint32_t i = tag & map->mask;
  for (uint32_t dist = 0; dist <= map->mask; dist++) {
    const struct nf_map_slot *s = slot_at(map, i);
    uint32_t t = s->tag;
    if (t == 0 || displacement(map, i, t) < dist) return -1;
    if (t == tag && map->eq(s->key, key)) return i;
    i = (i + 1) & map->mask;
  }
  return -1;
}

bool nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out) {
  uint32_t tag = map->hash(key) | TAG_BIT;
  int64_t i = find_slot(map, key, tag);
  if (i < 0) return false;
  *value_out = slot_at(map, (uint32_t)i)->value;
  return true;
}

static inline void copy_slot(const struct nf_map *map, uint32_t dst, uint32_t src) {
  memcpy(slot_at(map, dst), slot_at(map, src), map->stride);
}

int nf_map_put(struct nf_map *map, const void *key, int32_t value) {
  uint32_t tag = map->hash(key) | TAG_BIT;
  if (find_slot(map, key, tag) >= 0) return NF_EXISTS;
  if (map->size >= map->capacity) return NF_FULL;
  nf_before_write();
  /* Insertion point: the first slot that is empty or whose entry is closer to
   * its home than we are (its home comes after ours), keeping clusters sorted. */
  uint32_t i = tag & map->mask;
  uint32_t dist = 0;
  for (;;) {
    uint32_t t = slot_at(map, i)->tag;
    if (t == 0 || displacement(map, i, t) < dist) break;
    i = (i + 1) & map->mask;
    dist++;
  }
  /* Shift [i, next empty) forward by one slot. size < slot count, so an empty
   * slot exists. */
  uint32_t j = i;
  while (slot_at(map, j)->tag != 0) j = (j + 1) & map->mask;
  while (j != i) {
    uint32_t prev = (j - 1) & map->mask;
    copy_slot(map, j, prev);
    j = prev;
  }
  struct nf_map_slot *s = slot_at(map, i);
  s->tag = tag;
  s->value = value;
  memcpy(s->key, key, map->key_size);
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
    uint32_t t = slot_at(map, next)->tag;
    if (t == 0 || displacement(map, next, t) == 0) break;
    copy_slot(map, i, next);
    i = next;
  }
  memset(slot_at(map, i), 0, map->stride);
  map->size--;
  return NF_OK;
}

uint32_t nf_map_size(const struct nf_map *map) {
  return map->size;
}

uint32_t nf_map_capacity(const struct nf_map *map) {
  return map->capacity;
}
