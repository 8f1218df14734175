#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)now;
  (void)in_port;
  struct addr_cell cell = {.addr = nf_pkt_ipv4_src(pkt), .port = 0, .pad = 0};
  struct addr_key *key = (struct addr_key *)&cell;
  key->addr = 0; /* ERROR: struct addr_cell accessed through a pointer to struct addr_key */
  int32_t index;
  return nf_map_get(state->table, &cell, &index) ? 1 : 0;
}
