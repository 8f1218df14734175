/* Time-driven expiry across a dchain, its key vector and the key -> index map. */
#include "nflib/expirator.h"

#include "nflib/internal.h"

/* Proved against the abstract contracts of dchain.h, vector.h, map.h and
 * internal.h (docs/VERIFICATION.md): the models of dchain (nf_dchain_heap),
 * vector (nf_vector_heap) and map (nf_heap) are separate ghost regions, so the
 * assigns clauses frame each operation. */

int nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                    nf_time_t older_than) {
  int count = 0;
  int32_t index;
  /*@ loop invariant nf_dchain_live(chain) && nf_vector_live(keys) && nf_map_live(map);
      loop invariant nf_vector_cell_size(keys) >= nf_map_key_size(map);
      loop invariant 0 <= count;
      loop invariant nf_dchain_count(chain) == \at(nf_dchain_count(chain), Pre) - count;
      loop invariant nf_expired_only{Pre, Here}(chain, older_than);
      loop invariant \at(nf_dchain_time_ordered(chain), Pre) ==> nf_dchain_time_ordered(chain);
      loop invariant nf_dchain_shape_unchanged{Pre, Here}(chain);
      loop invariant nf_vector_shape_unchanged{Pre, Here}(keys);
      loop invariant nf_map_key_size(map) == \at(nf_map_key_size(map), Pre);
      loop invariant nf_map_size_of(map) <= \at(nf_map_size_of(map), Pre);
      loop invariant nf_map_only_removed{Pre, Here}(map);
      loop invariant nf_maps_shape_kept{Pre, Here} && nf_maps_other_unchanged{Pre, Here}(map);
      loop invariant nf_dchains_other_unchanged{Pre, Here}(chain);
      loop assigns nf_heap, nf_dchain_heap, index, count;
      loop variant \at(nf_dchain_count(chain), Pre) - count; */
  while (nf_dchain_expire_one(chain, older_than, &index)) {
    /* The cell starts with the key the map holds; erase reads key_size bytes. */
    const void *key = nf_vector_cell_ptr(keys, index);
    /*@ assert \valid_read((uint8_t *)key + (0 .. nf_map_key_size(map) - 1)); */
    /*@ assert nf_bytes_readable((uint8_t *)key, nf_map_key_size(map)); */
    (void)nf_map_erase(map, key);
    count++;
  }
  return count;
}

int nf_expire_indexes(struct nf_dchain *chain, nf_time_t older_than) {
  int count = 0;
  int32_t index;
  /*@ loop invariant nf_dchain_live(chain);
      loop invariant 0 <= count;
      loop invariant nf_dchain_count(chain) == \at(nf_dchain_count(chain), Pre) - count;
      loop invariant nf_expired_only{Pre, Here}(chain, older_than);
      loop invariant \at(nf_dchain_time_ordered(chain), Pre) ==> nf_dchain_time_ordered(chain);
      loop invariant nf_dchain_shape_unchanged{Pre, Here}(chain);
      loop invariant nf_dchains_other_unchanged{Pre, Here}(chain);
      loop assigns nf_dchain_heap, index, count;
      loop variant \at(nf_dchain_count(chain), Pre) - count; */
  while (nf_dchain_expire_one(chain, older_than, &index)) count++;
  return count;
}
