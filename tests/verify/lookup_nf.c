/* A minimal NF for the negative control of :verify (tests/verify): a port
 * table indexed by the EtherType. LOOKUP_MOD 4 keeps every index inside the
 * table; the build of bad_lookup_nf.c sets 5, one past its end, which WP must
 * refuse (an out-of-bounds read on the packet path). */
#include "nflib/nf.h"

#ifndef LOOKUP_MOD
#define LOOKUP_MOD 4
#endif

static const int lookup_ports[4] = {0, 1, 0, 1};

/*@ requires nf_pkt_ok(pkt); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)in_port;
  (void)now;
  if (nf_pkt_status(pkt) == NF_PKT_TRUNCATED_ETH) return NF_DROP;
  return lookup_ports[nf_pkt_eth_type(pkt) % LOOKUP_MOD];
}
