/* Fixed-capacity hash map from a fixed-size key struct to an int32 value
 * (usually an index into vectors and a dchain). Keys are copied into the map.
 * No allocation after nf_map_create. */
#ifndef NFLIB_MAP_H
#define NFLIB_MAP_H

#include "nflib/types.h"

struct nf_map;

/* capacity: a power of two >= 1. Returns NULL on bad arguments or no memory. */
struct nf_map *nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                             nf_key_hash_fn hash, nf_key_eq_fn eq);
void nf_map_destroy(struct nf_map *map);

/* READ. true and *value_out set when key is present; false and *value_out
 * untouched otherwise. */
bool nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out);

/* WRITE. NF_OK: key now maps to value. NF_EXISTS: key present, nothing changed.
 * NF_FULL: size == capacity, nothing changed. */
int nf_map_put(struct nf_map *map, const void *key, int32_t value);

/* WRITE. NF_OK: key removed. NF_NOT_FOUND: key absent, nothing changed. */
int nf_map_erase(struct nf_map *map, const void *key);

uint32_t nf_map_size(const struct nf_map *map);
uint32_t nf_map_capacity(const struct nf_map *map);

#endif /* NFLIB_MAP_H */
