/* NOP: forwards every frame from port 0 to port 1 and back, untouched, with no
 * state. The baseline of every measurement and the smallest NF the pipeline
 * must handle. Malformed frames are forwarded too: NOP never looks inside. */
#include <stdlib.h>
#include <string.h>

#include "nflib/nf.h"

const char *const nf_name = "nop";

struct nf_config {
  uint16_t port_count;
};

struct nf_state {
  struct nf_config config;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  if (argc > 1) {
    snprintf(err, err_len, "unexpected argument '%s': nop takes no options", argv[1]);
    return NULL;
  }
  struct nf_config *cfg = calloc(1, sizeof(*cfg));
  if (cfg == NULL) {
    snprintf(err, err_len, "out of memory");
    return NULL;
  }
  cfg->port_count = 2;
  return cfg;
}

void nf_config_usage(FILE *out) {
  fprintf(out, "nop: no options; forwards port 0 <-> 1\n");
}

uint16_t nf_port_count(const struct nf_config *cfg) {
  return cfg->port_count;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) {
    snprintf(err, err_len, "out of memory");
    return NULL;
  }
  state->config = *cfg;
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)state;
  (void)pkt;
  (void)now;
  if (in_port == 0) return 1;
  return 0;
}
