#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)pkt;
  (void)now;
  state->cfg.wan_port = in_port; /* ERROR: nf_process writes state field 'cfg.wan_port' directly */
  return 1;
}
