/* Index allocator with time order. Cells 0 and 1 are the heads of the free
 * list (a LIFO stack linked through `next`) and of the allocated list (a
 * circular doubly linked list ordered by last use, oldest first); index i
 * lives in cell i + 2. */
#include <stdlib.h>

#include "nflib/types.h"

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

/* The model of dchain.h over this representation (what WP proves the
 * contracts against). Cell k >= 2 holds offset k - 2. A "free cell" is the
 * free head 0 or a cell whose allocation bit is 0, an "allocated cell" the
 * allocated head 1 or a cell whose bit is set. The structural invariant
 * (nf_dchain_live) is local, one or two cells at a time:
 *  - memory: the three arrays are valid and pairwise separate;
 *  - free list: the next of a free cell is a free cell, and no two free cells
 *    share a next other than 0: popping the head therefore leaves the list
 *    made of free cells (no cycle can lead back to the popped cell);
 *  - allocated list: prev and next of an allocated cell are allocated cells,
 *    and the links are mutually inverse (next's prev and prev's next are the
 *    cell itself), so unlinking a cell leaves no allocated cell pointing to it.
 *  - count: count is the number of set allocation bits (nf_dchain_counts).
 * It gives every link in range. It does not say that the lists reach every
 * cell of their kind (so not empty ==> count == 0 or exhausted ==> count ==
 * capacity): that needs reachability (docs/VERIFICATION.md). */
/*@ predicate nf_dchain_acell{L}(struct nf_dchain *c, integer k) =
      k == 1 || (2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0);
    predicate nf_dchain_fcell{L}(struct nf_dchain *c, integer k) =
      k == 0 || (2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0);
    predicate nf_dchain_memory{L}(struct nf_dchain *c) =
      \valid(c) && 1 <= c->capacity <= 1073741824 &&
      c->index_base + c->capacity - 1 <= 2147483647 &&
      \valid(c->cells + (0 .. c->capacity + 1)) &&
      \valid(c->stamps + (0 .. c->capacity - 1)) &&
      \valid(c->allocated + (0 .. c->capacity - 1)) &&
      \separated(c, c->cells + (0 .. c->capacity + 1), c->stamps + (0 .. c->capacity - 1),
                 c->allocated + (0 .. c->capacity - 1));
    predicate nf_dchain_free_closed{L}(struct nf_dchain *c) =
      \forall integer k; nf_dchain_fcell(c, k) ==> nf_dchain_fcell(c, c->cells[k].next);
    predicate nf_dchain_free_injective{L}(struct nf_dchain *c) =
      \forall integer j, k; nf_dchain_fcell(c, j) && nf_dchain_fcell(c, k) && j != k &&
        c->cells[j].next != 0 ==> c->cells[j].next != c->cells[k].next;
    predicate nf_dchain_free_links{L}(struct nf_dchain *c) =
      nf_dchain_free_closed(c) && nf_dchain_free_injective(c);
    predicate nf_dchain_alloc_next{L}(struct nf_dchain *c) =
      \forall integer k; nf_dchain_acell(c, k) ==>
        nf_dchain_acell(c, c->cells[k].next) && c->cells[c->cells[k].next].prev == k;
    predicate nf_dchain_alloc_prev{L}(struct nf_dchain *c) =
      \forall integer k; nf_dchain_acell(c, k) ==>
        nf_dchain_acell(c, c->cells[k].prev) && c->cells[c->cells[k].prev].next == k;
    predicate nf_dchain_alloc_links{L}(struct nf_dchain *c) =
      nf_dchain_alloc_next(c) && nf_dchain_alloc_prev(c);
*/
/*@ // The allocation bit of offset o as 0 or 1.
    logic integer nf_dchain_bit{L}(struct nf_dchain *c, integer o) =
      c->allocated[o] != 0 ? 1 : 0;
    axiomatic nf_dchain_counting {
      // The number of offsets in [0, n) whose allocation bit is set (defined
      // in nf_dchain_count_definition).
      logic integer nf_dchain_nalloc{L}(struct nf_dchain *c, integer n) reads c->allocated[..];
    }
    // The recursive definition of nf_dchain_nalloc, in its own axiomatic: WP
    // puts an axiomatic's axioms into a goal only when the goal names one of
    // its symbols, here the marker nf_dchain_counted, which only the goals
    // that count name. (With the definition everywhere, the prover unfolds it
    // in every goal of the link invariants, which then time out.)
    axiomatic nf_dchain_count_definition {
      predicate nf_dchain_counted;
      axiom nf_dchain_counted_holds: nf_dchain_counted;
      axiom nf_dchain_nalloc_0{L}: \forall struct nf_dchain *c, integer n;
        n <= 0 ==> nf_dchain_nalloc(c, n) == 0;
      axiom nf_dchain_nalloc_step{L}: \forall struct nf_dchain *c, integer n;
        0 < n ==> nf_dchain_nalloc(c, n) == nf_dchain_nalloc(c, n - 1) + nf_dchain_bit(c, n - 1);
    }
*/
/*@ // count is the number of allocated offsets.
    predicate nf_dchain_counts{L}(struct nf_dchain *c) =
      0 <= c->count <= c->capacity && c->count == nf_dchain_nalloc(c, c->capacity);
    predicate nf_dchain_live{L}(struct nf_dchain *c) =
      nf_dchain_memory(c) && nf_dchain_free_links(c) && nf_dchain_alloc_links(c) &&
      nf_dchain_counts(c);
    logic integer nf_dchain_capacity_of{L}(struct nf_dchain *c) = c->capacity;
    logic integer nf_dchain_base{L}(struct nf_dchain *c) = c->index_base;
    logic integer nf_dchain_count{L}(struct nf_dchain *c) = c->count;
    predicate nf_dchain_allocated{L}(struct nf_dchain *c, integer index) =
      c->index_base <= index < c->index_base + c->capacity &&
      c->allocated[index - c->index_base] != 0;
    logic nf_time_t nf_dchain_stamp{L}(struct nf_dchain *c, integer index) =
      c->index_base <= index < c->index_base + c->capacity ?
        c->stamps[index - c->index_base] : (nf_time_t)0;
    logic integer nf_dchain_oldest{L}(struct nf_dchain *c) =
      c->cells[1].next - 2 + c->index_base;
    predicate nf_dchain_empty{L}(struct nf_dchain *c) = c->cells[1].next == 1;
    predicate nf_dchain_exhausted{L}(struct nf_dchain *c) = c->cells[0].next == 0;

    // The abstract model's axioms (dchain.h), proved for this model.
    lemma nf_dchain_in_range{L}: \forall struct nf_dchain *c, integer i;
      nf_dchain_allocated(c, i) ==>
        nf_dchain_base(c) <= i < nf_dchain_base(c) + nf_dchain_capacity_of(c);
    lemma nf_dchain_oldest_allocated{L}: \forall struct nf_dchain *c;
      nf_dchain_live(c) && !nf_dchain_empty(c) ==> nf_dchain_allocated(c, nf_dchain_oldest(c));
*/
/* clang-format off */
#define NF_DCHAIN_STATE(c)                                                  \
  (c)->cells[0 .. (c)->capacity + 1], (c)->stamps[0 .. (c)->capacity - 1],  \
  (c)->allocated[0 .. (c)->capacity - 1], (c)->count
#define NF_DCHAIN_APART(c, p)                                               \
  \separated((p), (c), (c)->cells + (0 .. (c)->capacity + 1),               \
             (c)->stamps + (0 .. (c)->capacity - 1),                        \
             (c)->allocated + (0 .. (c)->capacity - 1))
/* clang-format on */
/* The same-kind frame is stated for callers only (dchain.h explains why). */
#define NF_DCHAIN_OTHERS_KEPT(c) (0 == 0)
#define NF_DCHAIN_IMPL
#include "nflib/dchain.h"

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

/* Lemma function (proof only): an allocated offset makes count positive, by
 * induction over the offsets (the loop). Its contract also proves the count
 * axioms of the abstract model (dchain.h) for this model, for every chain in
 * every state. */
/*@ ghost
  /@ requires nf_dchain_live(c);
     assigns \nothing;
     ensures nf_dchain_count_range: 0 <= nf_dchain_count(c) <= nf_dchain_capacity_of(c);
     ensures nf_dchain_count_positive:
       \forall integer o; 0 <= o < c->capacity && c->allocated[o] != 0 ==> 1 <= c->count;
     ensures nf_dchain_count_zero:
       nf_dchain_count(c) == 0 ==> \forall integer i; !nf_dchain_allocated(c, i);
     ensures nf_dchain_zero_empty: nf_dchain_count(c) == 0 ==> nf_dchain_empty(c);
     ensures nf_dchain_full_exhausted:
       nf_dchain_count(c) == nf_dchain_capacity_of(c) ==> nf_dchain_exhausted(c); @/
  void nf_dchain_count_lemma(struct nf_dchain *c) {
    /@ loop invariant 0 <= o <= c->capacity && nf_dchain_counted;
       loop invariant 0 <= nf_dchain_nalloc(c, o);
       loop invariant \forall integer j; 0 <= j < o && c->allocated[j] != 0 ==>
         1 <= nf_dchain_nalloc(c, o);
       loop invariant nf_dchain_nalloc(c, o) <= o;
       loop invariant \forall integer j; 0 <= j < o && c->allocated[j] == 0 ==>
         nf_dchain_nalloc(c, o) <= o - 1;
       loop assigns o;
       loop variant c->capacity - o; @/
    for (uint32_t o = 0; o < c->capacity; o++);
  }
*/

struct nf_dchain *nf_dchain_create(const char *name, uint32_t capacity) {
  if (capacity == 0) return NULL;
  struct nf_dchain *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base;
  nf_instance_resolve(name, capacity, &resolved, &base);
  if (resolved == 0 || resolved > NF_DCHAIN_CAPACITY_MAX ||
      (int64_t)base + resolved - 1 > INT32_MAX)
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

/* Takes cell out of the allocated list (its own links are left as they were). */
/*@ requires nf_dchain_memory(c) && 0 <= cell < c->capacity + 2;
    requires c->cells[cell].prev < c->capacity + 2 && c->cells[cell].next < c->capacity + 2;
    assigns c->cells[c->cells[cell].prev].next, c->cells[c->cells[cell].next].prev;
    ensures c->cells[\old(c->cells[cell].prev)].next == \old(c->cells[cell].next);
    ensures c->cells[\old(c->cells[cell].next)].prev == \old(c->cells[cell].prev); */
static inline void unlink_cell(struct nf_dchain *c, uint32_t cell) {
  uint32_t prev = c->cells[cell].prev, next = c->cells[cell].next;
  c->cells[prev].next = next;
  c->cells[next].prev = prev;
}

/* Links cell in as the newest of the allocated list. */
/*@ requires nf_dchain_memory(c) && 2 <= cell < c->capacity + 2;
    requires c->cells[1].prev < c->capacity + 2 && c->cells[1].prev != cell;
    assigns c->cells[cell], c->cells[c->cells[1].prev].next, c->cells[1].prev;
    ensures c->cells[cell].prev == \old(c->cells[1].prev) && c->cells[cell].next == 1;
    ensures c->cells[\old(c->cells[1].prev)].next == cell;
    ensures c->cells[1].prev == cell; */
static inline void append_allocated(struct nf_dchain *c, uint32_t cell) {
  uint32_t last = c->cells[ALLOC_HEAD].prev;
  c->cells[cell].prev = last;
  c->cells[cell].next = ALLOC_HEAD;
  c->cells[last].next = cell;
  c->cells[ALLOC_HEAD].prev = cell;
}

/* Marks cell's index free and pushes cell on the free list. */
/*@ requires nf_dchain_memory(c) && 2 <= cell < c->capacity + 2;
    requires 1 <= c->count;
    assigns c->cells[cell].next, c->cells[0].next, c->allocated[cell - 2], c->count;
    ensures c->count == \old(c->count) - 1;
    ensures c->cells[cell].next == \old(c->cells[0].next) && c->cells[0].next == cell;
    ensures c->allocated[cell - 2] == 0; */
static inline void push_free(struct nf_dchain *c, uint32_t cell) {
  c->cells[cell].next = c->cells[FREE_HEAD].next;
  c->cells[FREE_HEAD].next = cell;
  c->allocated[cell - FIRST_CELL] = 0;
  c->count--;
}

/* Moves an allocated cell from the allocated list to the free list. */
/*@ requires nf_dchain_live(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
    requires 1 <= c->count;
    assigns c->cells[0 .. c->capacity + 1], c->allocated[cell - 2], c->count;
    ensures c->count == \old(c->count) - 1;
    ensures nf_dchain_memory(c);
    ensures nf_dchain_alloc_links(c);
    ensures nf_dchain_free_closed(c);
    ensures nf_dchain_free_injective(c);
    ensures c->allocated[cell - 2] == 0;
    ensures \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
      c->allocated[o] == \old(c->allocated[o]); */
static inline void release_cell(struct nf_dchain *c, uint32_t cell) {
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].next == cell ==>
        k == c->cells[cell].prev; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].prev == cell ==>
        k == c->cells[cell].next; */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) ==> c->cells[k].next != cell; */
  unlink_cell(c, cell);
  push_free(c, cell);
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].next == (k == 0 ? cell : k == cell ? \at(c->cells[0].next, Pre) :
                             k == \at(c->cells[cell].prev, Pre) ? \at(c->cells[cell].next, Pre) :
                             \at(c->cells[k].next, Pre)); */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].prev == (k == \at(c->cells[cell].next, Pre) ? \at(c->cells[cell].prev, Pre) :
                             \at(c->cells[k].prev, Pre)); */
  /*@ assert c->capacity == \at(c->capacity, Pre); */
  /*@ assert \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
        c->allocated[o] == \at(c->allocated[o], Pre); */
  /*@ assert \forall integer k;
        nf_dchain_acell(c, k) <==> (nf_dchain_acell{Pre}(c, k) && k != cell); */
  /*@ assert \forall integer k;
        nf_dchain_fcell(c, k) <==> (nf_dchain_fcell{Pre}(c, k) || k == cell); */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != \at(c->cells[cell].prev, Pre) ==>
        c->cells[k].next == \at(c->cells[k].next, Pre); */
  /*@ assert \forall integer k; nf_dchain_acell{Pre}(c, k) && k != cell &&
        k != \at(c->cells[cell].prev, Pre) ==>
        \at(c->cells[k].next, Pre) != cell && \at(c->cells[k].next, Pre) != \at(c->cells[cell].next,
     Pre); */
  /*@ assert \forall integer k; nf_dchain_acell{Pre}(c, k) && k != cell &&
        k != \at(c->cells[cell].next, Pre) ==>
        \at(c->cells[k].prev, Pre) != cell && \at(c->cells[k].prev, Pre) != \at(c->cells[cell].prev,
     Pre); */
  /*@ assert nf_dchain_memory(c); */
  /*@ assert nf_dchain_alloc_next(c); */
  /*@ assert nf_dchain_alloc_prev(c); */
  /*@ assert nf_dchain_alloc_links(c); */
  /*@ assert \forall integer k; nf_dchain_fcell{Pre}(c, k) && k != 0 ==>
        c->cells[k].next == \at(c->cells[k].next, Pre); */
  /*@ assert nf_dchain_free_closed(c); */
  /*@ assert nf_dchain_free_injective(c); */
}

/* Offset of index in [0, capacity), or -1 when out of range. */
/*@ requires nf_dchain_memory(c);
    assigns \nothing;
    ensures c->index_base <= index < c->index_base + c->capacity ?
              \result == index - c->index_base : \result == -1; */
static inline int64_t offset_of(const struct nf_dchain *c, int32_t index) {
  int64_t offset = (int64_t)index - c->index_base;
  return (offset < 0 || offset >= c->capacity) ? -1 : offset;
}

bool nf_dchain_allocate(struct nf_dchain *chain, nf_time_t now, int32_t *index_out) {
  uint32_t cell = chain->cells[FREE_HEAD].next;
  if (cell == FREE_HEAD) return false;
  /*@ assert \forall integer k;
        nf_dchain_fcell(chain, k) && k != 0 ==> chain->cells[k].next != cell; */
  /*@ ghost uint32_t after = chain->cells[cell].next, last = chain->cells[ALLOC_HEAD].prev; */
  nf_before_write_to(chain);
  chain->cells[FREE_HEAD].next = chain->cells[cell].next;
  append_allocated(chain, cell);
  uint32_t offset = cell - FIRST_CELL;
  /*@ assert \forall integer k; 0 <= k < chain->capacity + 2 ==>
        chain->cells[k].next == (k == 0 ? after : k == cell ? 1 : k == last ? cell :
                                 \at(chain->cells[k].next, Pre)); */
  /*@ assert \forall integer k; 0 <= k < chain->capacity + 2 ==>
        chain->cells[k].prev == (k == cell ? last : k == 1 ? cell :
                                 \at(chain->cells[k].prev, Pre)); */
  chain->stamps[offset] = now;
  chain->allocated[offset] = 1;
  chain->count++;
  /*@ assert \forall integer k;
        nf_dchain_acell(chain, k) <==> (nf_dchain_acell{Pre}(chain, k) || k == cell); */
  /*@ assert \forall integer k;
        nf_dchain_fcell(chain, k) <==> (nf_dchain_fcell{Pre}(chain, k) && k != cell); */
  /*@ assert nf_dchain_memory(chain); */
  /*@ assert chain->capacity == \at(chain->capacity, Pre) &&
        chain->count == \at(chain->count, Pre) + 1; */
  /*@ assert \forall integer k; nf_dchain_acell{Pre}(chain, k) && k != last ==>
        chain->cells[k].next == \at(chain->cells[k].next, Pre) &&
        \at(chain->cells[k].next, Pre) != cell; */
  /*@ assert \forall integer k; nf_dchain_acell{Pre}(chain, k) && k != 1 ==>
        chain->cells[k].prev == \at(chain->cells[k].prev, Pre) &&
        \at(chain->cells[k].prev, Pre) != cell; */
  /*@ assert nf_dchain_alloc_next(chain); */
  /*@ assert nf_dchain_alloc_prev(chain); */
  /*@ assert nf_dchain_alloc_links(chain); */
  /*@ assert nf_dchain_free_closed(chain); */
  /*@ assert nf_dchain_free_injective(chain); */
  /*@ assert \forall integer o; 0 <= o < chain->capacity && o != offset ==>
        chain->allocated[o] == \at(chain->allocated[o], Pre) &&
        chain->stamps[o] == \at(chain->stamps[o], Pre); */
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, chain->index_base + offset); */
  *index_out = (int32_t)(chain->index_base + (int64_t)offset);
  /*@ assert *index_out == chain->index_base + offset; */
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, *index_out); */
  /*@ assert !nf_dchain_allocated{Pre}(chain, *index_out) && nf_dchain_allocated(chain, *index_out);
   */
  /*@ assert nf_dchain_memory(chain) && nf_dchain_alloc_links(chain) &&
        nf_dchain_free_links(chain); */
  /*@ assert chain->count == \at(chain->count, Pre) + 1; */
  /*@ assert \forall integer o; 0 <= o < chain->capacity && o != offset ==>
        nf_dchain_bit(chain, o) == nf_dchain_bit{Pre}(chain, o); */
  /*@ assert nf_dchain_bit(chain, offset) == 1 && nf_dchain_bit{Pre}(chain, offset) == 0; */
  /* count: one bit more, and still at most capacity (induction over the
   * offsets). */
  /*@ ghost
    /@ loop invariant 0 <= o <= chain->capacity && nf_dchain_counted;
       loop invariant nf_dchain_nalloc(chain, o) ==
         nf_dchain_nalloc{Pre}(chain, o) + (o > offset ? 1 : 0);
       loop invariant nf_dchain_nalloc(chain, o) <= o;
       loop assigns o;
       loop variant chain->capacity - o; @/
    for (uint32_t o = 0; o < chain->capacity; o++) {
      /@ assert nf_dchain_bit(chain, o) == nf_dchain_bit{Pre}(chain, o) + (o == offset ? 1 : 0); @/
    }
  */
  /*@ assert chain->count == nf_dchain_nalloc(chain, chain->capacity); */
  /*@ assert nf_dchain_counts(chain); */
  return true;
}

int nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now) {
  int64_t offset = offset_of(chain, index);
  if (offset < 0 || !chain->allocated[offset]) return NF_NOT_FOUND;
  if (nf_refresh_deferred(chain, index, now)) return NF_OK; /* the runtime applies it later */
  nf_before_write_to(chain);
  uint32_t cell = (uint32_t)offset + FIRST_CELL;
  /*@ ghost uint32_t before = chain->cells[cell].prev, after = chain->cells[cell].next;
      uint32_t last = after == ALLOC_HEAD ? before : chain->cells[ALLOC_HEAD].prev; */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) && k != cell && chain->cells[k].next ==
     cell ==> k == before; */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) && k != cell && chain->cells[k].prev ==
     cell ==> k == after; */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) && k != cell && chain->cells[k].next == 1
     ==> k == last; */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) && k != cell && k != last && k != before
     ==> chain->cells[k].next != cell && chain->cells[k].next != 1 && chain->cells[k].next != after;
   */
  unlink_cell(chain, cell);
  append_allocated(chain, cell);
  chain->stamps[offset] = now;
  /*@ assert chain->count == \at(chain->count, Pre) &&
        chain->capacity == \at(chain->capacity, Pre); */
  /*@ assert \forall integer k; 0 <= k < chain->capacity + 2 ==>
        chain->cells[k].next == (k == cell ? 1 : k == last ? cell : k == before ? after :
                                 \at(chain->cells[k].next, Pre)); */
  /*@ assert \forall integer k; 0 <= k < chain->capacity + 2 ==>
        chain->cells[k].prev == (k == cell ? last : k == 1 ? cell : k == after ? before :
                                 \at(chain->cells[k].prev, Pre)); */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) <==> nf_dchain_acell{Pre}(chain, k); */
  /*@ assert \forall integer k; nf_dchain_fcell(chain, k) <==> nf_dchain_fcell{Pre}(chain, k); */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) && k != cell && k != last && k != before
     ==> chain->cells[chain->cells[k].next].prev == k; */
  /*@ assert chain->cells[chain->cells[cell].next].prev == cell; */
  /*@ assert chain->cells[chain->cells[last].next].prev == last; */
  /*@ assert before != cell && before != last ==>
        chain->cells[chain->cells[before].next].prev == before; */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) && k != cell && k != last &&
        k != before ==> chain->cells[k].next == \at(chain->cells[k].next, Pre); */
  /*@ assert nf_dchain_acell(chain, after) && nf_dchain_acell(chain, cell); */
  /*@ assert \forall integer k; nf_dchain_acell(chain, k) ==>
        nf_dchain_acell(chain, chain->cells[k].next); */
  /*@ assert nf_dchain_alloc_next(chain); */
  /*@ assert nf_dchain_alloc_prev(chain); */
  /*@ assert nf_dchain_free_closed(chain); */
  /*@ assert nf_dchain_free_injective(chain); */
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
  /*@ ghost nf_dchain_count_lemma(chain); */
  release_cell(chain, cell);
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, chain->index_base + offset); */
  /*@ assert !nf_dchain_allocated(chain, chain->index_base + offset); */
  *index_out = (int32_t)(chain->index_base + (int64_t)offset);
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, *index_out); */
  /*@ assert !nf_dchain_allocated(chain, *index_out); */
  /*@ assert nf_dchain_memory(chain) && nf_dchain_alloc_links(chain) &&
        nf_dchain_free_links(chain); */
  /*@ assert chain->count == \at(chain->count, Pre) - 1 &&
        chain->capacity == \at(chain->capacity, Pre); */
  /*@ assert \forall integer o; 0 <= o < chain->capacity && o != cell - 2 ==>
        nf_dchain_bit(chain, o) == nf_dchain_bit{Pre}(chain, o); */
  /*@ assert nf_dchain_bit(chain, cell - 2) == 0 && nf_dchain_bit{Pre}(chain, cell - 2) == 1; */
  /* count: one bit less (induction over the offsets). */
  /*@ ghost
    /@ loop invariant 0 <= o <= chain->capacity && nf_dchain_counted;
       loop invariant nf_dchain_nalloc(chain, o) ==
         nf_dchain_nalloc{Pre}(chain, o) - (o > cell - 2 ? 1 : 0);
       loop assigns o;
       loop variant chain->capacity - o; @/
    for (uint32_t o = 0; o < chain->capacity; o++);
  */
  /*@ assert chain->count == nf_dchain_nalloc(chain, chain->capacity); */
  /*@ assert nf_dchain_counts(chain); */
  return true;
}

int nf_dchain_free(struct nf_dchain *chain, int32_t index) {
  int64_t offset = offset_of(chain, index);
  if (offset < 0 || !chain->allocated[offset]) return NF_NOT_FOUND;
  nf_before_write_to(chain);
  /*@ ghost nf_dchain_count_lemma(chain); */
  release_cell(chain, (uint32_t)offset + FIRST_CELL);
  /*@ assert !nf_dchain_allocated(chain, index); */
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, index); */
  /*@ assert nf_dchain_memory(chain) && nf_dchain_alloc_links(chain) &&
        nf_dchain_free_links(chain); */
  /*@ assert chain->count == \at(chain->count, Pre) - 1 &&
        chain->capacity == \at(chain->capacity, Pre); */
  /*@ assert \forall integer o; 0 <= o < chain->capacity && o != offset ==>
        nf_dchain_bit(chain, o) == nf_dchain_bit{Pre}(chain, o); */
  /*@ assert nf_dchain_bit(chain, offset) == 0 && nf_dchain_bit{Pre}(chain, offset) == 1; */
  /* count: one bit less (induction over the offsets). */
  /*@ ghost
    /@ loop invariant 0 <= o <= chain->capacity && nf_dchain_counted;
       loop invariant nf_dchain_nalloc(chain, o) ==
         nf_dchain_nalloc{Pre}(chain, o) - (o > offset ? 1 : 0);
       loop assigns o;
       loop variant chain->capacity - o; @/
    for (uint32_t o = 0; o < chain->capacity; o++);
  */
  /*@ assert chain->count == nf_dchain_nalloc(chain, chain->capacity); */
  /*@ assert nf_dchain_counts(chain); */
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
