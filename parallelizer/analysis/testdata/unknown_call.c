#include "minimal_nf.h"

uint32_t classify(uint32_t addr);

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  return (int)classify(nf_pkt_ipv4_src(pkt)); /* ERROR: call of the external function 'classify' */
}
