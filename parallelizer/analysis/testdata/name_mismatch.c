#include <stdlib.h>

#include "nflib/dchain.h"
#include "nflib/nf.h"

const char *const nf_name = "name_mismatch";

struct nf_config {
  uint32_t capacity;
};

struct nf_state {
  struct nf_dchain *ports;
};

uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  (void)cfg;
  (void)err;
  (void)err_len;
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) return NULL;
  state->ports = nf_dchain_create("chain", 64); /* ERROR: object named "chain" is stored in state->ports */
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)pkt;
  (void)now;
  return in_port == 0 ? 1 : 0;
}
