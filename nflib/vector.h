/* Fixed-capacity array of fixed-size cells indexed by int32. Reads copy a cell
 * out (borrow), writes copy it back (return), so every access is explicit.
 * Valid indexes: [index_base, index_base + capacity). */
#ifndef NFLIB_VECTOR_H
#define NFLIB_VECTOR_H

#include "nflib/types.h"

struct nf_vector;

/* Abstract model: cell_size-byte cells at indexes [base, base + capacity).
 * vector.c defines NF_VECTOR_IMPL and the model over its representation
 * instead, so that WP proves these contracts against the code (the
 * refinement, docs/VERIFICATION.md). NF_VECTOR_CELL is the memory of cell
 * `index` (assigns clauses); NF_VECTOR_APART says a caller's buffer is not
 * the vector's own memory (always true for NF buffers: vectors are opaque).
 * The abstract model reads only nf_vector_heap, the vectors' own ghost region
 * (not nf_heap, which the other kinds' models read): an operation on another
 * kind of object (map, dchain, ...) leaves every vector as it was, by its
 * assigns clause alone. Only create and destroy assign nf_heap as well.
 * NF_VECTORS_APART(v, index) says cell `index` of v is not another live
 * vector's memory (always true: each vector is its own allocation, made by
 * nf_vector_create; vector.c proves return's frame over the other vectors
 * from it). */
/*@ ghost extern int nf_vector_heap; */
#ifndef NF_VECTOR_IMPL
/*@ axiomatic nf_vector_model {
      predicate nf_vector_live{L}(struct nf_vector *v) reads nf_vector_heap;
      logic integer nf_vector_capacity_of{L}(struct nf_vector *v) reads nf_vector_heap;
      logic integer nf_vector_base{L}(struct nf_vector *v) reads nf_vector_heap;
      logic integer nf_vector_cell_size{L}(struct nf_vector *v) reads nf_vector_heap;
      logic uint8_t nf_vector_byte{L}(struct nf_vector *v, integer index, integer i)
        reads nf_vector_heap;
    }
*/
#define NF_VECTOR_CELL(v, index) nf_vector_heap
/* Not `\true`: stdbool.h defines `true`, which would expand inside the macro. */
#define NF_VECTOR_APART(v, p, n) (0 == 0)
#define NF_VECTORS_APART(v, index) (0 == 0)
#endif
/*@ predicate nf_vector_index_ok{L}(struct nf_vector *v, integer index) =
      nf_vector_base(v) <= index < nf_vector_base(v) + nf_vector_capacity_of(v);
    // Capacity, index base and cell size as at L0 (libVig's vector keeps its
    // length and cell addresses across borrow/return): what a caller needs to
    // access the vector again after a return.
    predicate nf_vector_shape_unchanged{L0, L1}(struct nf_vector *v) =
      nf_vector_capacity_of{L1}(v) == nf_vector_capacity_of{L0}(v) &&
      nf_vector_base{L1}(v) == nf_vector_base{L0}(v) &&
      nf_vector_cell_size{L1}(v) == nf_vector_cell_size{L0}(v);
*/

/* Cells start zeroed, then init_cell (may be NULL) runs on each. */
typedef void (*nf_cell_init_fn)(void *cell);

/* Published limit: nf_vector_create returns NULL when capacity * cell_size
 * exceeds it (after any instance layout), or when the last index
 * (index base + capacity - 1) exceeds INT32_MAX. */
#define NF_VECTOR_BYTES_MAX (1ull << 40)

/* NULL on capacity 0, cell_size 0, the limits above or no memory. Under an
 * instance layout the layout's capacity and index base apply. */
/*@ requires name == \null || \valid_read(name);
    assigns nf_heap, nf_vector_heap, \result \from capacity, cell_size;
    ensures \result == \null ||
      (nf_vector_live(\result) && nf_vector_cell_size(\result) == cell_size &&
       nf_vector_capacity_of(\result) >= 1);
    ensures capacity == 0 || cell_size == 0 ==> \result == \null; */
struct nf_vector *nf_vector_create(const char *name, uint32_t capacity, uint32_t cell_size,
                                   nf_cell_init_fn init_cell);
/*@ requires vector == \null || nf_vector_live(vector);
    assigns nf_heap, nf_vector_heap; */
void nf_vector_destroy(struct nf_vector *vector);

/* READ: copies cell `index` into *cell_out (cell_size bytes). An index outside
 * the vector aborts the process with a message (a bug in the NF). */
/*@ requires nf_vector_live(vector) && nf_vector_index_ok(vector, index);
    requires nf_bytes_writable((uint8_t *)cell_out, nf_vector_cell_size(vector));
    requires NF_VECTOR_APART(vector, (uint8_t *)cell_out, nf_vector_cell_size(vector));
    assigns ((uint8_t *)cell_out)[0 .. nf_vector_cell_size(vector) - 1];
    ensures \forall integer i; 0 <= i < nf_vector_cell_size(vector) ==>
      ((uint8_t *)cell_out)[i] == nf_vector_byte(vector, index, i); */
void nf_vector_borrow(const struct nf_vector *vector, int32_t index, void *cell_out);

/* WRITE: copies *cell into cell `index`; calls nf_before_write() first. */
/*@ requires nf_vector_live(vector) && nf_vector_index_ok(vector, index);
    requires nf_bytes_readable((uint8_t *)cell, nf_vector_cell_size(vector));
    requires NF_VECTOR_APART(vector, (uint8_t *)cell, nf_vector_cell_size(vector));
    requires NF_VECTORS_APART(vector, index);
    assigns NF_VECTOR_CELL(vector, index);
    ensures nf_vector_live(vector) && nf_vector_shape_unchanged{Old, Here}(vector);
    // Same-kind frame: every other live vector stays live with its shape and
    // holds what it held.
    ensures \forall struct nf_vector *w; w != vector && nf_vector_live{Old}(w) ==>
      nf_vector_live(w);
    ensures \forall struct nf_vector *w; w != vector && nf_vector_live{Old}(w) ==>
      nf_vector_shape_unchanged{Old, Here}(w);
    ensures \forall struct nf_vector *w, integer j, i; w != vector && nf_vector_live{Old}(w) &&
      nf_vector_index_ok(w, j) && 0 <= i < nf_vector_cell_size(w) ==>
        nf_vector_byte(w, j, i) == \old(nf_vector_byte(w, j, i));
    ensures \forall integer i; 0 <= i < nf_vector_cell_size(vector) ==>
      nf_vector_byte(vector, index, i) == ((uint8_t *)cell)[i];
    ensures \forall integer j, i; j != index && 0 <= i < nf_vector_cell_size(vector) ==>
      nf_vector_byte(vector, j, i) == \old(nf_vector_byte(vector, j, i)); */
void nf_vector_return(struct nf_vector *vector, int32_t index, const void *cell);

/*@ requires nf_vector_live(vector);
    assigns \nothing;
    ensures \result == nf_vector_capacity_of(vector); */
uint32_t nf_vector_capacity(const struct nf_vector *vector);
/*@ requires nf_vector_live(vector);
    assigns \nothing;
    ensures \result == nf_vector_base(vector); */
int32_t nf_vector_index_base(const struct nf_vector *vector);

#endif /* NFLIB_VECTOR_H */
