/* Expiry across the usual triple: a dchain of indexes, a vector holding each
 * index's key, and the map from key to index. */
#ifndef NFLIB_EXPIRATOR_H
#define NFLIB_EXPIRATOR_H

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/vector.h"

/* DESTROY. Frees every index whose timestamp < older_than, oldest first, and
 * erases its key (read from keys at that index) from map. Returns how many. */
int nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                    nf_time_t older_than);

/* Same for a dchain whose indexes have no map (e.g. a pool of backends). */
int nf_expire_indexes(struct nf_dchain *chain, nf_time_t older_than);

#endif /* NFLIB_EXPIRATOR_H */
