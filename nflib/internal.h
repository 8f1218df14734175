/* Private helpers shared by nflib's implementation files (not part of the API). */
#ifndef NFLIB_INTERNAL_H
#define NFLIB_INTERNAL_H

#include "nflib/types.h"

struct nf_vector;

/* The seeded hash behind nf_hash_bytes (which uses seed 0). */
uint32_t nf_hash_bytes_seeded(const void *data, size_t len, uint32_t seed);

/* Read-only view of a vector cell, for library code that only reads it. */
const void *nf_vector_cell_ptr(const struct nf_vector *vector, int32_t index);
uint32_t nf_vector_cell_size(const struct nf_vector *vector);

/* Prints "nflib: <function>: <message>" to stderr and aborts: a violated
 * precondition (e.g. a vector index out of range) is a bug in the NF. */
/*@ assigns \nothing;
    ensures \false; */
void nf_fatal(const char *function, const char *message, long long value) __attribute__((noreturn));

/* Allocates size bytes aligned to 64 and zeroed; NULL on failure. */
void *nf_alloc_zeroed(size_t size);

#endif /* NFLIB_INTERNAL_H */
