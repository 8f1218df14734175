/* Fixed-capacity array of fixed-size cells indexed by int32. Reads copy a cell
 * out (borrow), writes copy it back (return), so every access is explicit.
 * Valid indexes: [index_base, index_base + capacity). */
#ifndef NFLIB_VECTOR_H
#define NFLIB_VECTOR_H

#include "nflib/types.h"

struct nf_vector;

/* Cells start zeroed, then init_cell (may be NULL) runs on each. */
typedef void (*nf_cell_init_fn)(void *cell);

struct nf_vector *nf_vector_create(const char *name, uint32_t capacity, uint32_t cell_size,
                                   nf_cell_init_fn init_cell);
void nf_vector_destroy(struct nf_vector *vector);

/* READ: copies cell `index` into *cell_out (cell_size bytes). */
void nf_vector_borrow(const struct nf_vector *vector, int32_t index, void *cell_out);

/* WRITE: copies *cell into cell `index`. */
void nf_vector_return(struct nf_vector *vector, int32_t index, const void *cell);

uint32_t nf_vector_capacity(const struct nf_vector *vector);
int32_t nf_vector_index_base(const struct nf_vector *vector);

#endif /* NFLIB_VECTOR_H */
