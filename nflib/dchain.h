/* Index allocator with time order ("double chain"): hands out indexes in
 * [index_base, index_base + capacity), each with a last-use timestamp, and
 * finds the least recently used one in O(1). */
#ifndef NFLIB_DCHAIN_H
#define NFLIB_DCHAIN_H

#include "nflib/types.h"

struct nf_dchain;

/* Abstract model: a set of allocated indexes in [base, base + capacity), each
 * with a timestamp; nf_dchain_oldest is the allocated index least recently
 * allocated or rejuvenated (meaningful unless nf_dchain_empty);
 * nf_dchain_exhausted: no free index is left to hand out. Timestamps passed in
 * must not decrease (the list order is the call order; expiry compares only
 * the oldest's timestamp).
 * dchain.c defines NF_DCHAIN_IMPL and the model over its representation
 * instead, so that WP proves these contracts against the code (as for the
 * vector; docs/VERIFICATION.md). NF_DCHAIN_STATE is the chain's memory
 * (assigns clauses); NF_DCHAIN_APART says a caller's int32_t is not the
 * chain's memory (always true for NF variables: chains are opaque).
 * NF_DCHAIN_OTHERS_KEPT(c) is the same-kind frame callers get: every other
 * live chain keeps its whole model (nf_dchains_other_unchanged). It is stated
 * for callers, not refined: dchain.c defines it as true, because proving it
 * there needs each chain's recursive allocation count to be equal in two
 * states, an induction the provers time out on (docs/VERIFICATION.md,
 * "Byte views and frames"). dchain_test checks it on interleaved operations
 * over several chains, each against its own model.
 * nf_dchain_count is the number of allocated indexes. Proved: the contracts and
 * axioms below, including the time order (nf_dchain_time_ordered: kept by
 * allocate and rejuvenate when no allocated index has a stamp above now, by
 * free and expire_one always; it makes nf_dchain_oldest the smallest stamp,
 * nf_dchain_oldest_smallest), and nf_dchain_empty <==> count == 0 (axiomatic
 * nf_dchain_fill). Not proved (tested by dchain_test): nf_dchain_exhausted
 * <==> count == capacity (it needs the free list to reach every free cell).
 * The abstract model reads only nf_dchain_heap, the dchains' own ghost region
 * (not nf_heap, which the other kinds' models read): an operation on another
 * kind of object (map, vector, ...) leaves every dchain as it was, by its
 * assigns clause alone, and a dchain operation leaves the other kinds alone.
 * Only create and destroy assign nf_heap as well. */
/*@ ghost extern int nf_dchain_heap; */
#ifndef NF_DCHAIN_IMPL
/*@ axiomatic nf_dchain_model {
      predicate nf_dchain_live{L}(struct nf_dchain *c) reads nf_dchain_heap;
      logic integer nf_dchain_capacity_of{L}(struct nf_dchain *c) reads nf_dchain_heap;
      logic integer nf_dchain_base{L}(struct nf_dchain *c) reads nf_dchain_heap;
      logic integer nf_dchain_count{L}(struct nf_dchain *c) reads nf_dchain_heap;
      predicate nf_dchain_allocated{L}(struct nf_dchain *c, integer index) reads nf_dchain_heap;
      logic nf_time_t nf_dchain_stamp{L}(struct nf_dchain *c, integer index) reads nf_dchain_heap;
      logic integer nf_dchain_oldest{L}(struct nf_dchain *c) reads nf_dchain_heap;
      predicate nf_dchain_empty{L}(struct nf_dchain *c) reads nf_dchain_heap;
      predicate nf_dchain_exhausted{L}(struct nf_dchain *c) reads nf_dchain_heap;
      axiom nf_dchain_in_range{L}: \forall struct nf_dchain *c, integer i;
        nf_dchain_allocated(c, i) ==>
          nf_dchain_base(c) <= i < nf_dchain_base(c) + nf_dchain_capacity_of(c);
      axiom nf_dchain_oldest_allocated{L}: \forall struct nf_dchain *c;
        nf_dchain_live(c) && !nf_dchain_empty(c) ==>
          nf_dchain_allocated(c, nf_dchain_oldest(c));
      axiom nf_dchain_count_range{L}: \forall struct nf_dchain *c;
        nf_dchain_live(c) ==> 0 <= nf_dchain_count(c) <= nf_dchain_capacity_of(c);
      axiom nf_dchain_count_zero{L}: \forall struct nf_dchain *c, integer i;
        nf_dchain_live(c) && nf_dchain_count(c) == 0 ==> !nf_dchain_allocated(c, i);
    }
    // The allocated indexes in time order (kept while no timestamp passed in
    // is below an allocated index's): the oldest has the smallest stamp. An
    // axiomatic of its own, so that only goals that name the time order have
    // the axiom in their context.
    axiomatic nf_dchain_time_order {
      predicate nf_dchain_time_ordered{L}(struct nf_dchain *c) reads nf_dchain_heap;
      axiom nf_dchain_oldest_smallest{L}: \forall struct nf_dchain *c, integer i;
        nf_dchain_live(c) && nf_dchain_time_ordered(c) && nf_dchain_allocated(c, i) ==>
          !nf_dchain_empty(c) &&
          nf_dchain_stamp(c, nf_dchain_oldest(c)) <= nf_dchain_stamp(c, i);
    }
    // The fill level: empty exactly when no index is allocated. An axiomatic
    // behind the marker nf_dchain_fill_level: only goals that name the marker
    // have the axiom in their context (an NF that needs it asserts
    // `nf_dchain_fill_level` first), so the other NF goals keep their contexts.
    axiomatic nf_dchain_fill {
      predicate nf_dchain_fill_level;
      axiom nf_dchain_fill_level_holds: nf_dchain_fill_level;
      axiom nf_dchain_empty_count{L}: \forall struct nf_dchain *c;
        nf_dchain_live(c) ==> (nf_dchain_empty(c) <==> nf_dchain_count(c) == 0);
    }
*/
#define NF_DCHAIN_STATE(c) nf_dchain_heap
/* Not `\true`: stdbool.h defines `true`, which would expand inside the macro. */
#define NF_DCHAIN_APART(c, p) (0 == 0)
#define NF_DCHAIN_OTHERS_KEPT(c) nf_dchains_other_unchanged{Old, Here}(c)
#endif
/* No allocated index has a timestamp above t (the monotone-time condition
 * under which allocate and rejuvenate keep the time order). */
/*@ predicate nf_dchain_stamps_at_most{L}(struct nf_dchain *c, nf_time_t t) =
      \forall integer i; nf_dchain_allocated(c, i) ==> nf_dchain_stamp(c, i) <= t;
*/
/*@ predicate nf_dchain_others_unchanged{L0, L1}(struct nf_dchain *c, integer index) =
      \forall integer i; i != index ==>
        ((nf_dchain_allocated{L1}(c, i) <==> nf_dchain_allocated{L0}(c, i)) &&
         nf_dchain_stamp{L1}(c, i) == nf_dchain_stamp{L0}(c, i));
*/
/* The whole model as it was. The `assigns \nothing` behaviours of allocate,
 * expire_one and free also state it as an ensures clause, because WP does not
 * use a behaviour's assigns clause at a call site (only the function's).
 * (Not rejuvenate's not_found: cvc4 needs 15 s for it in dchain.c, and no
 * proved caller needs it yet.) */
/*@ predicate nf_dchain_unchanged{L0, L1}(struct nf_dchain *c) =
      nf_dchain_count{L1}(c) == nf_dchain_count{L0}(c) &&
      (\forall integer i;
        (nf_dchain_allocated{L1}(c, i) <==> nf_dchain_allocated{L0}(c, i)) &&
        nf_dchain_stamp{L1}(c, i) == nf_dchain_stamp{L0}(c, i)) &&
      (nf_dchain_empty{L1}(c) <==> nf_dchain_empty{L0}(c)) &&
      (nf_dchain_exhausted{L1}(c) <==> nf_dchain_exhausted{L0}(c)) &&
      nf_dchain_oldest{L1}(c) == nf_dchain_oldest{L0}(c);
*/

/*@ predicate nf_dchain_shape_unchanged{L0, L1}(struct nf_dchain *c) =
      nf_dchain_capacity_of{L1}(c) == nf_dchain_capacity_of{L0}(c) &&
      nf_dchain_base{L1}(c) == nf_dchain_base{L0}(c);
*/

/* Same-kind frame: an operation on chain c leaves every other live chain
 * live, with its shape and its whole model (an NF with several chains, such
 * as a dual-stack firewall's IPv4 and IPv6 flows, keeps what it knows of the
 * others). */
/*@ predicate nf_dchains_other_unchanged{L0, L1}(struct nf_dchain *c) =
      \forall struct nf_dchain *d; d != c && nf_dchain_live{L0}(d) ==>
        nf_dchain_live{L1}(d) && nf_dchain_shape_unchanged{L0, L1}(d) &&
        nf_dchain_unchanged{L0, L1}(d);
*/

/* Published limit: the largest capacity, after any instance layout. */
#define NF_DCHAIN_CAPACITY_MAX (1u << 30)

/* NULL on capacity 0, a capacity above NF_DCHAIN_CAPACITY_MAX, a last index
 * (base + capacity - 1) above INT32_MAX, or no memory. Under an instance layout
 * the layout's capacity and index base apply. The first allocations return
 * base, base+1, ... */
/*@ requires name == \null || \valid_read(name);
    assigns nf_heap, nf_dchain_heap, \result \from capacity;
    ensures \result == \null ||
      (nf_dchain_live(\result) && nf_dchain_count(\result) == 0 &&
       nf_dchain_capacity_of(\result) >= 1);
    ensures \result == \null || nf_dchain_time_ordered(\result);
    ensures capacity == 0 ==> \result == \null;
    ensures \result != \null ==> nf_dchain_capacity_of(\result) <= NF_DCHAIN_CAPACITY_MAX; */
struct nf_dchain *nf_dchain_create(const char *name, uint32_t capacity);
/*@ requires chain == \null || nf_dchain_live(chain);
    assigns nf_heap, nf_dchain_heap; */
void nf_dchain_destroy(struct nf_dchain *chain);

/* CREATE. true: *index_out is a previously free index, now allocated with
 * timestamp now and the most recent. false: all indexes allocated
 * (nf_dchain_exhausted). The index is the most recently freed one, or the
 * lowest never allocated one. */
/*@ requires nf_dchain_live(chain) && \valid(index_out);
    requires NF_DCHAIN_APART(chain, index_out);
    assigns NF_DCHAIN_STATE(chain), *index_out;
    ensures nf_dchain_live(chain) && nf_dchain_shape_unchanged{Old, Here}(chain);
    ensures NF_DCHAIN_OTHERS_KEPT(chain);
    ensures nf_dchain_time_ordered{Old}(chain) && nf_dchain_stamps_at_most{Old}(chain, now) ==>
      nf_dchain_time_ordered(chain);
    behavior full:
      assumes nf_dchain_exhausted(chain);
      assigns \nothing;
      ensures \result == \false;
      ensures nf_dchain_unchanged{Old, Here}(chain);
    behavior allocated:
      assumes !nf_dchain_exhausted(chain);
      ensures \result == \true;
      ensures nf_dchain_base(chain) <= *index_out &&
              *index_out < nf_dchain_base(chain) + nf_dchain_capacity_of(chain);
      ensures !nf_dchain_allocated{Old}(chain, *index_out);
      ensures nf_dchain_allocated(chain, *index_out);
      ensures nf_dchain_stamp(chain, *index_out) == now;
      ensures nf_dchain_others_unchanged{Old, Here}(chain, *index_out);
      ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) + 1;
    complete behaviors;
    disjoint behaviors; */
bool nf_dchain_allocate(struct nf_dchain *chain, nf_time_t now, int32_t *index_out);

/* REFRESH. Sets index's timestamp to now, making it the most recent.
 * NF_NOT_FOUND if index is not allocated (or out of range). A parallel runtime
 * may defer the refresh (nflib/access.h, refresh hook): NF_OK, applied later. */
/*@ requires nf_dchain_live(chain);
    assigns NF_DCHAIN_STATE(chain);
    ensures nf_dchain_live(chain) && nf_dchain_shape_unchanged{Old, Here}(chain);
    ensures NF_DCHAIN_OTHERS_KEPT(chain);
    ensures nf_dchain_time_ordered{Old}(chain) && nf_dchain_stamps_at_most{Old}(chain, now) ==>
      nf_dchain_time_ordered(chain);
    behavior refreshed:
      assumes nf_dchain_allocated(chain, index);
      ensures \result == NF_OK && nf_dchain_allocated(chain, index);
      ensures nf_dchain_stamp(chain, index) == now;
      ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain));
      ensures nf_dchain_others_unchanged{Old, Here}(chain, index);
    behavior not_found:
      assumes !nf_dchain_allocated(chain, index);
      assigns \nothing;
      ensures \result == NF_NOT_FOUND;
    complete behaviors;
    disjoint behaviors; */
int nf_dchain_rejuvenate(struct nf_dchain *chain, int32_t index, nf_time_t now);

/* CHECK. Whether index is in range and allocated. */
/*@ requires nf_dchain_live(chain);
    assigns \nothing;
    ensures \result <==> nf_dchain_allocated(chain, index); */
bool nf_dchain_is_allocated(const struct nf_dchain *chain, int32_t index);

/* DESTROY. Frees the least recently used index if its timestamp < older_than:
 * true and *index_out set; false when no index is that old. */
/*@ requires nf_dchain_live(chain) && \valid(index_out);
    requires NF_DCHAIN_APART(chain, index_out);
    assigns NF_DCHAIN_STATE(chain), *index_out;
    ensures nf_dchain_live(chain) && nf_dchain_shape_unchanged{Old, Here}(chain);
    ensures NF_DCHAIN_OTHERS_KEPT(chain);
    ensures nf_dchain_time_ordered{Old}(chain) ==> nf_dchain_time_ordered(chain);
    behavior expired:
      assumes !nf_dchain_empty(chain);
      assumes nf_dchain_stamp(chain, nf_dchain_oldest(chain)) < older_than;
      ensures \result == \true && *index_out == \old(nf_dchain_oldest(chain));
      ensures nf_dchain_allocated{Old}(chain, *index_out);
      ensures nf_dchain_stamp{Old}(chain, *index_out) < older_than;
      ensures !nf_dchain_allocated(chain, *index_out);
      ensures nf_dchain_others_unchanged{Old, Here}(chain, *index_out);
      ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) - 1;
    behavior nothing_old:
      assumes nf_dchain_empty(chain) ||
              nf_dchain_stamp(chain, nf_dchain_oldest(chain)) >= older_than;
      assigns \nothing;
      ensures \result == \false;
      ensures nf_dchain_unchanged{Old, Here}(chain);
    complete behaviors;
    disjoint behaviors; */
bool nf_dchain_expire_one(struct nf_dchain *chain, nf_time_t older_than, int32_t *index_out);

/* DESTROY. NF_NOT_FOUND if index is not allocated. */
/*@ requires nf_dchain_live(chain);
    assigns NF_DCHAIN_STATE(chain);
    ensures nf_dchain_live(chain) && nf_dchain_shape_unchanged{Old, Here}(chain);
    ensures NF_DCHAIN_OTHERS_KEPT(chain);
    ensures nf_dchain_time_ordered{Old}(chain) ==> nf_dchain_time_ordered(chain);
    behavior freed:
      assumes nf_dchain_allocated(chain, index);
      ensures \result == NF_OK && !nf_dchain_allocated(chain, index);
      ensures nf_dchain_others_unchanged{Old, Here}(chain, index);
      ensures nf_dchain_count(chain) == \old(nf_dchain_count(chain)) - 1;
    behavior not_found:
      assumes !nf_dchain_allocated(chain, index);
      assigns \nothing;
      ensures \result == NF_NOT_FOUND;
      ensures nf_dchain_unchanged{Old, Here}(chain);
    complete behaviors;
    disjoint behaviors; */
int nf_dchain_free(struct nf_dchain *chain, int32_t index);

/*@ requires nf_dchain_live(chain);
    assigns \nothing;
    ensures \result == nf_dchain_capacity_of(chain); */
uint32_t nf_dchain_capacity(const struct nf_dchain *chain);
/*@ requires nf_dchain_live(chain);
    assigns \nothing;
    ensures \result == nf_dchain_base(chain); */
int32_t nf_dchain_index_base(const struct nf_dchain *chain);
/*@ requires nf_dchain_live(chain);
    assigns \nothing;
    ensures \result == nf_dchain_count(chain); */
uint32_t nf_dchain_allocated_count(const struct nf_dchain *chain);

#endif /* NFLIB_DCHAIN_H */
