/* NAT (network address and port translation): LAN TCP/UDP flows leave with
 * source (--external-ip, port_start + flow index); WAN packets to a live
 * external port whose remote endpoint and protocol match the flow are
 * translated back to the internal endpoint; anything else from the WAN is
 * dropped. Flows expire after --expiry without traffic (either direction);
 * a full table drops packets of new flows. Checksums stay correct (nflib's
 * setters update them incrementally).
 *
 * The external port of a flow is its dchain index plus --port-start, so the
 * port range has exactly --max-flows ports. In parallel builds each core's
 * dchain hands out a disjoint index range, which keeps ports unique.
 *
 * Malformed-packet rule: only complete TCP/UDP frames are translated; every
 * other frame (non-IPv4, other protocols, fragments, truncated or bad headers)
 * is dropped on both sides. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/time.h"
#include "nflib/vector.h"
#include "nfs/common/options.h"

const char *const nf_name = "nat";

#define NAT_PORT_LIMIT 65536u

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t external_ip; /* host byte order */
  uint32_t port_start;  /* first external port; the range is [port_start, port_start + max_flows) */
  uint32_t max_flows;   /* power of two: capacity of the flow table */
  nf_time_t expiry;     /* ns without traffic before a flow is forgotten */
};

/* A flow as seen from the LAN: internal endpoint and remote (external) endpoint. */
struct flow_key {
  uint32_t int_ip;
  uint32_t ext_ip;
  uint16_t int_port;
  uint16_t ext_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow_key)

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(flow_key_bytes, struct flow_key)
*/

struct nf_state {
  struct nf_config cfg;
  struct nf_map *flow_table;    /* flow_key -> flow index */
  struct nf_vector *flow_keys;  /* flow index -> flow_key (translation back, expiry) */
  struct nf_dchain *flow_chain; /* allocated flow indexes = external ports - port_start */
};

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_EXTERNAL_IP,
  OPT_PORT_START,
  OPT_MAX_FLOWS,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"external-ip", required_argument, NULL, OPT_EXTERNAL_IP},
    {"port-start", required_argument, NULL, OPT_PORT_START},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(
      out,
      "nat options:\n"
      "  --external-ip A  the NAT's public IPv4 address (required)\n"
      "  --lan-port N     port of the internal network (default 0)\n"
      "  --wan-port N     port of the outside network (default 1)\n"
      "  --port-start P   first external port (default 1024)\n"
      "  --max-flows N    flow table capacity = number of external ports, a power of two\n"
      "                   (default 32768; port-start + max-flows <= 65536)\n"
      "  --expiry T       idle time before a flow is forgotten, e.g. 10s, 500ms (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .external_ip = 0,
                          .port_start = 1024,
                          .max_flows = 32768,
                          .expiry = 10 * NF_NS_PER_SEC};
  bool have_external_ip = false;
  uint64_t value = 0;
  int opt;
  optind = 0;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "+:", long_options, NULL)) != -1) {
    switch (opt) {
      case OPT_LAN_PORT:
        if (!nf_opt_parse_u64("--lan-port", optarg, 0, 1, &value, err, err_len)) return NULL;
        cfg.lan_port = (uint16_t)value;
        break;
      case OPT_WAN_PORT:
        if (!nf_opt_parse_u64("--wan-port", optarg, 0, 1, &value, err, err_len)) return NULL;
        cfg.wan_port = (uint16_t)value;
        break;
      case OPT_EXTERNAL_IP:
        if (!nf_opt_parse_ipv4("--external-ip", optarg, &cfg.external_ip, err, err_len)) {
          return NULL;
        }
        have_external_ip = true;
        break;
      case OPT_PORT_START:
        if (!nf_opt_parse_u64("--port-start", optarg, 1, 65535, &value, err, err_len)) return NULL;
        cfg.port_start = (uint32_t)value;
        break;
      case OPT_MAX_FLOWS:
        if (!nf_opt_parse_pow2("--max-flows", optarg, 1, 32768, &value, err, err_len)) return NULL;
        cfg.max_flows = (uint32_t)value;
        break;
      case OPT_EXPIRY:
        if (!nf_opt_parse_duration("--expiry", optarg, &cfg.expiry, err, err_len)) return NULL;
        break;
      default:
        nf_opt_getopt_error(opt, argv, optind, err, err_len);
        return NULL;
    }
  }
  if (optind < argc) {
    nf_opt_fail(err, err_len, "unexpected argument '%s'", argv[optind]);
    return NULL;
  }
  if (!have_external_ip) {
    nf_opt_fail(err, err_len, "missing --external-ip: the NAT needs its public IPv4 address");
    return NULL;
  }
  if (cfg.port_start + cfg.max_flows > NAT_PORT_LIMIT) {
    nf_opt_fail(err, err_len,
                "external port range too large: --port-start %u + --max-flows %u goes past port "
                "65535; lower one of them",
                cfg.port_start, cfg.max_flows);
    return NULL;
  }
  if (!nf_opt_check_distinct_ports("--lan-port", cfg.lan_port, "--wan-port", cfg.wan_port, err,
                                   err_len)) {
    return NULL;
  }
  struct nf_config *result = malloc(sizeof(*result));
  if (result == NULL) {
    nf_opt_fail(err, err_len, "out of memory");
    return NULL;
  }
  *result = cfg;
  return result;
}

uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) {
    nf_opt_fail(err, err_len, "out of memory for the NAT state");
    return NULL;
  }
  state->cfg = *cfg;
  state->flow_table = nf_map_create("flow_table", cfg->max_flows, sizeof(struct flow_key),
                                    flow_key_hash, flow_key_eq);
  state->flow_keys = nf_vector_create("flow_keys", cfg->max_flows, sizeof(struct flow_key), NULL);
  state->flow_chain = nf_dchain_create("flow_chain", cfg->max_flows);
  if (state->flow_table == NULL || state->flow_keys == NULL || state->flow_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate a flow table of %u flows", cfg->max_flows);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): a live flow
 * table of flow_key keys; a key vector of flow_key cells (nf_expire_items
 * reads each key back from it; the WAN side reads the flow of an allocated
 * index) with exactly the chain's indexes; the chain's capacity within
 * dchain.h's published limit (nf_expire_items' count bound); the external
 * ports inside 16 bits and the expiry positive (nf_config_parse checks
 * both). nf_state_create establishes it (assumed, as nflib's constructors:
 * start-up code is not proved). */
/*@ predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 &&
      s->cfg.port_start + s->cfg.max_flows <= NAT_PORT_LIMIT &&
      nf_expiry_triple_ok(s->flow_table, s->flow_keys, s->flow_chain, sizeof(struct flow_key));
*/

/*@ requires nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    assigns \nothing; */
static struct flow_key flow_key_from_lan(const struct nf_packet *pkt) {
  struct flow_key key = {
      .int_ip = nf_pkt_ipv4_src(pkt),
      .ext_ip = nf_pkt_ipv4_dst(pkt),
      .int_port = nf_pkt_l4_src_port(pkt),
      .ext_port = nf_pkt_l4_dst_port(pkt),
      .proto = nf_pkt_ipv4_proto(pkt),
      .pad = {0, 0, 0},
  };
  return key;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    ensures state_ok(state); */
static int process_lan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct flow_key key = flow_key_from_lan(pkt);
  //@ ghost flow_key_bytes(&key);
  int32_t index = 0;
  if (nf_map_get(state->flow_table, &key, &index)) {
    nf_dchain_rejuvenate(state->flow_chain, index, now);
  } else {
    if (!nf_dchain_allocate(state->flow_chain, now, &index)) return NF_DROP; /* table full */
    nf_vector_return(state->flow_keys, index, &key);
    nf_map_put(state->flow_table, &key, index);
  }
  nf_pkt_set_ipv4_src(pkt, state->cfg.external_ip);
  nf_pkt_set_l4_src_port(pkt, (uint16_t)(state->cfg.port_start + (uint32_t)index));
  return state->cfg.wan_port;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    ensures state_ok(state); */
static int process_wan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  if (nf_pkt_ipv4_dst(pkt) != state->cfg.external_ip) return NF_DROP;
  int32_t index = (int32_t)nf_pkt_l4_dst_port(pkt) - (int32_t)state->cfg.port_start;
  if (index < 0 || index >= (int32_t)state->cfg.max_flows) return NF_DROP;
  if (!nf_dchain_is_allocated(state->flow_chain, index)) return NF_DROP;
  struct flow_key flow;
  //@ ghost flow_key_bytes(&flow);
  nf_vector_borrow(state->flow_keys, index, &flow);
  if (flow.ext_ip != nf_pkt_ipv4_src(pkt) || flow.ext_port != nf_pkt_l4_src_port(pkt) ||
      flow.proto != nf_pkt_ipv4_proto(pkt)) {
    return NF_DROP; /* not the remote endpoint this port was handed out for */
  }
  nf_dchain_rejuvenate(state->flow_chain, index, now);
  nf_pkt_set_ipv4_dst(pkt, flow.int_ip);
  nf_pkt_set_l4_dst_port(pkt, flow.int_port);
  return state->cfg.lan_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->flow_chain, state->flow_keys, state->flow_table, now - state->cfg.expiry);
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) return NF_DROP;
  if (in_port == state->cfg.lan_port) return process_lan(state, pkt, now);
  return process_wan(state, pkt, now);
}
