#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  /* Constant bounds: 8 iterations with a packet-dependent early exit in each, and a
     loop over the (constant) port count. */
  uint8_t proto = nf_pkt_ipv4_proto(pkt);
  for (int i = 0; i < 8; i++) {
    if (proto == 100 + i) return NF_DROP;
  }
  uint16_t others = 0;
  for (uint16_t p = 0; p < nf_port_count(&state->cfg); p++) {
    if (p != in_port) others++;
  }
  return others;
}
