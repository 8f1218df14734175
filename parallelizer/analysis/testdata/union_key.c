/* Test NF for the analyzer: packets per source /24 with the key written
 * through one union member and partly cleared through another (issue 14):
 * refused, since the analysis would track the members as separate fields. */
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/vector.h"

const char *const nf_name = "union_key";

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t max_prefixes;
};

struct prefix_key {
  union { /* ERROR: anonymous union: unions are not supported */
    uint32_t prefix;
    uint8_t bytes[4];
  } u;
};
NF_KEY_DECLARE(prefix_key)

#include "prefix_counter.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  if (nf_pkt_status(pkt) > NF_PKT_FRAGMENT) return NF_DROP;
  struct prefix_key key;
  key.u.prefix = nf_pkt_ipv4_src(pkt);
  key.u.bytes[0] = 0;
  PREFIX_COUNTER_COUNT(state, key, in_port, now);
}
