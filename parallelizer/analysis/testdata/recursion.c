#include "minimal_nf.h"

static uint32_t depth(uint32_t n) {
  if (n == 0) return 0;
  return 1 + depth(n - 1); /* ERROR: recursive call of 'depth' */
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  return depth(nf_pkt_ipv4_proto(pkt)) > 3 ? NF_DROP : 1;
}
