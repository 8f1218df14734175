/* Fixed-capacity hash map from a fixed-size key struct to an int32 value
 * (usually an index into vectors and a dchain). Keys are copied into the map.
 * No allocation after nf_map_create. */
#ifndef NFLIB_MAP_H
#define NFLIB_MAP_H

#include "nflib/types.h"

struct nf_map;

/* Abstract model: a live map holds a finite set of keys (compared by content,
 * key_size bytes) each with an int32 value; size <= capacity.
 * map.c defines NF_MAP_IMPL and the model over its representation instead
 * (the refinement, docs/VERIFICATION.md); it then states the contracts of
 * get, put and erase that WP proves against the code on the definitions in
 * map.c, and the ones below are the abstract contracts NFs rely on. */
#ifndef NF_MAP_IMPL
/*@ axiomatic nf_map_model {
      predicate nf_map_live{L}(struct nf_map *m) reads nf_heap;
      logic integer nf_map_size_of{L}(struct nf_map *m) reads nf_heap;
      logic integer nf_map_capacity_of{L}(struct nf_map *m) reads nf_heap;
      logic integer nf_map_key_size{L}(struct nf_map *m) reads nf_heap;
      predicate nf_map_has{L}(struct nf_map *m, uint8_t *key);
      logic int32_t nf_map_value{L}(struct nf_map *m, uint8_t *key);
      axiom nf_map_size_bounds{L}: \forall struct nf_map *m;
        nf_map_live(m) ==> 0 <= nf_map_size_of(m) <= nf_map_capacity_of(m);
    }
*/
#endif
/*@ predicate nf_map_key_ok{L}(struct nf_map *m, void *key) =
      nf_bytes_readable((uint8_t *)key, nf_map_key_size(m));
    // Every key other than `key` is as it was at L0.
    predicate nf_map_others_unchanged{L0, L1}(struct nf_map *m, void *key) =
      \forall uint8_t *k; !nf_key_equal{L1, L1}(k, (uint8_t *)key, nf_map_key_size{L1}(m)) ==>
        ((nf_map_has{L1}(m, k) <==> nf_map_has{L0}(m, k)) &&
         (nf_map_has{L1}(m, k) ==> nf_map_value{L1}(m, k) == nf_map_value{L0}(m, k)));
    // Every key m holds at L1 it held at L0 with the same value, or maps to v
    // (what put does: it adds at most one key, with value v).
    predicate nf_map_only_added{L0, L1}(struct nf_map *m, integer v) =
      \forall uint8_t *k; nf_map_has{L1}(m, k) ==>
        (nf_map_has{L0}(m, k) && nf_map_value{L1}(m, k) == nf_map_value{L0}(m, k)) ||
        nf_map_value{L1}(m, k) == v;
    // Every key m holds at L1 it held at L0, with the same value (what erase
    // and an expiry pass do).
    predicate nf_map_only_removed{L0, L1}(struct nf_map *m) =
      \forall uint8_t *k; nf_map_has{L1}(m, k) ==>
        nf_map_has{L0}(m, k) && nf_map_value{L1}(m, k) == nf_map_value{L0}(m, k);
    // Same-kind frame (all maps share the ghost region nf_heap): every map
    // stays live with its key size and capacity, and every map but m holds
    // what it held. (Each map is its own allocation, nf_map_create.)
    predicate nf_maps_shape_kept{L0, L1} =
      \forall struct nf_map *o;
        (nf_map_live{L0}(o) ==> nf_map_live{L1}(o)) &&
        nf_map_key_size{L1}(o) == nf_map_key_size{L0}(o) &&
        nf_map_capacity_of{L1}(o) == nf_map_capacity_of{L0}(o);
    predicate nf_maps_other_unchanged{L0, L1}(struct nf_map *m) =
      \forall struct nf_map *o; o != m ==>
        nf_map_size_of{L1}(o) == nf_map_size_of{L0}(o) &&
        (\forall uint8_t *k; (nf_map_has{L1}(o, k) <==> nf_map_has{L0}(o, k)) &&
           nf_map_value{L1}(o, k) == nf_map_value{L0}(o, k));
*/

/* Published limits (as rte_hash.h's RTE_HASH_ENTRIES_MAX): nf_map_create
 * returns NULL beyond them. The largest capacity, after any instance layout: */
#define NF_MAP_CAPACITY_MAX (1u << 30)
/* The largest key, in bytes. */
#define NF_MAP_KEY_SIZE_MAX 4096u

/* capacity: a power of two in [1, NF_MAP_CAPACITY_MAX]; key_size in
 * [1, NF_MAP_KEY_SIZE_MAX]. Returns NULL on bad arguments or no memory.
 * Under an instance layout that names `name`, the layout's capacity is used
 * instead (it need not be a power of two; slots are rounded up; it too must be
 * at most NF_MAP_CAPACITY_MAX). */
/*@ requires name == \null || \valid_read(name);
    requires hash != \null && eq != \null;
    assigns nf_heap, \result \from capacity, key_size;
    ensures \result == \null ||
      (nf_map_live(\result) && nf_map_size_of(\result) == 0 &&
       nf_map_key_size(\result) == key_size && nf_map_capacity_of(\result) >= 1);
    ensures capacity == 0 || key_size == 0 ==> \result == \null;
    ensures key_size > NF_MAP_KEY_SIZE_MAX ==> \result == \null;
    ensures \result != \null ==> nf_map_capacity_of(\result) <= NF_MAP_CAPACITY_MAX; */
struct nf_map *nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                             nf_key_hash_fn hash, nf_key_eq_fn eq);
/*@ requires map == \null || nf_map_live(map);
    assigns nf_heap;
    ensures map != \null ==> !nf_map_live(map); */
void nf_map_destroy(struct nf_map *map);

/* READ. true and *value_out set when key is present; false and *value_out
 * untouched otherwise. */
#ifndef NF_MAP_IMPL
/*@ requires nf_map_live(map) && nf_map_key_ok(map, key);
    requires \valid(value_out);
    assigns *value_out;
    behavior found:
      assumes nf_map_has(map, (uint8_t *)key);
      ensures \result == \true && *value_out == nf_map_value(map, (uint8_t *)key);
    behavior not_found:
      assumes !nf_map_has(map, (uint8_t *)key);
      assigns \nothing;
      ensures \result == \false;
    complete behaviors;
    disjoint behaviors; */
#endif
bool nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out);

/* WRITE. NF_OK: key now maps to value. NF_EXISTS: key present, nothing changed.
 * NF_FULL: size == capacity, nothing changed. Calls nf_before_write() only when
 * it will insert, before changing anything. */
#ifndef NF_MAP_IMPL
/*@ requires nf_map_live(map) && nf_map_key_ok(map, key);
    assigns nf_heap;
    ensures nf_map_live(map);
    ensures nf_maps_shape_kept{Old, Here} && nf_maps_other_unchanged{Old, Here}(map);
    ensures nf_map_only_added{Old, Here}(map, value);
    behavior exists:
      assumes nf_map_has(map, (uint8_t *)key);
      assigns \nothing;
      ensures \result == NF_EXISTS;
    behavior full:
      assumes !nf_map_has(map, (uint8_t *)key);
      assumes nf_map_size_of(map) == nf_map_capacity_of(map);
      assigns \nothing;
      ensures \result == NF_FULL;
    behavior inserted:
      assumes !nf_map_has(map, (uint8_t *)key);
      assumes nf_map_size_of(map) < nf_map_capacity_of(map);
      ensures \result == NF_OK;
      ensures nf_map_has(map, (uint8_t *)key) && nf_map_value(map, (uint8_t *)key) == value;
      ensures nf_map_size_of(map) == \old(nf_map_size_of(map)) + 1;
      ensures nf_map_others_unchanged{Old, Here}(map, (void *)key);
    complete behaviors;
    disjoint behaviors; */
#endif
int nf_map_put(struct nf_map *map, const void *key, int32_t value);

/* WRITE. NF_OK: key removed. NF_NOT_FOUND: key absent, nothing changed. */
#ifndef NF_MAP_IMPL
/*@ requires nf_map_live(map) && nf_map_key_ok(map, key);
    assigns nf_heap;
    ensures nf_map_live(map);
    ensures nf_map_key_size(map) == \old(nf_map_key_size(map));
    ensures nf_maps_shape_kept{Old, Here} && nf_maps_other_unchanged{Old, Here}(map);
    ensures nf_map_only_removed{Old, Here}(map);
    behavior found:
      assumes nf_map_has(map, (uint8_t *)key);
      ensures \result == NF_OK && !nf_map_has(map, (uint8_t *)key);
      ensures nf_map_size_of(map) == \old(nf_map_size_of(map)) - 1;
      ensures nf_map_others_unchanged{Old, Here}(map, (void *)key);
    behavior not_found:
      assumes !nf_map_has(map, (uint8_t *)key);
      assigns \nothing;
      ensures \result == NF_NOT_FOUND;
      // What `assigns \nothing` says, for callers: WP uses only the
      // function-level assigns clause at a call site.
      ensures nf_map_size_of(map) == \old(nf_map_size_of(map));
    complete behaviors;
    disjoint behaviors; */
#endif
int nf_map_erase(struct nf_map *map, const void *key);

/*@ requires nf_map_live(map);
    assigns \nothing;
    ensures \result == nf_map_size_of(map); */
uint32_t nf_map_size(const struct nf_map *map);
/*@ requires nf_map_live(map);
    assigns \nothing;
    ensures \result == nf_map_capacity_of(map); */
uint32_t nf_map_capacity(const struct nf_map *map);

#endif /* NFLIB_MAP_H */
