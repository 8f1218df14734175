#include "minimal_nf.h"

struct fake_map {
  uint32_t size;
};

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)pkt;
  (void)now;
  (void)in_port;
  const struct fake_map *raw = (const struct fake_map *)state->table;
  return raw->size > 0 ? 1 : 0; /* ERROR: state object 'table' dereferenced */
}
