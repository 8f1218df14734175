/* Maglev-style consistent-hashing table from a flow hash to a live backend
 * index in [0, backend_capacity). */
#ifndef NFLIB_CHT_H
#define NFLIB_CHT_H

#include "nflib/dchain.h"
#include "nflib/types.h"

struct nf_cht;

/* table_size: a prime > backend_capacity (e.g. 65537 for up to 1024 backends). */
struct nf_cht *nf_cht_create(const char *name, uint32_t backend_capacity, uint32_t table_size);
void nf_cht_destroy(struct nf_cht *cht);

/* READ (cht and active). Backend for hash among the indexes allocated in
 * `active` (a dchain over [0, backend_capacity)): true and *backend_out set, or
 * false when no backend is alive. Successive backends of the preference list
 * are tried, so removing a backend only moves the flows it had. */
bool nf_cht_find_backend(const struct nf_cht *cht, uint32_t hash, const struct nf_dchain *active,
                         int32_t *backend_out);

#endif /* NFLIB_CHT_H */
