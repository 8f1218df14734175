#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)in_port;
  (void)now;
  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  struct nf_map *next = state->table + 1; /* ERROR: pointer arithmetic on a state object */
  return nf_map_get(next, &key, &index) ? 1 : NF_DROP;
}
