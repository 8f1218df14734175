#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  uint32_t hops = 0;
  while (hops < nf_pkt_l4_dst_port(pkt)) { /* ERROR: loop without a constant bound */
    hops++;
  }
  return 0;
}
