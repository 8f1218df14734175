/* DIR-24-8 longest-prefix match (Gupta et al., INFOCOM'98), as in DPDK's
 * rte_lpm: a 2^24-entry table indexed by the top 24 address bits, whose
 * entries either hold a result or point to a 256-entry group for the low 8
 * bits. Entries record the prefix length that set them, so prefixes can be
 * added in any order: a longer or equal prefix overwrites, a shorter one
 * does not. Entry layout: bit 31 valid, bit 30 group pointer, bits 24..29
 * prefix length, bits 0..23 value (or group number). */
#include <stdlib.h>

#include "nflib/types.h"

#define TBL24_SIZE (1u << 24)
#define GROUP_SIZE 256u
#define VALID 0x80000000u
#define GROUP 0x40000000u
#define DEPTH_SHIFT 24
#define PAYLOAD_MASK 0x00ffffffu
#define NF_LPM_MAX_VALUE PAYLOAD_MASK

struct nf_lpm {
  uint32_t *tbl24;
  uint32_t *tbl8; /* group_capacity groups of 256 entries */
  uint32_t group_capacity;
  uint32_t group_count;
};

/* The model of lpm.h over the tables (what WP proves nf_lpm_lookup against):
 * tbl24 and the group_capacity groups are valid and separate, and every tbl24
 * entry with the group bit points to an allocated group (< group_count <=
 * group_capacity). nf_lpm_entry is the entry addr resolves to; nf_lpm_match
 * its value when valid, else -1. */
/*@ axiomatic nf_lpm_bits {
      logic integer nf_lpm_and(integer a, integer m) = a & m;
      // Assumed (the provers know no bound on a bitwise and).
      axiom nf_lpm_and_bound: \forall integer a, m;
        0 <= a && 0 <= m ==> 0 <= nf_lpm_and(a, m) <= m && 0 <= nf_lpm_and(m, a) <= m;
    }
    predicate nf_lpm_groups_ok{L}(struct nf_lpm *l) =
      \forall integer i; 0 <= i < TBL24_SIZE ==> (l->tbl24[i] & GROUP) != 0 ==>
        (l->tbl24[i] & PAYLOAD_MASK) < l->group_count;
    predicate nf_lpm_live{L}(struct nf_lpm *l) =
      \valid_read(l) && l->group_count <= l->group_capacity <= PAYLOAD_MASK &&
      \valid_read(l->tbl24 + (0 .. TBL24_SIZE - 1)) &&
      \valid_read(l->tbl8 + (0 .. l->group_capacity * GROUP_SIZE - 1)) &&
      nf_lpm_groups_ok(l);
    logic integer nf_lpm_entry{L}(struct nf_lpm *l, integer addr) =
      (l->tbl24[addr / GROUP_SIZE] & GROUP) != 0 ?
        l->tbl8[(l->tbl24[addr / GROUP_SIZE] & PAYLOAD_MASK) * GROUP_SIZE + addr % GROUP_SIZE] :
        l->tbl24[addr / GROUP_SIZE];
    logic integer nf_lpm_match{L}(struct nf_lpm *l, integer addr) =
      (nf_lpm_entry(l, addr) & VALID) != 0 ? (nf_lpm_entry(l, addr) & PAYLOAD_MASK) : -1;
*/
#define NF_LPM_IMPL
#include "nflib/lpm.h"
#ifndef __FRAMAC__ /* Frama-C parses C99 here */
_Static_assert(NF_LPM_LONG_PREFIX_GROUPS_MAX <= PAYLOAD_MASK,
               "a group number fits an entry's payload");
#endif

#include "nflib/access.h"
#include "nflib/instance.h"
#include "nflib/internal.h"

static inline uint32_t make_entry(uint32_t value, uint8_t depth) {
  return VALID | ((uint32_t)depth << DEPTH_SHIFT) | value;
}
static inline uint8_t entry_depth(uint32_t e) {
  return (uint8_t)((e >> DEPTH_SHIFT) & 0x3f);
}

struct nf_lpm *nf_lpm_create(const char *name, uint32_t max_long_prefix_groups) {
  if (max_long_prefix_groups > NF_LPM_LONG_PREFIX_GROUPS_MAX) return NULL;
  struct nf_lpm *shared = nf_instance_shared_object(name);
  if (shared) return shared;
  uint32_t resolved;
  int32_t base_unused;
  /* Routes are configuration, not per-flow state: a layout can only replicate
   * or share them. */
  nf_instance_resolve(name, max_long_prefix_groups, &resolved, &base_unused);
  (void)resolved;
  struct nf_lpm *lpm = calloc(1, sizeof(*lpm));
  if (!lpm) return NULL;
  lpm->tbl24 = nf_alloc_zeroed((size_t)TBL24_SIZE * sizeof(uint32_t));
  lpm->tbl8 = nf_alloc_zeroed((size_t)max_long_prefix_groups * GROUP_SIZE * sizeof(uint32_t));
  if (!lpm->tbl24 || !lpm->tbl8) {
    nf_lpm_destroy(lpm);
    return NULL;
  }
  lpm->group_capacity = max_long_prefix_groups;
  nf_instance_publish(name, lpm);
  return lpm;
}

void nf_lpm_destroy(struct nf_lpm *lpm) {
  if (!lpm) return;
  free(lpm->tbl24);
  free(lpm->tbl8);
  free(lpm);
}

/* Sets e to (value, depth) unless it holds a longer prefix. */
static inline void set_if_not_longer(uint32_t *e, uint32_t value, uint8_t depth) {
  if (!(*e & VALID) || entry_depth(*e) <= depth) *e = make_entry(value, depth);
}

int nf_lpm_add(struct nf_lpm *lpm, uint32_t prefix, uint8_t prefix_len, int32_t value) {
  if (prefix_len > 32 || value < 0 || (uint32_t)value > NF_LPM_MAX_VALUE) return NF_INVALID;
  uint32_t mask = prefix_len == 0 ? 0 : 0xffffffffu << (32 - prefix_len);
  prefix &= mask;
  if (prefix_len <= 24) {
    nf_before_write_to(lpm);
    uint32_t first = prefix >> 8;
    uint32_t count = 1u << (24 - prefix_len);
    for (uint32_t i = first; i < first + count; i++) {
      uint32_t e = lpm->tbl24[i];
      if (e & GROUP) {
        uint32_t *group = &lpm->tbl8[(size_t)(e & PAYLOAD_MASK) * GROUP_SIZE];
        for (uint32_t j = 0; j < GROUP_SIZE; j++)
          set_if_not_longer(&group[j], (uint32_t)value, prefix_len);
      } else {
        set_if_not_longer(&lpm->tbl24[i], (uint32_t)value, prefix_len);
      }
    }
    return NF_OK;
  }
  uint32_t i24 = prefix >> 8;
  uint32_t e = lpm->tbl24[i24];
  if (!(e & GROUP) && lpm->group_count >= lpm->group_capacity) return NF_FULL;
  nf_before_write_to(lpm);
  if (!(e & GROUP)) {
    /* New group: every entry inherits what the /24 slot held. */
    uint32_t g = lpm->group_count++;
    uint32_t *group = &lpm->tbl8[(size_t)g * GROUP_SIZE];
    for (uint32_t j = 0; j < GROUP_SIZE; j++) group[j] = e;
    e = VALID | GROUP | g;
    lpm->tbl24[i24] = e;
  }
  uint32_t *group = &lpm->tbl8[(size_t)(e & PAYLOAD_MASK) * GROUP_SIZE];
  uint32_t first = prefix & 0xff;
  uint32_t count = 1u << (32 - prefix_len);
  for (uint32_t j = first; j < first + count; j++)
    set_if_not_longer(&group[j], (uint32_t)value, prefix_len);
  return NF_OK;
}

bool nf_lpm_lookup(const struct nf_lpm *lpm, uint32_t addr, int32_t *value_out) {
  /* Division and remainder by 256 (gcc emits the shift and the mask): WP's
   * provers reason about them, not about bit operations. */
  uint32_t e = lpm->tbl24[addr / GROUP_SIZE];
  /*@ assert nf_lpm_and(e, PAYLOAD_MASK) == (e & PAYLOAD_MASK) ||
             nf_lpm_and(PAYLOAD_MASK, e) == (e & PAYLOAD_MASK); */
  /*@ assert 0 <= (e & PAYLOAD_MASK) <= PAYLOAD_MASK; */
  if (e & GROUP) {
    /*@ assert addr / GROUP_SIZE < TBL24_SIZE; */
    /*@ assert (e & PAYLOAD_MASK) < lpm->group_capacity; */
    /*@ assert (e & PAYLOAD_MASK) * GROUP_SIZE + addr % GROUP_SIZE <
               lpm->group_capacity * GROUP_SIZE; */
    e = lpm->tbl8[(size_t)(e & PAYLOAD_MASK) * GROUP_SIZE + addr % GROUP_SIZE];
  }
  /*@ assert nf_lpm_and(e, PAYLOAD_MASK) == (e & PAYLOAD_MASK) ||
             nf_lpm_and(PAYLOAD_MASK, e) == (e & PAYLOAD_MASK); */
  /*@ assert 0 <= (e & PAYLOAD_MASK) <= PAYLOAD_MASK; */
  if (!(e & VALID)) return false;
  *value_out = (int32_t)(e & PAYLOAD_MASK);
  return true;
}
