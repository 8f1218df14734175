#include "minimal_nf.h"

static int to_wan(uint16_t in_port) { return in_port + 1; }

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)pkt;
  (void)now;
  int (*route)(uint16_t) = to_wan;
  return route(in_port); /* ERROR: call through the function pointer 'route' */
}
