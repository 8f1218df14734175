/* Test NF of the CLI checks (bad_inputs_test, fuzz_test): a two-port
 * forwarder whose ports and flow capacity come from its config, so --config
 * and --ports mistakes have something to hit. Counts flows per source. */
#include <stdlib.h>

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/nf.h"

const char *const nf_name = "two_port_nf";

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t max_flows;
};

struct src_key {
  uint32_t ip;
};
NF_KEY_DECLARE(src_key)

struct nf_state {
  struct nf_map *sources;
  struct nf_dchain *chain;
  struct nf_config cfg;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argc;
  (void)argv;
  (void)err;
  (void)err_len;
  struct nf_config *cfg = malloc(sizeof(*cfg));
  if (cfg == NULL) return NULL;
  cfg->lan_port = 0;
  cfg->wan_port = 1;
  cfg->max_flows = 1024;
  return cfg;
}

uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  (void)err;
  (void)err_len;
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) return NULL;
  state->sources = nf_map_create("sources", cfg->max_flows, sizeof(struct src_key), src_key_hash, src_key_eq);
  state->chain = nf_dchain_create("chain", cfg->max_flows);
  state->cfg = *cfg;
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) return NF_DROP;
  if (in_port != state->cfg.lan_port) return state->cfg.lan_port;
  struct src_key key = {.ip = nf_pkt_ipv4_src(pkt)};
  int32_t index;
  if (nf_map_get(state->sources, &key, &index)) {
    nf_dchain_rejuvenate(state->chain, index, now);
  } else if (nf_dchain_allocate(state->chain, now, &index)) {
    nf_map_put(state->sources, &key, index);
  }
  return state->cfg.wan_port;
}
