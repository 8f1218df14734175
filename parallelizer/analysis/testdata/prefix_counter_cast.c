/* Test NF for the analyzer: packets per source /24, the key's low byte
 * cleared through a byte pointer. The key must come out as
 * ipv4.src & 0xffffff00 (the same as prefix_counter_masked.c). */
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/vector.h"

const char *const nf_name = "prefix_counter_cast";

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t max_prefixes;
};

struct prefix_key {
  uint32_t prefix;
};
NF_KEY_DECLARE(prefix_key)

#include "prefix_counter.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  if (nf_pkt_status(pkt) > NF_PKT_FRAGMENT) return NF_DROP;
  struct prefix_key key;
  key.prefix = nf_pkt_ipv4_src(pkt);
  ((uint8_t *)&key)[0] = 0; /* x86-64 is little-endian: the prefix's low byte */
  PREFIX_COUNTER_COUNT(state, key, in_port, now);
}
