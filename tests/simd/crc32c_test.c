/* nflib's SSE4.2 hash path (types.c, hash_crc32c) against CRC32C's
 * definition (docs/VERIFICATION.md, "SIMD paths").
 *
 * The path computes fmix32(crc ^ len), crc = the CRC32C register (reflected
 * polynomial 0x82F63B78, RFC 3720) started at seed ^ 0xffffffff and fed the
 * bytes in order, 8 at a time with the crc32 u64 instruction, then 4 with u32,
 * then single bytes with u8. The oracle below feeds the same bytes one bit at
 * a time from the polynomial, so it shares no code and no table with
 * types.c. Exhaustive parts:
 *   - the oracle's byte step on all 256 bytes (the table every implementation
 *     of CRC32C is built from), and the published check value of "123456789";
 *   - the u8 instruction on all 2^16 (low register byte, data byte) pairs,
 *     each with 64 random upper register bits, and on every single-bit
 *     register;
 *   - every length 0 .. 80 (so every combination of the 8-byte loop, the
 *     4-byte step and the byte tail) at each of the 8 alignments.
 * Not exhaustive: the register and data values of the u32 and u64 steps and
 * of whole keys (every single-bit input plus random ones; CRC is linear over
 * GF(2), so single-bit inputs span the input space of a linear function). */
#include <nmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/internal.h" /* nf_hash_bytes_seeded */
#include "nflib/types.h"

#define POLY 0x82f63b78u

static int failures;

#define EXPECT(cond, ...)                                        \
  do {                                                           \
    if (!(cond)) {                                               \
      fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                              \
      fprintf(stderr, "\n");                                     \
      if (++failures > 10) exit(1);                              \
    }                                                            \
  } while (0)

static uint32_t bit_step(uint32_t crc, uint8_t byte, uint32_t poly) {
  crc ^= byte;
  for (int k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ poly : crc >> 1;
  return crc;
}

static uint32_t bit_crc(uint32_t crc, const uint8_t *p, size_t len, uint32_t poly) {
  for (size_t i = 0; i < len; i++) crc = bit_step(crc, p[i], poly);
  return crc;
}

/* murmur3's 32-bit finalizer (its published constants). */
static uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static uint32_t spec_hash(const uint8_t *p, size_t len, uint32_t seed, uint32_t poly) {
  return fmix32(bit_crc(seed ^ 0xffffffffu, p, len, poly) ^ (uint32_t)len);
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static uint64_t rng(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void check_oracle(void) {
  /* RFC 3720 B.4 / the CRC catalogue: CRC-32C("123456789") = 0xE3069283. */
  const uint8_t check[] = "123456789";
  EXPECT((bit_crc(0xffffffffu, check, 9, POLY) ^ 0xffffffffu) == 0xe3069283u, "check value");
  /* Negative control: CRC-32 (IEEE, 0xEDB88320) is a different function. */
  EXPECT((bit_crc(0xffffffffu, check, 9, 0xedb88320u) ^ 0xffffffffu) != 0xe3069283u,
         "negative control");
}

__attribute__((target("sse4.2"))) static void check_instructions(void) {
  for (uint32_t low = 0; low < 256; low++) {
    for (uint32_t byte = 0; byte < 256; byte++) {
      for (int r = 0; r < 64; r++) {
        uint32_t crc = (uint32_t)(rng() & 0xffffff00u) | low;
        EXPECT(_mm_crc32_u8(crc, (uint8_t)byte) == bit_step(crc, (uint8_t)byte, POLY),
               "u8 crc 0x%x byte 0x%x", crc, byte);
      }
    }
  }
  for (int b = 0; b < 32; b++) {
    uint32_t crc = 1u << b;
    EXPECT(_mm_crc32_u8(crc, 0) == bit_step(crc, 0, POLY), "u8 single bit %d", b);
  }
  /* u32 and u64: every single-bit register and data word, and random ones. */
  for (int round = 0; round < (1 << 16) + 96; round++) {
    uint32_t crc;
    uint64_t data;
    if (round < 32) {
      crc = 1u << round, data = 0;
    } else if (round < 96) {
      crc = 0, data = 1ull << (round - 32);
    } else {
      crc = (uint32_t)rng(), data = rng();
    }
    uint8_t bytes[8];
    memcpy(bytes, &data, 8); /* x86-64: little-endian, as the instruction reads memory */
    EXPECT(_mm_crc32_u32(crc, (uint32_t)data) == bit_crc(crc, bytes, 4, POLY), "u32 %d", round);
    EXPECT((uint32_t)_mm_crc32_u64(crc, data) == bit_crc(crc, bytes, 8, POLY), "u64 %d", round);
  }
}

static void check_hash(void) {
  _Alignas(16) uint8_t buffer[96];
  static const uint32_t seeds[] = {0, 1, 0xffffffffu, 0x9747b28cu};
  for (size_t len = 0; len <= 80; len++) {
    for (size_t align = 0; align < 8; align++) {
      for (int r = 0; r < 16; r++) {
        for (size_t i = 0; i < sizeof(buffer); i++) buffer[i] = (uint8_t)rng();
        uint32_t seed = r < 4 ? seeds[r] : (uint32_t)rng();
        const uint8_t *p = buffer + align;
        uint32_t got = nf_hash_bytes_seeded(p, len, seed);
        EXPECT(got == spec_hash(p, len, seed, POLY), "len %zu align %zu seed 0x%x", len, align,
               seed);
        /* The bytes just past the key are never read. */
        buffer[align + len] ^= 0xff;
        EXPECT(nf_hash_bytes_seeded(p, len, seed) == got, "read past len %zu", len);
      }
    }
  }
  /* nf_hash_bytes is seed 0. */
  EXPECT(nf_hash_bytes(buffer, 13) == spec_hash(buffer, 13, 0, POLY), "nf_hash_bytes");
}

int main(void) {
  if (!__builtin_cpu_supports("sse4.2")) {
    /* nflib runs its portable path on this CPU: WP's proof covers it. */
    printf("crc32c: no SSE4.2 on this CPU, nflib hashes with the proved portable path\n");
    return 0;
  }
  check_oracle();
  check_instructions();
  check_hash();
  if (failures) return 1;
  printf("crc32c: SSE4.2 hash path equal to CRC32C's bitwise definition\n");
  return 0;
}
