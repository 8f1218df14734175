/* Basic types shared by every nflib primitive and every NF. */
#ifndef NFLIB_TYPES_H
#define NFLIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Time in nanoseconds since an arbitrary epoch; monotonic within a run. */
typedef int64_t nf_time_t;

/* Verdicts an NF's per-packet function returns besides an output port (>= 0). */
#define NF_DROP (-1)
#define NF_FLOOD (-2)

/* Status codes of state operations that can fail. */
enum nf_status {
  NF_OK = 0,
  NF_FULL = -1,      /* fixed capacity reached: the operation changed nothing */
  NF_EXISTS = -2,    /* the key is already present: the operation changed nothing */
  NF_NOT_FOUND = -3, /* the key or index is absent: the operation changed nothing */
  NF_INVALID = -4,   /* an argument is outside its documented range */
};

/* Keys are plain structs without padding, compared and hashed byte-wise.
 * NF_KEY_DECLARE(flow_key) after `struct flow_key {...};` defines
 * flow_key_hash(const void *) and flow_key_eq(const void *, const void *). */
typedef uint32_t (*nf_key_hash_fn)(const void *key);
typedef bool (*nf_key_eq_fn)(const void *a, const void *b);

/* ACSL model shared by all nflib contracts. nflib objects are opaque: their
 * contents are one abstract region, the ghost variable nf_heap, which every
 * state-changing function assigns and every abstract predicate reads. Keys are
 * compared by content (nf_key_equal), never by pointer. */
/*@ ghost extern int nf_heap; */
/* Byte views of a caller's object. In C an object of n bytes is n readable
 * bytes (C11 6.5p7: any object may be accessed through a character type);
 * WP's Typed model counts a struct's memory in fields, not bytes, so
 * \valid_read((uint8_t *)p + (0 .. n - 1)) is false for a struct with a
 * non-byte field (struct { uint32_t ip; } is one cell, not 4). The contracts
 * an NF calls with its key and cell structs (map, vector, sketch, hash)
 * therefore require these abstract predicates. An NF establishes them for
 * each of its types with a body-less ghost function (assumed, as C11 6.5p7
 * says: the sizeof(struct) bytes of a valid struct are valid bytes).
 * nflib's own files read them as the \valid_read / \valid they stand for
 * (nf_bytes_def in internal.h, which NFs never include: with the converse
 * there, an NF's assumption would contradict Typed's field view). */
/*@ axiomatic nf_object_bytes {
      predicate nf_bytes_readable{L}(uint8_t *p, integer n);
      predicate nf_bytes_writable{L}(uint8_t *p, integer n);
      axiom nf_bytes_writable_readable{L}: \forall uint8_t *p, integer n;
        nf_bytes_writable(p, n) ==> nf_bytes_readable(p, n);
      // Valid bytes are such bytes (byte arrays such as MAC keys need no
      // ghost function).
      axiom nf_bytes_valid_readable{L}: \forall uint8_t *p, integer n;
        \valid_read(p + (0 .. n - 1)) ==> nf_bytes_readable(p, n);
      axiom nf_bytes_valid_writable{L}: \forall uint8_t *p, integer n;
        \valid(p + (0 .. n - 1)) ==> nf_bytes_writable(p, n);
    }
*/
/* Inside an NF's ghost block, `NF_BYTES_VIEW(flow_key_bytes, struct flow_key)`
 * declares the body-less ghost function that establishes the byte view of
 * one of its types (see above): `//@ ghost flow_key_bytes(&key);` right
 * before the nflib calls that need it. Frama-C expands the macro inside the
 * annotation (-pp-annot), so every NF states the assumption in these words.
 * Not clang-formatted: it would split the nested annotation's /@ and @/. */
// clang-format off
#define NF_BYTES_VIEW(name, type)                                   \
  /@ requires \valid(p);                                            \
     assigns \nothing;                                              \
     ensures nf_bytes_writable((uint8_t *)p, sizeof(type)); @/      \
  void name(type *p);
// clang-format on
/*@ predicate nf_key_equal{L1, L2}(uint8_t *a, uint8_t *b, integer len) =
      \forall integer i; 0 <= i < len ==> \at(a[i], L1) == \at(b[i], L2);
    predicate nf_status(integer s) = s == 0 || s == -1 || s == -2 || s == -3 || s == -4;
*/

/* Equal bytes give equal hashes (a pure function of the bytes). */
/*@ requires nf_bytes_readable((uint8_t *)data, len);
    requires len <= PTRDIFF_MAX;
    assigns \result \from ((const uint8_t *)data)[0 .. len - 1], len; */
uint32_t nf_hash_bytes(const void *data, size_t len);

/* (Reached only through NF_KEY_DECLARE's eq functions, which the map calls
 * through a pointer: plain byte validity, which types.c proves with.) */
/*@ requires \valid_read((const uint8_t *)a + (0 .. len - 1));
    requires \valid_read((const uint8_t *)b + (0 .. len - 1));
    assigns \nothing;
    ensures \result <==> nf_key_equal{Here, Here}((uint8_t *)a, (uint8_t *)b, len); */
bool nf_bytes_equal(const void *a, const void *b, size_t len);

#define NF_KEY_DECLARE(type)                                   \
  static inline uint32_t type##_hash(const void *key) {        \
    return nf_hash_bytes(key, sizeof(struct type));            \
  }                                                            \
  static inline bool type##_eq(const void *a, const void *b) { \
    return nf_bytes_equal(a, b, sizeof(struct type));          \
  }

#endif /* NFLIB_TYPES_H */
