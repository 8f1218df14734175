/* Maglev-style consistent-hashing table from a flow hash to a live backend
 * index in [0, backend_capacity). */
#ifndef NFLIB_CHT_H
#define NFLIB_CHT_H

#include "nflib/dchain.h"
#include "nflib/types.h"

struct nf_cht;

/* Abstract model: for a hash h, nf_cht_pref(c, h, j) is the j-th backend of
 * h's preference list (j in [0, table_size)); every backend occurs in it.
 * cht.c defines NF_CHT_IMPL and the model over its table instead
 * (docs/VERIFICATION.md): nf_cht_pref(c, h, j) is then
 * table[(h % table_size + j) % table_size], which WP proves
 * nf_cht_find_backend against, and nf_cht_pref_range a proved lemma. That
 * every backend occurs in the list (nf_cht_create's Maglev fill) is not
 * proved. */
/* The abstract model reads only nf_cht_heap, the tables' own ghost region
 * (as dchain.h and vector.h): the table is written only by nf_cht_create, so
 * an operation on another kind of object (a map put, an expiry pass) leaves
 * every table as it was, by its assigns clause alone. Only create and destroy
 * assign it (and nf_heap). */
/*@ ghost extern int nf_cht_heap; */
#ifndef NF_CHT_IMPL
/*@ axiomatic nf_cht_model {
      predicate nf_cht_live{L}(struct nf_cht *c) reads nf_cht_heap;
      logic integer nf_cht_backends{L}(struct nf_cht *c) reads nf_cht_heap;
      logic integer nf_cht_table_size{L}(struct nf_cht *c) reads nf_cht_heap;
      logic integer nf_cht_pref{L}(struct nf_cht *c, integer hash, integer j) reads nf_cht_heap;
      axiom nf_cht_pref_range{L}: \forall struct nf_cht *c, integer h, j;
        nf_cht_live(c) && 0 <= h && 0 <= j ==> 0 <= nf_cht_pref(c, h, j) < nf_cht_backends(c);
    }
*/
#endif

/* Published limit: the largest table. */
#define NF_CHT_TABLE_SIZE_MAX (1u << 26)

/* table_size: a prime > backend_capacity (e.g. 65537 for up to 1024 backends),
 * at most NF_CHT_TABLE_SIZE_MAX. NULL on bad arguments or no memory. */
/*@ requires name == \null || \valid_read(name);
    assigns nf_heap, nf_cht_heap, \result \from backend_capacity, table_size;
    ensures \result == \null ||
      (nf_cht_live(\result) && nf_cht_backends(\result) == backend_capacity &&
       nf_cht_table_size(\result) == table_size);
    ensures backend_capacity == 0 || table_size <= backend_capacity ==> \result == \null;
    ensures table_size > NF_CHT_TABLE_SIZE_MAX ==> \result == \null; */
struct nf_cht *nf_cht_create(const char *name, uint32_t backend_capacity, uint32_t table_size);
/*@ requires cht == \null || nf_cht_live(cht);
    assigns nf_heap, nf_cht_heap; */
void nf_cht_destroy(struct nf_cht *cht);

/* READ (cht and active). Backend for hash among the indexes allocated in
 * `active` (a dchain over [0, backend_capacity)): true and *backend_out set, or
 * false when no backend is alive. Successive backends of the preference list
 * are tried, so removing a backend only moves the flows it had.
 * Exactly: the preference list of hash is table[s], table[s+1], ... (mod
 * table_size) with s = hash % table_size, and the result is its first entry
 * allocated in `active`. */
/*@ requires nf_cht_live(cht) && nf_dchain_live(active) && \valid(backend_out);
    assigns *backend_out;
    behavior found:
      assumes \exists integer j; 0 <= j < nf_cht_table_size(cht) &&
        nf_dchain_allocated(active, nf_cht_pref(cht, hash, j));
      ensures \result == \true;
      ensures \exists integer j; 0 <= j < nf_cht_table_size(cht) &&
        *backend_out == nf_cht_pref(cht, hash, j) &&
        nf_dchain_allocated(active, *backend_out) &&
        (\forall integer i; 0 <= i < j ==> !nf_dchain_allocated(active, nf_cht_pref(cht, hash, i)));
    behavior none_alive:
      assumes \forall integer j; 0 <= j < nf_cht_table_size(cht) ==>
        !nf_dchain_allocated(active, nf_cht_pref(cht, hash, j));
      assigns \nothing;
      ensures \result == \false;
    complete behaviors;
    disjoint behaviors; */
bool nf_cht_find_backend(const struct nf_cht *cht, uint32_t hash, const struct nf_dchain *active,
                         int32_t *backend_out);

#endif /* NFLIB_CHT_H */
