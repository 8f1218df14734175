/* Time-driven expiry across a dchain, its key vector and the key -> index map. */
#include "nflib/expirator.h"

#include "nflib/internal.h"

#ifdef __FRAMAC__
/* For WP only (docs/VERIFICATION.md, assumptions): contracts that the
 * headers do not state yet. Frama-C merges them with the headers' contracts.
 *
 * Frames: the abstract models of dchain, map and vector all read the one
 * region nf_heap, which every state-changing function assigns, so the
 * headers alone do not say that expiring a dchain index leaves the map and
 * the vector as they were, or that erasing a key leaves the dchain. Each
 * object has its own memory, so these hold for the implementations (and in
 * each file's own refinement they are provable: dchain.c and map.c do not
 * assign nf_heap). */
/*@ predicate nf_exp_vectors_kept{L0, L1} = \forall struct nf_vector *v;
      nf_vector_live{L0}(v) ==>
        nf_vector_live{L1}(v) && nf_vector_cell_size{L1}(v) == nf_vector_cell_size{L0}(v);
    predicate nf_exp_maps_kept{L0, L1} = \forall struct nf_map *m;
      nf_map_live{L0}(m) ==>
        nf_map_live{L1}(m) && nf_map_key_size{L1}(m) == nf_map_key_size{L0}(m) &&
        nf_map_size_of{L1}(m) == nf_map_size_of{L0}(m);
    predicate nf_exp_dchains_kept{L0, L1} = \forall struct nf_dchain *c;
      nf_dchain_live{L0}(c) ==>
        nf_dchain_live{L1}(c) && nf_dchain_count{L1}(c) == nf_dchain_count{L0}(c) &&
        (\forall integer i; (nf_dchain_allocated{L1}(c, i) <==> nf_dchain_allocated{L0}(c, i)) &&
          nf_dchain_stamp{L1}(c, i) == nf_dchain_stamp{L0}(c, i));
*/
/*@ ensures nf_exp_vectors_kept{Old, Here} && nf_exp_maps_kept{Old, Here};
    ensures \result == \false ==> nf_heap == \old(nf_heap); */
bool nf_dchain_expire_one(struct nf_dchain *chain, nf_time_t older_than, int32_t *index_out);
/*@ ensures nf_exp_vectors_kept{Old, Here} && nf_exp_dchains_kept{Old, Here};
    ensures nf_map_key_size(map) == \old(nf_map_key_size(map));
    ensures \result == NF_NOT_FOUND ==> nf_heap == \old(nf_heap); */
int nf_map_erase(struct nf_map *map, const void *key);

/* nf_vector_cell_ptr (internal.h, no contract there): returns only for an
 * index in range (cell_at calls nf_fatal otherwise) a pointer to the cell's
 * cell_size readable bytes. */
/*@ requires nf_vector_live(vector);
    assigns \result \from vector, index, nf_heap;
    ensures nf_vector_index_ok(vector, index);
    ensures \valid_read((uint8_t *)\result + (0 .. nf_vector_cell_size(vector) - 1)); */
const void *nf_vector_cell_ptr(const struct nf_vector *vector, int32_t index);

#endif

int nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                    nf_time_t older_than) {
  int count = 0;
  int32_t index;
  /*@ loop invariant nf_dchain_live(chain) && nf_vector_live(keys) && nf_map_live(map);
      loop invariant nf_vector_cell_size(keys) >= nf_map_key_size(map);
      loop invariant 0 <= count;
      loop invariant nf_dchain_count(chain) == \at(nf_dchain_count(chain), Pre) - count;
      loop invariant nf_expired_only{Pre, Here}(chain, older_than);
      loop invariant nf_map_size_of(map) <= \at(nf_map_size_of(map), Pre);
      loop assigns nf_heap, index, count;
      loop variant \at(nf_dchain_count(chain), Pre) - count; */
  while (nf_dchain_expire_one(chain, older_than, &index)) {
    /* The cell starts with the key the map holds; erase reads key_size bytes. */
    (void)nf_map_erase(map, nf_vector_cell_ptr(keys, index));
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
      loop assigns nf_heap, index, count;
      loop variant \at(nf_dchain_count(chain), Pre) - count; */
  while (nf_dchain_expire_one(chain, older_than, &index)) count++;
  return count;
}
