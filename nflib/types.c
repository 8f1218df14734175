/* Hashing and equality of key structs. */
#include "nflib/types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/internal.h"

/* The SSE4.2 path (intrinsics, runtime CPU detection) is outside the WP
 * proof: under Frama-C only the portable path is compiled and proved
 * (docs/VERIFICATION.md). NF_PROVED_PATHS_ONLY builds exactly the code WP
 * proves, so that tests can run it (//nflib:*_proved_paths). */
#if defined(__x86_64__) && !defined(__FRAMAC__) && !defined(NF_PROVED_PATHS_ONLY)
#define NF_HASH_CRC32C 1
#include <nmmintrin.h>
#endif

/* murmur3's finalizer: every input bit affects every output bit, so the low
 * bits (which pick a map slot) depend on the whole key. */
/*@ assigns \result \from h; */
static inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* Portable path: murmur3-style mixing of 4-byte words read byte-wise. */
/*@ requires \valid_read(p + (0 .. len - 1));
    requires len <= PTRDIFF_MAX;
    assigns \result \from p[0 .. len - 1], len, seed; */
static uint32_t hash_portable(const uint8_t *p, size_t len, uint32_t seed) {
  uint32_t h = seed ^ 0x9747b28cu;
  size_t i = 0;
  /*@ loop invariant 0 <= i <= len && i % 4 == 0;
      loop assigns i, h;
      loop variant len - i; */
  for (; i + 4 <= len; i += 4) {
    uint32_t k = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8) | ((uint32_t)p[i + 2] << 16) |
                 ((uint32_t)p[i + 3] << 24);
    k *= 0xcc9e2d51u;
    k = (k << 15) | (k >> 17);
    k *= 0x1b873593u;
    h ^= k;
    h = (h << 13) | (h >> 19);
    h = h * 5 + 0xe6546b64u;
  }
  uint32_t tail = 0;
  /*@ loop invariant 0 <= j <= len - i < 4;
      loop assigns j, tail;
      loop variant len - i - j; */
  for (size_t j = 0; i + j < len; j++) tail |= (uint32_t)p[i + j] << (8 * j);
  if (len & 3) {
    tail *= 0xcc9e2d51u;
    tail = (tail << 15) | (tail >> 17);
    tail *= 0x1b873593u;
    h ^= tail;
  }
  return fmix32(h ^ (uint32_t)len);
}

#ifdef NF_HASH_CRC32C
/* CRC32C with SSE4.2, 8 bytes per instruction, then the murmur3 finalizer. */
__attribute__((target("sse4.2"))) static uint32_t hash_crc32c(const uint8_t *p, size_t len,
                                                              uint32_t seed) {
  uint64_t crc = seed ^ 0xffffffffu;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    crc = _mm_crc32_u64(crc, w);
  }
  uint32_t c = (uint32_t)crc;
  if (i + 4 <= len) {
    uint32_t w;
    memcpy(&w, p + i, 4);
    c = _mm_crc32_u32(c, w);
    i += 4;
  }
  for (; i < len; i++) c = _mm_crc32_u8(c, p[i]);
  return fmix32(c ^ (uint32_t)len);
}
#endif

uint32_t nf_hash_bytes_seeded(const void *data, size_t len, uint32_t seed) {
#ifdef NF_HASH_CRC32C
  if (__builtin_cpu_supports("sse4.2")) return hash_crc32c((const uint8_t *)data, len, seed);
#endif
  return hash_portable((const uint8_t *)data, len, seed);
}

uint32_t nf_hash_bytes(const void *data, size_t len) {
  return nf_hash_bytes_seeded(data, len, 0);
}

/* nf_le64(p, i): the 8 bytes at p + i as a little-endian integer (a
 * definition: a fresh symbol and its defining axiom, opaque so that the
 * provers unfold it only where it occurs). */
/*@ axiomatic nf_le {
      logic integer nf_le64{L}(uint8_t *p, integer i) reads p[i .. i + 7];
      axiom nf_le64_def{L}: \forall uint8_t *p, integer i; nf_le64(p, i) ==
        p[i] + 0x100 * p[i + 1] + 0x10000 * p[i + 2] + 0x1000000 * p[i + 3] +
        0x100000000 * p[i + 4] + 0x10000000000 * p[i + 5] + 0x1000000000000 * p[i + 6] +
        0x100000000000000 * p[i + 7];
    }
    predicate nf_byte_ok(integer x) = 0 <= x < 256;
    predicate nf_bytes_ok{L}(uint8_t *p, integer i) =
      nf_byte_ok(p[i]) && nf_byte_ok(p[i + 1]) && nf_byte_ok(p[i + 2]) &&
      nf_byte_ok(p[i + 3]) && nf_byte_ok(p[i + 4]) && nf_byte_ok(p[i + 5]) &&
      nf_byte_ok(p[i + 6]) && nf_byte_ok(p[i + 7]);
    predicate nf_same8{L}(uint8_t *p, uint8_t *q, integer i) =
      p[i] == q[i] && p[i + 1] == q[i + 1] && p[i + 2] == q[i + 2] && p[i + 3] == q[i + 3] &&
      p[i + 4] == q[i + 4] && p[i + 5] == q[i + 5] && p[i + 6] == q[i + 6] &&
      p[i + 7] == q[i + 7];
    // Base 256: equal 8-byte integers have equal bytes (the converse is
    // congruence).
    lemma nf_le64_injective{L}: \forall uint8_t *p, *q, integer i;
      nf_bytes_ok(p, i) && nf_bytes_ok(q, i) && nf_le64(p, i) == nf_le64(q, i) ==>
        nf_same8(p, q, i);
    axiomatic nf_le4 {
      logic integer nf_le32{L}(uint8_t *p, integer i) reads p[i .. i + 3];
      axiom nf_le32_def{L}: \forall uint8_t *p, integer i;
        nf_le32(p, i) == p[i] + 0x100 * p[i + 1] + 0x10000 * p[i + 2] + 0x1000000 * p[i + 3];
    }
    predicate nf_same4{L}(uint8_t *p, uint8_t *q, integer i) =
      p[i] == q[i] && p[i + 1] == q[i + 1] && p[i + 2] == q[i + 2] && p[i + 3] == q[i + 3];
    lemma nf_le32_injective{L}: \forall uint8_t *p, *q, integer i;
      nf_byte_ok(p[i]) && nf_byte_ok(p[i + 1]) && nf_byte_ok(p[i + 2]) && nf_byte_ok(p[i + 3]) &&
      nf_byte_ok(q[i]) && nf_byte_ok(q[i + 1]) && nf_byte_ok(q[i + 2]) && nf_byte_ok(q[i + 3]) &&
      nf_le32(p, i) == nf_le32(q, i) ==> nf_same4(p, q, i);

    // ACSL's << on integers is multiplication by a power of two; the provers
    // get it for x << 8 from the Why3 axioms lsl_1 and lsl_add, one doubling
    // at a time (nf_shl is a definition: a fresh symbol for x << k).
    axiomatic nf_shl {
      logic integer nf_shl(integer x, integer k);
      axiom nf_shl_def: \forall integer x, k; nf_shl(x, k) == (x << k);
    }
    lemma nf_shl_1: \forall integer x; nf_shl(x, 1) == 2 * x;
    lemma nf_shl_2: \forall integer x; nf_shl(x, 2) == nf_shl(nf_shl(x, 1), 1);
    lemma nf_shl_2m: \forall integer x; nf_shl(x, 2) == 4 * x;
    lemma nf_shl_4: \forall integer x; nf_shl(x, 4) == nf_shl(nf_shl(x, 2), 2);
    lemma nf_shl_4m: \forall integer x; nf_shl(x, 4) == 16 * x;
    lemma nf_shl_8: \forall integer x; nf_shl(x, 8) == nf_shl(nf_shl(x, 4), 4);
    lemma nf_shl_8m: \forall integer x; nf_shl(x, 8) == 256 * x;
    lemma nf_shl8: \forall integer x; (x << 8) == x * 256;
*/

/* The 8 bytes at p + i, little-endian: gcc -O2 merges the byte loads into
 * one 8-byte load (x86-64: movq). */
/*@ requires \valid_read(p + (i .. i + 7));
    assigns \nothing;
    ensures \result == nf_le64(p, i); */
static inline uint64_t load_le64(const uint8_t *p, size_t i) {
  const uint8_t *b = p + i;
  uint64_t w = b[7];
  w = (w << 8) + b[6];
  //@ assert w == p[i + 6] + 256 * p[i + 7] < 0x10000;
  w = (w << 8) + b[5];
  //@ assert w == p[i + 5] + 0x100 * p[i + 6] + 0x10000 * p[i + 7] < 0x1000000;
  w = (w << 8) + b[4];
  /*@ assert w == p[i + 4] + 0x100 * p[i + 5] + 0x10000 * p[i + 6] + 0x1000000 * p[i + 7] <
        0x100000000; */
  w = (w << 8) + b[3];
  /*@ assert w == p[i + 3] + 0x100 * p[i + 4] + 0x10000 * p[i + 5] + 0x1000000 * p[i + 6] +
        0x100000000 * p[i + 7] < 0x10000000000; */
  w = (w << 8) + b[2];
  /*@ assert w == p[i + 2] + 0x100 * p[i + 3] + 0x10000 * p[i + 4] + 0x1000000 * p[i + 5] +
        0x100000000 * p[i + 6] + 0x10000000000 * p[i + 7] < 0x1000000000000; */
  w = (w << 8) + b[1];
  /*@ assert w == p[i + 1] + 0x100 * p[i + 2] + 0x10000 * p[i + 3] + 0x1000000 * p[i + 4] +
        0x100000000 * p[i + 5] + 0x10000000000 * p[i + 6] + 0x1000000000000 * p[i + 7] <
        0x100000000000000; */
  w = (w << 8) + b[0];
  return w;
}

/* The 4 bytes at p + i, little-endian (one 4-byte load). */
/*@ requires \valid_read(p + (i .. i + 3));
    assigns \nothing;
    ensures \result == nf_le32(p, i); */
static inline uint32_t load_le32(const uint8_t *p, size_t i) {
  const uint8_t *b = p + i;
  uint32_t w = b[3];
  w = (w << 8) + b[2];
  //@ assert w == p[i + 2] + 256 * p[i + 3] < 0x10000;
  w = (w << 8) + b[1];
  //@ assert w == p[i + 1] + 0x100 * p[i + 2] + 0x10000 * p[i + 3] < 0x1000000;
  w = (w << 8) + b[0];
  return w;
}

/* Whether the 4 bytes at p + i and q + i are equal: one 4-byte compare. */
/*@ requires \valid_read(p + (i .. i + 3)) && \valid_read(q + (i .. i + 3));
    assigns \nothing;
    ensures \result <==> nf_same4(p, q, i); */
static inline bool same4(const uint8_t *p, const uint8_t *q, size_t i) {
  return load_le32(p, i) == load_le32(q, i);
}

/* Whether the 8 bytes at p + i and q + i are equal: one 8-byte compare. */
/*@ requires \valid_read(p + (i .. i + 7)) && \valid_read(q + (i .. i + 7));
    assigns \nothing;
    ensures \result ==> \forall integer k; i <= k < i + 8 ==> p[k] == q[k];
    ensures (\forall integer k; i <= k < i + 8 ==> p[k] == q[k]) ==> \result; */
static inline bool same8(const uint8_t *p, const uint8_t *q, size_t i) {
  bool same = load_le64(p, i) == load_le64(q, i);
  //@ assert same ==> nf_same8(p, q, i);
  /*@ assert same ==> \forall integer k; i <= k < i + 8 ==> p[k] < 256 &&
        (k == i || k == i + 1 || k == i + 2 || k == i + 3 || k == i + 4 || k == i + 5 ||
         k == i + 6 || k == i + 7); */
  return same;
}

/* 8 bytes at a time, then 4, then byte by byte (no call: as fast as glibc's
 * memcmp for the 4..32-byte keys of the NFs, faster for 8 and 16). */
bool nf_bytes_equal(const void *a, const void *b, size_t len) {
  const uint8_t *p = (const uint8_t *)a;
  const uint8_t *q = (const uint8_t *)b;
  size_t i = 0;
  /*@ loop invariant 0 <= i <= len;
      loop invariant \forall integer k; 0 <= k < i ==> p[k] == q[k];
      loop assigns i;
      loop variant len - i; */
  for (; len - i >= 8; i += 8)
    if (!same8(p, q, i)) {
      //@ assert !nf_key_equal{Here, Here}(p, q, len);
      return false;
    }
  if (len - i >= 4) {
    if (!same4(p, q, i)) {
      //@ assert !nf_key_equal{Here, Here}(p, q, len);
      return false;
    }
    /* The equal prefix grows by one byte at a time (no case split on k). */
    //@ assert \forall integer k; 0 <= k < i + 1 ==> p[k] == q[k];
    //@ assert \forall integer k; 0 <= k < i + 2 ==> p[k] == q[k];
    //@ assert \forall integer k; 0 <= k < i + 3 ==> p[k] == q[k];
    //@ assert \forall integer k; 0 <= k < i + 4 ==> p[k] == q[k];
    i += 4;
  }
  /*@ loop invariant 0 <= i <= len;
      loop invariant \forall integer k; 0 <= k < i ==> p[k] == q[k];
      loop assigns i;
      loop variant len - i; */
  for (; i < len; i++)
    if (p[i] != q[i]) {
      //@ assert !nf_key_equal{Here, Here}(p, q, len);
      return false;
    }
  //@ assert nf_key_equal{Here, Here}(p, q, len);
  return true;
}

void nf_fatal(const char *function, const char *message, long long value) {
  fprintf(stderr, "nflib: %s: %s (value %lld); this is a bug in the caller\n", function, message,
          value);
  abort();
}

void *nf_alloc_zeroed(size_t size) {
  size_t rounded = (size + 63) & ~(size_t)63;
  if (rounded == 0) rounded = 64;
  void *p = aligned_alloc(64, rounded);
  if (p) memset(p, 0, rounded);
  return p;
}
