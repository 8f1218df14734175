/* Longest-prefix match over IPv4 (DIR-24-8) to an int32 value. Filled at init. */
#ifndef NFLIB_LPM_H
#define NFLIB_LPM_H

#include "nflib/types.h"

struct nf_lpm;

/* Abstract model: the set of added routes; nf_lpm_match(l, a) is the value of
 * the longest added prefix containing a (for a prefix added twice, the later
 * value), or -1 when none contains a. */
/* lpm.c defines NF_LPM_IMPL and the model over its tables instead
 * (docs/VERIFICATION.md): nf_lpm_match is then what the tables hold for
 * addr, which WP proves nf_lpm_lookup returns; that it is the longest added
 * prefix (nf_lpm_add's contract) is not proved. */
#ifndef NF_LPM_IMPL
/*@ axiomatic nf_lpm_model {
      predicate nf_lpm_live{L}(struct nf_lpm *l) reads nf_heap;
      logic integer nf_lpm_match{L}(struct nf_lpm *l, integer addr) reads nf_heap;
    }
*/
#endif
/*@
    logic integer nf_prefix_mask(integer len) = len == 0 ? 0 : (0xffffffff << (32 - len)) &
   0xffffffff;
*/

/* Published limit: the most groups of longer-than-/24 prefixes (a group's
 * number is stored in the 24-bit payload of a first-level entry). */
#define NF_LPM_LONG_PREFIX_GROUPS_MAX 0x00ffffffu

/* Allocates the 2^24-entry first level (64 MiB) and max_long_prefix_groups
 * groups of 256 entries (one per /24 that holds a prefix longer than /24).
 * NULL when max_long_prefix_groups > NF_LPM_LONG_PREFIX_GROUPS_MAX or no memory. */
/*@ requires name == \null || \valid_read(name);
    assigns nf_heap, \result \from max_long_prefix_groups;
    ensures \result == \null ||
      (nf_lpm_live(\result) && \forall integer a; nf_lpm_match(\result, a) == -1); */
struct nf_lpm *nf_lpm_create(const char *name, uint32_t max_long_prefix_groups);
/*@ requires lpm == \null || nf_lpm_live(lpm);
    assigns nf_heap; */
void nf_lpm_destroy(struct nf_lpm *lpm);

/* WRITE (init). prefix_len in [0, 32]; value in [0, 2^24). NF_FULL when more
 * /25../32 groups than max_long_prefix_groups are needed; NF_INVALID on bad
 * arguments; both change nothing. Address bits past prefix_len are ignored.
 * Re-adding a prefix replaces its value. */
/*@ requires nf_lpm_live(lpm);
    assigns nf_heap;
    ensures nf_lpm_live(lpm);
    ensures \result == NF_OK || \result == NF_FULL || \result == NF_INVALID;
    behavior invalid:
      assumes prefix_len > 32 || value < 0 || value >= 0x1000000;
      assigns \nothing;
      ensures \result == NF_INVALID;
    behavior valid:
      assumes prefix_len <= 32 && 0 <= value < 0x1000000;
      ensures \result == NF_OK || \result == NF_FULL;
      ensures \result == NF_FULL ==> \forall integer a; nf_lpm_match(lpm, a) ==
   \old(nf_lpm_match(lpm, a)); ensures \result == NF_OK ==> \forall integer a; 0 <= a <= 0xffffffff
   ==>
        ((a & nf_prefix_mask(prefix_len)) == (prefix & nf_prefix_mask(prefix_len)) ?
           (nf_lpm_match(lpm, a) == value ||
            nf_lpm_match(lpm, a) == \old(nf_lpm_match(lpm, a)))
         : nf_lpm_match(lpm, a) == \old(nf_lpm_match(lpm, a)));
    complete behaviors;
    disjoint behaviors; */
int nf_lpm_add(struct nf_lpm *lpm, uint32_t prefix, uint8_t prefix_len, int32_t value);

/* READ. Value of the longest prefix containing addr: true; false if none. */
/*@ requires nf_lpm_live(lpm) && \valid(value_out);
    assigns *value_out;
    behavior found:
      assumes nf_lpm_match(lpm, addr) >= 0;
      ensures \result == \true && *value_out == nf_lpm_match(lpm, addr);
    behavior not_found:
      assumes nf_lpm_match(lpm, addr) < 0;
      assigns \nothing;
      ensures \result == \false;
    complete behaviors;
    disjoint behaviors; */
bool nf_lpm_lookup(const struct nf_lpm *lpm, uint32_t addr, int32_t *value_out);

#endif /* NFLIB_LPM_H */
