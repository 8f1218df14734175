/* Longest-prefix match over IPv4 (DIR-24-8) to an int32 value. Filled at init. */
#ifndef NFLIB_LPM_H
#define NFLIB_LPM_H

#include "nflib/types.h"

struct nf_lpm;

struct nf_lpm *nf_lpm_create(const char *name, uint32_t max_long_prefix_groups);
void nf_lpm_destroy(struct nf_lpm *lpm);

/* WRITE (init). prefix_len in [0, 32]; value >= 0. NF_FULL when more /25../32
 * groups than max_long_prefix_groups are needed; NF_INVALID on bad arguments. */
int nf_lpm_add(struct nf_lpm *lpm, uint32_t prefix, uint8_t prefix_len, int32_t value);

/* READ. Value of the longest prefix containing addr: true; false if none. */
bool nf_lpm_lookup(const struct nf_lpm *lpm, uint32_t addr, int32_t *value_out);

#endif /* NFLIB_LPM_H */
