/* Bucketized open-addressing hash map: linear probing over buckets of 15
 * slots, per-bucket overflow counts (as in folly's F14 tables) and
 * backward-shift deletion at bucket granularity.
 *
 * Layout: a control array of 32-byte words, one per bucket: fifteen 16-bit
 * slot lanes and, in the sixteenth lane, the bucket's overflow count: how many
 * stored keys have their home bucket before this one (cyclically, this one
 * included) and sit after it, i.e. whose probe passed it. A slot lane is 0
 * when empty, else the key's 15-bit hash tag, with bit 15 (DISPLACED) set
 * when the key is not in its home bucket. A parallel array holds the entries
 * {value, key}, fifteen per bucket. There are 1.25 slots per unit of
 * capacity, so a full map fills 80% of its slots.
 *
 * get compares the fifteen lanes with two SSE2 compares (the tag in the home
 * bucket, tag | DISPLACED further on); a key absent from its home bucket is
 * absent from the map when that bucket's overflow count is 0, so a miss
 * usually reads one 32-byte word and no key, and a hit reads that word and one
 * entry. put takes the first empty slot from the home bucket on, counting
 * itself into the overflow of every full bucket it passes. erase clears the
 * slot, uncounts the key, then refills the hole with a later key whose probe
 * passed it (if any), and so on with the hole that leaves: the layout stays
 * as if the stored keys had been inserted afresh (no tombstones, no drift of
 * probe lengths under churn).
 *
 * A count that reaches 0xffff (65535 keys passing one bucket: a degenerate
 * hash) sticks there: lookups stay correct and keep probing past it. */
#include <stdlib.h>
#include <string.h>

#include "nflib/types.h"

/* NF_PROVED_PATHS_ONLY: the portable code WP proves (//nflib:*_proved_paths). */
#if defined(__SSE2__) && !defined(__FRAMAC__) && !defined(NF_PROVED_PATHS_ONLY)
#include <emmintrin.h>
#define MAP_SSE2 1
#endif

#define LANES 16         /* 16-bit lanes per control word (32 bytes) */
#define SLOTS 15         /* key slots per bucket: lanes 0 .. SLOTS-1 */
#define OVERFLOW_LANE 15 /* the last lane counts overflowing keys */
#define OVERFLOW_STICKY 0xffffu
#define DISPLACED 0x8000u /* lane bit: the key sits past its home bucket */
#define SLOT_LANES_MASK ((1u << SLOTS) - 1)
/* Slots per unit of capacity, as SLACK_NUM / SLACK_DEN: a full map fills
 * SLACK_DEN / SLACK_NUM of its slots. */
#ifndef SLACK_NUM
#define SLACK_NUM 5
#define SLACK_DEN 4
#endif

struct nf_map {
  uint16_t *ctrl;   /* bucket_count * LANES: tags, then the overflow count */
  uint8_t *entries; /* bucket_count * SLOTS * stride: int32 value, then the key */
  uint32_t buckets; /* bucket count, >= 1 (any count: homes use multiply-shift) */
  uint32_t stride;  /* bytes per entry */
  uint32_t key_size;
  uint32_t capacity; /* <= buckets * SLOTS */
  uint32_t size;
  nf_key_hash_fn hash;
  nf_key_eq_fn eq;
};

/* The model of map.h over this representation (NF_MAP_IMPL): what WP proves
 * the contracts of get, put and erase against (docs/VERIFICATION.md).
 *
 * Slot s = bucket * SLOTS + lane. Its entry is the bytes
 * [nf_slot_start(s, stride), + stride) of `entries`: the int32 value (read
 * and written as one int32_t, see load_value), then the key_size key bytes.
 * nf_slot_start(s, c) is s * c kept opaque, as in vector.c: with the product
 * in a goal's context z3 and cvc4 turn to nonlinear arithmetic, so its
 * definition sits in an axiomatic of its own that only entry_at pulls in
 * (nf_slot_products). Trusted step: the axioms nf_slots_disjoint and
 * nf_slots_inside are the proved lemmas nf_map_products_disjoint and
 * nf_map_products_inside with nf_slot_start for nf_map_mul (both a * c by
 * their definitions). The lemmas use nf_map_mul rather than `*` because the
 * provers instantiate lemmas about raw products on every product of every
 * goal (lemmas are in every goal's context), which starved them.
 *
 * Lane sets: bit l of a mask (match_lanes, displaced_lanes) stands for lane
 * l (nf_bit). z3 and cvc4 know nothing of bitwise operators, so the facts
 * about |, & and x & (x - 1) the proof uses are axioms (nf_map_lane_sets,
 * about the opaque nf_bit, nf_low, nf_clear_low; true of two's-complement
 * integers by nf_bit_def and nf_clear_low_def, which only lowest_lane and
 * without_lowest pull in: with & in every goal the provers loop).
 *
 * A key is in the map (nf_map_has) when some occupied lane (non-zero) of
 * some bucket holds an entry whose key bytes equal it. nf_map_value is left
 * unrefined: the proved contracts state the value of the slot that holds the
 * key (nf_map_value_at) instead. */
/*@ axiomatic nf_map_products {
      logic integer nf_map_mul(integer a, integer c);
      axiom nf_map_mul_def: \forall integer a, c; nf_map_mul(a, c) == a * c;
    }
    lemma nf_map_products_disjoint: \forall integer a, b, c;
      c > 0 && a != b ==>
      nf_map_mul(a, c) + c <= nf_map_mul(b, c) || nf_map_mul(b, c) + c <= nf_map_mul(a, c);
    lemma nf_map_products_inside: \forall integer s, n, c;
      c > 0 && 0 <= s < n ==>
      0 <= nf_map_mul(s, c) && nf_map_mul(s, c) + c <= nf_map_mul(n, c);
    axiomatic nf_map_slots {
      logic integer nf_slot_start(integer s, integer stride);
      axiom nf_slots_disjoint: \forall integer a, b, c;
        c > 0 && a != b ==>
        nf_slot_start(a, c) + c <= nf_slot_start(b, c) ||
        nf_slot_start(b, c) + c <= nf_slot_start(a, c);
      axiom nf_slots_inside: \forall integer s, n, c;
        c > 0 && 0 <= s < n ==>
        0 <= nf_slot_start(s, c) && nf_slot_start(s, c) + c <= nf_slot_start(n, c);
    }
    axiomatic nf_map_slot_products {
      predicate nf_slot_products;
      axiom nf_slot_products_hold: nf_slot_products;
      axiom nf_slot_start_def: \forall integer s, c; nf_slot_start(s, c) == s * c;
    }
    axiomatic nf_map_lane_sets {
      predicate nf_bit(integer x, integer k); // bit k of x is set
      logic integer nf_low(integer x);        // the lowest set bit of x > 0
      axiom nf_bit_none: \forall integer k; 0 <= k ==> !nf_bit(0, k);
      axiom nf_low_bit: \forall integer x; 0 < x ==> 0 <= nf_low(x) && nf_bit(x, nf_low(x));
      axiom nf_low_lowest: \forall integer x, j; 0 < x && 0 <= j < nf_low(x) ==> !nf_bit(x, j);
      axiom nf_bit_or: \forall integer x, l, k; 0 <= x && 0 <= l && 0 <= k ==>
        (nf_bit(x | (1 << l), k) <==> nf_bit(x, k) || k == l);
      logic integer nf_clear_low(integer x); // x without its lowest set bit
      axiom nf_clear_low_range: \forall integer x; 0 < x ==> 0 <= nf_clear_low(x) < x;
      axiom nf_clear_low_bits: \forall integer x, k; 0 < x && 0 <= k ==>
        (nf_bit(nf_clear_low(x), k) <==> nf_bit(x, k) && k != nf_low(x));
    }
    axiomatic nf_map_bit_tests {
      predicate nf_bit_tests;
      axiom nf_bit_tests_hold: nf_bit_tests;
      axiom nf_bit_def: \forall integer x, k; 0 <= k ==> (nf_bit(x, k) <==> (x & (1 << k)) != 0);
      axiom nf_clear_low_def: \forall integer x; nf_clear_low(x) == (x & (x - 1));
    }

    logic integer nf_map_bytes{L}(struct nf_map *m) = nf_slot_start(m->buckets * 15, m->stride);
    // Counting: the occupied slot lanes among the first n control lanes
    // (lane 15 of each control word is the overflow count, never a slot).
    logic integer nf_map_obit{L}(struct nf_map *m, integer i) =
      (i % 16 != 15 && m->ctrl[i] != 0) ? 1 : 0;
    axiomatic nf_map_counting {
      logic integer nf_map_nocc{L}(struct nf_map *m, integer n) reads m->ctrl[..];
    }
    // The recursive definition of nf_map_nocc, in its own axiomatic: WP puts
    // an axiomatic's axioms into a goal only when the goal names one of its
    // symbols, here the marker nf_map_counted, which only the counting ghost
    // loops name (as dchain.c's nf_dchain_nalloc).
    axiomatic nf_map_count_definition {
      predicate nf_map_counted;
      axiom nf_map_counted_holds: nf_map_counted;
      axiom nf_map_nocc_0{L}: \forall struct nf_map *m, integer n;
        n <= 0 ==> nf_map_nocc(m, n) == 0;
      axiom nf_map_nocc_step{L}: \forall struct nf_map *m, integer n;
        0 < n ==> nf_map_nocc(m, n) == nf_map_nocc(m, n - 1) + nf_map_obit(m, n - 1);
    }
    predicate nf_map_live{L}(struct nf_map *m) =
      \valid(m) && 1 <= m->buckets <= 134217728 &&
      1 <= m->key_size && m->key_size + 4 <= m->stride <= 4100 &&
      m->capacity <= m->buckets * 15 && m->size <= m->capacity &&
      \valid(m->ctrl + (0 .. m->buckets * 16 - 1)) &&
      \valid(m->entries + (0 .. nf_map_bytes(m) - 1));
    // size is the number of occupied slot lanes (put and erase keep it, as
    // stated in their contracts; it is not part of nf_map_live).
    predicate nf_map_counts{L}(struct nf_map *m) = m->size == nf_map_nocc(m, m->buckets * 16);
    predicate nf_map_slot_ok{L}(struct nf_map *m, integer b, integer l) =
      0 <= b < m->buckets && 0 <= l < 15;
    logic uint8_t *nf_map_entry{L}(struct nf_map *m, integer b, integer l) =
      m->entries + nf_slot_start(b * 15 + l, m->stride);
    logic int32_t nf_map_value_at{L}(struct nf_map *m, integer b, integer l) =
      *(int32_t *)nf_map_entry(m, b, l);
    predicate nf_map_occupied{L}(struct nf_map *m, integer b, integer l) =
      nf_map_slot_ok(m, b, l) && m->ctrl[b * 16 + l] != 0;
    predicate nf_map_holds{L}(struct nf_map *m, integer b, integer l, uint8_t *key) =
      nf_map_occupied(m, b, l) && nf_key_equal{L, L}(nf_map_entry(m, b, l) + 4, key, m->key_size);
    predicate nf_map_has{L}(struct nf_map *m, uint8_t *key) =
      \exists integer b, l; nf_map_holds(m, b, l, key);
    logic integer nf_map_size_of{L}(struct nf_map *m) = m->size;
    logic integer nf_map_capacity_of{L}(struct nf_map *m) = m->capacity;
    logic integer nf_map_key_size{L}(struct nf_map *m) = m->key_size;
    // Key uniqueness: no two occupied slots hold equal key bytes (put and
    // erase keep it). With it, the slot that holds a key is unique, and nf_map_value is
    // its value (the proved contracts state this with nf_map_value_at).
    predicate nf_map_unique{L}(struct nf_map *m) =
      \forall integer b1, l1, b2, l2;
        nf_map_occupied(m, b1, l1) && nf_map_occupied(m, b2, l2) && (b1 != b2 || l1 != l2) ==>
        !nf_key_equal{L, L}(nf_map_entry(m, b1, l1) + 4, nf_map_entry(m, b2, l2) + 4, m->key_size);
    // Under uniqueness, one slot at most holds a key.
    lemma nf_map_holders_equal{L}: \forall struct nf_map *m, uint8_t *key, integer b1, l1, b2, l2;
      nf_map_holds(m, b1, l1, key) && nf_map_holds(m, b2, l2, key) ==>
      nf_key_equal{L, L}(nf_map_entry(m, b1, l1) + 4, nf_map_entry(m, b2, l2) + 4, m->key_size);
    lemma nf_map_unique_holder{L}: \forall struct nf_map *m, uint8_t *key, integer b1, l1, b2, l2;
      nf_map_unique(m) && nf_map_holds(m, b1, l1, key) && nf_map_holds(m, b2, l2, key) ==>
      b1 == b2 && l1 == l2;
    axiomatic nf_map_value_unrefined {
      logic int32_t nf_map_value{L}(struct nf_map *m, uint8_t *key);
    }
    lemma nf_map_size_bounds{L}: \forall struct nf_map *m;
      nf_map_live(m) ==> 0 <= nf_map_size_of(m) <= nf_map_capacity_of(m);

    // The hash given to nf_map_create, as a function of the key bytes (the
    // assumption on it: map_hash below).
    axiomatic nf_map_hash {
      logic uint32_t nf_map_hash_of{L}(struct nf_map *m, uint8_t *key)
        reads m->hash, m->key_size, key[0 .. m->key_size - 1];
      axiom nf_map_hash_pure{L}: \forall struct nf_map *m, uint8_t *a, *b;
        nf_key_equal{L, L}(a, b, m->key_size) ==> nf_map_hash_of(m, a) == nf_map_hash_of(m, b);
    }
    // Home bucket (home_of), tag (tag_of) and lane value (lane_value) of a hash.
    axiomatic nf_map_homes {
      logic integer nf_home(integer buckets, integer hash);
      // The home is a bucket: (h * n) / 2^32 < n for h < 2^32 (the proved
      // lemma nf_home_def_range, by nf_home_def).
      axiom nf_home_range: \forall integer n, h;
        1 <= n && 0 <= h < 4294967296 ==> 0 <= nf_home(n, h) < n;
    }
    axiomatic nf_map_home_products {
      predicate nf_home_products;
      axiom nf_home_products_hold: nf_home_products;
      axiom nf_home_def: \forall integer n, h; nf_home(n, h) == (h * n) / 4294967296;
    }
    lemma nf_home_def_range: nf_home_products ==> \forall integer n, h;
      1 <= n && 0 <= h < 4294967296 ==> 0 <= (h * n) / 4294967296 < n;
    logic integer nf_tag(integer hash) = hash % 32768 == 0 ? 1 : hash % 32768;
    logic integer nf_lane_value(integer hash, integer home, integer b) =
      nf_tag(hash) + (b == home ? 0 : 32768);
    // Buckets from `from` forward to `to`; bucket x buckets after `from`.
    logic integer nf_dist(integer n, integer from, integer to) =
      to >= from ? to - from : to + n - from;
    logic integer nf_wrap(integer n, integer x) = x < n ? x : x - n;
    logic integer nf_map_key_hash{L}(struct nf_map *m, integer b, integer l) =
      nf_map_hash_of(m, nf_map_entry(m, b, l) + 4);
    logic integer nf_map_key_home{L}(struct nf_map *m, integer b, integer l) =
      nf_home(m->buckets, nf_map_key_hash(m, b, l));
    // The probe invariant (stage 2, see docs): every occupied lane holds its
    // key's lane value, and every bucket from the key's home up to (not
    // including) its bucket has a non-zero overflow count. Stated with one
    // symbol per quantifier level so that the provers' triggers are plain.
    logic integer nf_map_lane{L}(struct nf_map *m, integer b, integer l) = m->ctrl[b * 16 + l];
    logic integer nf_map_overflow{L}(struct nf_map *m, integer b) = m->ctrl[b * 16 + 15];
    logic integer nf_map_count_at{L}(struct nf_map *m, integer from, integer x) =
      nf_map_overflow(m, nf_wrap(m->buckets, from + x));
    logic integer nf_map_passed{L}(struct nf_map *m, integer b, integer l, integer x) =
      nf_wrap(m->buckets, nf_map_key_home(m, b, l) + x);
    predicate nf_map_path_ok{L}(struct nf_map *m, integer b, integer l) =
      \forall integer x; 0 <= x < nf_dist(m->buckets, nf_map_key_home(m, b, l), b) ==>
        nf_map_overflow(m, nf_map_passed(m, b, l, x)) != 0;
    predicate nf_map_lane_ok{L}(struct nf_map *m, integer b, integer l) =
      nf_map_lane(m, b, l) == nf_lane_value(nf_map_key_hash(m, b, l), nf_map_key_home(m, b, l), b);
    predicate nf_map_probe_ok{L}(struct nf_map *m) =
      \forall integer b, l; nf_map_occupied(m, b, l) ==>
        nf_map_lane_ok(m, b, l) && nf_map_path_ok(m, b, l);

    // An absent key is in no occupied slot (has, unfolded).
    lemma nf_map_absent{L}: \forall struct nf_map *m, uint8_t *key, integer b, l;
      nf_map_occupied(m, b, l) &&
      nf_key_equal{L, L}(nf_map_entry(m, b, l) + 4, key, m->key_size) ==>
      nf_map_holds(m, b, l, key) && nf_map_has(m, key);
    // A slot whose probe path from its key's home is counted.
    lemma nf_map_path_counted{L}: \forall struct nf_map *m, integer b, l;
      (\forall integer x; 0 <= x < nf_dist(m->buckets, nf_map_key_home(m, b, l), b) ==>
         nf_map_count_at(m, nf_map_key_home(m, b, l), x) != 0) ==> nf_map_path_ok(m, b, l);
    // What find's completeness uses of the probe invariant, for a slot
    // holding `key` (proved lemmas).
    lemma nf_map_holds_hash{L}: \forall struct nf_map *m, uint8_t *key, integer b, l;
      nf_map_holds(m, b, l, key) ==> nf_map_key_hash(m, b, l) == nf_map_hash_of(m, key);
    lemma nf_map_probe_lane{L}: \forall struct nf_map *m, uint8_t *key, integer b, l;
      nf_map_probe_ok(m) && nf_map_holds(m, b, l, key) ==>
      m->ctrl[b * 16 + l] ==
        nf_lane_value(nf_map_hash_of(m, key), nf_home(m->buckets, nf_map_hash_of(m, key)), b);
    lemma nf_map_probe_path{L}: \forall struct nf_map *m, uint8_t *key, integer b, l, x;
      nf_map_probe_ok(m) && nf_map_holds(m, b, l, key) &&
      0 <= x < nf_dist(m->buckets, nf_home(m->buckets, nf_map_hash_of(m, key)), b) ==>
      nf_map_overflow(m, nf_map_passed(m, b, l, x)) != 0 &&
      nf_map_passed(m, b, l, x) ==
        nf_wrap(m->buckets, nf_home(m->buckets, nf_map_hash_of(m, key)) + x);
    predicate nf_map_find_complete{L}(struct nf_map *m, uint8_t *key, integer hash) =
      nf_map_probe_ok(m) && hash == nf_map_hash_of(m, key);

    // The hash of the key bytes across states: nf_map_hash_of reads only
    // m->hash, m->key_size and the key_size key bytes (its reads clause),
    // so equal such values in two states give equal hashes. This restates
    // the reads clause as a frame, which WP does not derive from it; it is
    // true by the assumption on the hash (map_hash: a pure function of the
    // key bytes). In its own axiomatic, behind the marker
    // nf_map_hash_framed: only the goals that name the marker see it.
    axiomatic nf_map_hash_frame {
      predicate nf_map_hash_framed;
      axiom nf_map_hash_framed_holds: nf_map_hash_framed;
      axiom nf_map_hash_same{L0, L1}: \forall struct nf_map *m, uint8_t *a, *b;
        \at(m->hash, L0) == \at(m->hash, L1) && \at(m->key_size, L0) == \at(m->key_size, L1) &&
        nf_key_equal{L0, L1}(a, b, \at(m->key_size, L0)) ==>
        nf_map_hash_of{L0}(m, a) == nf_map_hash_of{L1}(m, b);
    }
    // From L0 to L1, every occupied slot but (b0, l0) was occupied with the
    // same lane and key hash, and no non-zero overflow count became 0; slot
    // (b0, l0), if occupied, is probe-correct at L1.
    predicate nf_map_probe_frame{L0, L1}(struct nf_map *m, integer b0, integer l0) =
      \at(m->buckets, L1) == \at(m->buckets, L0) &&
      (\forall integer b, l; nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) ==>
         nf_map_occupied{L0}(m, b, l) &&
         nf_map_lane{L1}(m, b, l) == nf_map_lane{L0}(m, b, l) &&
         nf_map_key_hash{L1}(m, b, l) == nf_map_key_hash{L0}(m, b, l)) &&
      (\forall integer b; 0 <= b < \at(m->buckets, L0) && nf_map_overflow{L0}(m, b) != 0 ==>
         nf_map_overflow{L1}(m, b) != 0) &&
      (nf_map_occupied{L1}(m, b0, l0) ==>
         nf_map_lane_ok{L1}(m, b0, l0) && nf_map_path_ok{L1}(m, b0, l0));
    // Split by part for the provers (each a small goal).
    lemma nf_map_probe_kept_lane{L0, L1}: \forall struct nf_map *m, integer b0, l0, b, l;
      nf_map_probe_ok{L0}(m) && nf_map_probe_frame{L0, L1}(m, b0, l0) &&
      nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) ==> nf_map_lane_ok{L1}(m, b, l);
    lemma nf_map_hash_range{L}: \forall struct nf_map *m, uint8_t *k;
      0 <= nf_map_hash_of(m, k) < 4294967296;
    lemma nf_map_probe_kept_home{L0, L1}: \forall struct nf_map *m, integer b0, l0, b, l;
      nf_map_probe_ok{L0}(m) && nf_map_probe_frame{L0, L1}(m, b0, l0) &&
      nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) ==>
      nf_map_occupied{L0}(m, b, l) && nf_map_path_ok{L0}(m, b, l) &&
      nf_map_key_home{L1}(m, b, l) == nf_map_key_home{L0}(m, b, l) &&
      0 <= nf_map_key_home{L1}(m, b, l) < \at(m->buckets, L1);
    lemma nf_map_probe_kept_passed{L0, L1}: \forall struct nf_map *m, integer b0, l0, b, l, x;
      nf_map_probe_ok{L0}(m) && nf_map_probe_frame{L0, L1}(m, b0, l0) &&
      nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) &&
      0 <= x < nf_dist(\at(m->buckets, L1), nf_map_key_home{L1}(m, b, l), b) ==>
      nf_map_passed{L1}(m, b, l, x) == nf_map_passed{L0}(m, b, l, x) &&
      nf_map_overflow{L0}(m, nf_map_passed{L0}(m, b, l, x)) != 0 &&
      0 <= nf_map_passed{L1}(m, b, l, x) < \at(m->buckets, L1);
    lemma nf_map_probe_kept_path{L0, L1}: \forall struct nf_map *m, integer b0, l0, b, l;
      nf_map_probe_ok{L0}(m) && nf_map_probe_frame{L0, L1}(m, b0, l0) &&
      nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) ==> nf_map_path_ok{L1}(m, b, l);
    lemma nf_map_probe_kept{L0, L1}: \forall struct nf_map *m, integer b0, l0;
      nf_map_probe_ok{L0}(m) && nf_map_probe_frame{L0, L1}(m, b0, l0) ==> nf_map_probe_ok{L1}(m);

    // From L0 to L1, every occupied slot but (b0, l0) was occupied with the
    // same key bytes, and holds a key other than slot (b0, l0)'s if that is
    // occupied.
    predicate nf_map_unique_frame{L0, L1}(struct nf_map *m, integer b0, integer l0) =
      \at(m->buckets, L1) == \at(m->buckets, L0) && \at(m->key_size, L1) == \at(m->key_size, L0) &&
      \at(m->entries, L1) == \at(m->entries, L0) && \at(m->stride, L1) == \at(m->stride, L0) &&
      (\forall integer b, l; nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) ==>
         nf_map_occupied{L0}(m, b, l) &&
         nf_key_equal{L0, L1}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L1}(m, b, l) + 4,
                              \at(m->key_size, L1))) &&
      (nf_map_occupied{L1}(m, b0, l0) ==>
         \forall integer b, l; nf_map_occupied{L1}(m, b, l) && (b != b0 || l != l0) ==>
           !nf_key_equal{L1, L1}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L1}(m, b0, l0) + 4,
                                 \at(m->key_size, L1)));
    // Split by case for the provers.
    lemma nf_map_unique_kept_old{L0, L1}: \forall struct nf_map *m, integer b0, l0, b1, l1, b2, l2;
      nf_map_unique{L0}(m) && nf_map_unique_frame{L0, L1}(m, b0, l0) &&
      nf_map_occupied{L1}(m, b1, l1) && nf_map_occupied{L1}(m, b2, l2) && (b1 != b2 || l1 != l2) &&
      (b1 != b0 || l1 != l0) && (b2 != b0 || l2 != l0) ==>
      !nf_key_equal{L1, L1}(nf_map_entry{L1}(m, b1, l1) + 4, nf_map_entry{L1}(m, b2, l2) + 4,
                            \at(m->key_size, L1));
    lemma nf_map_unique_kept_new{L0, L1}: \forall struct nf_map *m, integer b0, l0, b2, l2;
      nf_map_unique_frame{L0, L1}(m, b0, l0) &&
      nf_map_occupied{L1}(m, b0, l0) && nf_map_occupied{L1}(m, b2, l2) && (b0 != b2 || l0 != l2) ==>
      !nf_key_equal{L1, L1}(nf_map_entry{L1}(m, b0, l0) + 4, nf_map_entry{L1}(m, b2, l2) + 4,
                            \at(m->key_size, L1)) &&
      !nf_key_equal{L1, L1}(nf_map_entry{L1}(m, b2, l2) + 4, nf_map_entry{L1}(m, b0, l0) + 4,
                            \at(m->key_size, L1));
    lemma nf_map_unique_kept{L0, L1}: \forall struct nf_map *m, integer b0, l0;
      nf_map_unique{L0}(m) && nf_map_unique_frame{L0, L1}(m, b0, l0) ==> nf_map_unique{L1}(m);

    // Every occupied slot at L1 holds key bytes that some slot occupied at
    // L0 held (erase removes a key and moves the others).
    predicate nf_map_keys_from{L0, L1}(struct nf_map *m) =
      \forall integer b, l; nf_map_occupied{L1}(m, b, l) ==>
        \exists integer b0, l0; nf_map_occupied{L0}(m, b0, l0) &&
          nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L0}(m, b0, l0) + 4,
                               \at(m->key_size, L1));
    // The converse for the keys other than `key`: every slot occupied at L0
    // whose key bytes are not L0's bytes of `key` has its bytes held by some
    // slot occupied at L1 (erase keeps every other key).
    predicate nf_map_keys_to{L0, L1}(struct nf_map *m, uint8_t *key) =
      \forall integer b0, l0; nf_map_occupied{L0}(m, b0, l0) &&
        !nf_key_equal{L0, L0}(nf_map_entry{L0}(m, b0, l0) + 4, key, \at(m->key_size, L0)) ==>
        \exists integer b, l; nf_map_occupied{L1}(m, b, l) &&
          nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L0}(m, b0, l0) + 4,
                               \at(m->key_size, L1));
    // nf_map_keys_from and nf_map_keys_to with the values: the slot at L1
    // also has the value of the slot at L0 (erase's postconditions; its loop
    // carries them as the opaque nf_map_erase_vals, over nf_map_vp below).
    predicate nf_map_vals_from{L0, L1}(struct nf_map *m) =
      \forall integer b, l; nf_map_occupied{L1}(m, b, l) ==>
        \exists integer b0, l0; nf_map_occupied{L0}(m, b0, l0) &&
          nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L0}(m, b0, l0) + 4,
                               \at(m->key_size, L1)) &&
          nf_map_value_at{L1}(m, b, l) == nf_map_value_at{L0}(m, b0, l0);
    predicate nf_map_vals_to{L0, L1}(struct nf_map *m, uint8_t *key) =
      \forall integer b0, l0; nf_map_occupied{L0}(m, b0, l0) &&
        !nf_key_equal{L0, L0}(nf_map_entry{L0}(m, b0, l0) + 4, key, \at(m->key_size, L0)) ==>
        \exists integer b, l; nf_map_occupied{L1}(m, b, l) &&
          nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L0}(m, b0, l0) + 4,
                               \at(m->key_size, L1)) &&
          nf_map_value_at{L1}(m, b, l) == nf_map_value_at{L0}(m, b0, l0);
    // m maps the key bytes at key to v: some slot holds them with value v
    // (the caller-level statement of erase's nf_map_vals_*).
    predicate nf_map_maps{L}(struct nf_map *m, uint8_t *key, integer v) =
      \exists integer b, l; nf_map_holds(m, b, l, key) && nf_map_value_at(m, b, l) == v;
    // A cast-free view of the values, for erase's opaque value invariant
    // (nf_map_erase_vals): Frama-C 25's WP crashes on a pointer cast inside
    // a global axiom ("Context 'Warning' non-initialized"), so the
    // definition axiom cannot read nf_map_value_at. nf_map_vp is an abstract
    // pure function; erase's contract requires that it is the cast
    // (nf_map_vp_cast: a logic witness, satisfiable by its definition, which
    // no postcondition names, so the contract is proved for the cast).
    axiomatic nf_map_value_view {
      logic int32_t *nf_map_vp(uint8_t *entry);
    }
    logic int32_t nf_map_vval{L}(struct nf_map *m, integer b, integer l) =
      *nf_map_vp(nf_map_entry(m, b, l));
    // nf_map_vals_from / nf_map_vals_to over the view.
    predicate nf_map_vp_from{L0, L1}(struct nf_map *m) =
      \forall integer b, l; nf_map_occupied{L1}(m, b, l) ==>
        \exists integer b0, l0; nf_map_occupied{L0}(m, b0, l0) &&
          nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L0}(m, b0, l0) + 4,
                               \at(m->key_size, L1)) &&
          nf_map_vval{L1}(m, b, l) == nf_map_vval{L0}(m, b0, l0);
    predicate nf_map_vp_to{L0, L1}(struct nf_map *m, uint8_t *key) =
      \forall integer b0, l0; nf_map_occupied{L0}(m, b0, l0) &&
        !nf_key_equal{L0, L0}(nf_map_entry{L0}(m, b0, l0) + 4, key, \at(m->key_size, L0)) ==>
        \exists integer b, l; nf_map_occupied{L1}(m, b, l) &&
          nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, nf_map_entry{L0}(m, b0, l0) + 4,
                               \at(m->key_size, L1)) &&
          nf_map_vval{L1}(m, b, l) == nf_map_vval{L0}(m, b0, l0);
    // erase's uniqueness invariant from L0 (its Pre) to L1: if keys were
    // unique at L0, they are at L1 and no occupied slot holds L0's bytes of
    // `key`. Opaque: its definition (nf_map_erase_ok_def, a definition, not
    // an assumption) sits behind the marker nf_map_erase_unfolded, which
    // only erase's one-shot ghost loops name, so that the counting goals of
    // erase's backward-shift loop see it as one atom. The reads clauses name
    // what the definitions read at each label: WP gives a predicate of an
    // axiomatic without reads clause no memory arguments at all, and the
    // definition axiom would then be contradictory.
    axiomatic nf_map_erase_invariant {
      predicate nf_map_erase_ok{L0, L1}(struct nf_map *m, uint8_t *key)
        reads \at(m->ctrl, L0), \at(m->entries, L0), \at(m->buckets, L0), \at(m->stride, L0),
          \at(m->key_size, L0), \at(m->ctrl[..], L0), \at(m->entries[..], L0), \at(key[..], L0),
          \at(m->ctrl, L1), \at(m->entries, L1), \at(m->buckets, L1), \at(m->stride, L1),
          \at(m->key_size, L1), \at(m->ctrl[..], L1), \at(m->entries[..], L1);
      // The key_size bytes at key are as at L0.
      predicate nf_map_erase_from{L0, L1}(struct nf_map *m)
        reads \at(m->ctrl, L0), \at(m->entries, L0), \at(m->buckets, L0), \at(m->stride, L0),
          \at(m->ctrl[..], L0), \at(m->entries[..], L0), \at(m->ctrl, L1), \at(m->entries, L1),
          \at(m->buckets, L1), \at(m->stride, L1), \at(m->key_size, L1), \at(m->ctrl[..], L1),
          \at(m->entries[..], L1);
      predicate nf_map_erase_kept{L0, L1}(struct nf_map *m, uint8_t *key)
        reads \at(key[..], L0), \at(m->key_size, L1), \at(key[..], L1);
      // nf_map_vp_from and nf_map_vp_to, opaque (the reads name the int32_t
      // view of the entries at both labels).
      predicate nf_map_erase_vals{L0, L1}(struct nf_map *m, uint8_t *key)
        reads \at(m->ctrl, L0), \at(m->entries, L0), \at(m->buckets, L0), \at(m->stride, L0),
          \at(m->key_size, L0), \at(m->ctrl[..], L0), \at(m->entries[..], L0), \at(key[..], L0),
          \at(nf_map_vp(m->entries)[..], L0), \at(m->ctrl, L1), \at(m->entries, L1),
          \at(m->buckets, L1), \at(m->stride, L1), \at(m->key_size, L1), \at(m->ctrl[..], L1),
          \at(m->entries[..], L1), \at(nf_map_vp(m->entries)[..], L1);
    }
    axiomatic nf_map_erase_invariant_definition {
      predicate nf_map_erase_unfolded;
      axiom nf_map_erase_unfolded_holds: nf_map_erase_unfolded;
      axiom nf_map_erase_ok_def{L0, L1}: \forall struct nf_map *m, uint8_t *key;
        nf_map_erase_ok{L0, L1}(m, key) <==>
          (nf_map_unique{L0}(m) ==>
             nf_map_unique{L1}(m) &&
             \forall integer b, l; nf_map_occupied{L1}(m, b, l) ==>
               !nf_key_equal{L1, L0}(nf_map_entry{L1}(m, b, l) + 4, key, \at(m->key_size, L1)));
      axiom nf_map_erase_from_def{L0, L1}: \forall struct nf_map *m;
        nf_map_erase_from{L0, L1}(m) <==> nf_map_keys_from{L0, L1}(m);
      axiom nf_map_erase_kept_def{L0, L1}: \forall struct nf_map *m, uint8_t *key;
        nf_map_erase_kept{L0, L1}(m, key) <==>
          nf_key_equal{L1, L0}(key, key, \at(m->key_size, L1));
    }
    // nf_map_erase_vals's definition, behind its own marker (named only by
    // the asserts about values in erase's one-shot ghost loops).
    axiomatic nf_map_erase_vals_definition {
      predicate nf_map_erase_vals_unfolded;
      axiom nf_map_erase_vals_unfolded_holds: nf_map_erase_vals_unfolded;
      axiom nf_map_erase_vals_def{L0, L1}: \forall struct nf_map *m, uint8_t *key;
        nf_map_erase_vals{L0, L1}(m, key) <==>
          nf_map_vp_from{L0, L1}(m) && nf_map_vp_to{L0, L1}(m, key);
    }

    // Nothing of the map's state changed between L0 and L1.
    predicate nf_map_same{L0, L1}(struct nf_map *m) =
      \at(m->size, L0) == \at(m->size, L1) &&
      (\forall integer i; 0 <= i < \at(m->buckets, L0) * 16 ==>
         \at(m->ctrl[i], L0) == \at(m->ctrl[i], L1)) &&
      (\forall integer i; 0 <= i < nf_map_bytes{L0}(m) ==>
         \at(m->entries[i], L0) == \at(m->entries[i], L1)) &&
      (\forall integer b, l; nf_map_slot_ok{L0}(m, b, l) ==>
         nf_map_value_at{L0}(m, b, l) == nf_map_value_at{L1}(m, b, l));
*/
/* The map's state (assigns clauses): control words, entry bytes, the values
 * as int32_t, size. NF_MAP_APART: the caller's key is not the map's memory
 * (always true for NF keys: maps are opaque). */
/* clang-format off */
#define NF_MAP_STATE(m)                                               \
  (m)->ctrl[0 .. (m)->buckets * 16 - 1],                              \
  (m)->entries[0 .. nf_map_bytes(m) - 1],                             \
  *(int32_t *)((m)->entries + (0 .. nf_map_bytes(m) - 1)),            \
  (m)->size
#define NF_MAP_APART(m, key)                                          \
  \separated((key) + (0 .. (m)->key_size - 1),                        \
             (m)->entries + (0 .. nf_map_bytes(m) - 1))
/* clang-format on */
#define NF_MAP_IMPL
#include "nflib/map.h"

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

/* The hash and the key comparison given to nf_map_create, called through
 * these wrappers. WP cannot call through a function pointer: under Frama-C
 * they are prototypes whose contracts are the assumption on what
 * nf_map_create is given (NF_KEY_DECLARE's functions satisfy it): hash reads
 * the key_size key bytes and writes nothing, eq is true exactly when the
 * key_size bytes are equal. */
#ifdef __FRAMAC__
/*@ requires \valid_read(map) && \valid_read((uint8_t *)key + (0 .. map->key_size - 1));
    assigns \nothing;
    ensures \result == nf_map_hash_of(map, (uint8_t *)key); */
static uint32_t map_hash(const struct nf_map *map, const void *key);
/*@ requires \valid_read(map);
    requires \valid_read((uint8_t *)a + (0 .. map->key_size - 1));
    requires \valid_read((uint8_t *)b + (0 .. map->key_size - 1));
    assigns \nothing;
    ensures \result <==> nf_key_equal{Here, Here}((uint8_t *)a, (uint8_t *)b, map->key_size); */
static bool map_keys_equal(const struct nf_map *map, const void *a, const void *b);
#else
static inline uint32_t map_hash(const struct nf_map *map, const void *key) {
  return map->hash(key);
}
static inline bool map_keys_equal(const struct nf_map *map, const void *a, const void *b) {
  return map->eq(a, b);
}
#endif

/* Lemma function (proof only, by induction over the control lanes): with
 * every slot occupied, a counting size is the number of slots. */
/*@ ghost
  /@ requires nf_map_live(m);
     requires \forall integer b, l; nf_map_slot_ok(m, b, l) ==> nf_map_lane(m, b, l) != 0;
     assigns \nothing;
     ensures nf_map_counts(m) ==> m->size == m->buckets * 15; @/
  void nf_map_full_lemma(const struct nf_map *m) {
    /@ loop invariant 0 <= i <= m->buckets * 16 && nf_map_counted;
       loop invariant nf_map_nocc(m, i) == i - i / 16;
       loop assigns i;
       loop variant m->buckets * 16 - i; @/
    for (uint32_t i = 0; i < m->buckets * 16; i++) {
      /@ assert i == (i / 16) * 16 + i % 16 && i / 16 < m->buckets; @/
      /@ assert i % 16 != 15 ==> nf_map_lane(m, i / 16, i % 16) != 0; @/
    }
  }
*/

/* Lemma function (proof only): no lane below 0. It names the recursive
 * definition of nf_map_nocc (nf_map_counted) in its own goals only, so that
 * a ghost counting loop can start without that definition in its caller's
 * context. */
/*@ ghost
  /@ assigns \nothing;
     ensures nf_map_nocc(m, 0) == 0; @/
  void nf_map_nocc_zero(const struct nf_map *m) {
    /@ assert nf_map_counted; @/
  }
*/

/* Lemma function (proof only): a counting map that holds a key is not empty. */
/*@ ghost
  /@ requires nf_map_live(m);
     assigns \nothing;
     ensures nf_map_counts(m) && nf_map_has(m, (uint8_t *)key) ==> m->size >= 1; @/
  void nf_map_has_lemma(const struct nf_map *m, const void *key) {
    /@ loop invariant 0 <= i <= m->buckets * 16 && nf_map_counted;
       loop invariant nf_map_nocc(m, i) >= 0;
       loop invariant (\exists integer b, l; nf_map_holds(m, b, l, (uint8_t *)key) &&
         b * 16 + l < i) ==> nf_map_nocc(m, i) >= 1;
       loop assigns i;
       loop variant m->buckets * 16 - i; @/
    for (uint32_t i = 0; i < m->buckets * 16; i++);
  }
*/

/*@ requires nf_map_live(map) && bucket < map->buckets;
    assigns \nothing;
    ensures \result == map->ctrl + bucket * 16; */
static inline uint16_t *ctrl_at(const struct nf_map *map, uint32_t bucket) {
  return map->ctrl + (size_t)bucket * LANES;
}

/*@ requires nf_map_live(map) && nf_map_slot_ok(map, bucket, lane);
    assigns \nothing;
    ensures \result == nf_map_entry(map, bucket, lane); */
static inline uint8_t *entry_at(const struct nf_map *map, uint32_t bucket, uint32_t lane) {
  /*@ assert nf_slot_products; */
  return map->entries + ((size_t)bucket * SLOTS + lane) * map->stride;
}

/* The value of an entry: its first four bytes, as one int32_t (entries are
 * 4-aligned: 64-aligned array, stride a multiple of 4). */
/*@ requires \valid_read((int32_t *)entry);
    assigns \nothing;
    ensures \result == *(int32_t *)entry; */
static inline int32_t load_value(const uint8_t *entry) {
  return *(const int32_t *)(const void *)entry;
}

/*@ requires \valid((int32_t *)entry);
    assigns *(int32_t *)entry;
    ensures *(int32_t *)entry == value; */
static inline void store_value(uint8_t *entry, int32_t value) {
  *(int32_t *)(void *)entry = value;
}

/* n bytes: a loop (not memcpy) so that the copy is proved in uint8_t; gcc -O2
 * compiles it to a memcpy call. */
/*@ requires \valid(dst + (0 .. n - 1)) && \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer i; 0 <= i < n ==> dst[i] == src[i];
    ensures nf_key_equal{Here, Here}(dst, (uint8_t *)src, n); */
static inline void copy_bytes(uint8_t *restrict dst, const uint8_t *restrict src, uint32_t n) {
  /*@ loop invariant 0 <= i <= n;
      loop invariant \forall integer k; 0 <= k < i ==> dst[k] == src[k];
      loop assigns i, dst[0 .. n - 1];
      loop variant n - i; */
  for (uint32_t i = 0; i < n; i++) dst[i] = src[i];
}

/* The top bits of the hash pick the bucket, the low 15 bits make the tag. */
/*@ requires nf_map_live(map);
    assigns \nothing;
    ensures \result < map->buckets;
    ensures \result == nf_home(map->buckets, hash); */
static inline uint32_t home_of(const struct nf_map *map, uint32_t hash) {
  /*@ assert nf_home_products; */
  /*@ assert (uint64_t)hash * map->buckets < 0x100000000 * map->buckets; */
  return (uint32_t)(((uint64_t)hash * map->buckets) / 0x100000000u);
}

/*@ assigns \nothing;
    ensures 1 <= \result <= 0x7fff;
    ensures \result == nf_tag(hash); */
static inline uint16_t tag_of(uint32_t hash) {
  uint16_t t = (uint16_t)(hash % 0x8000u);
  return t ? t : 1;
}

/*@ requires nf_map_live(map) && bucket < map->buckets;
    assigns \nothing;
    ensures \result < map->buckets;
    ensures \result == (bucket + 1 == map->buckets ? 0 : bucket + 1); */
static inline uint32_t next_bucket(const struct nf_map *map, uint32_t bucket) {
  return bucket + 1 == map->buckets ? 0 : bucket + 1;
}

/* Buckets from `from` forward to `to` (cyclic). */
/*@ requires nf_map_live(map) && from < map->buckets && to < map->buckets;
    assigns \nothing;
    ensures \result == (to >= from ? to - from : to + map->buckets - from); */
static inline uint32_t distance(const struct nf_map *map, uint32_t from, uint32_t to) {
  return to >= from ? to - from : to + map->buckets - from;
}

/* The lane value of a key with this hash and home, stored in `bucket`. */
/*@ assigns \nothing;
    ensures \result != 0;
    ensures \result == nf_lane_value(hash, home, bucket); */
static inline uint16_t lane_value(uint32_t hash, uint32_t home, uint32_t bucket) {
  return (uint16_t)(tag_of(hash) + (bucket == home ? 0 : DISPLACED));
}

/* Bit l set iff slot lane l (< SLOTS) of the control word holds `tag`
 * (tag 0: iff the slot is empty). Frama-C proves the portable loop. */
/*@ requires \valid_read(ctrl + (0 .. SLOTS - 1));
    assigns \nothing;
    ensures \forall integer k; 0 <= k && nf_bit(\result, k) ==> k < SLOTS && ctrl[k] == tag;
    ensures \forall integer k; 0 <= k < SLOTS && ctrl[k] == tag ==> nf_bit(\result, k); */
static inline uint32_t match_lanes(const uint16_t *ctrl, uint16_t tag) {
#ifdef MAP_SSE2
  __m128i want = _mm_set1_epi16((short)tag);
  __m128i lo = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)ctrl), want);
  __m128i hi = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)(const void *)(ctrl + 8)), want);
  /* one bit per lane: saturating-pack the 16-bit lanes (0 or -1) to bytes */
  uint32_t bits = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(lo, hi));
  return bits & SLOT_LANES_MASK;
#else
  uint32_t bits = 0;
  /*@ loop invariant 0 <= l <= SLOTS;
      loop invariant \forall integer k; 0 <= k && nf_bit(bits, k) ==> k < l && ctrl[k] == tag;
      loop invariant \forall integer k; 0 <= k < l && ctrl[k] == tag ==> nf_bit(bits, k);
      loop assigns l, bits;
      loop variant SLOTS - l; */
  for (uint32_t l = 0; l < SLOTS; l++)
    if (ctrl[l] == tag) bits |= 1u << l;
  return bits;
#endif
}

/* Bit l set iff slot lane l holds a displaced key (so the lane is occupied:
 * erase's counting proof moves only occupied lanes). */
/*@ requires \valid_read(ctrl + (0 .. SLOTS - 1));
    assigns \nothing;
    ensures \forall integer k; 0 <= k && nf_bit(\result, k) ==> k < SLOTS && ctrl[k] != 0; */
static inline uint32_t displaced_lanes(const uint16_t *ctrl) {
  uint32_t bits = 0;
  /*@ loop invariant 0 <= l <= SLOTS;
      loop invariant \forall integer k; 0 <= k && nf_bit(bits, k) ==> k < l && ctrl[k] != 0;
      loop assigns l, bits;
      loop variant SLOTS - l; */
  for (uint32_t l = 0; l < SLOTS; l++)
    if (ctrl[l] & DISPLACED) {
      /*@ assert ctrl[l] != 0; */
      bits |= 1u << l;
    }
  return bits;
}

/* The lowest set bit of a non-zero lane set. Frama-C proves the portable
 * loop (lane sets have no bit from SLOTS on). */
/*@ requires bits != 0;
    requires \forall integer k; 0 <= k && nf_bit(bits, k) ==> k < SLOTS;
    assigns \nothing;
    ensures 0 <= \result < SLOTS && \result == nf_low(bits); */
static inline uint32_t lowest_lane(uint32_t bits) {
#if defined(__GNUC__) && !defined(__FRAMAC__) && !defined(NF_PROVED_PATHS_ONLY)
  return (uint32_t)__builtin_ctz(bits);
#else
  /*@ assert nf_bit_tests; */
  /*@ loop invariant 0 <= l <= SLOTS;
      loop invariant \forall integer k; 0 <= k < l ==> !nf_bit(bits, k);
      loop assigns l;
      loop variant SLOTS - l; */
  for (uint32_t l = 0; l < SLOTS; l++)
    if (bits & (1u << l)) return l;
  /*@ assert nf_bit(bits, nf_low(bits)); */
  return SLOTS; /* unreachable: bits has a lane below SLOTS */
#endif
}

/* The lane set without its lowest lane. */
/*@ requires bits != 0;
    assigns \nothing;
    ensures \result == nf_clear_low(bits) && \result < bits;
    ensures \forall integer k; 0 <= k ==>
      (nf_bit(\result, k) <==> nf_bit(bits, k) && k != nf_low(bits)); */
static inline uint32_t without_lowest(uint32_t bits) {
  /*@ assert nf_bit_tests && bits - 1 >= 0; */
  /*@ assert nf_clear_low(bits) == (bits & (bits - 1)); */
  return bits & (bits - 1);
}

struct nf_map *nf_map_create(const char *name, uint32_t capacity, uint32_t key_size,
                             nf_key_hash_fn hash, nf_key_eq_fn eq) {
  if (capacity == 0 || (capacity & (capacity - 1)) != 0) return NULL;
  if (key_size == 0 || key_size > NF_MAP_KEY_SIZE_MAX || !hash || !eq) return NULL;
  struct nf_map *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base_unused;
  nf_instance_resolve(name, capacity, &resolved, &base_unused);
  if (resolved == 0 || resolved > NF_MAP_CAPACITY_MAX) return NULL;
  struct nf_map *map = calloc(1, sizeof(*map));
  if (!map) return NULL;
  uint64_t slots = ((uint64_t)resolved * SLACK_NUM + SLACK_DEN - 1) / SLACK_DEN;
  map->buckets = (uint32_t)((slots + SLOTS - 1) / SLOTS);
  map->stride = (uint32_t)((sizeof(int32_t) + key_size + 3) & ~(size_t)3);
  map->ctrl = nf_alloc_zeroed((size_t)map->buckets * LANES * sizeof(uint16_t));
  map->entries = nf_alloc_zeroed((size_t)map->buckets * SLOTS * map->stride);
  if (!map->ctrl || !map->entries) {
    nf_map_destroy(map);
    return NULL;
  }
  map->key_size = key_size;
  map->capacity = resolved;
  map->hash = hash;
  map->eq = eq;
  nf_instance_publish(name, map);
  return map;
}

void nf_map_destroy(struct nf_map *map) {
  if (!map) return;
  free(map->ctrl);
  free(map->entries);
  free(map);
}

/* The entry holding key (hash `hash`), or NULL; *bucket_out is its bucket.
 * A probe moves past a bucket only while keys overflowed it, so it visits at
 * most every bucket once. */
/*@ requires nf_map_live(map) && nf_map_key_ok(map, (void *)key);
    requires \valid(bucket_out) && \valid(lane_out);
    requires \separated(bucket_out, lane_out, map);
    assigns *bucket_out, *lane_out;
    ensures \result != \null ==>
      nf_map_holds(map, *bucket_out, *lane_out, (uint8_t *)key) &&
      \result == nf_map_entry(map, *bucket_out, *lane_out);
    ensures nf_map_find_complete(map, (uint8_t *)key, hash) && nf_map_has(map, (uint8_t *)key) ==>
      \result != \null; */
static inline uint8_t *find(const struct nf_map *map, const void *key, uint32_t hash,
                            uint32_t *bucket_out, uint32_t *lane_out) {
  uint32_t bucket = home_of(map, hash);
  uint16_t want = tag_of(hash); /* in the home bucket; displaced further on */
  /*@ ghost uint32_t home = bucket; */
  /*@ loop invariant bucket < map->buckets && want != 0;
      loop invariant 0 <= probes <= map->buckets;
      loop invariant bucket == nf_wrap(map->buckets, home + probes);
      loop invariant probes < map->buckets ==> want == nf_lane_value(hash, home, bucket);
      loop invariant nf_map_find_complete(map, (uint8_t *)key, hash) ==>
        \forall integer b2, l2; nf_map_holds(map, b2, l2, (uint8_t *)key) ==>
          probes <= nf_dist(map->buckets, home, b2);

      loop assigns probes, bucket, want;
      loop variant map->buckets - probes; */
  for (uint32_t probes = 0; probes < map->buckets; probes++) {
    const uint16_t *ctrl = ctrl_at(map, bucket);
    /*@ loop invariant \forall integer k;
          0 <= k && nf_bit(hits, k) ==> k < SLOTS && ctrl[k] == want;
        loop invariant \forall integer k; 0 <= k < SLOTS && ctrl[k] == want &&
          nf_key_equal{Here, Here}(nf_map_entry(map, bucket, k) + 4, (uint8_t *)key,
                                   map->key_size) ==> nf_bit(hits, k);
        loop assigns hits;
        loop variant hits; */
    for (uint32_t hits = match_lanes(ctrl, want); hits; hits = without_lowest(hits)) {
      uint32_t lane = lowest_lane(hits);
      uint8_t *entry = entry_at(map, bucket, lane);
      if (map_keys_equal(map, entry + sizeof(int32_t), key)) {
        /*@ assert nf_map_holds(map, bucket, lane, (uint8_t *)key) &&
              entry == nf_map_entry(map, bucket, lane); */
        *bucket_out = bucket;
        /*@ assert map->buckets == \at(map->buckets, Pre) && map->key_size == \at(map->key_size,
           Pre) && map->stride == \at(map->stride, Pre) && map->ctrl == \at(map->ctrl, Pre) &&
              map->entries == \at(map->entries, Pre); */
        *lane_out = lane;
        /*@ assert map->buckets == \at(map->buckets, Pre) && map->key_size == \at(map->key_size,
           Pre) && map->stride == \at(map->stride, Pre) && map->ctrl == \at(map->ctrl, Pre) &&
              map->entries == \at(map->entries, Pre); */
        /*@ assert nf_map_holds(map, *bucket_out, *lane_out, (uint8_t *)key); */
        return entry;
      }
    }
    /*@ assert \forall integer l2; 0 <= l2 < SLOTS && ctrl[l2] == want ==>
          !nf_key_equal{Here, Here}(nf_map_entry(map, bucket, l2) + 4, (uint8_t *)key,
                                    map->key_size); */
    /*@ assert nf_map_find_complete(map, (uint8_t *)key, hash) ==>
          \forall integer b2, l2; nf_map_holds(map, b2, l2, (uint8_t *)key) ==> b2 != bucket; */
    /*@ assert nf_map_find_complete(map, (uint8_t *)key, hash) ==>
          \forall integer b2, l2; nf_map_holds(map, b2, l2, (uint8_t *)key) ==>
            probes < nf_dist(map->buckets, home, b2); */
    /*@ assert nf_map_find_complete(map, (uint8_t *)key, hash) ==>
          \forall integer b2, l2; nf_map_holds(map, b2, l2, (uint8_t *)key) ==>
            nf_map_overflow(map, nf_map_passed(map, b2, l2, probes)) != 0 &&
            nf_map_passed(map, b2, l2, probes) == bucket; */
    /*@ assert nf_map_find_complete(map, (uint8_t *)key, hash) ==>
          \forall integer b2, l2; nf_map_holds(map, b2, l2, (uint8_t *)key) ==>
            ctrl[OVERFLOW_LANE] != 0; */
    if (ctrl[OVERFLOW_LANE] == 0) return NULL;
    bucket = next_bucket(map, bucket);
    want = (uint16_t)(tag_of(hash) + DISPLACED);
  }
  return NULL;
}

/* Proved contract (NF_MAP_IMPL); map.h has the abstract one. */
/*@ requires nf_map_live(map) && nf_map_key_ok(map, (void *)key);
    requires \valid(value_out);
    assigns *value_out;
    ensures \result ==> \exists integer b, l;
      nf_map_holds(map, b, l, (uint8_t *)key) && *value_out == nf_map_value_at(map, b, l);
    ensures !\result ==> *value_out == \old(*value_out);
    ensures !nf_map_has(map, (uint8_t *)key) ==> !\result;
    ensures nf_map_probe_ok(map) && nf_map_has(map, (uint8_t *)key) ==> \result;
    ensures \forall integer b, l; nf_map_probe_ok(map) && nf_map_unique(map) &&
      nf_map_holds(map, b, l, (uint8_t *)key) ==>
      \result && *value_out == nf_map_value_at(map, b, l); */
bool nf_map_get(const struct nf_map *map, const void *key, int32_t *value_out) {
  uint32_t bucket, lane;
  const uint8_t *entry = find(map, key, map_hash(map, key), &bucket, &lane);
  if (!entry) return false;
  *value_out = load_value(entry);
  return true;
}

/* Raises the overflow counts of buckets [from, to) by one (sticky ones stay). */
/*@ requires nf_map_live(map) && from < map->buckets && to < map->buckets;
    assigns map->ctrl[0 .. map->buckets * 16 - 1];
    ensures \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
      nf_map_lane(map, b, l) == \old(nf_map_lane(map, b, l));
    ensures \forall integer b; 0 <= b < map->buckets && \old(nf_map_overflow(map, b)) != 0 ==>
      nf_map_overflow(map, b) != 0;
    ensures \forall integer x; 0 <= x < nf_dist(map->buckets, from, to) ==>
      nf_map_count_at(map, from, x) != 0;
    ensures \old(nf_map_probe_ok(map)) ==> nf_map_probe_ok(map);
    ensures \forall integer i; 0 <= i < map->buckets * 16 ==>
      nf_map_obit(map, i) == \old(nf_map_obit(map, i)); */
static inline void count(const struct nf_map *map, uint32_t from, uint32_t to) {
  /*@ loop invariant b < map->buckets;
      loop invariant \forall integer b2, l; nf_map_slot_ok(map, b2, l) ==>
        nf_map_lane(map, b2, l) == \at(nf_map_lane(map, b2, l), Pre);
      loop invariant \forall integer b2; 0 <= b2 < map->buckets &&
        \at(nf_map_overflow(map, b2), Pre) != 0 ==> nf_map_overflow(map, b2) != 0;
      loop invariant \forall integer x; 0 <= x < nf_dist(map->buckets, from, b) ==>
        nf_map_count_at(map, from, x) != 0;
      loop invariant nf_dist(map->buckets, from, b) <= nf_dist(map->buckets, from, to);
      loop invariant \forall integer i; 0 <= i < map->buckets * 16 ==>
        nf_map_obit(map, i) == \at(nf_map_obit(map, i), Pre);
      loop assigns b, map->ctrl[0 .. map->buckets * 16 - 1];
      loop variant to >= b ? to - b : to + map->buckets - b; */
  for (uint32_t b = from; b != to; b = next_bucket(map, b)) {
    uint16_t *ctrl = ctrl_at(map, b);
    if (ctrl[OVERFLOW_LANE] != OVERFLOW_STICKY) ctrl[OVERFLOW_LANE]++;
    /*@ assert nf_wrap(map->buckets, from + nf_dist(map->buckets, from, b)) == b; */
    /*@ assert nf_map_count_at(map, from, nf_dist(map->buckets, from, b)) != 0; */
  }
}

/* Lowers the overflow counts of buckets [from, to) by one (sticky ones stay). */
/*@ requires nf_map_live(map) && from < map->buckets && to < map->buckets;
    assigns map->ctrl[0 .. map->buckets * 16 - 1];
    ensures \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
      nf_map_lane(map, b, l) == \old(nf_map_lane(map, b, l));
    ensures \forall integer i; 0 <= i < map->buckets * 16 ==>
      nf_map_obit(map, i) == \old(nf_map_obit(map, i)); */
static inline void uncount(const struct nf_map *map, uint32_t from, uint32_t to) {
  /*@ loop invariant b < map->buckets;
      loop invariant \forall integer b2, l; nf_map_slot_ok(map, b2, l) ==>
        nf_map_lane(map, b2, l) == \at(nf_map_lane(map, b2, l), Pre);
      loop invariant \forall integer i; 0 <= i < map->buckets * 16 ==>
        nf_map_obit(map, i) == \at(nf_map_obit(map, i), Pre);
      loop assigns b, map->ctrl[0 .. map->buckets * 16 - 1];
      loop variant to >= b ? to - b : to + map->buckets - b; */
  for (uint32_t b = from; b != to; b = next_bucket(map, b)) {
    uint16_t *ctrl = ctrl_at(map, b);
    if (ctrl[OVERFLOW_LANE] != OVERFLOW_STICKY) ctrl[OVERFLOW_LANE]--;
  }
}

/* Proved contract (NF_MAP_IMPL); map.h has the abstract one. */
/*@ requires nf_map_live(map) && nf_map_key_ok(map, (void *)key);
    requires NF_MAP_APART(map, (uint8_t *)key);
    assigns NF_MAP_STATE(map);
    ensures nf_map_live(map);
    ensures \result == NF_OK || \result == NF_EXISTS || \result == NF_FULL;
    ensures \result == NF_EXISTS ==>
      \old(nf_map_has(map, (uint8_t *)key)) && nf_map_same{Old, Here}(map);
    ensures \result == NF_FULL ==> nf_map_same{Old, Here}(map);
    ensures \old(map->size) >= map->capacity ==> \result != NF_OK;
    ensures \result == NF_OK ==> \exists integer b, l;
      nf_map_holds(map, b, l, (uint8_t *)key) && nf_map_value_at(map, b, l) == value;
    ensures \result == NF_OK ==> map->size == \old(map->size) + 1;
    ensures \old(nf_map_probe_ok(map) && nf_map_has(map, (uint8_t *)key)) ==> \result == NF_EXISTS;
    ensures \old(nf_map_counts(map)) ==> nf_map_counts(map);
    ensures nf_map_counts(map) && \result == NF_FULL ==> map->size == map->capacity;
    ensures \old(nf_map_counts(map)) && !\old(nf_map_has(map, (uint8_t *)key)) &&
      \old(map->size) < map->capacity ==> \result == NF_OK;
    ensures \old(nf_map_probe_ok(map)) ==> nf_map_probe_ok(map);
    ensures \old(nf_map_probe_ok(map) && nf_map_unique(map)) ==> nf_map_unique(map);
 */
int nf_map_put(struct nf_map *map, const void *key, int32_t value) {
  /*@ ghost nf_map_nocc_zero(map); */
  uint32_t hash = map_hash(map, key);
  uint32_t found_bucket, found_lane;
  /* The probe invariant and uniqueness on the returns that change nothing:
   * find writes only found_bucket / found_lane (whose memory holds key_size
   * too), so every stored key's hash is unchanged (the frame
   * nf_map_hash_same). These asserts are on the returns only: on the
   * inserting path the frame's axiom in the context starves the provers on
   * the counting goals. */
  if (find(map, key, hash, &found_bucket, &found_lane)) {
    /*@ assert nf_map_hash_framed && \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
          nf_map_key_hash(map, b, l) == \at(nf_map_key_hash(map, b, l), Pre); */
    /*@ assert nf_map_probe_frame{Pre, Here}(map, -1, -1); */
    /*@ assert nf_map_unique_frame{Pre, Here}(map, -1, -1); */
    return NF_EXISTS;
  }
  /*@ assert \at(nf_map_probe_ok(map), Pre) ==> !\at(nf_map_has(map, (uint8_t *)key), Pre); */
  /*@ assert put_absent: \at(nf_map_probe_ok(map), Pre) ==> \forall integer b, l;
        nf_map_occupied{Pre}(map, b, l) ==>
        !nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b, l) + 4, (uint8_t *)key,
                                \at(map->key_size, Pre)); */
  if (map->size >= map->capacity) {
    /*@ assert nf_map_hash_framed && \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
          nf_map_key_hash(map, b, l) == \at(nf_map_key_hash(map, b, l), Pre); */
    /*@ assert nf_map_probe_frame{Pre, Here}(map, -1, -1); */
    /*@ assert nf_map_unique_frame{Pre, Here}(map, -1, -1); */
    return NF_FULL;
  }
  /*@ assert map->size < map->capacity <= map->buckets * 15; */
  /* The first empty slot from home on. size < capacity <= slots, so one
   * exists; the bound on the probes is for the proof (which does not count
   * the occupied slots), the NF_FULL after it is never taken. */
  uint32_t home = home_of(map, hash);
  uint32_t bucket = home;
  uint32_t empty = match_lanes(ctrl_at(map, bucket), 0);
  /*@ loop invariant bucket < map->buckets && 1 <= probes <= map->buckets;
      loop invariant \forall integer k; 0 <= k && nf_bit(empty, k) ==>
        k < SLOTS && nf_map_lane(map, bucket, k) == 0;
      loop invariant \forall integer k; 0 <= k < SLOTS && nf_map_lane(map, bucket, k) == 0 ==>
        nf_bit(empty, k);
      loop invariant nf_dist(map->buckets, home, bucket) == probes - 1;
      loop invariant empty == 0 ==> \forall integer b, l;
        0 <= b < map->buckets && nf_dist(map->buckets, home, b) < probes - 1 && 0 <= l < SLOTS ==>
        nf_map_lane(map, b, l) != 0;
      loop assigns probes, bucket, empty;
      loop variant map->buckets - probes; */
  for (uint32_t probes = 1; !empty && probes < map->buckets; probes++) {
    /*@ assert \forall integer k; 0 <= k < SLOTS ==> !nf_bit(empty, k); */
    /*@ assert \forall integer l; 0 <= l < SLOTS ==> nf_map_lane(map, bucket, l) != 0; */
    /*@ assert \forall integer b; 0 <= b < map->buckets &&
          nf_dist(map->buckets, home, b) == probes - 1 ==> b == bucket; */
    /*@ assert \forall integer b, l; 0 <= b < map->buckets &&
          nf_dist(map->buckets, home, b) < probes && 0 <= l < SLOTS ==> nf_map_lane(map, b, l) != 0;
     */
    bucket = next_bucket(map, bucket);
    empty = match_lanes(ctrl_at(map, bucket), 0);
    /*@ assert nf_dist(map->buckets, home, bucket) == probes; */
  }
  /*@ assert empty == 0 ==> \forall integer k; 0 <= k < SLOTS ==> !nf_bit(empty, k); */
  /*@ assert empty == 0 ==> \forall integer l; 0 <= l < SLOTS ==> nf_map_lane(map, bucket, l) != 0;
   */
  /*@ assert empty == 0 ==> \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
        nf_map_lane(map, b, l) != 0; */
  /*@ ghost if (!empty) nf_map_full_lemma(map); */
  /*@ assert nf_map_counts(map) ==> empty != 0; */
  if (!empty) {
    /*@ assert nf_map_hash_framed && \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
          nf_map_key_hash(map, b, l) == \at(nf_map_key_hash(map, b, l), Pre); */
    /*@ assert nf_map_probe_frame{Pre, Here}(map, -1, -1); */
    /*@ assert nf_map_unique_frame{Pre, Here}(map, -1, -1); */
    return NF_FULL;
  }
  nf_before_write_to(map);
  map->size++;
  /* Every full bucket passed counts the key as overflowing it. */
  count(map, home, bucket);
  uint32_t lane = lowest_lane(empty);
  ctrl_at(map, bucket)[lane] = lane_value(hash, home, bucket);
  /* The control lanes are final here (the entry writes below do not touch
   * them). size: one occupied lane more (induction over the control lanes;
   * the recursive definition of nf_map_nocc is named only in the ghost
   * loop's body and in nf_map_nocc_zero, not in facts after the loop: with
   * it in their context, the provers loop on the goals below). */
  /*@ assert nf_map_obit{Pre}(map, bucket * 16 + lane) == 0 &&
        nf_map_obit(map, bucket * 16 + lane) == 1; */
  /*@ assert \forall integer i; 0 <= i < map->buckets * 16 && i != bucket * 16 + lane ==>
        nf_map_obit(map, i) == nf_map_obit{Pre}(map, i); */
  /*@ ghost nf_map_nocc_zero(map); */
  /*@ ghost
    /@ loop invariant 0 <= i <= map->buckets * 16;
       loop invariant put_nocc: nf_map_nocc(map, i) ==
         nf_map_nocc{Pre}(map, i) + (i > bucket * 16 + lane ? 1 : 0);
       loop assigns i;
       loop variant map->buckets * 16 - i; @/
    for (uint32_t i = 0; i < map->buckets * 16; i++) {
      /@ assert nf_map_counted; @/
    }
  */
  /*@ assert nf_map_nocc(map, map->buckets * 16) == nf_map_nocc{Pre}(map, map->buckets * 16) + 1; */
  /*@ assert nf_map_counts{Pre}(map) ==> nf_map_counts(map); */
  /* Probe invariant, control lanes: the other lanes are as at Pre, no
   * non-zero count became 0, and the new key's path from home is counted. */
  /*@ assert \forall integer b, l; nf_map_slot_ok(map, b, l) && (b != bucket || l != lane) ==>
        nf_map_lane(map, b, l) == \at(nf_map_lane(map, b, l), Pre); */
  /*@ assert \forall integer b; 0 <= b < map->buckets && \at(nf_map_overflow(map, b), Pre) != 0 ==>
        nf_map_overflow(map, b) != 0; */
  /*@ assert \forall integer x; 0 <= x < nf_dist(map->buckets, home, bucket) ==>
        nf_map_count_at(map, home, x) != 0; */
  /*@ assert put_counted: \forall integer x; 0 <= x < nf_dist(map->buckets, home, bucket) ==>
        nf_map_overflow(map, nf_wrap(map->buckets, home + x)) == nf_map_count_at(map, home, x) &&
        nf_map_count_at(map, home, x) != 0; */
  /*@ assert nf_map_lane(map, bucket, lane) == nf_lane_value(hash, home, bucket); */
  uint8_t *entry = entry_at(map, bucket, lane);
  store_value(entry, value);
  copy_bytes(entry + sizeof(int32_t), key, map->key_size);
  /*@ assert nf_map_occupied(map, bucket, lane); */
  /*@ assert nf_key_equal{Here, Here}(entry + sizeof(int32_t), (uint8_t *)key, map->key_size); */
  /*@ assert nf_map_holds(map, bucket, lane, (uint8_t *)key); */
  /*@ assert nf_map_value_at(map, bucket, lane) == value; */
  /* Probe invariant, key hashes: the copy wrote only the new slot's key
   * bytes (nf_slots_disjoint), which equal key's, unchanged since Pre
   * (NF_MAP_APART). */
  /*@ assert put_bytes_kept: \forall integer b, l;
        nf_map_slot_ok(map, b, l) && (b != bucket || l != lane) ==>
        nf_key_equal{Pre, Here}(nf_map_entry(map, b, l) + 4, nf_map_entry(map, b, l) + 4,
                                map->key_size); */
  /*@ assert put_hashes_kept: nf_map_hash_framed && \forall integer b, l;
        nf_map_slot_ok(map, b, l) && (b != bucket || l != lane) ==>
        nf_map_key_hash(map, b, l) == \at(nf_map_key_hash(map, b, l), Pre); */
  /*@ assert put_key_copied: nf_key_equal{Here, Pre}(entry + 4, (uint8_t *)key, map->key_size); */
  /*@ assert put_new_hash: nf_map_hash_framed && nf_map_key_hash(map, bucket, lane) == hash; */
  /*@ assert nf_map_key_home(map, bucket, lane) == home; */
  /*@ assert nf_map_lane_ok(map, bucket, lane); */
  /*@ assert put_path_count: \forall integer x;
        0 <= x < nf_dist(map->buckets, nf_map_key_home(map, bucket, lane), bucket) ==>
        nf_map_count_at(map, nf_map_key_home(map, bucket, lane), x) != 0; */
  /*@ assert put_path: nf_map_path_ok(map, bucket, lane); */
  /*@ assert put_probe_frame: nf_map_probe_frame{Pre, Here}(map, bucket, lane); */
  /*@ assert put_probe: \at(nf_map_probe_ok(map), Pre) ==> nf_map_probe_ok(map); */
  /* Uniqueness: the new key was absent at Pre (find is complete under the
   * probe invariant), and the other slots' key bytes are as at Pre. */
  /*@ assert put_occ_pre: \forall integer b, l;
        nf_map_occupied(map, b, l) && (b != bucket || l != lane) ==>
        nf_map_occupied{Pre}(map, b, l); */
  /*@ assert put_entry_same: map->key_size == \at(map->key_size, Pre) &&
        map->stride == \at(map->stride, Pre) && map->entries == \at(map->entries, Pre); */
  /*@ assert put_others_differ_pre: \at(nf_map_probe_ok(map), Pre) ==> \forall integer b, l;
        nf_map_occupied(map, b, l) && (b != bucket || l != lane) ==>
        !nf_key_equal{Pre, Pre}(nf_map_entry(map, b, l) + 4, (uint8_t *)key, map->key_size); */
  /*@ assert put_others_differ: \at(nf_map_probe_ok(map), Pre) ==> \forall integer b, l;
        nf_map_occupied(map, b, l) && (b != bucket || l != lane) ==>
        !nf_key_equal{Here, Here}(nf_map_entry(map, b, l) + 4, entry + 4, map->key_size); */
  /*@ assert put_unique_frame: \at(nf_map_probe_ok(map), Pre) ==>
        nf_map_unique_frame{Pre, Here}(map, bucket, lane); */
  /*@ assert put_unique: \at(nf_map_probe_ok(map) && nf_map_unique(map), Pre) ==>
        nf_map_unique(map); */
  return NF_OK;
}

/* A key whose probe passed `hole` (home before it, stored after it): scans
 * the buckets after the hole while their predecessors are overflowed. Only
 * displaced keys can qualify; their homes are recomputed from their keys.
 * Returns false when there is none (the hole's count was sticky). */
/*@ requires nf_map_live(map) && hole < map->buckets;
    requires \valid(bucket_out) && \valid(lane_out) && \valid(hash_out);
    requires \separated(bucket_out, lane_out, hash_out, map);
    assigns *bucket_out, *lane_out, *hash_out;
    ensures \result ==>
      *bucket_out < map->buckets && *bucket_out != hole && *lane_out < SLOTS;
    ensures \result ==> nf_map_lane(map, *bucket_out, *lane_out) != 0; */
static bool find_refill(const struct nf_map *map, uint32_t hole, uint32_t *bucket_out,
                        uint32_t *lane_out, uint32_t *hash_out) {
  uint32_t bucket = hole;
  /*@ loop invariant 1 <= steps <= map->buckets;
      loop invariant bucket < map->buckets;
      loop invariant bucket == (hole + steps - 1 < map->buckets ?
                                hole + steps - 1 : hole + steps - 1 - map->buckets);
      loop assigns steps, bucket;
      loop variant map->buckets - steps; */
  for (uint32_t steps = 1; steps < map->buckets; steps++) {
    if (ctrl_at(map, bucket)[OVERFLOW_LANE] == 0) return false;
    bucket = next_bucket(map, bucket);
    /*@ assert bucket != hole; */
    /*@ loop invariant \forall integer k; 0 <= k && nf_bit(d, k) ==>
          k < SLOTS && nf_map_lane(map, bucket, k) != 0;
        loop assigns d;
        loop variant d; */
    for (uint32_t d = displaced_lanes(ctrl_at(map, bucket)); d; d = without_lowest(d)) {
      uint32_t lane = lowest_lane(d);
      uint32_t hash = map_hash(map, entry_at(map, bucket, lane) + sizeof(int32_t));
      uint32_t home = home_of(map, hash);
      if (distance(map, home, hole) < distance(map, home, bucket)) {
        *bucket_out = bucket;
        *lane_out = lane;
        *hash_out = hash;
        return true;
      }
    }
  }
  return false;
}

/* Proved contract (NF_MAP_IMPL); map.h has the abstract one. */
/*@ requires nf_map_live(map) && nf_map_key_ok(map, (void *)key);
    requires NF_MAP_APART(map, (uint8_t *)key);
    requires nf_map_vp_cast: \forall uint8_t *e; nf_map_vp(e) == (int32_t *)e;
    assigns NF_MAP_STATE(map);
    ensures nf_map_live(map);
    ensures \result == NF_OK || \result == NF_NOT_FOUND;
    ensures \result == NF_NOT_FOUND ==> nf_map_same{Old, Here}(map);
    ensures map->key_size == \old(map->key_size);
    ensures !\old(nf_map_has(map, (uint8_t *)key)) ==> \result == NF_NOT_FOUND;
    ensures \result == NF_OK ==> map->size == \old(map->size) - 1;
    ensures \old(nf_map_probe_ok(map) && nf_map_has(map, (uint8_t *)key)) && \old(map->size) > 0 ==>
      \result == NF_OK;
    ensures \old(nf_map_counts(map)) ==> nf_map_counts(map);
    ensures \old(nf_map_probe_ok(map) && nf_map_counts(map) && nf_map_has(map, (uint8_t *)key)) ==>
      \result == NF_OK;
    ensures \old(nf_map_unique(map)) ==> nf_map_unique(map);
    ensures \old(nf_map_unique(map)) && \result == NF_OK ==> !nf_map_has(map, (uint8_t *)key);
    ensures \result == NF_OK ==> nf_map_keys_from{Old, Here}(map);
    ensures \result == NF_OK ==> nf_map_keys_to{Old, Here}(map, (uint8_t *)key);
    ensures vals_post_from: \result == NF_OK ==> nf_map_vals_from{Old, Here}(map);
    ensures vals_post_to: \result == NF_OK ==> nf_map_vals_to{Old, Here}(map, (uint8_t *)key);
    ensures maps_post_from: \result == NF_OK ==> \forall uint8_t *k, integer v;
      nf_key_equal{Here, Old}(k, k, map->key_size) && nf_map_maps(map, k, v) ==>
      \old(nf_map_maps(map, k, v));
    ensures maps_post_to: \result == NF_OK ==> \forall uint8_t *k, integer v;
      nf_key_equal{Here, Old}(k, k, map->key_size) &&
      !nf_key_equal{Old, Old}(k, (uint8_t *)key, map->key_size) &&
      \old(nf_map_maps(map, k, v)) ==> nf_map_maps(map, k, v); */
int nf_map_erase(struct nf_map *map, const void *key) {
  /*@ ghost nf_map_has_lemma(map, key); */
  if (map->size == 0) return NF_NOT_FOUND; /* nothing to find: skip the hash */
  uint32_t hash = map_hash(map, key);
  uint32_t bucket, lane;
  if (!find(map, key, hash, &bucket, &lane)) {
    /*@ assert nf_map_unique_frame{Pre, Here}(map, -1, -1); */
    return NF_NOT_FOUND;
  }
  /*@ ghost Found: ; */
  nf_before_write_to(map);
  /* The entry's bytes stay: an empty lane's entry is never read. */
  ctrl_at(map, bucket)[lane] = 0;
  uncount(map, home_of(map, hash), bucket);
  map->size--;
  /* Uniqueness (nf_map_erase_ok): under uniqueness at Pre, the erased slot
   * was the only one holding `key`, and the other occupied slots keep their
   * key bytes. Proved in a one-shot ghost loop: after it only its invariant
   * (an opaque atom) is in the context, not these asserts. */
  /*@ ghost
    /@ loop invariant 0 <= g <= 1;
       loop invariant g == 1 ==> nf_map_erase_ok{Pre, Here}(map, (uint8_t *)key);
       loop invariant g == 1 ==> nf_map_erase_kept{Pre, Here}(map, (uint8_t *)key);
       loop invariant g == 1 ==> nf_map_erase_from{Pre, Here}(map);
       loop invariant g == 1 ==> nf_map_erase_vals{Pre, Here}(map, (uint8_t *)key);
       loop assigns g;
       loop variant 1 - g; @/
    for (int g = 0; g < 1; g++) {
      /@ assert erase_key_bytes: \forall integer k; 0 <= k < map->key_size ==>
           ((uint8_t *)key)[k] == \at(((uint8_t *)key)[k], Pre); @/
      /@ assert erase_found: nf_map_holds{Pre}(map, bucket, lane, (uint8_t *)key); @/
      /@ assert erase_holder: nf_map_unique{Pre}(map) ==> \forall integer b, l;
           nf_map_holds{Pre}(map, b, l, (uint8_t *)key) ==> b == bucket && l == lane; @/
      /@ assert erase_holds_intro: \forall integer b, l;
           nf_map_occupied{Pre}(map, b, l) &&
           nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b, l) + 4, (uint8_t *)key,
                                  \at(map->key_size, Pre)) ==>
           nf_map_holds{Pre}(map, b, l, (uint8_t *)key); @/
      /@ assert erase_others_pre: nf_map_unique{Pre}(map) ==> \forall integer b, l;
           nf_map_occupied{Pre}(map, b, l) && (b != bucket || l != lane) ==>
           !nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b, l) + 4, (uint8_t *)key,
                                   \at(map->key_size, Pre)); @/
      /@ assert erase_fields: map->entries == \at(map->entries, Pre) &&
           map->stride == \at(map->stride, Pre) && map->key_size == \at(map->key_size, Pre) &&
           map->buckets == \at(map->buckets, Pre); @/
      /@ assert erase_cleared: \forall integer b, l; nf_map_occupied(map, b, l) ==>
           nf_map_occupied{Pre}(map, b, l) && (b != bucket || l != lane); @/
      /@ assert erase_bytes_kept: \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
           nf_key_equal{Pre, Here}(nf_map_entry(map, b, l) + 4, nf_map_entry(map, b, l) + 4,
                                   map->key_size); @/
      /@ assert erase_absent: nf_map_unique{Pre}(map) ==> \forall integer b, l;
           nf_map_occupied(map, b, l) ==>
           !nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, (uint8_t *)key, map->key_size); @/
      /@ assert erase_unique_frame: nf_map_unique_frame{Pre, Here}(map, bucket, lane); @/
      /@ assert erase_unique: nf_map_unique{Pre}(map) ==> nf_map_unique(map); @/
      /@ assert erase_from_slots: \forall integer b, l; nf_map_occupied(map, b, l) ==>
           nf_map_occupied{Pre}(map, b, l) &&
           nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, nf_map_entry{Pre}(map, b, l) + 4,
                                   map->key_size); @/
      /@ assert erase_from: nf_map_keys_from{Pre, Here}(map); @/
      /@ assert erase_vals_occ: \forall integer b, l; nf_map_occupied{Pre}(map, b, l) &&
           (b != bucket || l != lane) ==> nf_map_occupied(map, b, l); @/
      /@ assert erase_vals_slots: \forall integer b, l; nf_map_occupied{Pre}(map, b, l) &&
           !nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b, l) + 4, (uint8_t *)key,
                                   \at(map->key_size, Pre)) ==>
           nf_map_occupied(map, b, l) &&
           nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, nf_map_entry{Pre}(map, b, l) + 4,
                                   map->key_size); @/
      /@ assert erase_vals_same: \forall integer b, l; nf_map_slot_ok(map, b, l) ==>
           nf_map_value_at(map, b, l) == nf_map_value_at{Pre}(map, b, l); @/
      /@ assert erase_vals_from: nf_map_vals_from{Pre, Here}(map); @/
      /@ assert erase_vals_to: nf_map_vals_to{Pre, Here}(map, (uint8_t *)key); @/
      /@ assert erase_vp_pre: \forall integer b, l;
           nf_map_vval{Pre}(map, b, l) == nf_map_value_at{Pre}(map, b, l); @/
      /@ assert erase_vp_here: \forall integer b, l;
           nf_map_vval(map, b, l) == nf_map_value_at(map, b, l); @/
      /@ assert erase_vp_from: nf_map_vp_from{Pre, Here}(map); @/
      /@ assert erase_vp_to: nf_map_vp_to{Pre, Here}(map, (uint8_t *)key); @/
      /@ assert erase_vals_fold: nf_map_erase_vals_unfolded &&
           nf_map_erase_vals{Pre, Here}(map, (uint8_t *)key); @/
      /@ assert nf_map_erase_unfolded; @/
    }
  */
  /* Backward shift: while a later key's probe passed the hole, move it into
   * the hole (its probe now ends there) and continue with the hole it left.
   * Counting (size == occupied lanes): the occupied lanes are those of Pre
   * but the hole, which was occupied at Pre (each move fills the hole and
   * empties a lane occupied since Pre, the next hole). */
  uint32_t from_bucket, from_lane, moved_hash;
  /*@ loop invariant nf_map_live(map);
      loop invariant nf_map_slot_ok(map, bucket, lane);
      loop invariant map->size == \at(map->size, Pre) - 1;
      loop invariant nf_map_lane(map, bucket, lane) == 0;
      loop invariant nf_map_obit{Pre}(map, bucket * 16 + lane) == 1;
      loop invariant \forall integer i; 0 <= i < map->buckets * 16 && i != bucket * 16 + lane ==>
        nf_map_obit(map, i) == nf_map_obit{Pre}(map, i);
      loop invariant erase_ok: nf_map_erase_ok{Pre, Here}(map, (uint8_t *)key);
      loop invariant erase_kept: nf_map_erase_kept{Pre, Here}(map, (uint8_t *)key);
      loop invariant erase_from: nf_map_erase_from{Pre, Here}(map);
      loop invariant vals: nf_map_erase_vals{Pre, Here}(map, (uint8_t *)key);
      loop assigns moves, bucket, lane, from_bucket, from_lane, moved_hash, NF_MAP_STATE(map);
      loop variant map->size - moves; */
  for (uint32_t moves = 0; moves < map->size; moves++) {
    /*@ ghost Move: ; */
    if (ctrl_at(map, bucket)[OVERFLOW_LANE] == 0) break; /* the common case */
    if (!find_refill(map, bucket, &from_bucket, &from_lane, &moved_hash)) break;
    uint8_t *from = entry_at(map, from_bucket, from_lane);
    uint8_t *to = entry_at(map, bucket, lane);
    store_value(to, load_value(from));
    copy_bytes(to + sizeof(int32_t), from + sizeof(int32_t), map->key_size);
    ctrl_at(map, bucket)[lane] = lane_value(moved_hash, home_of(map, moved_hash), bucket);
    ctrl_at(map, from_bucket)[from_lane] = 0;
    uncount(map, bucket, from_bucket);
    /* The key's bytes: the copy wrote only the hole's entry (NF_MAP_APART). */
    /*@ ghost
      /@ loop invariant 0 <= g <= 1;
         loop invariant g == 1 ==> nf_map_erase_kept{Pre, Here}(map, (uint8_t *)key);
         loop assigns g;
         loop variant 1 - g; @/
      for (int g = 0; g < 1; g++) {
        /@ assert move_key_before: nf_map_erase_unfolded && \forall integer k;
             0 <= k < \at(map->key_size, Move) ==>
             \at(((uint8_t *)key)[k], Move) == \at(((uint8_t *)key)[k], Pre); @/
        /@ assert move_key_size: map->key_size == \at(map->key_size, Move) &&
             map->key_size == \at(map->key_size, Pre) && map->entries == \at(map->entries, Pre) &&
             map->stride == \at(map->stride, Pre) && map->buckets == \at(map->buckets, Pre); @/
        /@ assert move_to_inside: 0 <= nf_slot_start(bucket * 15 + lane, map->stride) &&
             nf_slot_start(bucket * 15 + lane, map->stride) + map->stride <= nf_map_bytes(map); @/
        /@ assert move_key_apart: \separated((uint8_t *)key + (0 .. map->key_size - 1),
             nf_map_entry(map, bucket, lane) + 4 + (0 .. map->key_size - 1)); @/
        /@ assert move_key_bytes: \forall integer k; 0 <= k < map->key_size ==>
             ((uint8_t *)key)[k] == \at(((uint8_t *)key)[k], Move); @/
        /@ assert nf_map_erase_unfolded; @/
      }
    */
    /* Uniqueness: the hole now holds the moved key, whose old slot is empty;
     * no other key bytes changed (nf_slots_disjoint). */
    /*@ ghost
      /@ loop invariant 0 <= g <= 1;
         loop invariant g == 1 ==> nf_map_erase_ok{Pre, Here}(map, (uint8_t *)key);
         loop invariant g == 1 ==> nf_map_erase_from{Pre, Here}(map);
         loop invariant g == 1 ==> nf_map_erase_vals{Pre, Here}(map, (uint8_t *)key);
         loop assigns g;
         loop variant 1 - g; @/
      for (int g = 0; g < 1; g++) {
        /@ assert move_ok_before: nf_map_erase_unfolded && (nf_map_unique{Pre}(map) ==>
             nf_map_unique{Move}(map) && \forall integer b, l; nf_map_occupied{Move}(map, b, l) ==>
               !nf_key_equal{Move, Pre}(nf_map_entry{Move}(map, b, l) + 4, (uint8_t *)key,
                                        \at(map->key_size, Move))); @/
        /@ assert move_fields: map->entries == \at(map->entries, Move) &&
             map->stride == \at(map->stride, Move) && map->key_size == \at(map->key_size, Move) &&
             map->buckets == \at(map->buckets, Move); @/
        /@ assert move_entry_same: \forall integer b, l;
             nf_map_entry(map, b, l) == nf_map_entry{Move}(map, b, l); @/
        /@ assert move_slots: nf_map_slot_ok(map, bucket, lane) &&
             nf_map_slot_ok(map, from_bucket, from_lane) && from_bucket != bucket; @/
        /@ assert move_from_occ: nf_map_occupied{Move}(map, from_bucket, from_lane); @/
        /@ assert move_hole_new: nf_map_occupied(map, bucket, lane) &&
             !nf_map_occupied(map, from_bucket, from_lane); @/
        /@ assert move_lanes_kept: \forall integer b, l; nf_map_slot_ok(map, b, l) &&
             (b != bucket || l != lane) && (b != from_bucket || l != from_lane) ==>
             nf_map_lane(map, b, l) == nf_map_lane{Move}(map, b, l); @/
        /@ assert move_occ: \forall integer b, l; nf_map_occupied(map, b, l) &&
             (b != bucket || l != lane) ==>
             nf_map_occupied{Move}(map, b, l) && (b != from_bucket || l != from_lane); @/
        /@ assert move_bytes_kept: \forall integer b, l;
             nf_map_slot_ok(map, b, l) && (b != bucket || l != lane) ==>
             nf_key_equal{Move, Here}(nf_map_entry(map, b, l) + 4, nf_map_entry(map, b, l) + 4,
                                      map->key_size); @/
        /@ assert move_copied: nf_key_equal{Here, Move}(nf_map_entry(map, bucket, lane) + 4,
             nf_map_entry(map, from_bucket, from_lane) + 4, map->key_size); @/
        /@ assert move_differ_before: nf_map_unique{Pre}(map) ==> \forall integer b, l;
             nf_map_occupied{Move}(map, b, l) && (b != from_bucket || l != from_lane) ==>
             !nf_key_equal{Move, Move}(nf_map_entry(map, b, l) + 4,
                                       nf_map_entry(map, from_bucket, from_lane) + 4,
                                       map->key_size); @/
        /@ assert move_differ: nf_map_unique{Pre}(map) ==> \forall integer b, l;
             nf_map_occupied(map, b, l) && (b != bucket || l != lane) ==>
             !nf_key_equal{Here, Here}(nf_map_entry(map, b, l) + 4,
                                       nf_map_entry(map, bucket, lane) + 4, map->key_size); @/
        /@ assert move_unique_frame: nf_map_unique{Pre}(map) ==>
             nf_map_unique_frame{Move, Here}(map, bucket, lane); @/
        /@ assert move_unique: nf_map_unique{Pre}(map) ==> nf_map_unique(map); @/
        /@ assert move_absent_hole: nf_map_unique{Pre}(map) ==>
             !nf_key_equal{Here, Pre}(nf_map_entry(map, bucket, lane) + 4, (uint8_t *)key,
                                      map->key_size); @/
        /@ assert move_absent_others: nf_map_unique{Pre}(map) ==> \forall integer b, l;
             nf_map_occupied(map, b, l) && (b != bucket || l != lane) ==>
             !nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, (uint8_t *)key,
                                      map->key_size); @/
        /@ assert move_from_before: nf_map_erase_unfolded && nf_map_keys_from{Pre, Move}(map); @/
        /@ assert move_from_src: \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Move, Pre}(nf_map_entry{Move}(map, from_bucket, from_lane) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4,
                                     \at(map->key_size, Move)); @/
        /@ assert move_from_moved: \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Here, Pre}(nf_map_entry(map, bucket, lane) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size); @/
        /@ assert move_from_kept: \forall integer b, l; nf_map_occupied(map, b, l) &&
             (b != bucket || l != lane) ==>
             nf_map_occupied{Move}(map, b, l) &&
             nf_key_equal{Here, Move}(nf_map_entry(map, b, l) + 4,
                                      nf_map_entry{Move}(map, b, l) + 4, map->key_size); @/
        /@ assert move_from_others_move: \forall integer b, l; nf_map_occupied(map, b, l) &&
             (b != bucket || l != lane) ==>
             \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Move, Pre}(nf_map_entry{Move}(map, b, l) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size); @/
        /@ assert move_from_others: \forall integer b, l; nf_map_occupied(map, b, l) &&
             (b != bucket || l != lane) ==>
             \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size); @/
        /@ assert move_from: nf_map_keys_from{Pre, Here}(map); @/
        /@ assert move_absent: nf_map_unique{Pre}(map) ==> \forall integer b, l;
             nf_map_occupied(map, b, l) ==>
             !nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, (uint8_t *)key,
                                      map->key_size); @/
        /@ assert move_vp_before: nf_map_erase_vals_unfolded &&
             nf_map_vp_from{Pre, Move}(map) && nf_map_vp_to{Pre, Move}(map, (uint8_t *)key); @/
        /@ assert move_vp_pre: \forall integer b, l;
             nf_map_vval{Pre}(map, b, l) == nf_map_value_at{Pre}(map, b, l); @/
        /@ assert move_vp_move: \forall integer b, l;
             nf_map_vval{Move}(map, b, l) == nf_map_value_at{Move}(map, b, l); @/
        /@ assert move_vals_before:
             nf_map_vals_from{Pre, Move}(map) && nf_map_vals_to{Pre, Move}(map, (uint8_t *)key); @/
        /@ assert move_hole_empty: !nf_map_occupied{Move}(map, bucket, lane); @/
        /@ assert move_val_to: to == nf_map_entry(map, bucket, lane) &&
             nf_map_slot_ok(map, bucket, lane); @/
        /@ assert move_val_index: \forall integer b, l; nf_map_slot_ok(map, b, l) &&
             (b != bucket || l != lane) ==> b * 15 + l != bucket * 15 + lane; @/
        /@ assert move_val_starts: \forall integer b, l; nf_map_slot_ok(map, b, l) &&
             (b != bucket || l != lane) ==>
             nf_slot_start(b * 15 + l, map->stride) + map->stride <=
               nf_slot_start(bucket * 15 + lane, map->stride) ||
             nf_slot_start(bucket * 15 + lane, map->stride) + map->stride <=
               nf_slot_start(b * 15 + l, map->stride); @/
        /@ assert move_val_apart: \forall integer b, l; nf_map_slot_ok(map, b, l) &&
             (b != bucket || l != lane) ==>
             \separated((int32_t *)nf_map_entry(map, b, l), (int32_t *)to); @/
        /@ assert move_val_moved: nf_map_value_at(map, bucket, lane) ==
             nf_map_value_at{Move}(map, from_bucket, from_lane); @/
        /@ assert move_val_kept: \forall integer b, l; nf_map_slot_ok(map, b, l) &&
             (b != bucket || l != lane) ==>
             nf_map_value_at(map, b, l) == nf_map_value_at{Move}(map, b, l); @/
        /@ assert move_vals_to_moved: nf_map_occupied(map, bucket, lane) &&
             nf_key_equal{Here, Move}(nf_map_entry(map, bucket, lane) + 4,
                                      nf_map_entry{Move}(map, from_bucket, from_lane) + 4,
                                      map->key_size) &&
             nf_map_value_at(map, bucket, lane) ==
               nf_map_value_at{Move}(map, from_bucket, from_lane); @/
        /@ assert move_vals_to_kept: \forall integer b, l; nf_map_occupied{Move}(map, b, l) &&
             (b != from_bucket || l != from_lane) ==>
             nf_map_occupied(map, b, l) &&
             nf_key_equal{Here, Move}(nf_map_entry(map, b, l) + 4,
                                      nf_map_entry{Move}(map, b, l) + 4, map->key_size) &&
             nf_map_value_at(map, b, l) == nf_map_value_at{Move}(map, b, l); @/
        /@ assert move_vals_trans: \forall integer b0, l0, b1, l1, b2, l2;
             nf_key_equal{Here, Move}(nf_map_entry(map, b2, l2) + 4,
                                      nf_map_entry{Move}(map, b1, l1) + 4, map->key_size) &&
             nf_key_equal{Move, Pre}(nf_map_entry{Move}(map, b1, l1) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size) ==>
             nf_key_equal{Here, Pre}(nf_map_entry(map, b2, l2) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size); @/
        /@ assert move_vals_to_step: \forall integer b, l; nf_map_occupied{Move}(map, b, l) ==>
             \exists integer b1, l1; nf_map_occupied(map, b1, l1) &&
             nf_key_equal{Here, Move}(nf_map_entry(map, b1, l1) + 4,
                                      nf_map_entry{Move}(map, b, l) + 4, map->key_size) &&
             nf_map_value_at(map, b1, l1) == nf_map_value_at{Move}(map, b, l); @/
        /@ assert move_vals_to: nf_map_vals_to{Pre, Here}(map, (uint8_t *)key); @/
        /@ assert move_vals_src: \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Move, Pre}(nf_map_entry{Move}(map, from_bucket, from_lane) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4,
                                     \at(map->key_size, Move)) &&
             nf_map_value_at{Move}(map, from_bucket, from_lane) ==
               nf_map_value_at{Pre}(map, b0, l0); @/
        /@ assert move_vals_moved: \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Here, Pre}(nf_map_entry(map, bucket, lane) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size) &&
             nf_map_value_at(map, bucket, lane) == nf_map_value_at{Pre}(map, b0, l0); @/
        /@ assert move_vals_others_move: \forall integer b, l; nf_map_occupied(map, b, l) &&
             (b != bucket || l != lane) ==>
             nf_key_equal{Here, Move}(nf_map_entry(map, b, l) + 4,
                                      nf_map_entry{Move}(map, b, l) + 4, map->key_size) &&
             nf_map_value_at(map, b, l) == nf_map_value_at{Move}(map, b, l) &&
             \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Move, Pre}(nf_map_entry{Move}(map, b, l) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size) &&
             nf_map_value_at{Move}(map, b, l) == nf_map_value_at{Pre}(map, b0, l0); @/
        /@ assert move_vals_others: \forall integer b, l; nf_map_occupied(map, b, l) &&
             (b != bucket || l != lane) ==>
             \exists integer b0, l0; nf_map_occupied{Pre}(map, b0, l0) &&
             nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4,
                                     nf_map_entry{Pre}(map, b0, l0) + 4, map->key_size) &&
             nf_map_value_at(map, b, l) == nf_map_value_at{Pre}(map, b0, l0); @/
        /@ assert move_vals_from: nf_map_vals_from{Pre, Here}(map); @/
        /@ assert move_vp_here: \forall integer b, l;
             nf_map_vval(map, b, l) == nf_map_value_at(map, b, l); @/
        /@ assert move_vp_from: nf_map_vp_from{Pre, Here}(map); @/
        /@ assert move_vp_to: nf_map_vp_to{Pre, Here}(map, (uint8_t *)key); @/
        /@ assert move_vals_fold: nf_map_erase_vals{Pre, Here}(map, (uint8_t *)key); @/
        /@ assert nf_map_erase_unfolded; @/
      }
    */
    bucket = from_bucket;
    lane = from_lane;
  }
  /* size: one occupied lane less than at Pre (induction over the lanes). */
  /*@ ghost uint32_t hole = bucket * 16 + lane; */
  /*@ assert hole == bucket * 16 + lane && 0 <= hole < map->buckets * 16; */
  /*@ assert nf_map_obit(map, hole) == 0 && nf_map_obit{Pre}(map, hole) == 1; */
  /*@ assert \forall integer i; 0 <= i < map->buckets * 16 && i != hole ==>
        nf_map_obit(map, i) == nf_map_obit{Pre}(map, i); */
  /*@ ghost
    /@ loop invariant 0 <= i <= map->buckets * 16 && nf_map_counted;
       loop invariant nf_map_nocc(map, i) == nf_map_nocc{Pre}(map, i) - (i > hole ? 1 : 0);
       loop assigns i;
       loop variant map->buckets * 16 - i; @/
    for (uint32_t i = 0; i < map->buckets * 16; i++) {
      /@ assert i != hole ==> nf_map_obit(map, i) == nf_map_obit{Pre}(map, i); @/
    }
  */
  /*@ assert nf_map_nocc(map, map->buckets * 16) ==
        nf_map_nocc{Pre}(map, map->buckets * 16) - 1; */
  /*@ assert nf_map_counts{Pre}(map) ==> nf_map_counts(map); */
  /* The key is gone: no occupied slot holds its bytes (unchanged since Pre:
   * NF_MAP_APART). */
  /*@ ghost
    /@ loop invariant 0 <= g <= 1;
       loop invariant g == 1 ==> (nf_map_unique{Pre}(map) ==>
         nf_map_unique(map) && !nf_map_has(map, (uint8_t *)key));
       loop invariant g == 1 ==> nf_map_keys_from{Pre, Here}(map);
       loop invariant g == 1 ==> nf_map_keys_to{Pre, Here}(map, (uint8_t *)key);
       loop invariant g == 1 ==> nf_map_vals_from{Pre, Here}(map);
       loop invariant g == 1 ==> nf_map_vals_to{Pre, Here}(map, (uint8_t *)key);
       loop invariant g == 1 ==> \forall uint8_t *k, integer v;
         nf_key_equal{Here, Pre}(k, k, map->key_size) && nf_map_maps(map, k, v) ==>
         nf_map_maps{Pre}(map, k, v);
       loop invariant g == 1 ==> \forall uint8_t *k, integer v;
         nf_key_equal{Here, Pre}(k, k, map->key_size) &&
         !nf_key_equal{Pre, Pre}(k, (uint8_t *)key, map->key_size) &&
         nf_map_maps{Pre}(map, k, v) ==> nf_map_maps(map, k, v);
       loop assigns g;
       loop variant 1 - g; @/
    for (int g = 0; g < 1; g++) {
      /@ assert erase_ok_end: nf_map_erase_unfolded && (nf_map_unique{Pre}(map) ==>
           nf_map_unique(map) && \forall integer b, l; nf_map_occupied(map, b, l) ==>
             !nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, (uint8_t *)key,
                                      map->key_size)); @/
      /@ assert erase_key_same: nf_map_erase_unfolded &&
           nf_key_equal{Here, Pre}((uint8_t *)key, (uint8_t *)key, map->key_size); @/
      /@ assert erase_from_end: nf_map_erase_unfolded && nf_map_keys_from{Pre, Here}(map); @/
      /@ assert erase_vp_end: nf_map_erase_vals_unfolded &&
           nf_map_vp_from{Pre, Here}(map) && nf_map_vp_to{Pre, Here}(map, (uint8_t *)key); @/
      /@ assert erase_vp_end_pre: \forall integer b, l;
           nf_map_vval{Pre}(map, b, l) == nf_map_value_at{Pre}(map, b, l); @/
      /@ assert erase_vp_end_here: \forall integer b, l;
           nf_map_vval(map, b, l) == nf_map_value_at(map, b, l); @/
      /@ assert erase_vals_end:
           nf_map_vals_from{Pre, Here}(map) && nf_map_vals_to{Pre, Here}(map, (uint8_t *)key); @/
      /@ assert erase_keys_to_end: nf_map_keys_to{Pre, Here}(map, (uint8_t *)key); @/
      /@ assert erase_maps_ks: map->key_size == \at(map->key_size, Pre) &&
           map->entries == \at(map->entries, Pre) && map->stride == \at(map->stride, Pre) &&
           map->buckets == \at(map->buckets, Pre); @/
      /@ assert erase_maps_trans_from: \forall uint8_t *k, integer b, l, b0, l0;
           nf_key_equal{Here, Here}(nf_map_entry(map, b, l) + 4, k, map->key_size) &&
           nf_key_equal{Here, Pre}(k, k, map->key_size) &&
           nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, nf_map_entry{Pre}(map, b0, l0) + 4,
                                   map->key_size) ==>
           nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b0, l0) + 4, k, map->key_size); @/
      /@ assert erase_maps_from_slot: \forall uint8_t *k, integer b, l;
           nf_key_equal{Here, Pre}(k, k, map->key_size) && nf_map_holds(map, b, l, k) ==>
           \exists integer b0, l0; nf_map_holds{Pre}(map, b0, l0, k) &&
             nf_map_value_at{Pre}(map, b0, l0) == nf_map_value_at(map, b, l); @/
      /@ assert erase_maps_from: \forall uint8_t *k, integer v;
           nf_key_equal{Here, Pre}(k, k, map->key_size) && nf_map_maps(map, k, v) ==>
           nf_map_maps{Pre}(map, k, v); @/
      /@ assert erase_maps_other: \forall uint8_t *k, integer b0, l0;
           nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b0, l0) + 4, k, map->key_size) &&
           !nf_key_equal{Pre, Pre}(k, (uint8_t *)key, map->key_size) ==>
           !nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b0, l0) + 4, (uint8_t *)key,
                                   map->key_size); @/
      /@ assert erase_maps_trans_to: \forall uint8_t *k, integer b, l, b0, l0;
           nf_key_equal{Here, Pre}(nf_map_entry(map, b, l) + 4, nf_map_entry{Pre}(map, b0, l0) + 4,
                                   map->key_size) &&
           nf_key_equal{Pre, Pre}(nf_map_entry{Pre}(map, b0, l0) + 4, k, map->key_size) &&
           nf_key_equal{Here, Pre}(k, k, map->key_size) ==>
           nf_key_equal{Here, Here}(nf_map_entry(map, b, l) + 4, k, map->key_size); @/
      /@ assert erase_maps_to_slot: \forall uint8_t *k, integer b0, l0;
           nf_key_equal{Here, Pre}(k, k, map->key_size) &&
           !nf_key_equal{Pre, Pre}(k, (uint8_t *)key, map->key_size) &&
           nf_map_holds{Pre}(map, b0, l0, k) ==>
           \exists integer b, l; nf_map_holds(map, b, l, k) &&
             nf_map_value_at(map, b, l) == nf_map_value_at{Pre}(map, b0, l0); @/
      /@ assert erase_maps_to: \forall uint8_t *k, integer v;
           nf_key_equal{Here, Pre}(k, k, map->key_size) &&
           !nf_key_equal{Pre, Pre}(k, (uint8_t *)key, map->key_size) &&
           nf_map_maps{Pre}(map, k, v) ==> nf_map_maps(map, k, v); @/
      /@ assert erase_gone: nf_map_unique{Pre}(map) ==> !nf_map_has(map, (uint8_t *)key); @/
    }
  */
  return NF_OK;
}

/* Test support, declared by map_test.c (not part of the API in map.h). */
int nf_map_layout_error(const struct nf_map *map);
uint16_t *nf_map_home_overflow(struct nf_map *map, const void *key);

/* 0 when the layout invariants hold, recomputed from the stored keys, else
 * the line of the failed check:
 * - capacity fits the slots; every lane holds its key's tag, DISPLACED iff
 *   the key is not in its home bucket; size counts the occupied lanes;
 * - every bucket a stored key's probe passed is full (erase refilled holes);
 * - every overflow count is exactly the number of stored keys whose probe
 *   from their home passed that bucket, or sticky where that reached 0xffff. */
int nf_map_layout_error(const struct nf_map *map) {
  if (map->capacity > (uint64_t)map->buckets * SLOTS) return __LINE__;
  uint32_t *expected = calloc(map->buckets, sizeof(uint32_t));
  if (!expected) return __LINE__;
  int error = 0;
  uint32_t live = 0;
  for (uint32_t b = 0; b < map->buckets && !error; b++) {
    const uint16_t *ctrl = ctrl_at(map, b);
    for (uint32_t l = 0; l < SLOTS; l++) {
      if (ctrl[l] == 0) continue;
      live++;
      uint32_t hash = map_hash(map, entry_at(map, b, l) + sizeof(int32_t));
      uint32_t home = home_of(map, hash);
      if (ctrl[l] != lane_value(hash, home, b)) error = __LINE__;
      for (uint32_t x = home; x != b; x = next_bucket(map, x)) {
        expected[x]++;
        if (match_lanes(ctrl_at(map, x), 0) != 0) error = __LINE__; /* a hole it could fill */
      }
    }
  }
  if (!error && live != map->size) error = __LINE__;
  for (uint32_t b = 0; b < map->buckets && !error; b++) {
    uint16_t overflow = ctrl_at(map, b)[OVERFLOW_LANE];
    if (overflow != OVERFLOW_STICKY && overflow != expected[b]) error = __LINE__;
  }
  free(expected);
  return error;
}

/* The overflow count of key's home bucket, for tests that fake a sticky one. */
uint16_t *nf_map_home_overflow(struct nf_map *map, const void *key) {
  return &ctrl_at(map, home_of(map, map_hash(map, key)))[OVERFLOW_LANE];
}

uint32_t nf_map_size(const struct nf_map *map) {
  return map->size;
}

uint32_t nf_map_capacity(const struct nf_map *map) {
  return map->capacity;
}
