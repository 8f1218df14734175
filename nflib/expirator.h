/* Expiry across the usual triple: a dchain of indexes, a vector holding each
 * index's key, and the map from key to index. */
#ifndef NFLIB_EXPIRATOR_H
#define NFLIB_EXPIRATOR_H

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/vector.h"

/* DESTROY. Frees every index whose timestamp < older_than, oldest first, and
 * erases its key (read from keys at that index) from map. Returns how many.
 * Each vector cell must start with the map's key (key_size bytes). Calls
 * nf_before_write() only when something expires. */
/*@ requires nf_dchain_live(chain) && nf_vector_live(keys) && nf_map_live(map);
    requires nf_vector_cell_size(keys) >= nf_map_key_size(map);
    assigns nf_heap;
    ensures \result >= 0;
    ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) - \result;
    ensures nf_dchain_count(chain) == 0 ||
            nf_dchain_stamp(chain, nf_dchain_oldest(chain)) >= older_than;
    ensures \forall integer i; nf_dchain_allocated(chain, i) <==>
      (\old(nf_dchain_allocated(chain, i)) && \old(nf_dchain_stamp(chain, i)) >= older_than);
    ensures nf_map_size_of(map) <= \old(nf_map_size_of(map)); */
int nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                    nf_time_t older_than);

/* Same for a dchain whose indexes have no map (e.g. a pool of backends). */
/*@ requires nf_dchain_live(chain);
    assigns nf_heap;
    ensures \result >= 0;
    ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) - \result;
    ensures \forall integer i; nf_dchain_allocated(chain, i) <==>
      (\old(nf_dchain_allocated(chain, i)) && \old(nf_dchain_stamp(chain, i)) >= older_than); */
int nf_expire_indexes(struct nf_dchain *chain, nf_time_t older_than);

#endif /* NFLIB_EXPIRATOR_H */
