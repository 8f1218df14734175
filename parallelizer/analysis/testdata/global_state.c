#include "minimal_nf.h"

static uint32_t packets_seen;

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)pkt;
  (void)now;
  packets_seen++; /* ERROR: global mutable variable 'packets_seen' */
  return in_port == 0 ? 1 : 0;
}
