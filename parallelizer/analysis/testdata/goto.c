#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)now;
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) goto drop; /* ERROR: goto drop */
  return in_port == 0 ? 1 : 0;
drop:
  return NF_DROP;
}
