/* Not merged: the arm calls nflib (a state access), so the if forks. */
#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)in_port;
  (void)now;
  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  int hits = 0;
  if (nf_pkt_ipv4_proto(pkt) == 6) hits += nf_map_get(state->table, &key, &index);
  return 1;
}
