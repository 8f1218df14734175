/* RFC 1071 checksum arithmetic for the packet tests: the full recomputation
 * the tests judge nflib's incremental (RFC 1624) updates against. */
#ifndef NFLIB_PACKET_CSUM_TEST_UTIL_H
#define NFLIB_PACKET_CSUM_TEST_UTIL_H

#include <stdint.h>

/* Ones' complement sum of 16-bit big-endian words (odd tail padded). */
static inline uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t sum) {
  for (uint32_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1) sum += (uint32_t)p[len - 1] << 8;
  return sum;
}

static inline uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

#endif
