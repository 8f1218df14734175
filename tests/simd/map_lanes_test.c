/* The map's SIMD paths (SSE2 lane compare, __builtin_ctz) against the
 * contracts WP proves for their portable twins (nflib/map.c), exhaustively
 * over the inputs those contracts quantify over (docs/VERIFICATION.md, "SIMD
 * paths"):
 *
 *   lowest_lane(bits): every one of the 2^15 - 1 lane sets its precondition
 *     admits (bits != 0, no bit from SLOTS on); \result = the lowest set bit.
 *   match_lanes(ctrl, tag): bit l set iff l < SLOTS and ctrl[l] == tag
 *     (1) every (lane value, tag) pair, all 2^32, each value in the lane
 *         (value mod 15) of a control word;
 *     (2) every one of the 2^16 equality patterns of the 16 lanes (the
 *         overflow lane included: it must never show) for 10 tags, the other
 *         lanes differing from the tag in a single bit (the nearest miss).
 *
 * The test includes map.c itself, so the functions under test are exactly
 * the ones the map runs (static inline, compiled with the build's flags). */
#include "nflib/map.c"

#include <stdio.h>
#include <stdlib.h>

#if !defined(MAP_SSE2)
#error "map_lanes_test checks the SSE2 build: compile without NF_PROVED_PATHS_ONLY on x86-64"
#endif

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

/* The contract of lowest_lane, computed bit by bit. */
static uint32_t spec_lowest(uint32_t bits) {
  uint32_t l = 0;
  while (!(bits & (1u << l))) l++;
  return l;
}

/* The contract of match_lanes, computed lane by lane. */
static uint32_t spec_match(const uint16_t *ctrl, uint16_t tag) {
  uint32_t bits = 0;
  for (uint32_t l = 0; l < SLOTS; l++)
    if (ctrl[l] == tag) bits |= 1u << l;
  return bits;
}

static void check_lowest_lane(void) {
  for (uint32_t bits = 1; bits < (1u << SLOTS); bits++) {
    uint32_t got = lowest_lane(bits);
    EXPECT(got == spec_lowest(bits), "lowest_lane(0x%x) = %u", bits, got);
  }
}

/* (1): tag x value, every pair. */
static void check_all_pairs(void) {
  _Alignas(16) uint16_t ctrl[LANES];
  for (uint32_t tag = 0; tag <= 0xffff; tag++) {
    for (uint32_t first = 0; first <= 0xffff; first += SLOTS) {
      for (uint32_t l = 0; l < LANES; l++) ctrl[l] = (uint16_t)(first + l);
      uint32_t got = match_lanes(ctrl, (uint16_t)tag);
      uint32_t want = spec_match(ctrl, (uint16_t)tag);
      EXPECT(got == want, "tag 0x%x, lanes from 0x%x: 0x%x, want 0x%x", tag, first, got, want);
    }
  }
}

/* (2): every equality pattern. */
static void check_all_patterns(void) {
  static const uint16_t tags[] = {0, 1, 2, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x1234};
  _Alignas(16) uint16_t ctrl[LANES];
  for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
    for (uint32_t pattern = 0; pattern <= 0xffff; pattern++) {
      for (uint32_t l = 0; l < LANES; l++)
        ctrl[l] = (pattern >> l) & 1 ? tags[t] : (uint16_t)(tags[t] ^ (1u << l));
      uint32_t got = match_lanes(ctrl, tags[t]);
      uint32_t want = pattern & SLOT_LANES_MASK;
      EXPECT(got == want, "tag 0x%x, pattern 0x%x: 0x%x", tags[t], pattern, got);
    }
  }
}

/* Negative controls: the oracles reject a compare that lets the overflow
 * lane show (what a missing SLOT_LANES_MASK would do) and a highest-lane
 * instead of a lowest-lane scan. */
static void check_oracles_reject_wrong_code(void) {
  if ((uint32_t)(31 - __builtin_clz(3u)) == spec_lowest(3u)) {
    fprintf(stderr, "negative control: the oracle accepted the highest lane\n");
    exit(1);
  }
  _Alignas(16) uint16_t ctrl[LANES] = {0};
  ctrl[OVERFLOW_LANE] = 7;
  uint32_t unmasked = match_lanes(ctrl, 7) | (1u << OVERFLOW_LANE);
  if (unmasked == spec_match(ctrl, 7)) {
    fprintf(stderr, "negative control: the oracle accepted the overflow lane\n");
    exit(1);
  }
}

int main(void) {
  check_oracles_reject_wrong_code();
  check_lowest_lane();
  check_all_patterns();
  check_all_pairs();
  if (failures) return 1;
  printf(
      "map lanes: lowest_lane on all %u lane sets, match_lanes on all 2^32 (value, tag) pairs "
      "and all 2^16 lane patterns x 10 tags: equal to the proved contracts\n",
      (1u << SLOTS) - 1);
  return 0;
}
