/* Five independent branches that each read state, so they cannot be merged: 2^5 paths
 * per input port (64 over both ports) before the outcome split. Under --max_paths=20 the
 * analysis stops on port 0 during the fifth branch; the branch that forked most by then
 * is the fourth (8 forks). */
#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)in_port;
  (void)now;
  struct addr_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  if (nf_pkt_ipv4_proto(pkt) == 6) nf_map_get(state->table, &key, &index);
  if (nf_pkt_l4_src_port(pkt) == 53) nf_map_get(state->table, &key, &index);
  if (nf_pkt_l4_dst_port(pkt) == 80) nf_map_get(state->table, &key, &index);
  if (nf_pkt_tcp_flags(pkt) == 2) nf_map_get(state->table, &key, &index); /* BUDGET: forked most */
  if (nf_pkt_len(pkt) > 1000) nf_map_get(state->table, &key, &index);
  return 1;
}
