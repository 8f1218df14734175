/* Test NF for the analyzer: a firewall. LAN flows are recorded; WAN packets
 * pass only when the reversed flow is known. Uses a switch on the port, a
 * helper that fills a key through a pointer, and a bounded loop. */
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/vector.h"

const char *const nf_name = "firewall_like";

#define LAN 0
#define WAN 1
#define BLOCKED_PROTOS 2

struct nf_config {
  uint32_t max_flows;
};

static const struct nf_config default_config = {.max_flows = 4096};

struct flow_key {
  uint32_t int_ip;
  uint32_t ext_ip;
  uint16_t int_port;
  uint16_t ext_port;
};
NF_KEY_DECLARE(flow_key)

struct nf_state {
  struct nf_map *flows;
  struct nf_dchain *chain;
};

static const uint8_t blocked_protos[BLOCKED_PROTOS] = {1, 47};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argc;
  (void)argv;
  (void)err;
  (void)err_len;
  struct nf_config *cfg = malloc(sizeof(*cfg));
  if (cfg != NULL) *cfg = default_config;
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
  state->flows = nf_map_create("flows", cfg->max_flows, sizeof(struct flow_key), flow_key_hash, flow_key_eq);
  state->chain = nf_dchain_create("chain", cfg->max_flows);
  return state;
}

static void fill_key(struct flow_key *key, uint32_t int_ip, uint32_t ext_ip, uint16_t int_port,
                     uint16_t ext_port) {
  key->int_ip = int_ip;
  key->ext_ip = ext_ip;
  key->int_port = int_port;
  key->ext_port = ext_port;
}

static bool blocked(uint8_t proto) {
  for (int i = 0; i < BLOCKED_PROTOS; i++) {
    if (blocked_protos[i] == proto) return true;
  }
  return false;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK || blocked(nf_pkt_ipv4_proto(pkt))) return NF_DROP;
  struct flow_key key;
  int32_t index;
  switch (in_port) {
    case LAN:
      fill_key(&key, nf_pkt_ipv4_src(pkt), nf_pkt_ipv4_dst(pkt), nf_pkt_l4_src_port(pkt),
               nf_pkt_l4_dst_port(pkt));
      if (nf_map_get(state->flows, &key, &index)) {
        nf_dchain_rejuvenate(state->chain, index, now);
      } else if (nf_dchain_allocate(state->chain, now, &index)) {
        nf_map_put(state->flows, &key, index);
      }
      return WAN;
    default:
      fill_key(&key, nf_pkt_ipv4_dst(pkt), nf_pkt_ipv4_src(pkt), nf_pkt_l4_dst_port(pkt),
               nf_pkt_l4_src_port(pkt));
      if (!nf_map_get(state->flows, &key, &index)) return NF_DROP;
      nf_dchain_rejuvenate(state->chain, index, now);
      return LAN;
  }
}
