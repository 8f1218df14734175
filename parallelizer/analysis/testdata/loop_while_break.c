#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  uint32_t n = 0;
  while (1) { /* ERROR: loop without a constant bound */
    n++;
    if (n >= nf_pkt_len(pkt)) break;
  }
  return n > 64 ? 1 : 0;
}
