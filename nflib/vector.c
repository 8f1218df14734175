/* Fixed-capacity array of fixed-size cells with explicit borrow / return. */
#include "nflib/vector.h"

#include <stdlib.h>
#include <string.h>

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

struct nf_vector {
  uint8_t *cells;
  uint32_t capacity;
  uint32_t cell_size;
  int32_t index_base;
};

struct nf_vector *nf_vector_create(const char *name, uint32_t capacity, uint32_t cell_size,
                                   nf_cell_init_fn init_cell) {
  if (capacity == 0 || cell_size == 0) return NULL;
  uint32_t resolved;
  int32_t base;
  nf_instance_resolve(name, capacity, &resolved, &base);
  if (resolved == 0 || (int64_t)base + resolved - 1 > INT32_MAX) return NULL;
  if ((uint64_t)resolved * cell_size > ((uint64_t)1 << 40)) return NULL;
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
  return v;
}

void nf_vector_destroy(struct nf_vector *vector) {
  if (!vector) return;
  free(vector->cells);
  free(vector);
}

static inline uint8_t *cell_at(const struct nf_vector *v, int32_t index, const char *fn) {
  int64_t offset = (int64_t)index - v->index_base;
  if (offset < 0 || offset >= v->capacity) nf_fatal(fn, "index outside the vector", index);
  return v->cells + (size_t)offset * v->cell_size;
}

void nf_vector_borrow(const struct nf_vector *vector, int32_t index, void *cell_out) {
  memcpy(cell_out, cell_at(vector, index, __func__), vector->cell_size);
}

void nf_vector_return(struct nf_vector *vector, int32_t index, const void *cell) {
  uint8_t *dst = cell_at(vector, index, __func__);
  nf_before_write();
  memcpy(dst, cell, vector->cell_size);
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
