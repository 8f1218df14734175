/* Private helpers shared by nflib's implementation files (not part of the API). */
#ifndef NFLIB_INTERNAL_H
#define NFLIB_INTERNAL_H

#include "nflib/types.h"

struct nf_vector;

/* What types.h's byte predicates mean inside nflib (see there): the bytes
 * are valid (the converse of types.h's nf_bytes_valid_*). Only nflib's own
 * files include this header. */
/*@ axiomatic nf_bytes_def {
      axiom nf_bytes_readable_valid{L}: \forall uint8_t *p, integer n;
        nf_bytes_readable(p, n) ==> \valid_read(p + (0 .. n - 1));
      axiom nf_bytes_writable_valid{L}: \forall uint8_t *p, integer n;
        nf_bytes_writable(p, n) ==> \valid(p + (0 .. n - 1));
    }
*/

/* The seeded hash behind nf_hash_bytes (which uses seed 0). Proved in types.c
 * (//nflib:verify_types); callers' proofs (sketch.c) use this contract. */
/*@ requires nf_bytes_readable((uint8_t *)data, len);
    requires len <= PTRDIFF_MAX;
    assigns \result \from ((const uint8_t *)data)[0 .. len - 1], len, seed; */
uint32_t nf_hash_bytes_seeded(const void *data, size_t len, uint32_t seed);

/* Read-only view of a vector cell, for library code that only reads it:
 * cell_ptr aborts (nf_fatal) on an index outside the vector, like borrow.
 * The contracts name the vector's model, so they come with vector.h: a file
 * that includes internal.h without vector.h sees the bare prototypes (the C
 * declarations are the same either way). Proved in vector.c. cell_ptr does
 * not state that the bytes are the cell's (nf_vector_byte): abstractly
 * nf_vector_return writes nf_vector_heap, not the bytes behind an earlier
 * cell_ptr, so such a clause would let a caller keep a stale copy. */
#ifdef NFLIB_VECTOR_H
/*@ requires nf_vector_live(vector);
    assigns \nothing;
    ensures nf_vector_index_ok(vector, index);
    ensures \valid_read((uint8_t *)\result + (0 .. nf_vector_cell_size(vector) - 1)); */
#endif
const void *nf_vector_cell_ptr(const struct nf_vector *vector, int32_t index);
#ifdef NFLIB_VECTOR_H
/*@ requires nf_vector_live(vector);
    assigns \nothing;
    ensures \result == nf_vector_cell_size(vector); */
#endif
uint32_t nf_vector_cell_size(const struct nf_vector *vector);

/* Prints "nflib: <function>: <message>" to stderr and aborts: a violated
 * precondition (e.g. a vector index out of range) is a bug in the NF. */
/*@ assigns \nothing;
    ensures \false; */
void nf_fatal(const char *function, const char *message, long long value) __attribute__((noreturn));

/* Allocates size bytes aligned to 64 and zeroed; NULL on failure. */
void *nf_alloc_zeroed(size_t size);

#endif /* NFLIB_INTERNAL_H */
