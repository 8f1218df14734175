/* An if/else choosing the source of a map key: merged, the key is
 * ite(ipv4.proto == 6, ipv4.src, ipv4.dst). */
#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)in_port;
  (void)now;
  struct addr_key key;
  if (nf_pkt_ipv4_proto(pkt) == 6)
    key.addr = nf_pkt_ipv4_src(pkt);
  else
    key.addr = nf_pkt_ipv4_dst(pkt);
  int32_t index;
  if (nf_map_get(state->table, &key, &index)) return NF_DROP;
  return 1;
}
