#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  for (uint32_t n = 0;; n++) { /* ERROR: loop without a constant bound */
    if (n == nf_pkt_l4_dst_port(pkt)) return NF_DROP;
  }
}
