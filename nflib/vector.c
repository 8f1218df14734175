/* Fixed-capacity array of fixed-size cells with explicit borrow / return. */
#include <stdlib.h>

#include "nflib/types.h"

struct nf_vector {
  uint8_t *cells;
  uint32_t capacity;
  uint32_t cell_size;
  int32_t index_base;
};

/* The model of vector.h over this representation (what WP proves the
 * contracts against). Cell `index` is bytes [nf_cell_start(o, cell_size),
 * + cell_size) of `cells`, o = index - index_base. nf_vector_live states the
 * validity of each cell by itself (nf_vector_cell_valid) so that a proof
 * needs an instance, not the nonlinear (o + 1) * cell_size <= capacity *
 * cell_size.
 *
 * nf_cell_start(o, c) is o * c kept opaque: where the definition
 * (nf_cell_start_def) is in a goal's context, z3 and cvc4 turn to nonlinear
 * arithmetic and fail even on instances of nf_cells_disjoint. WP puts an
 * axiomatic's axioms into a goal only when one of its own symbols is used,
 * so the definition lives in a separate axiomatic whose marker
 * nf_cell_products is named only where the product is needed (cell_offset).
 * Trusted step (not machine-checked): the axiom nf_cells_disjoint is the
 * lemma nf_products_disjoint, which WP proves, with nf_cell_start(a, c) for
 * a * c as nf_cell_start_def says; both axioms hold for o * c, so they are
 * consistent. */
/*@ lemma nf_products_disjoint: \forall integer a, b, c, k;
      c > 0 && 0 <= k < c && a != b ==> a * c + k < b * c || a * c + k >= b * c + c;
    axiomatic nf_vector_cells {
      logic integer nf_cell_start(integer o, integer cell_size);
      axiom nf_cells_disjoint: \forall integer a, b, c, k;
        c > 0 && 0 <= k < c && a != b ==>
        nf_cell_start(a, c) + k < nf_cell_start(b, c) ||
        nf_cell_start(a, c) + k >= nf_cell_start(b, c) + c;
    }
    axiomatic nf_vector_cell_products {
      predicate nf_cell_products;
      axiom nf_cell_products_hold: nf_cell_products;
      axiom nf_cell_start_def: \forall integer o, c; nf_cell_start(o, c) == o * c;
    }
    predicate nf_vector_cell_valid{L}(struct nf_vector *v, integer o) =
      \valid(v->cells + (nf_cell_start(o, v->cell_size) ..
                          nf_cell_start(o, v->cell_size) + v->cell_size - 1)) &&
      \separated(v, v->cells + (nf_cell_start(o, v->cell_size) ..
                                 nf_cell_start(o, v->cell_size) + v->cell_size - 1));
    predicate nf_vector_live{L}(struct nf_vector *v) =
      \valid(v) && v->capacity >= 1 && v->cell_size >= 1 &&
      v->index_base + v->capacity - 1 <= 2147483647 &&
      \forall integer o; 0 <= o < v->capacity ==> nf_vector_cell_valid(v, o);
    logic integer nf_vector_capacity_of{L}(struct nf_vector *v) = v->capacity;
    logic integer nf_vector_base{L}(struct nf_vector *v) = v->index_base;
    logic integer nf_vector_cell_size{L}(struct nf_vector *v) = v->cell_size;
    logic uint8_t nf_vector_byte{L}(struct nf_vector *v, integer index, integer i) =
      v->cells[nf_cell_start(index - v->index_base, v->cell_size) + i];
*/
/* clang-format off */
#define NF_VECTOR_CELL(v, index)                                        \
  (v)->cells[nf_cell_start((index) - (v)->index_base, (v)->cell_size) ..  \
             nf_cell_start((index) - (v)->index_base, (v)->cell_size) +   \
             (v)->cell_size - 1]
#define NF_VECTOR_APART(v, p, n)                                        \
  (\separated((p) + (0 .. (n) - 1), (v)) &&                             \
   \forall integer o; 0 <= o < (v)->capacity ==>                        \
     \separated((p) + (0 .. (n) - 1),                                   \
                (v)->cells + (nf_cell_start(o, (v)->cell_size) ..       \
                              nf_cell_start(o, (v)->cell_size) +        \
                              (v)->cell_size - 1)))
#define NF_VECTORS_APART(v, index)                                      \
  (\forall struct nf_vector *w; w != (v) && nf_vector_live(w) ==>       \
     \forall integer o; 0 <= o < w->capacity ==>                        \
       \separated(w->cells + (nf_cell_start(o, w->cell_size) ..          \
                              nf_cell_start(o, w->cell_size) +           \
                              w->cell_size - 1),                        \
                  (v)->cells +                                          \
                    (nf_cell_start((index) - (v)->index_base, (v)->cell_size) .. \
                     nf_cell_start((index) - (v)->index_base, (v)->cell_size) +  \
                     (v)->cell_size - 1)))
/* clang-format on */
#define NF_VECTOR_IMPL
#include "nflib/vector.h"

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

/* cell_size bytes: a loop (not memcpy) so that the copy is proved in
 * uint8_t; gcc -O2 compiles it to a memcpy call. */
/*@ requires \valid(dst + (0 .. n - 1)) && \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer i; 0 <= i < n ==> dst[i] == src[i]; */
static inline void copy_cell(uint8_t *restrict dst, const uint8_t *restrict src, uint32_t n) {
  /*@ loop invariant 0 <= i <= n;
      loop invariant \forall integer k; 0 <= k < i ==> dst[k] == src[k];
      loop assigns i, dst[0 .. n - 1];
      loop variant n - i; */
  for (uint32_t i = 0; i < n; i++) dst[i] = src[i];
}

struct nf_vector *nf_vector_create(const char *name, uint32_t capacity, uint32_t cell_size,
                                   nf_cell_init_fn init_cell) {
  if (capacity == 0 || cell_size == 0) return NULL;
  struct nf_vector *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base;
  nf_instance_resolve(name, capacity, &resolved, &base);
  if (resolved == 0 || (int64_t)base + resolved - 1 > INT32_MAX) return NULL;
  if ((uint64_t)resolved * cell_size > NF_VECTOR_BYTES_MAX) return NULL;
  struct nf_vector *v = calloc(1, sizeof(*v));
  if (!v) return NULL;
  v->cells = nf_alloc_zeroed((size_t)resolved * cell_size);
  if (!v->cells) {
    free(v);
    return NULL;
  }
  v->capacity = resolved;
  v->cell_size = cell_size;
  v->index_base = base;
  if (init_cell)
    for (uint32_t i = 0; i < resolved; i++) init_cell(v->cells + (size_t)i * cell_size);
  nf_instance_publish(name, v);
  return v;
}

void nf_vector_destroy(struct nf_vector *vector) {
  if (!vector) return;
  free(vector->cells);
  free(vector);
}

/* o * cell_size, exact (both < 2^32). */
/*@ assigns \nothing;
    ensures \result == nf_cell_start(o, cell_size); */
static inline uint64_t cell_offset(uint32_t o, uint32_t cell_size) {
  /*@ assert nf_cell_products; */
  return (uint64_t)o * cell_size;
}

/* The first byte of cell `index`; aborts outside the vector. */
/*@ requires nf_vector_live(v);
    assigns \nothing;
    ensures nf_vector_index_ok(v, index);
    ensures \result == v->cells + nf_cell_start(index - v->index_base, v->cell_size); */
static inline uint8_t *cell_at(const struct nf_vector *v, int32_t index, const char *fn) {
  int64_t offset = (int64_t)index - v->index_base;
  if (offset < 0 || offset >= v->capacity) nf_fatal(fn, "index outside the vector", index);
  return v->cells + cell_offset((uint32_t)offset, v->cell_size);
}

void nf_vector_borrow(const struct nf_vector *vector, int32_t index, void *cell_out) {
  /*@ assert nf_vector_cell_valid(vector, index - vector->index_base); */
  copy_cell(cell_out, cell_at(vector, index, __func__), vector->cell_size);
}

void nf_vector_return(struct nf_vector *vector, int32_t index, const void *cell) {
  uint8_t *dst = cell_at(vector, index, __func__);
  /*@ assert nf_vector_cell_valid(vector, index - vector->index_base); */
  /*@ assert \forall integer j, i; j != index && 0 <= i < vector->cell_size ==>
        \separated(vector->cells + (nf_cell_start(j - vector->index_base, vector->cell_size) + i),
                   dst + (0 .. vector->cell_size - 1)); */
  nf_before_write_to(vector);
  copy_cell(dst, cell, vector->cell_size);
}

uint32_t nf_vector_capacity(const struct nf_vector *vector) {
  return vector->capacity;
}

int32_t nf_vector_index_base(const struct nf_vector *vector) {
  return vector->index_base;
}

const void *nf_vector_cell_ptr(const struct nf_vector *vector, int32_t index) {
  return cell_at(vector, index, __func__);
}

uint32_t nf_vector_cell_size(const struct nf_vector *vector) {
  return vector->cell_size;
}
