/* Test NF for the analyzer: packets per source /24, the key's low byte
 * cleared through a byte pointer. The key must come out as
 * ipv4.src & 0xffffff00 (the same as prefix_counter_masked.c). */
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/vector.h"

const char *const nf_name = "prefix_counter_cast";

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t max_prefixes;
};

struct prefix_key {
  uint32_t prefix;
};
NF_KEY_DECLARE(prefix_key)

struct counter {
  uint64_t packets;
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *prefixes;
  struct nf_dchain *slots;
  struct nf_vector *counters;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argc;
  (void)argv;
  (void)err;
  (void)err_len;
  struct nf_config *cfg = calloc(1, sizeof(*cfg));
  if (cfg == NULL) return NULL;
  cfg->lan_port = 0;
  cfg->wan_port = 1;
  cfg->max_prefixes = 1024;
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
  state->cfg = *cfg;
  state->prefixes =
      nf_map_create("prefixes", cfg->max_prefixes, sizeof(struct prefix_key), prefix_key_hash, prefix_key_eq);
  state->slots = nf_dchain_create("slots", cfg->max_prefixes);
  state->counters = nf_vector_create("counters", cfg->max_prefixes, sizeof(struct counter), NULL);
  if (state->prefixes == NULL || state->slots == NULL || state->counters == NULL) return NULL;
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  if (nf_pkt_status(pkt) > NF_PKT_FRAGMENT) return NF_DROP;
  struct prefix_key key;
  key.prefix = nf_pkt_ipv4_src(pkt);
  ((uint8_t *)&key)[0] = 0; /* x86-64 is little-endian: the prefix's low byte */
  int32_t index;
  if (!nf_map_get(state->prefixes, &key, &index)) {
    if (!nf_dchain_allocate(state->slots, now, &index)) return NF_DROP;
    nf_map_put(state->prefixes, &key, index);
  }
  struct counter cell;
  nf_vector_borrow(state->counters, index, &cell);
  cell.packets++;
  nf_vector_return(state->counters, index, &cell);
  return in_port == state->cfg.lan_port ? state->cfg.wan_port : state->cfg.lan_port;
}
