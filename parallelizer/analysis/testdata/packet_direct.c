#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)now;
  (void)in_port;
  return pkt->data[0] == 0xff ? NF_FLOOD : 1; /* ERROR: packet structure accessed directly */
}
