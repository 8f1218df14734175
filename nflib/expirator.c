/* Time-driven expiry across a dchain, its key vector and the key -> index map. */
#include "nflib/expirator.h"

#include "nflib/internal.h"

int nf_expire_items(struct nf_dchain *chain, struct nf_vector *keys, struct nf_map *map,
                    nf_time_t older_than) {
  int count = 0;
  int32_t index;
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
  while (nf_dchain_expire_one(chain, older_than, &index)) count++;
  return count;
}
