/* Hashing and equality of key structs. */
#include "nflib/types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/internal.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

/* murmur3's finalizer: every input bit affects every output bit, so the low
 * bits (which pick a map slot) depend on the whole key. */
static inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* Portable path: murmur3-style mixing of 4-byte words read byte-wise. */
static uint32_t hash_portable(const uint8_t *p, size_t len, uint32_t seed) {
  uint32_t h = seed ^ 0x9747b28cu;
  size_t i = 0;
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
  for (size_t j = 0; i + j < len; j++) tail |= (uint32_t)p[i + j] << (8 * j);
  if (len & 3) {
    tail *= 0xcc9e2d51u;
    tail = (tail << 15) | (tail >> 17);
    tail *= 0x1b873593u;
    h ^= tail;
  }
  return fmix32(h ^ (uint32_t)len);
}

#if defined(__x86_64__)
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
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return hash_crc32c((const uint8_t *)data, len, seed);
#endif
  return hash_portable((const uint8_t *)data, len, seed);
}

uint32_t nf_hash_bytes(const void *data, size_t len) {
  return nf_hash_bytes_seeded(data, len, 0);
}

bool nf_bytes_equal(const void *a, const void *b, size_t len) {
  return memcmp(a, b, len) == 0;
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
