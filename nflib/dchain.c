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

/* Ghost state (proof only, no code): per cell, its position on the allocated
 * list (apos) or on the free list (fpos), and for a free cell the free cell
 * whose next it is (fprev). Frama-C 25 has no ghost struct fields, so a
 * chain's ghost cells are a ghost block nf_dchain_g(c) of capacity + 2 cells,
 * what a ghost field of struct nf_dchain would point to: the logic function
 * names it, the body-less ghost function nf_dchain_ghost_of hands it to ghost
 * code, and nf_dchain_live says it is valid
 * (create, out of scope like the rest of live's establishment, would allocate
 * it). The fields are uint64_t, a type no other memory of the chain has: WP's
 * Typed model keeps one memory variable per C type, so the ghost writes leave
 * the variable of the links (uint32_t) as it was and no goal about the links
 * has to see through them. */
/*@ ghost struct nf_dchain_gcell {
      uint64_t apos;
    };
*/
/*@ axiomatic nf_dchain_ghost_block {
      logic struct nf_dchain_gcell *nf_dchain_g(struct nf_dchain *c);
    }
*/
/*@ ghost
  /@ assigns \nothing;
     ensures \result == nf_dchain_g(c); @/
  struct nf_dchain_gcell \ghost *nf_dchain_ghost_of(struct nf_dchain *c);
*/

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
    // The lists reach every cell of their kind, by ghost positions (stated one
    // or two cells at a time, like the links; the walks that use them are the
    // ghost lemma functions nf_dchain_list_lemma and nf_dchain_oldest_lemma).
    // (No \separated from the chain's memory needed: the ghost cells are the
    // only uint64_t memory, and Typed keeps each C type's memory apart.)
    predicate nf_dchain_ghost_memory{L}(struct nf_dchain *c) =
      \valid(nf_dchain_g(c) + (0 .. c->capacity + 1));
    // Allocated list: the head has position 0, the last cell (the head's prev)
    // position count; an allocated cell k has a position in [1, count], one
    // more than its prev's, and no two allocated cells share a position. So
    // walking prev from any allocated cell reaches the head (the position
    // falls by one a step): every allocated cell is on the list.
    predicate nf_dchain_alloc_ends{L}(struct nf_dchain *c) =
      nf_dchain_g(c)[1].apos == 0 && nf_dchain_g(c)[c->cells[1].prev].apos == c->count;
    predicate nf_dchain_alloc_steps{L}(struct nf_dchain *c) =
      \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 ==>
        1 <= nf_dchain_g(c)[k].apos <= c->count &&
        nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1;
    // A free cell has position 0, so the pairwise facts (distinct positions,
    // time order) can be stated over the positions alone, without the
    // allocation bits: when a bit changes, they carry over unchanged.
    predicate nf_dchain_alloc_marks{L}(struct nf_dchain *c) =
      \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
        nf_dchain_g(c)[k].apos == 0;
    predicate nf_dchain_alloc_distinct{L}(struct nf_dchain *c) =
      \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 && j != k &&
        nf_dchain_g(c)[j].apos != 0 ==> nf_dchain_g(c)[j].apos != nf_dchain_g(c)[k].apos;
    predicate nf_dchain_alloc_ranked_def{L}(struct nf_dchain *c) =
      nf_dchain_alloc_ends(c) && nf_dchain_alloc_steps(c) && nf_dchain_alloc_marks(c) &&
      nf_dchain_alloc_distinct(c);
    // nf_dchain_live names the two as opaque predicates, defined in an
    // axiomatic of their own behind the marker nf_dchain_ranking (as the count):
    // only the goals that name the marker (the position goals) have the
    // definitions in their context, the link goals do not.
    axiomatic nf_dchain_ranks {
      predicate nf_dchain_alloc_ranked{L}(struct nf_dchain *c)
        reads c->capacity, c->count, c->cells[..], c->allocated[..], nf_dchain_g(c)[..];
    }
    axiomatic nf_dchain_rank_definition {
      predicate nf_dchain_ranking;
      axiom nf_dchain_ranking_holds: nf_dchain_ranking;
      axiom nf_dchain_alloc_ranked_is{L}: \forall struct nf_dchain *c;
        nf_dchain_alloc_ranked(c) <==> nf_dchain_alloc_ranked_def(c);
    }
    // Time order (dchain.h's nf_dchain_time_ordered): an allocated cell
    // further along the list has a stamp at least as large (pairwise, by
    // position, so no induction along the list is needed). Opaque, defined
    // behind the marker nf_dchain_ordering, as the positions.
    predicate nf_dchain_time_ordered_def{L}(struct nf_dchain *c) =
      \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 &&
        0 < nf_dchain_g(c)[j].apos < nf_dchain_g(c)[k].apos ==>
          c->stamps[j - 2] <= c->stamps[k - 2];
    axiomatic nf_dchain_order {
      predicate nf_dchain_time_ordered{L}(struct nf_dchain *c)
        reads c->capacity, c->stamps[..], nf_dchain_g(c)[..];
    }
    axiomatic nf_dchain_order_definition {
      predicate nf_dchain_ordering;
      axiom nf_dchain_ordering_holds: nf_dchain_ordering;
      axiom nf_dchain_time_ordered_is{L}: \forall struct nf_dchain *c;
        nf_dchain_time_ordered(c) <==> nf_dchain_time_ordered_def(c);
    }
    predicate nf_dchain_live_links{L}(struct nf_dchain *c) =
      nf_dchain_memory(c) && nf_dchain_free_links(c) && nf_dchain_alloc_links(c) &&
      nf_dchain_counts(c);
    predicate nf_dchain_live{L}(struct nf_dchain *c) =
      nf_dchain_live_links(c) && nf_dchain_ghost_memory(c) && nf_dchain_alloc_ranked(c);
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
  (c)->allocated[0 .. (c)->capacity - 1], (c)->count,                       \
  nf_dchain_g(c)[0 .. (c)->capacity + 1]
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

/* Lemma function (proof only): the positions of a live chain, spelled out
 * (nf_dchain_alloc_ranked unfolded), for goals that must not see the
 * definitions behind the marker. */
/*@ ghost
  /@ requires nf_dchain_live(c);
     assigns \nothing;
     ensures nf_dchain_alloc_ranked_def(c); @/
  void nf_dchain_ranked_lemma(struct nf_dchain *c) {
    /@ assert nf_dchain_ranking && nf_dchain_alloc_ranked_def(c); @/
  }
*/

/* Lemma function (proof only): the allocated list reaches every allocated
 * cell. An allocated cell has a position in [1, count], so the list is not
 * empty (an empty list has its last cell, the head, at position count, hence
 * count 0); the oldest (the head's next) has position 1, every other allocated
 * cell a larger one, hence, in time order, a stamp at least the oldest's. Its
 * contract proves the abstract model's axiom nf_dchain_oldest_smallest
 * (dchain.h) for this model. */
/*@ ghost
  /@ requires nf_dchain_live(c);
     assigns \nothing;
     ensures nf_dchain_empty_zero: nf_dchain_empty(c) ==> nf_dchain_count(c) == 0;
     ensures nf_dchain_allocated_not_empty:
       \forall integer i; nf_dchain_allocated(c, i) ==> !nf_dchain_empty(c);
     ensures nf_dchain_oldest_smallest:
       nf_dchain_time_ordered(c) ==> \forall integer i; nf_dchain_allocated(c, i) ==>
         nf_dchain_stamp(c, nf_dchain_oldest(c)) <= nf_dchain_stamp(c, i); @/
  void nf_dchain_order_lemma(struct nf_dchain *c) {
    nf_dchain_ranked_lemma(c);
    /@ assert nf_dchain_empty(c) ==> c->cells[1].prev == 1; @/
    /@ assert nf_dchain_empty(c) ==> c->count == 0; @/
    /@ assert \forall integer i; nf_dchain_allocated(c, i) ==>
         1 <= nf_dchain_g(c)[i - c->index_base + 2].apos <= c->count; @/
    /@ assert !nf_dchain_empty(c) ==>
         2 <= c->cells[1].next < c->capacity + 2 && c->allocated[c->cells[1].next - 2] != 0 &&
         c->cells[c->cells[1].next].prev == 1; @/
    /@ assert !nf_dchain_empty(c) ==> nf_dchain_g(c)[c->cells[1].next].apos == 1; @/
    /@ assert !nf_dchain_empty(c) ==> \forall integer k; 2 <= k < c->capacity + 2 &&
         c->allocated[k - 2] != 0 && k != c->cells[1].next ==> 1 < nf_dchain_g(c)[k].apos; @/
    /@ assert nf_dchain_time_ordered(c) ==> nf_dchain_ordering && nf_dchain_time_ordered_def(c); @/
  }
*/

/* Lemma function (proof only): the fill level of a live chain, both
 * directions, from the count and the positions (nf_dchain_count_lemma,
 * nf_dchain_order_lemma). Its contract proves the abstract model's axiom
 * nf_dchain_empty_count (dchain.h, axiomatic nf_dchain_fill) for this model. */
/*@ ghost
  /@ requires nf_dchain_live(c);
     assigns \nothing;
     ensures nf_dchain_empty_count: nf_dchain_empty(c) <==> nf_dchain_count(c) == 0; @/
  void nf_dchain_fill_lemma(struct nf_dchain *c) {
    nf_dchain_count_lemma(c);
    nf_dchain_order_lemma(c);
  }
*/

/* The index of offset o (base + o), opaque so that Qed does not simplify the
 * terms nf_dchain_at_most_lemma instantiates nf_dchain_stamps_at_most with. */
/*@ axiomatic nf_dchain_index_of_offset {
      logic integer nf_dchain_index_of(integer base, integer o);
      axiom nf_dchain_index_of_is: \forall integer base, o; nf_dchain_index_of(base, o) == base + o;
    }
*/

/* Lemma function (proof only): dchain.h's nf_dchain_stamps_at_most (over
 * indexes) for the offsets (over the representation), in a context of its
 * own. Stated over offsets o (not cells o + 2): each quantified fact needs a
 * term without arithmetic on its variable (c->allocated[o]) for the prover to
 * instantiate it with. */
/*@ ghost
  /@ requires nf_dchain_memory(c);
     assigns \nothing;
     ensures nf_dchain_stamps_at_most(c, t) ==>
       \forall integer o; 0 <= o < c->capacity && c->allocated[o] != 0 ==> c->stamps[o] <= t; @/
  void nf_dchain_at_most_lemma(struct nf_dchain *c, nf_time_t t) {
    /@ assert \forall integer o; 0 <= o < c->capacity ==>
         nf_dchain_index_of(c->index_base, o) - c->index_base == o; @/
    /@ assert \forall integer o; 0 <= o < c->capacity && c->allocated[o] != 0 ==>
         nf_dchain_allocated(c, nf_dchain_index_of(c->index_base, o)) &&
         nf_dchain_stamp(c, nf_dchain_index_of(c->index_base, o)) == c->stamps[o]; @/
    /@ assert nf_dchain_stamps_at_most(c, t) ==>
         \forall integer o; 0 <= o < c->capacity && c->allocated[o] != 0 ==>
         nf_dchain_stamp(c, nf_dchain_index_of(c->index_base, o)) <= t; @/
  }
*/

/* Ghost (proof only): the allocated cells at positions after p move one
 * position down (what unlinking the cell at position p does to the list). */
/*@ ghost
  /@ requires nf_dchain_memory(c) && nf_dchain_ghost_memory(c) && g == nf_dchain_g(c);
     assigns g[2 .. c->capacity + 1].apos;
     ensures \forall integer k; 2 <= k < c->capacity + 2 ==>
       nf_dchain_g(c)[k].apos ==
         (c->allocated[k - 2] != 0 && \old(nf_dchain_g(c)[k].apos) > p ?
            \old(nf_dchain_g(c)[k].apos) - 1 : \old(nf_dchain_g(c)[k].apos)); @/
  void nf_dchain_shift_down(struct nf_dchain *c, struct nf_dchain_gcell \ghost *g, uint64_t p) {
    uint32_t n = c->capacity;
    /@ loop invariant 2 <= k <= n + 2 && c->capacity == n;
       loop invariant \forall integer j; 2 <= j < k ==>
         nf_dchain_g(c)[j].apos ==
           (c->allocated[j - 2] != 0 && \at(nf_dchain_g(c)[j].apos, Pre) > p ?
              \at(nf_dchain_g(c)[j].apos, Pre) - 1 : \at(nf_dchain_g(c)[j].apos, Pre));
       loop invariant \forall integer j; k <= j < c->capacity + 2 ==>
         nf_dchain_g(c)[j].apos == \at(nf_dchain_g(c)[j].apos, Pre);
       loop assigns k, g[2 .. n + 1].apos;
       loop variant n + 2 - k; @/
    for (uint32_t k = 2; k < n + 2; k++)
      if (c->allocated[k - 2] != 0 && g[k].apos > p) g[k].apos--;
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

/* Ghost (proof only): the positions release_cell gives, set before the links
 * change: the allocated cells after cell (position p) move one position down.
 * The contract states the positions for the list as it will be once cell is
 * unlinked (its prev and next linked to each other), and the time order of the
 * cells left. */
/*@ ghost
  /@ requires nf_dchain_live(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
     requires g == nf_dchain_g(c);
     assigns g[2 .. c->capacity + 1].apos;
     ensures nf_dchain_g(c)[1].apos == 0;
     ensures \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
       k != cell ==>
       1 <= nf_dchain_g(c)[k].apos <= c->count - 1;
     ensures \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 && k != cell &&
       k != c->cells[cell].next ==>
       nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1;
     ensures c->cells[cell].next != 1 ==>
       nf_dchain_g(c)[c->cells[cell].next].apos == nf_dchain_g(c)[c->cells[cell].prev].apos + 1;
     ensures nf_dchain_g(c)[c->cells[cell].next == 1 ?
       c->cells[cell].prev : c->cells[1].prev].apos ==
       c->count - 1;
     ensures \forall integer k; 2 <= k < c->capacity + 2 &&
       (c->allocated[k - 2] == 0 || k == cell) ==>
       nf_dchain_g(c)[k].apos == 0;
     ensures nf_dchain_alloc_distinct(c);
     ensures nf_dchain_time_ordered{Old}(c) ==> nf_dchain_time_ordered_def(c); @/
  void nf_dchain_unrank(struct nf_dchain *c, struct nf_dchain_gcell \ghost *g, uint32_t cell) {
    nf_dchain_ranked_lemma(c);
    /@ assert nf_dchain_acell(c, c->cells[cell].next) && nf_dchain_acell(c, c->cells[cell].prev) &&
         c->cells[c->cells[cell].next].prev == cell; @/
    /@ assert 1 <= nf_dchain_g(c)[cell].apos <= c->count &&
         nf_dchain_g(c)[c->cells[cell].prev].apos == nf_dchain_g(c)[cell].apos - 1; @/
    /@ assert c->cells[cell].next != 1 ==>
         2 <= c->cells[cell].next < c->capacity + 2 &&
         nf_dchain_g(c)[c->cells[cell].next].apos == nf_dchain_g(c)[cell].apos + 1; @/
    /@ assert c->cells[cell].next == 1 ==>
         c->cells[1].prev == cell && nf_dchain_g(c)[cell].apos == c->count; @/
    /@ assert c->cells[cell].next != 1 ==>
         c->cells[1].prev != cell && c->cells[1].prev != 1 &&
           nf_dchain_acell(c, c->cells[1].prev) &&
         nf_dchain_g(c)[c->cells[1].prev].apos == c->count; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
      k != cell ==>
         nf_dchain_g(c)[k].apos != nf_dchain_g(c)[cell].apos; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
      k != cell &&
         k != c->cells[cell].next ==> c->cells[k].prev != cell; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
      k != cell &&
         k != c->cells[cell].next ==>
         nf_dchain_acell(c, c->cells[k].prev) &&
         nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1; @/
    /@ assert nf_dchain_time_ordered(c) ==> nf_dchain_ordering && nf_dchain_time_ordered_def(c); @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
         nf_dchain_g(c)[k].apos == 0; @/
    /@ assert \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 &&
      j != k &&
         c->allocated[j - 2] != 0 && c->allocated[k - 2] != 0 && j != cell && k != cell ==>
         nf_dchain_g(c)[j].apos != nf_dchain_g(c)[k].apos; @/
    /@ assert nf_dchain_time_ordered(c) ==>
         \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 &&
         c->allocated[j - 2] != 0 && c->allocated[k - 2] != 0 && j != cell && k != cell &&
         nf_dchain_g(c)[j].apos < nf_dchain_g(c)[k].apos ==>
           c->stamps[j - 2] <= c->stamps[k - 2]; @/
    uint64_t p = g[cell].apos;
    Shift:
    nf_dchain_shift_down(c, g, p);
    g[cell].apos = 0;
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && k != cell ==>
         nf_dchain_g(c)[k].apos ==
           (c->allocated[k - 2] != 0 && \at(nf_dchain_g(c)[k].apos, Shift) > p ?
              \at(nf_dchain_g(c)[k].apos, Shift) - 1 : \at(nf_dchain_g(c)[k].apos, Shift)); @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
         nf_dchain_g(c)[k].apos == 0; @/
    /@ assert nf_dchain_g(c)[1].apos == 0; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
      k != cell ==>
         (nf_dchain_g(c)[k].apos < p <==> \at(nf_dchain_g(c)[k].apos, Shift) < p); @/
    /@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell ==>
         (nf_dchain_g(c)[k].apos < p <==> \at(nf_dchain_g(c)[k].apos, Shift) < p); @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
      k != cell &&
         k != c->cells[cell].next ==>
         nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && nf_dchain_g(c)[k].apos != 0 ==>
         c->allocated[k - 2] != 0 && k != cell; @/
    /@ assert \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 &&
         c->allocated[j - 2] != 0 && c->allocated[k - 2] != 0 && j != cell && k != cell &&
         nf_dchain_g(c)[j].apos < nf_dchain_g(c)[k].apos ==>
         \at(nf_dchain_g(c)[j].apos, Shift) < \at(nf_dchain_g(c)[k].apos, Shift); @/
  }
*/

/* What nf_dchain_rank_alloc sets up, opaque (defined behind the marker
 * nf_dchain_stepping): at allocate's call, the goals about the links see an
 * atom, not the quantified facts. */
/*@ predicate nf_dchain_alloc_facts_def{L}(struct nf_dchain *c, integer cell) =
      nf_dchain_g(c)[1].apos == 0 && nf_dchain_g(c)[cell].apos == c->count + 1 &&
      (\forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 ==>
        1 <= nf_dchain_g(c)[k].apos <= c->count &&
        nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1) &&
      nf_dchain_g(c)[c->cells[1].prev].apos == c->count &&
      (\forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 && k != cell ==>
        nf_dchain_g(c)[k].apos == 0) &&
      nf_dchain_alloc_distinct(c);
    // What nf_dchain_rank_refresh sets up (the list as it will be once cell is
    // unlinked and appended), opaque in the same way.
    predicate nf_dchain_refresh_facts_def{L}(struct nf_dchain *c, integer cell) =
      nf_dchain_g(c)[1].apos == 0 && nf_dchain_g(c)[cell].apos == c->count &&
      (\forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 && k != cell ==>
        1 <= nf_dchain_g(c)[k].apos <= c->count - 1) &&
      (\forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 && k != cell &&
        k != c->cells[cell].next ==>
        nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1) &&
      (c->cells[cell].next != 1 ==>
        nf_dchain_g(c)[c->cells[cell].next].apos ==
        nf_dchain_g(c)[c->cells[cell].prev].apos + 1) &&
      nf_dchain_g(c)[c->cells[cell].next == 1 ? c->cells[cell].prev : c->cells[1].prev].apos ==
        c->count - 1 &&
      (\forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
        nf_dchain_g(c)[k].apos == 0) &&
      nf_dchain_alloc_distinct(c);
    predicate nf_dchain_alloc_order_def{L}(struct nf_dchain *c, integer cell, nf_time_t now) =
      \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 &&
        0 < nf_dchain_g(c)[j].apos < nf_dchain_g(c)[k].apos ==>
        (j == cell ? now : c->stamps[j - 2]) <= (k == cell ? now : c->stamps[k - 2]);
    axiomatic nf_dchain_steps {
      predicate nf_dchain_alloc_facts{L}(struct nf_dchain *c, integer cell)
        reads c->capacity, c->count, c->cells[..], c->allocated[..], nf_dchain_g(c)[..];
      predicate nf_dchain_refresh_facts{L}(struct nf_dchain *c, integer cell)
        reads c->capacity, c->count, c->cells[..], c->allocated[..], nf_dchain_g(c)[..];
      predicate nf_dchain_alloc_order{L}(struct nf_dchain *c, integer cell, nf_time_t now)
        reads c->capacity, c->stamps[..], nf_dchain_g(c)[..];
    }
    axiomatic nf_dchain_step_definition {
      predicate nf_dchain_stepping;
      axiom nf_dchain_stepping_holds: nf_dchain_stepping;
      axiom nf_dchain_alloc_facts_is{L}: \forall struct nf_dchain *c, integer cell;
        nf_dchain_alloc_facts(c, cell) <==> nf_dchain_alloc_facts_def(c, cell);
      axiom nf_dchain_refresh_facts_is{L}: \forall struct nf_dchain *c, integer cell;
        nf_dchain_refresh_facts(c, cell) <==> nf_dchain_refresh_facts_def(c, cell);
      axiom nf_dchain_alloc_order_is{L}: \forall struct nf_dchain *c, integer cell, nf_time_t now;
        nf_dchain_alloc_order(c, cell, now) <==> nf_dchain_alloc_order_def(c, cell, now);
    }
*/

/* The time order among the allocated cells other than cell, and their stamps
 * at most now: what rank_refresh carries across cell's new position. */
/*@ predicate nf_dchain_pairs_ordered{L}(struct nf_dchain *c, integer cell) =
      \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 && j != cell &&
        k != cell && 0 < nf_dchain_g(c)[j].apos < nf_dchain_g(c)[k].apos ==>
        c->stamps[j - 2] <= c->stamps[k - 2];
    predicate nf_dchain_others_at_most{L}(struct nf_dchain *c, integer cell, nf_time_t now) =
      \forall integer j; 2 <= j < c->capacity + 2 && j != cell && nf_dchain_g(c)[j].apos != 0 ==>
        c->stamps[j - 2] <= now;
*/

/* Lemma function (proof only): the time order restricted to the cells other
 * than cell. */
/*@ ghost
  /@ requires nf_dchain_memory(c) && nf_dchain_ghost_memory(c);
     assigns \nothing;
     ensures nf_dchain_time_ordered_def(c) ==> nf_dchain_pairs_ordered(c, cell); @/
  void nf_dchain_pairs_lemma(struct nf_dchain *c, uint32_t cell) {
  }
*/

/* Ghost (proof only): cell at position count (the last), in a context of its
 * own: the other positions, hence the facts about the other cells, are kept. */
/*@ ghost
  /@ requires nf_dchain_memory(c) && nf_dchain_ghost_memory(c) && g == nf_dchain_g(c);
     requires 2 <= cell < c->capacity + 2;
     assigns g[cell].apos;
     ensures nf_dchain_g(c)[cell].apos == c->count;
     ensures \forall integer k; 0 <= k < c->capacity + 2 && k != cell ==>
       nf_dchain_g(c)[k].apos == \old(nf_dchain_g(c)[k].apos);
     ensures nf_dchain_pairs_ordered(c, cell) <==> \old(nf_dchain_pairs_ordered(c, cell));
     ensures nf_dchain_others_at_most(c, cell, now) <==>
       \old(nf_dchain_others_at_most(c, cell, now)); @/
  void nf_dchain_set_last(struct nf_dchain *c, struct nf_dchain_gcell \ghost *g, uint32_t cell,
                          nf_time_t now) {
    g[cell].apos = c->count;
    /@ assert \forall integer k; 0 <= k < c->capacity + 2 && k != cell ==>
         nf_dchain_g(c)[k].apos == \at(nf_dchain_g(c)[k].apos, Pre); @/
  }
*/

/* Lemma function (proof only): with cell last (the largest position), the
 * order of the other cells and their stamps at most now give the time order
 * with cell stamped now. */
/*@ ghost
  /@ requires nf_dchain_memory(c) && nf_dchain_ghost_memory(c) && 2 <= cell < c->capacity + 2;
     requires \forall integer k; 2 <= k < c->capacity + 2 && k != cell ==>
       nf_dchain_g(c)[k].apos < nf_dchain_g(c)[cell].apos;
     assigns \nothing;
     ensures nf_dchain_pairs_ordered(c, cell) && nf_dchain_others_at_most(c, cell, now) ==>
       nf_dchain_alloc_order_def(c, cell, now); @/
  void nf_dchain_order_last(struct nf_dchain *c, uint32_t cell, nf_time_t now) {
  }
*/

/* Ghost (proof only): the positions rejuvenate gives, set before the links
 * change: nf_dchain_unrank, then cell at position count (the last). The
 * contract states the positions and the time order for the list as it will be
 * once cell is unlinked, appended and stamped now. */
/*@ ghost
  /@ requires nf_dchain_live(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
     requires g == nf_dchain_g(c);
     assigns g[2 .. c->capacity + 1].apos;
     ensures c->cells[cell].next != cell && c->cells[cell].prev != cell;
     ensures nf_dchain_refresh_facts(c, cell);
     ensures nf_dchain_time_ordered{Old}(c) && nf_dchain_stamps_at_most{Old}(c, now) ==>
       nf_dchain_alloc_order(c, cell, now); @/
  void nf_dchain_rank_refresh(struct nf_dchain *c, struct nf_dchain_gcell \ghost *g, uint32_t cell,
                              nf_time_t now) {
    nf_dchain_at_most_lemma(c, now);
    nf_dchain_ranked_lemma(c);
    /@ assert 1 <= nf_dchain_g(c)[cell].apos &&
         nf_dchain_g(c)[c->cells[cell].prev].apos == nf_dchain_g(c)[cell].apos - 1; @/
    /@ assert c->cells[cell].next != 1 ==> nf_dchain_acell(c, c->cells[cell].next) &&
         c->cells[c->cells[cell].next].prev == cell; @/
    /@ assert c->cells[cell].next != 1 ==> 2 <= c->cells[cell].next < c->capacity + 2 &&
         nf_dchain_g(c)[c->cells[cell].next].apos == nf_dchain_g(c)[cell].apos + 1; @/
    /@ assert c->cells[cell].next != cell && c->cells[cell].prev != cell; @/
    /@ assert c->cells[1].prev == cell ==> c->cells[cell].next == 1; @/
    /@ assert (c->cells[cell].next == 1 ? c->cells[cell].prev : c->cells[1].prev) != cell; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
         k != cell && k != c->cells[cell].next ==> c->cells[k].prev != cell; @/
    nf_dchain_unrank(c, g, cell);
    nf_dchain_pairs_lemma(c, cell);
    /@ assert nf_dchain_time_ordered{Pre}(c) ==> nf_dchain_pairs_ordered(c, cell); @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && k != cell ==>
         nf_dchain_g(c)[k].apos <= c->count - 1; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && nf_dchain_g(c)[k].apos != 0 ==>
         c->allocated[k - 2] != 0 && k != cell; @/
    /@ assert nf_dchain_stamps_at_most{Pre}(c, now) ==> nf_dchain_others_at_most(c, cell, now); @/
    nf_dchain_set_last(c, g, cell, now);
    /@ assert nf_dchain_time_ordered{Pre}(c) ==> nf_dchain_pairs_ordered(c, cell); @/
    /@ assert nf_dchain_stamps_at_most{Pre}(c, now) ==> nf_dchain_others_at_most(c, cell, now); @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && k != cell ==>
         nf_dchain_g(c)[k].apos < nf_dchain_g(c)[cell].apos; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
         k != cell && k != c->cells[cell].next ==>
         nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1; @/
    /@ assert c->cells[cell].next != 1 ==>
         nf_dchain_g(c)[c->cells[cell].next].apos ==
         nf_dchain_g(c)[c->cells[cell].prev].apos + 1; @/
    /@ assert \forall integer j, k; 2 <= j < c->capacity + 2 && 2 <= k < c->capacity + 2 &&
         j != k && j != cell && k != cell && nf_dchain_g(c)[j].apos != 0 ==>
         nf_dchain_g(c)[j].apos != nf_dchain_g(c)[k].apos; @/
    /@ assert nf_dchain_alloc_distinct(c); @/
    /@ assert nf_dchain_g(c)[1].apos == 0 && nf_dchain_g(c)[cell].apos == c->count; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
         k != cell ==> 1 <= nf_dchain_g(c)[k].apos <= c->count - 1; @/
    /@ assert nf_dchain_g(c)[c->cells[cell].next == 1 ?
         c->cells[cell].prev : c->cells[1].prev].apos == c->count - 1; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
         nf_dchain_g(c)[k].apos == 0; @/
    /@ assert nf_dchain_refresh_facts_def(c, cell); @/
    /@ assert nf_dchain_stepping && nf_dchain_refresh_facts(c, cell); @/
    nf_dchain_order_last(c, cell, now);
    /@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
         nf_dchain_alloc_order_def(c, cell, now); @/
    /@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
         nf_dchain_stepping && nf_dchain_alloc_order(c, cell, now); @/
  }
*/

/* Ghost (proof only): the position allocate gives cell (free, the free
 * list's top), set before the links change: count + 1, after every allocated
 * cell. The contract states the positions and the time order for the list as
 * it will be once cell is appended with stamp now. */
/*@ ghost
  /@ requires nf_dchain_live(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] == 0;
     requires g == nf_dchain_g(c);
     assigns g[cell].apos;
     ensures nf_dchain_alloc_facts(c, cell);
     ensures nf_dchain_time_ordered{Old}(c) && nf_dchain_stamps_at_most{Old}(c, now) ==>
       nf_dchain_alloc_order(c, cell, now); @/
  void nf_dchain_rank_alloc(struct nf_dchain *c, struct nf_dchain_gcell \ghost *g, uint32_t cell,
                            nf_time_t now) {
    nf_dchain_ranked_lemma(c);
    /@ assert nf_dchain_acell(c, c->cells[1].prev) && c->cells[1].prev != cell; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 ==>
         nf_dchain_acell(c, c->cells[k].prev) && c->cells[k].prev != cell; @/
    /@ assert nf_dchain_time_ordered(c) ==> nf_dchain_ordering && nf_dchain_time_ordered_def(c); @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && nf_dchain_g(c)[k].apos != 0 ==>
         c->allocated[k - 2] != 0; @/
    nf_dchain_at_most_lemma(c, now);
    /@ assert nf_dchain_stamps_at_most(c, now) ==>
         \forall integer k; 2 <= k < c->capacity + 2 && nf_dchain_g(c)[k].apos != 0 ==>
         c->stamps[k - 2] <= now; @/
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && k != cell ==>
         nf_dchain_g(c)[k].apos <= c->count; @/
    g[cell].apos = c->count + 1;
    /@ assert \forall integer k; 2 <= k < c->capacity + 2 && k != cell ==>
         nf_dchain_g(c)[k].apos < nf_dchain_g(c)[cell].apos; @/
    /@ assert nf_dchain_alloc_distinct(c); @/
    /@ assert nf_dchain_stepping && nf_dchain_alloc_facts(c, cell); @/
    /@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
         nf_dchain_alloc_order_def(c, cell, now); @/
    /@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
         nf_dchain_stepping && nf_dchain_alloc_order(c, cell, now); @/
  }
*/

/* Moves an allocated cell from the allocated list to the free list: the links
 * (the ghost positions are release_cell's). */
/*@ requires nf_dchain_live_links(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
    requires 1 <= c->count;
    assigns c->cells[0 .. c->capacity + 1], c->allocated[cell - 2], c->count;
    ensures c->count == \old(c->count) - 1;
    ensures nf_dchain_memory(c);
    ensures nf_dchain_alloc_links(c);
    ensures nf_dchain_free_closed(c);
    ensures nf_dchain_free_injective(c);
    ensures c->allocated[cell - 2] == 0;
    ensures \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
      c->allocated[o] == \old(c->allocated[o]);
    ensures \forall integer k; 0 <= k < c->capacity + 2 ==>
      c->cells[k].prev == (k == \old(c->cells[cell].next) ? \old(c->cells[cell].prev) :
                           \old(c->cells[k].prev)); */
static inline void release_links(struct nf_dchain *c, uint32_t cell) {
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].next == cell ==>
        k == c->cells[cell].prev; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].prev == cell ==>
        k == c->cells[cell].next; */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) ==> c->cells[k].next != cell; */
  unlink_cell(c, cell);
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].prev == (k == \at(c->cells[cell].next, Pre) ? \at(c->cells[cell].prev, Pre) :
                             \at(c->cells[k].prev, Pre)); */
  /*@ ghost Unlinked:; */
  push_free(c, cell);
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].prev == \at(c->cells[k].prev, Unlinked); */
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

/* Moves an allocated cell from the allocated list to the free list, and
 * keeps the ghost positions and the time order. */
/*@ requires nf_dchain_live(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
    requires 1 <= c->count;
    assigns c->cells[0 .. c->capacity + 1], c->allocated[cell - 2], c->count,
            nf_dchain_g(c)[0 .. c->capacity + 1];
    ensures c->count == \old(c->count) - 1;
    ensures nf_dchain_memory(c) && nf_dchain_ghost_memory(c);
    ensures nf_dchain_alloc_ranked(c);
    ensures nf_dchain_time_ordered{Old}(c) ==> nf_dchain_time_ordered(c);
    ensures nf_dchain_alloc_links(c);
    ensures nf_dchain_free_closed(c);
    ensures nf_dchain_free_injective(c);
    ensures c->allocated[cell - 2] == 0;
    ensures \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
      c->allocated[o] == \old(c->allocated[o]); */
static inline void release_cell(struct nf_dchain *c, uint32_t cell) {
  /*@ assert nf_dchain_acell(c, c->cells[cell].next) && nf_dchain_acell(c, c->cells[cell].prev) &&
        c->cells[cell].next < c->capacity + 2 && c->cells[cell].prev < c->capacity + 2; */
  /*@ ghost struct nf_dchain_gcell \ghost *g = nf_dchain_ghost_of(c);
      nf_dchain_unrank(c, g, cell); */
  /*@ ghost Unranked:; */
  release_links(c, cell);
  /*@ assert c->capacity == \at(c->capacity, Pre) && c->count == \at(c->count, Pre) - 1; */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        nf_dchain_g(c)[k].apos == \at(nf_dchain_g(c)[k].apos, Unranked); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 ==>
        k != cell && \at(c->allocated[k - 2], Unranked) != 0; */
  /*@ assert \forall integer o; 0 <= o < c->capacity ==>
        c->stamps[o] == \at(c->stamps[o], Unranked); */
  /*@ assert nf_dchain_memory(c) && nf_dchain_ghost_memory(c); */
  /*@ assert nf_dchain_g(c)[1].apos == 0; */
  /*@ assert c->cells[1].prev == (\at(c->cells[cell].next, Pre) == 1 ?
        \at(c->cells[cell].prev, Pre) : \at(c->cells[1].prev, Pre)); */
  /*@ assert nf_dchain_alloc_ends(c); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
        k != \at(c->cells[cell].next, Pre) ==> c->cells[k].prev == \at(c->cells[k].prev, Pre); */
  /*@ assert \at(c->cells[cell].next, Pre) != 1 ==>
        c->cells[\at(c->cells[cell].next, Pre)].prev == \at(c->cells[cell].prev, Pre); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 ==>
        1 <= nf_dchain_g(c)[k].apos <= c->count; */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
        k != \at(c->cells[cell].next, Pre) ==>
        nf_dchain_g(c)[c->cells[k].prev].apos == nf_dchain_g(c)[k].apos - 1; */
  /*@ assert \at(c->cells[cell].next, Pre) != 1 ==>
        nf_dchain_g(c)[c->cells[\at(c->cells[cell].next, Pre)].prev].apos ==
        nf_dchain_g(c)[\at(c->cells[cell].next, Pre)].apos - 1; */
  /*@ assert nf_dchain_alloc_steps(c); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
        nf_dchain_g(c)[k].apos == 0; */
  /*@ assert nf_dchain_alloc_marks(c); */
  /*@ assert nf_dchain_alloc_distinct(c); */
  /*@ assert nf_dchain_ranking && nf_dchain_alloc_ranked(c); */
  /*@ assert nf_dchain_time_ordered{Pre}(c) ==> \at(nf_dchain_time_ordered_def(c), Unranked); */
  /*@ assert nf_dchain_time_ordered{Pre}(c) ==> nf_dchain_time_ordered_def(c); */
  /*@ assert nf_dchain_ordering &&
        (nf_dchain_time_ordered{Pre}(c) ==> nf_dchain_time_ordered(c)); */
}

/* Moves the free list's top cell to the allocated list as its newest, with
 * stamp now: the links, the bit and the count (the ghost positions are
 * allocate's, nf_dchain_rank_alloc). Its contract does not mention the ghost
 * block, so its link goals do not see the positions. */
/*@ requires nf_dchain_live_links(c) && cell == c->cells[0].next && cell != 0;
    assigns c->cells[0 .. c->capacity + 1], c->stamps[cell - 2], c->allocated[cell - 2], c->count;
    ensures nf_dchain_live_links(c);
    ensures c->count == \old(c->count) + 1;
    ensures 2 <= cell < c->capacity + 2;
    ensures \old(c->allocated[cell - 2]) == 0 && c->allocated[cell - 2] != 0;
    ensures c->stamps[cell - 2] == now;
    ensures \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
      c->allocated[o] == \old(c->allocated[o]) && c->stamps[o] == \old(c->stamps[o]);
    ensures c->cells[1].prev == cell && c->cells[cell].prev == \old(c->cells[1].prev);
    ensures \forall integer k; 0 <= k < c->capacity + 2 && k != cell && k != 1 ==>
      c->cells[k].prev == \old(c->cells[k].prev); */
static inline void claim_cell(struct nf_dchain *c, uint32_t cell, nf_time_t now) {
  /*@ assert 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] == 0; */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) && k != 0 ==> c->cells[k].next != cell; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) ==> k != cell; */
  /*@ ghost uint32_t after = c->cells[cell].next, last = c->cells[ALLOC_HEAD].prev; */
  c->cells[FREE_HEAD].next = c->cells[cell].next;
  append_allocated(c, cell);
  uint32_t offset = cell - FIRST_CELL;
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].next == (k == 0 ? after : k == cell ? 1 : k == last ? cell :
                             \at(c->cells[k].next, Pre)); */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].prev == (k == cell ? last : k == 1 ? cell : \at(c->cells[k].prev, Pre)); */
  c->stamps[offset] = now;
  c->allocated[offset] = 1;
  c->count++;
  /*@ assert \forall integer k;
        nf_dchain_acell(c, k) <==> (nf_dchain_acell{Pre}(c, k) || k == cell); */
  /*@ assert \forall integer k;
        nf_dchain_fcell(c, k) <==> (nf_dchain_fcell{Pre}(c, k) && k != cell); */
  /*@ assert nf_dchain_memory(c); */
  /*@ assert c->capacity == \at(c->capacity, Pre) && c->count == \at(c->count, Pre) + 1; */
  /*@ assert \forall integer k; nf_dchain_acell{Pre}(c, k) && k != last ==>
        c->cells[k].next == \at(c->cells[k].next, Pre) && \at(c->cells[k].next, Pre) != cell; */
  /*@ assert \forall integer k; nf_dchain_acell{Pre}(c, k) && k != 1 ==>
        c->cells[k].prev == \at(c->cells[k].prev, Pre) && \at(c->cells[k].prev, Pre) != cell; */
  /*@ assert nf_dchain_alloc_next(c); */
  /*@ assert nf_dchain_alloc_prev(c); */
  /*@ assert nf_dchain_alloc_links(c); */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) && k != 0 ==>
        c->cells[k].next == \at(c->cells[k].next, Pre); */
  /*@ assert nf_dchain_free_closed(c); */
  /*@ assert nf_dchain_free_injective(c); */
  /*@ assert \forall integer o; 0 <= o < c->capacity && o != offset ==>
        nf_dchain_bit(c, o) == nf_dchain_bit{Pre}(c, o); */
  /*@ assert nf_dchain_bit(c, offset) == 1 && nf_dchain_bit{Pre}(c, offset) == 0; */
  /* count: one bit more, and still at most capacity (induction over the
   * offsets). */
  /*@ ghost
    /@ loop invariant 0 <= o <= c->capacity && nf_dchain_counted;
       loop invariant nf_dchain_nalloc(c, o) == nf_dchain_nalloc{Pre}(c, o) + (o > offset ? 1 : 0);
       loop invariant nf_dchain_nalloc(c, o) <= o;
       loop assigns o;
       loop variant c->capacity - o; @/
    for (uint32_t o = 0; o < c->capacity; o++) {
      /@ assert nf_dchain_bit(c, o) == nf_dchain_bit{Pre}(c, o) + (o == offset ? 1 : 0); @/
    }
  */
  /*@ assert c->count == nf_dchain_nalloc(c, c->capacity); */
  /*@ assert nf_dchain_counts(c); */
}

/* Moves an allocated cell to the end of the allocated list (the newest): the
 * links (the ghost positions are rejuvenate's, nf_dchain_rank_refresh). Its
 * contract does not mention the ghost block. */
/*@ requires nf_dchain_live_links(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
    requires c->cells[cell].next != cell && c->cells[cell].prev != cell;
    assigns c->cells[0 .. c->capacity + 1];
    ensures nf_dchain_live_links(c);
    ensures c->cells[1].prev == cell;
    ensures c->cells[cell].prev ==
      (\old(c->cells[cell].next) == 1 ? \old(c->cells[cell].prev) : \old(c->cells[1].prev));
    ensures \old(c->cells[cell].next) != 1 ==>
      c->cells[\old(c->cells[cell].next)].prev == \old(c->cells[cell].prev);
    ensures \forall integer k; 0 <= k < c->capacity + 2 && k != cell && k != 1 &&
      k != \old(c->cells[cell].next) ==> c->cells[k].prev == \old(c->cells[k].prev); */
static inline void relink_cell(struct nf_dchain *c, uint32_t cell) {
  /*@ ghost uint32_t before = c->cells[cell].prev, after = c->cells[cell].next;
      uint32_t last = after == ALLOC_HEAD ? before : c->cells[ALLOC_HEAD].prev; */
  /*@ assert nf_dchain_acell(c, cell) && nf_dchain_acell(c, before) && nf_dchain_acell(c, after) &&
        nf_dchain_acell(c, c->cells[1].prev) && nf_dchain_acell(c, last); */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].next == cell ==>
        k == before; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].prev == cell ==>
        k == after; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && c->cells[k].next == 1 ==>
        k == last; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && k != last && k != before ==>
        c->cells[k].next != cell && c->cells[k].next != 1 && c->cells[k].next != after; */
  unlink_cell(c, cell);
  append_allocated(c, cell);
  /*@ assert c->count == \at(c->count, Pre) && c->capacity == \at(c->capacity, Pre); */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].next == (k == cell ? 1 : k == last ? cell : k == before ? after :
                             \at(c->cells[k].next, Pre)); */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        c->cells[k].prev == (k == cell ? last : k == 1 ? cell : k == after ? before :
                             \at(c->cells[k].prev, Pre)); */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 && k != cell && k != 1 &&
        k != \at(c->cells[cell].next, Pre) ==> c->cells[k].prev == \at(c->cells[k].prev, Pre); */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) <==> nf_dchain_acell{Pre}(c, k); */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) <==> nf_dchain_fcell{Pre}(c, k); */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && k != last && k != before ==>
        c->cells[c->cells[k].next].prev == k; */
  /*@ assert c->cells[c->cells[cell].next].prev == cell; */
  /*@ assert c->cells[c->cells[last].next].prev == last; */
  /*@ assert before != cell && before != last ==> c->cells[c->cells[before].next].prev == before; */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) && k != cell && k != last && k != before ==>
        c->cells[k].next == \at(c->cells[k].next, Pre); */
  /*@ assert nf_dchain_acell(c, after) && nf_dchain_acell(c, cell); */
  /*@ assert \forall integer k; nf_dchain_acell(c, k) ==> nf_dchain_acell(c, c->cells[k].next); */
  /*@ assert nf_dchain_alloc_next(c); */
  /*@ assert nf_dchain_alloc_prev(c); */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) ==> !nf_dchain_acell(c, k); */
  /*@ assert nf_dchain_acell(c, cell) && nf_dchain_acell(c, before) && nf_dchain_acell(c, last); */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) ==> k != cell && k != last && k != before; */
  /*@ assert \forall integer k; nf_dchain_fcell(c, k) ==>
        c->cells[k].next == \at(c->cells[k].next, Pre); */
  /*@ assert nf_dchain_free_closed(c); */
  /*@ assert nf_dchain_free_injective(c); */
  /*@ assert nf_dchain_counts(c); */
}

/* Allocates cell (the free list's top) with stamp now: the ghost positions
 * (nf_dchain_rank_alloc, cell becomes the last), then the links, the bit and
 * the count (claim_cell), then the positions and the time order checked
 * against the new links. */
/*@ requires nf_dchain_live(c) && cell == c->cells[0].next && cell != 0;
    assigns c->cells[0 .. c->capacity + 1], c->stamps[cell - 2], c->allocated[cell - 2], c->count,
            nf_dchain_g(c)[0 .. c->capacity + 1];
    ensures nf_dchain_live(c);
    ensures nf_dchain_time_ordered{Old}(c) && nf_dchain_stamps_at_most{Old}(c, now) ==>
      nf_dchain_time_ordered(c);
    ensures c->count == \old(c->count) + 1;
    ensures 2 <= cell < c->capacity + 2;
    ensures \old(c->allocated[cell - 2]) == 0 && c->allocated[cell - 2] != 0;
    ensures c->stamps[cell - 2] == now;
    ensures \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
      c->allocated[o] == \old(c->allocated[o]) && c->stamps[o] == \old(c->stamps[o]); */
static inline void allocate_cell(struct nf_dchain *c, uint32_t cell, nf_time_t now) {
  /*@ assert 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] == 0; */
  /*@ ghost struct nf_dchain_gcell \ghost *g = nf_dchain_ghost_of(c);
      nf_dchain_rank_alloc(c, g, cell, now); */
  /*@ ghost Ranked:; */
  claim_cell(c, cell, now);
  /*@ assert nf_dchain_live_links(c); */
  /*@ assert \at(nf_dchain_stepping && nf_dchain_alloc_facts_def(c, cell), Ranked); */
  /*@ assert c->capacity == \at(c->capacity, Pre) && c->count == \at(c->count, Pre) + 1; */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        nf_dchain_g(c)[k].apos == \at(nf_dchain_g(c)[k].apos, Ranked); */
  /*@ assert nf_dchain_memory(c) && nf_dchain_ghost_memory(c); */
  /*@ assert nf_dchain_g(c)[1].apos == 0 && c->cells[1].prev == cell &&
        nf_dchain_g(c)[cell].apos == c->count; */
  /*@ assert nf_dchain_alloc_ends(c); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
        k != cell ==>
        \at(c->allocated[k - 2], Pre) != 0 && c->cells[k].prev == \at(c->cells[k].prev, Pre); */
  /*@ assert nf_dchain_g(c)[c->cells[cell].prev].apos == nf_dchain_g(c)[cell].apos - 1; */
  /*@ assert nf_dchain_alloc_steps(c); */
  /*@ assert \forall integer o; 0 <= o < c->capacity && c->allocated[o] == 0 ==>
        \at(c->allocated[o], Pre) == 0 && o != cell - 2; */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && \at(c->allocated[k - 2], Pre) == 0 &&
        k != cell ==> nf_dchain_g(c)[k].apos == 0; */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] == 0 ==>
        nf_dchain_g(c)[k].apos == 0; */
  /*@ assert nf_dchain_alloc_marks(c); */
  /*@ assert nf_dchain_alloc_distinct(c); */
  /*@ assert nf_dchain_ranking && nf_dchain_alloc_ranked(c); */
  /*@ assert nf_dchain_live(c); */
  /* Time order: cell is the last, with the largest stamp when no stamp was
   * above now. */
  /*@ assert \at(nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_alloc_order_def(c, cell, now), Ranked); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 ==>
        (k == cell ? now : c->stamps[k - 2]) ==
        (k == cell ? now : \at(c->stamps[k - 2], Ranked)); */
  /*@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_alloc_order_def(c, cell, now); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 ==>
        (k == cell ? now : c->stamps[k - 2]) == c->stamps[k - 2]; */
  /*@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_time_ordered_def(c); */
  /*@ assert nf_dchain_ordering &&
        (nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_time_ordered(c)); */
}

/* Stamps cell now. Its contract carries the time order across the write (in
 * a context of its own): the order with cell's stamp read as now before the
 * write is the order after it. */
/*@ requires nf_dchain_memory(c) && nf_dchain_ghost_memory(c) && 2 <= cell < c->capacity + 2;
    assigns c->stamps[cell - 2];
    ensures c->stamps[cell - 2] == now;
    ensures \old(nf_dchain_alloc_order_def(c, cell, now)) ==> nf_dchain_time_ordered_def(c); */
static inline void stamp_cell(struct nf_dchain *c, uint32_t cell, nf_time_t now) {
  c->stamps[cell - FIRST_CELL] = now;
  /*@ assert \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
        c->stamps[o] == \at(c->stamps[o], Pre); */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 ==>
        (k == cell ? now : \at(c->stamps[k - 2], Pre)) == c->stamps[k - 2]; */
}

/* Refreshes cell (allocated) with stamp now: the ghost positions
 * (nf_dchain_rank_refresh, cell becomes the last), then the links
 * (relink_cell) and the stamp, then the positions and the time order checked
 * against the new links. */
/*@ requires nf_dchain_live(c) && 2 <= cell < c->capacity + 2 && c->allocated[cell - 2] != 0;
    assigns c->cells[0 .. c->capacity + 1], c->stamps[cell - 2],
            nf_dchain_g(c)[0 .. c->capacity + 1];
    ensures nf_dchain_live(c);
    ensures nf_dchain_time_ordered{Old}(c) && nf_dchain_stamps_at_most{Old}(c, now) ==>
      nf_dchain_time_ordered(c);
    ensures c->stamps[cell - 2] == now;
    ensures \forall integer o; 0 <= o < c->capacity && o != cell - 2 ==>
      c->stamps[o] == \old(c->stamps[o]); */
static inline void refresh_cell(struct nf_dchain *c, uint32_t cell, nf_time_t now) {
  /*@ ghost uint32_t before = c->cells[cell].prev, after = c->cells[cell].next; */
  /*@ ghost struct nf_dchain_gcell \ghost *g = nf_dchain_ghost_of(c);
      nf_dchain_rank_refresh(c, g, cell, now); */
  /*@ ghost Ranked:; */
  relink_cell(c, cell);
  /*@ assert \at(nf_dchain_stepping &&
        (nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
         nf_dchain_alloc_order_def(c, cell, now)), Ranked); */
  /*@ assert c->capacity == \at(c->capacity, Ranked); */
  /*@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_alloc_order_def(c, cell, now); */
  stamp_cell(c, cell, now);
  /*@ assert nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_time_ordered_def(c); */
  /*@ assert nf_dchain_live_links(c); */
  /*@ assert \at(nf_dchain_stepping && nf_dchain_refresh_facts_def(c, cell), Ranked); */
  /*@ assert c->capacity == \at(c->capacity, Pre) && c->count == \at(c->count, Pre); */
  /*@ assert \forall integer k; 0 <= k < c->capacity + 2 ==>
        nf_dchain_g(c)[k].apos == \at(nf_dchain_g(c)[k].apos, Ranked); */
  /*@ assert \forall integer o; 0 <= o < c->capacity ==>
        c->allocated[o] == \at(c->allocated[o], Pre); */
  /*@ assert nf_dchain_memory(c) && nf_dchain_ghost_memory(c); */
  /*@ assert nf_dchain_g(c)[1].apos == 0 && c->cells[1].prev == cell &&
        nf_dchain_g(c)[cell].apos == c->count; */
  /*@ assert nf_dchain_alloc_ends(c); */
  /*@ assert nf_dchain_g(c)[c->cells[cell].prev].apos == c->count - 1; */
  /*@ assert after != 1 ==> c->cells[after].prev == before &&
        nf_dchain_g(c)[before].apos == nf_dchain_g(c)[after].apos - 1; */
  /*@ assert \forall integer k; 2 <= k < c->capacity + 2 && c->allocated[k - 2] != 0 &&
        k != cell && k != after ==> c->cells[k].prev == \at(c->cells[k].prev, Pre); */
  /*@ assert nf_dchain_alloc_steps(c); */
  /*@ assert nf_dchain_alloc_marks(c); */
  /*@ assert nf_dchain_alloc_distinct(c); */
  /*@ assert nf_dchain_ranking && nf_dchain_alloc_ranked(c); */
  /*@ assert nf_dchain_live(c); */
  /*@ assert nf_dchain_ordering &&
        (nf_dchain_time_ordered{Pre}(c) && nf_dchain_stamps_at_most{Pre}(c, now) ==>
        nf_dchain_time_ordered(c)); */
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
  nf_before_write_to(chain);
  allocate_cell(chain, cell, now);
  uint32_t offset = cell - FIRST_CELL;
  /*@ assert \forall integer o; 0 <= o < chain->capacity && o != offset ==>
        chain->allocated[o] == \at(chain->allocated[o], Pre) &&
        chain->stamps[o] == \at(chain->stamps[o], Pre); */
  /*@ assert chain->allocated[offset] != 0 && nf_dchain_bit{Pre}(chain, offset) == 0; */
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, chain->index_base + offset); */
  *index_out = (int32_t)(chain->index_base + (int64_t)offset);
  /*@ assert *index_out == chain->index_base + offset; */
  /*@ assert nf_dchain_others_unchanged{Pre, Here}(chain, *index_out); */
  /*@ assert !nf_dchain_allocated{Pre}(chain, *index_out); */
  /*@ assert nf_dchain_allocated(chain, *index_out); */
  /*@ assert nf_dchain_memory(chain) && nf_dchain_alloc_links(chain) &&
        nf_dchain_free_links(chain); */
  /*@ assert nf_dchain_live(chain); */
  return true;
}

int nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now) {
  int64_t offset = offset_of(chain, index);
  if (offset < 0 || !chain->allocated[offset]) return NF_NOT_FOUND;
  if (nf_refresh_deferred(chain, index, now)) return NF_OK; /* the runtime applies it later */
  nf_before_write_to(chain);
  uint32_t cell = (uint32_t)offset + FIRST_CELL;
  refresh_cell(chain, cell, now);
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
  /*@ assert nf_dchain_time_ordered{Pre}(chain) ==> nf_dchain_time_ordered(chain); */
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
  /*@ assert nf_dchain_time_ordered{Pre}(chain) ==> nf_dchain_time_ordered(chain); */
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
