/* Index allocator with time order. Cells 0 and 1 are the heads of the free
 * list (a LIFO stack linked through `next`) and of the allocated list (a
 * circular doubly linked list ordered by last use, oldest first); index i
 * lives in cell i + 2. */
#include "nflib/dchain.h"

#include <stdlib.h>

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

#define FREE_HEAD 0
#define ALLOC_HEAD 1
#define FIRST_CELL 2

struct nf_dchain_cell {
  uint32_t prev;
  uint32_t next;
};

struct nf_dchain {
  struct nf_dchain_cell *cells; /* capacity + 2 */
  nf_time_t *stamps;            /* capacity */
  uint8_t *allocated;           /* capacity */
  uint32_t capacity;
  uint32_t count;
  int32_t index_base;
};

struct nf_dchain *nf_dchain_create(const char *name, uint32_t capacity) {
  if (capacity == 0) return NULL;
  struct nf_dchain *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base;
  nf_instance_resolve(name, capacity, &resolved, &base);
  if (resolved == 0 || resolved > (1u << 30) || (int64_t)base + resolved - 1 > INT32_MAX)
    return NULL;
  struct nf_dchain *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  c->cells = nf_alloc_zeroed(((size_t)resolved + FIRST_CELL) * sizeof(*c->cells));
  c->stamps = nf_alloc_zeroed((size_t)resolved * sizeof(*c->stamps));
  c->allocated = nf_alloc_zeroed(resolved);
  if (!c->cells || !c->stamps || !c->allocated) {
    nf_dchain_destroy(c);
    return NULL;
  }
  c->capacity = resolved;
  c->index_base = base;
  /* Free list in index order, so the first allocations hand out base, base+1, ... */
  for (uint32_t i = 0; i < resolved; i++)
    c->cells[FIRST_CELL + i].next = (i + 1 < resolved) ? FIRST_CELL + i + 1 : FREE_HEAD;
  c->cells[FREE_HEAD].next = FIRST_CELL;
  c->cells[ALLOC_HEAD].next = ALLOC_HEAD;
  c->cells[ALLOC_HEAD].prev = ALLOC_HEAD;
  nf_instance_publish(name, c);
  return c;
}

void nf_dchain_destroy(struct nf_dchain *chain) {
  if (!chain) return;
  free(chain->cells);
  free(chain->stamps);
  free(chain->allocated);
  free(chain);
}

static inline void unlink_cell(struct nf_dchain *c, uint32_t cell) {
  uint32_t prev = c->cells[cell].prev, next = c->cells[cell].next;
  c->cells[prev].next = next;
  c->cells[next].prev = prev;
}

static inline void append_allocated(struct nf_dchain *c, uint32_t cell) {
  uint32_t last = c->cells[ALLOC_HEAD].prev;
  c->cells[cell].prev = last;
  c->cells[cell].next = ALLOC_HEAD;
  c->cells[last].next = cell;
  c->cells[ALLOC_HEAD].prev = cell;
}

static inline void push_free(struct nf_dchain *c, uint32_t cell) {
  c->cells[cell].next = c->cells[FREE_HEAD].next;
  c->cells[FREE_HEAD].next = cell;
  c->allocated[cell - FIRST_CELL] = 0;
  c->count--;
}

/* Offset of index in [0, capacity), or -1 when out of range. */
static inline int64_t offset_of(const struct nf_dchain *c, int32_t index) {
  int64_t offset = (int64_t)index - c->index_base;
  return (offset < 0 || offset >= c->capacity) ? -1 : offset;
}

bool nf_dchain_allocate(struct nf_dchain *chain, nf_time_t now, int32_t *index_out) {
  uint32_t cell = chain->cells[FREE_HEAD].next;
  if (cell == FREE_HEAD) return false;
  nf_before_write_to(chain);
  chain->cells[FREE_HEAD].next = chain->cells[cell].next;
  append_allocated(chain, cell);
  uint32_t offset = cell - FIRST_CELL;
  chain->stamps[offset] = now;
  chain->allocated[offset] = 1;
  chain->count++;
  *index_out = (int32_t)(chain->index_base + (int64_t)offset);
  return true;
}

int nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now) {
  int64_t offset = offset_of(chain, index);
  if (offset < 0 || !chain->allocated[offset]) return NF_NOT_FOUND;
  if (nf_refresh_deferred(chain, index, now)) return NF_OK; /* the runtime applies it later */
  nf_before_write_to(chain);
  uint32_t cell = (uint32_t)offset + FIRST_CELL;
  unlink_cell(chain, cell);
  append_allocated(chain, cell);
  chain->stamps[offset] = now;
  return NF_OK;
}

bool nf_dchain_is_allocated(const struct nf_dchain *chain, int32_t index) {
  int64_t offset = offset_of(chain, index);
  return offset >= 0 && chain->allocated[offset];
}

bool nf_dchain_expire_one(struct nf_dchain *chain, nf_time_t older_than, int32_t *index_out) {
  uint32_t cell = chain->cells[ALLOC_HEAD].next;
  if (cell == ALLOC_HEAD) return false;
  uint32_t offset = cell - FIRST_CELL;
  if (chain->stamps[offset] >= older_than) return false;
  nf_before_write_to(chain);
  unlink_cell(chain, cell);
  push_free(chain, cell);
  *index_out = (int32_t)(chain->index_base + (int64_t)offset);
  return true;
}

int nf_dchain_free(struct nf_dchain *chain, int32_t index) {
  int64_t offset = offset_of(chain, index);
  if (offset < 0 || !chain->allocated[offset]) return NF_NOT_FOUND;
  nf_before_write_to(chain);
  uint32_t cell = (uint32_t)offset + FIRST_CELL;
  unlink_cell(chain, cell);
  push_free(chain, cell);
  return NF_OK;
}

uint32_t nf_dchain_capacity(const struct nf_dchain *chain) {
  return chain->capacity;
}

int32_t nf_dchain_index_base(const struct nf_dchain *chain) {
  return chain->index_base;
}

uint32_t nf_dchain_allocated_count(const struct nf_dchain *chain) {
  return chain->count;
}
