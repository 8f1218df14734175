/* Test NF for the analyzer: a NAT. LAN flows get an external port
 * port_start + index; replies from the WAN come back to that port and pass only
 * when they come from the flow's remote endpoint. */
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/vector.h"

const char *const nf_name = "nat_like";

#define NAT_MAX_FLOWS 1024

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t external_ip;
  uint16_t port_start;
  uint32_t max_flows;
  nf_time_t expiry;
};

struct flow_key {
  uint32_t src_ip;
  uint32_t dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow_key)

struct nf_state {
  struct nf_config cfg;
  struct nf_map *flows;
  struct nf_vector *flow_keys;
  struct nf_dchain *ports;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argv;
  if (argc > 1) {
    snprintf(err, err_len, "no options");
    return NULL;
  }
  struct nf_config *cfg = calloc(1, sizeof(*cfg));
  if (cfg == NULL) return NULL;
  cfg->lan_port = 0;
  cfg->wan_port = 1;
  cfg->external_ip = 0x0a000001;
  cfg->port_start = 1024;
  cfg->max_flows = NAT_MAX_FLOWS;
  cfg->expiry = 10 * NF_NS_PER_SEC;
  return cfg;
}

void nf_config_usage(FILE *out) { fprintf(out, "nat_like: no options\n"); }

uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) return NULL;
  state->cfg = *cfg;
  state->flows = nf_map_create("flows", cfg->max_flows, sizeof(struct flow_key), flow_key_hash, flow_key_eq);
  state->flow_keys = nf_vector_create("flow_keys", cfg->max_flows, sizeof(struct flow_key), NULL);
  state->ports = nf_dchain_create("ports", cfg->max_flows);
  if (state->flows == NULL || state->flow_keys == NULL || state->ports == NULL) {
    snprintf(err, err_len, "out of memory");
    return NULL;
  }
  return state;
}

static int from_lan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct flow_key key;
  memset(&key, 0, sizeof(key));
  key.src_ip = nf_pkt_ipv4_src(pkt);
  key.dst_ip = nf_pkt_ipv4_dst(pkt);
  key.src_port = nf_pkt_l4_src_port(pkt);
  key.dst_port = nf_pkt_l4_dst_port(pkt);
  key.proto = nf_pkt_ipv4_proto(pkt);
  int32_t index;
  if (nf_map_get(state->flows, &key, &index)) {
    nf_dchain_rejuvenate(state->ports, index, now);
  } else {
    if (!nf_dchain_allocate(state->ports, now, &index)) return NF_DROP;
    nf_vector_return(state->flow_keys, index, &key);
    nf_map_put(state->flows, &key, index);
  }
  nf_pkt_set_ipv4_src(pkt, state->cfg.external_ip);
  nf_pkt_set_l4_src_port(pkt, (uint16_t)(state->cfg.port_start + index));
  return state->cfg.wan_port;
}

static int from_wan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  int32_t index = (int32_t)nf_pkt_l4_dst_port(pkt) - state->cfg.port_start;
  if (index < 0 || index >= (int32_t)state->cfg.max_flows) return NF_DROP;
  if (!nf_dchain_is_allocated(state->ports, index)) return NF_DROP;
  struct flow_key key;
  nf_vector_borrow(state->flow_keys, index, &key);
  if (key.dst_ip != nf_pkt_ipv4_src(pkt) || key.dst_port != nf_pkt_l4_src_port(pkt)) return NF_DROP;
  nf_dchain_rejuvenate(state->ports, index, now);
  nf_pkt_set_ipv4_dst(pkt, key.src_ip);
  nf_pkt_set_l4_dst_port(pkt, key.src_port);
  return state->cfg.lan_port;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->ports, state->flow_keys, state->flows, now - state->cfg.expiry);
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) return NF_DROP;
  if (in_port == state->cfg.lan_port) return from_lan(state, pkt, now);
  return from_wan(state, pkt, now);
}
