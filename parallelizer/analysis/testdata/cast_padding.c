#include "minimal_nf.h"

struct padded_key {
  uint32_t addr;
  uint8_t proto; /* followed by 3 bytes of padding */
};

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)now;
  (void)in_port;
  struct padded_key key = {.addr = nf_pkt_ipv4_src(pkt), .proto = nf_pkt_ipv4_proto(pkt)};
  uint8_t *bytes = (uint8_t *)&key;
  bytes[5] = 0; /* ERROR: access through a pointer cast to padding bytes of struct padded_key */
  return key.proto == 6 ? 1 : 0;
}
