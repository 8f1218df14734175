/* Expiry across the usual triple: a dchain of indexes, a vector holding each
 * index's key, and the map from key to index. */
#ifndef NFLIB_EXPIRATOR_H
#define NFLIB_EXPIRATOR_H

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/vector.h"

/* What one expiry pass did to the chain: every index is either unchanged
 * (allocation and timestamp) or was allocated with a timestamp < older_than
 * and is now free. */
/*@ predicate nf_expired_only{L0, L1}(struct nf_dchain *c, nf_time_t older_than) =
      \forall integer i;
        ((nf_dchain_allocated{L1}(c, i) <==> nf_dchain_allocated{L0}(c, i)) &&
         nf_dchain_stamp{L1}(c, i) == nf_dchain_stamp{L0}(c, i)) ||
        (nf_dchain_allocated{L0}(c, i) && nf_dchain_stamp{L0}(c, i) < older_than &&
         !nf_dchain_allocated{L1}(c, i));
*/

/* The strong clause: the pass freed exactly the indexes stamped < older_than
 * (what nf_expired_only allows plus "nothing old is left"). It holds when the
 * chain was time-ordered before the pass (dchain.h: timestamps that never
 * decreased, so the oldest index has the smallest timestamp). */
/*@ predicate nf_expired_exactly{L0, L1}(struct nf_dchain *c, nf_time_t older_than) =
      \forall integer i; nf_dchain_allocated{L1}(c, i) <==>
        (nf_dchain_allocated{L0}(c, i) && nf_dchain_stamp{L0}(c, i) >= older_than);
*/

/* The triple an expiry pass works on, as an NF keeps it between packets: a
 * live map, vector and chain; the map's keys and the vector's cells of
 * key_size bytes (nf_expire_items reads each key back from the vector, the
 * precondition below); the chain's indexes exactly the vector's (a newly
 * allocated index is a cell). NF state invariants name it once per triple. */
/*@ predicate nf_expiry_triple_ok(struct nf_map *map, struct nf_vector *keys,
                                  struct nf_dchain *chain, integer key_size) =
      nf_map_live(map) && nf_map_key_size(map) == key_size &&
      nf_vector_live(keys) && nf_vector_cell_size(keys) == key_size &&
      nf_dchain_live(chain) && nf_dchain_base(chain) == nf_vector_base(keys) &&
      nf_dchain_capacity_of(chain) == nf_vector_capacity_of(keys) &&
      nf_dchain_capacity_of(chain) <= NF_DCHAIN_CAPACITY_MAX;
*/

/* DESTROY. Frees every index whose timestamp < older_than, oldest first, and
 * erases its key (read from keys at that index) from map. Returns how many.
 * Each vector cell must start with the map's key (key_size bytes). Calls
 * nf_before_write() only when something expires.
 * Proved (docs/VERIFICATION.md): the contract below, including that on a
 * time-ordered chain (timestamps that never decreased, dchain.h) the pass
 * frees exactly the indexes stamped < older_than (nf_expired_exactly) and
 * leaves the chain time-ordered. */
/*@ requires nf_dchain_live(chain) && nf_vector_live(keys) && nf_map_live(map);
    requires nf_vector_cell_size(keys) >= nf_map_key_size(map);
    requires nf_dchain_count(chain) <= 2147483647; // INT_MAX: the count is returned as int
    assigns nf_heap, nf_dchain_heap;
    ensures nf_dchain_live(chain) && nf_vector_live(keys) && nf_map_live(map);
    ensures \result >= 0;
    ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) - \result;
    ensures nf_dchain_empty(chain) ||
            nf_dchain_stamp(chain, nf_dchain_oldest(chain)) >= older_than;
    ensures nf_expired_only{Old, Here}(chain, older_than);
    ensures nf_dchain_time_ordered{Old}(chain) ==>
      nf_dchain_time_ordered(chain) && nf_expired_exactly{Old, Here}(chain, older_than);
    ensures nf_dchain_shape_unchanged{Old, Here}(chain);
    ensures nf_vector_shape_unchanged{Old, Here}(keys);
    ensures nf_map_key_size(map) == \old(nf_map_key_size(map));
    ensures nf_map_size_of(map) <= \old(nf_map_size_of(map));
    ensures nf_map_only_removed{Old, Here}(map); // map.h: the keys it keeps keep their values
    ensures nf_maps_shape_kept{Old, Here} && nf_maps_other_unchanged{Old, Here}(map);
    ensures nf_dchains_other_unchanged{Old, Here}(chain); */
int nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                    nf_time_t older_than);

/* Same for a dchain whose indexes have no map (e.g. a pool of backends). */
/*@ requires nf_dchain_live(chain);
    requires nf_dchain_count(chain) <= 2147483647; // INT_MAX: the count is returned as int
    assigns nf_dchain_heap;
    ensures nf_dchain_live(chain);
    ensures \result >= 0;
    ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) - \result;
    ensures nf_dchain_empty(chain) ||
            nf_dchain_stamp(chain, nf_dchain_oldest(chain)) >= older_than;
    ensures nf_expired_only{Old, Here}(chain, older_than);
    ensures nf_dchain_time_ordered{Old}(chain) ==>
      nf_dchain_time_ordered(chain) && nf_expired_exactly{Old, Here}(chain, older_than);
    ensures nf_dchain_shape_unchanged{Old, Here}(chain);
    ensures nf_dchains_other_unchanged{Old, Here}(chain); */
int nf_expire_indexes(struct nf_dchain *chain, nf_time_t older_than);

#endif /* NFLIB_EXPIRATOR_H */
