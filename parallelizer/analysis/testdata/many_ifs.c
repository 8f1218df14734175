/* Sixty independent branches on the packet's IPv4 protocol (proto > 0, 4, ..., 236): merged into
 * one path, hops = the number of them taken = ceil(proto / 4) capped at 60. hops is the
 * key of a map lookup, so the key is an ite term over ipv4.proto. */
#include "minimal_nf.h"

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)in_port;
  (void)now;
  uint32_t hops = 0;
  if (nf_pkt_ipv4_proto(pkt) > 0) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 4) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 8) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 12) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 16) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 20) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 24) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 28) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 32) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 36) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 40) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 44) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 48) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 52) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 56) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 60) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 64) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 68) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 72) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 76) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 80) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 84) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 88) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 92) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 96) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 100) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 104) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 108) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 112) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 116) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 120) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 124) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 128) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 132) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 136) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 140) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 144) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 148) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 152) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 156) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 160) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 164) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 168) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 172) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 176) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 180) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 184) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 188) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 192) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 196) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 200) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 204) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 208) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 212) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 216) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 220) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 224) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 228) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 232) hops += 1;
  if (nf_pkt_ipv4_proto(pkt) > 236) hops += 1;
  struct addr_key key = {.addr = hops};
  int32_t index;
  if (nf_map_get(state->table, &key, &index)) return NF_DROP;
  return 1;
}
