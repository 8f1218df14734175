/* Not merged: the condition reads a value from state, which must stay a path condition
 * (relations between packets are derived from path conditions). */
#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)in_port;
  (void)now;
  struct addr_cell cell;
  nf_vector_borrow(state->cells, 0, &cell);
  int out = 0;
  if (cell.addr == nf_pkt_ipv4_src(pkt)) out = 1;
  return out;
}
