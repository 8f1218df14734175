/* A branch on a product of packet fields, which the solver cannot decide within 1 ms. */
#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  uint64_t a = nf_pkt_ipv4_src(pkt), b = nf_pkt_ipv4_dst(pkt), c = nf_pkt_len(pkt);
  if (a * b * c + a * a * b == 0x123456789abcdefULL) return NF_DROP; /* SOLVER: undecided */
  if (nf_pkt_ipv4_proto(pkt) == 6) return NF_DROP;
  return 1;
}
