#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  uint32_t n;
  for (n = 0; n < 100000; n++) { /* ERROR: loop without a constant bound */
    if (n >= nf_pkt_len(pkt)) break;
  }
  return n > 64 ? 1 : 0;
}
