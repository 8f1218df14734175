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
/*@ predicate nf_key_equal{L1, L2}(uint8_t *a, uint8_t *b, integer len) =
      \forall integer i; 0 <= i < len ==> \at(a[i], L1) == \at(b[i], L2);
    predicate nf_status(integer s) = s == 0 || s == -1 || s == -2 || s == -3 || s == -4;
*/

/* Equal bytes give equal hashes (a pure function of the bytes). */
/*@ requires \valid_read((const uint8_t *)data + (0 .. len - 1));
    requires len <= PTRDIFF_MAX;
    assigns \result \from ((const uint8_t *)data)[0 .. len - 1], len; */
uint32_t nf_hash_bytes(const void *data, size_t len);

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
