/* Index allocator with time order ("double chain"): hands out indexes in
 * [index_base, index_base + capacity), each with a last-use timestamp, and
 * finds the least recently used one in O(1). */
#ifndef NFLIB_DCHAIN_H
#define NFLIB_DCHAIN_H

#include "nflib/types.h"

struct nf_dchain;

struct nf_dchain *nf_dchain_create(const char *name, uint32_t capacity);
void nf_dchain_destroy(struct nf_dchain *chain);

/* CREATE. true: *index_out is a previously free index, now allocated with
 * timestamp now and the most recent. false: all indexes allocated. */
bool nf_dchain_allocate(struct nf_dchain *chain, nf_time_t now, int32_t *index_out);

/* REFRESH. Sets index's timestamp to now, making it the most recent.
 * NF_NOT_FOUND if index is not allocated (or out of range). */
int nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now);

/* CHECK. Whether index is in range and allocated. */
bool nf_dchain_is_allocated(const struct nf_dchain *chain, int32_t index);

/* DESTROY. Frees the least recently used index if its timestamp < older_than:
 * true and *index_out set; false when no index is that old. */
bool nf_dchain_expire_one(struct nf_dchain *chain, nf_time_t older_than, int32_t *index_out);

/* DESTROY. NF_NOT_FOUND if index is not allocated. */
int nf_dchain_free(struct nf_dchain *chain, int32_t index);

uint32_t nf_dchain_capacity(const struct nf_dchain *chain);
int32_t nf_dchain_index_base(const struct nf_dchain *chain);
uint32_t nf_dchain_allocated_count(const struct nf_dchain *chain);

#endif /* NFLIB_DCHAIN_H */
