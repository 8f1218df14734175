/* Firewall: LAN-initiated TCP/UDP flows are recorded (5-tuple) and refreshed by
 * traffic in both directions; a WAN packet passes only when it is the reverse of
 * a live flow. Flows expire after --expiry without traffic; when the table is
 * full, packets of new LAN flows are dropped.
 *
 * Dual stack: IPv4 and IPv6 flows live in separate tables (flow_* and flow6_*),
 * each of --max-flows flows, so a key never matches across families and the
 * IPv4 behaviour is that of the IPv4-only firewall.
 *
 * Malformed-packet rule: from the LAN, TCP/UDP frames are tracked, other
 * well-formed frames (neither IP family, other protocols, fragments of either
 * family) pass untracked, malformed frames (truncated, bad IPv4 or IPv6 header
 * or extension chain) are dropped. From the WAN, only complete TCP/UDP frames
 * of a live flow pass; everything else is dropped. */
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

const char *const nf_name = "firewall";

#define FW_MAX_FLOWS_LIMIT (1u << 24)

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t max_flows; /* power of two: capacity of the flow table */
  nf_time_t expiry;   /* ns without traffic before a flow is forgotten */
};

/* A flow as seen from the LAN: internal (LAN) endpoint and external endpoint. */
struct flow_key {
  uint32_t int_ip;
  uint32_t ext_ip;
  uint16_t int_port;
  uint16_t ext_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow_key)

/* The IPv6 twin of flow_key. */
struct flow6_key {
  struct nf_ipv6_addr int_ip;
  struct nf_ipv6_addr ext_ip;
  uint16_t int_port;
  uint16_t ext_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow6_key)

struct nf_state {
  struct nf_config cfg;
  struct nf_map *flow_table;    /* flow_key -> flow index */
  struct nf_vector *flow_keys;  /* flow index -> flow_key (for expiry) */
  struct nf_dchain *flow_chain; /* allocated flow indexes, by last use */
  struct nf_map *flow6_table;   /* the same for IPv6 flows: flow6_key -> index */
  struct nf_vector *flow6_keys;
  struct nf_dchain *flow6_chain;
};

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_MAX_FLOWS,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(
      out,
      "firewall options:\n"
      "  --lan-port N     port of the protected network (default 0)\n"
      "  --wan-port N     port of the outside network (default 1)\n"
      "  --max-flows N    flow table capacity per address family, a power of two (default 65536)\n"
      "  --expiry T       idle time before a flow is forgotten, e.g. 10s, 500ms (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {
      .lan_port = 0, .wan_port = 1, .max_flows = 65536, .expiry = 10 * NF_NS_PER_SEC};
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
      case OPT_MAX_FLOWS:
        if (!nf_opt_parse_pow2("--max-flows", optarg, 1, FW_MAX_FLOWS_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
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
    nf_opt_fail(err, err_len, "out of memory for the firewall state");
    return NULL;
  }
  state->cfg = *cfg;
  state->flow_table = nf_map_create("flow_table", cfg->max_flows, sizeof(struct flow_key),
                                    flow_key_hash, flow_key_eq);
  state->flow_keys = nf_vector_create("flow_keys", cfg->max_flows, sizeof(struct flow_key), NULL);
  state->flow_chain = nf_dchain_create("flow_chain", cfg->max_flows);
  state->flow6_table = nf_map_create("flow6_table", cfg->max_flows, sizeof(struct flow6_key),
                                     flow6_key_hash, flow6_key_eq);
  state->flow6_keys =
      nf_vector_create("flow6_keys", cfg->max_flows, sizeof(struct flow6_key), NULL);
  state->flow6_chain = nf_dchain_create("flow6_chain", cfg->max_flows);
  if (state->flow_table == NULL || state->flow_keys == NULL || state->flow_chain == NULL ||
      state->flow6_table == NULL || state->flow6_keys == NULL || state->flow6_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate two flow tables (IPv4, IPv6) of %u flows",
                cfg->max_flows);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs), per family:
 * a live flow table, key vector and chain, the table's keys and the vector's
 * cells of the family's key size (nf_expire_items reads each key back from
 * the vector), and the chain's indexes exactly the vector's (a new flow's
 * index is a cell). The IPv4 and IPv6 objects are distinct, so an operation
 * on one family leaves the other's as it was. nf_state_create establishes it
 * (the configured expiry is positive: nf_opt_parse_duration). */
/*@ predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 &&
      s->flow_table != s->flow6_table && s->flow_keys != s->flow6_keys &&
      s->flow_chain != s->flow6_chain &&
      nf_expiry_triple_ok(s->flow_table, s->flow_keys, s->flow_chain, sizeof(struct flow_key)) &&
      nf_expiry_triple_ok(s->flow6_table, s->flow6_keys, s->flow6_chain, sizeof(struct flow6_key));
*/

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(flow_key_bytes, struct flow_key)
  NF_BYTES_VIEW(flow6_key_bytes, struct flow6_key)
*/

/* Key of a LAN -> WAN packet: its source is the internal endpoint. */
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

/* Key of a WAN -> LAN packet: its destination is the internal endpoint. */
/*@ requires nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    assigns \nothing; */
static struct flow_key flow_key_from_wan(const struct nf_packet *pkt) {
  struct flow_key key = {
      .int_ip = nf_pkt_ipv4_dst(pkt),
      .ext_ip = nf_pkt_ipv4_src(pkt),
      .int_port = nf_pkt_l4_dst_port(pkt),
      .ext_port = nf_pkt_l4_src_port(pkt),
      .proto = nf_pkt_ipv4_proto(pkt),
      .pad = {0, 0, 0},
  };
  return key;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int process_lan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct flow_key key = flow_key_from_lan(pkt);
  int32_t index = 0;
  /*@ ghost flow_key_bytes(&key); */
  if (nf_map_get(state->flow_table, &key, &index)) {
    nf_dchain_rejuvenate(state->flow_chain, index, now);
    /*@ assert state_ok(state); */
    return state->cfg.wan_port;
  }
  if (!nf_dchain_allocate(state->flow_chain, now, &index)) return NF_DROP; /* table full */
  /*@ assert state_ok(state); */
  /*@ assert nf_vector_live(state->flow6_keys) &&
              nf_vector_cell_size(state->flow6_keys) == sizeof(struct flow6_key) &&
              nf_vector_base(state->flow6_keys) == nf_dchain_base(state->flow6_chain) &&
              nf_vector_capacity_of(state->flow6_keys) == nf_dchain_capacity_of(state->flow6_chain);
   */
  nf_vector_return(state->flow_keys, index, &key);
  /*@ assert nf_vector_live(state->flow6_keys) &&
              nf_vector_cell_size(state->flow6_keys) == sizeof(struct flow6_key) &&
              nf_vector_base(state->flow6_keys) == nf_dchain_base(state->flow6_chain) &&
              nf_vector_capacity_of(state->flow6_keys) == nf_dchain_capacity_of(state->flow6_chain);
   */
  /*@ assert nf_expiry_triple_ok(state->flow6_table, state->flow6_keys, state->flow6_chain,
                                   sizeof(struct flow6_key)); */
  /*@ assert nf_expiry_triple_ok(state->flow_table, state->flow_keys, state->flow_chain,
                                   sizeof(struct flow_key)); */
  /*@ assert state_ok(state); */
  nf_map_put(state->flow_table, &key, index);
  /*@ assert nf_expiry_triple_ok(state->flow6_table, state->flow6_keys, state->flow6_chain,
                                   sizeof(struct flow6_key)); */
  /*@ assert nf_expiry_triple_ok(state->flow_table, state->flow_keys, state->flow_chain,
                                   sizeof(struct flow_key)); */
  /*@ assert state_ok(state); */
  return state->cfg.wan_port;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int process_wan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct flow_key key = flow_key_from_wan(pkt);
  int32_t index = 0;
  /*@ ghost flow_key_bytes(&key); */
  if (!nf_map_get(state->flow_table, &key, &index)) return NF_DROP;
  nf_dchain_rejuvenate(state->flow_chain, index, now);
  return state->cfg.lan_port;
}

/*@ requires nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK;
    assigns \nothing; */
static struct flow6_key flow6_key_from_lan(const struct nf_packet *pkt) {
  struct flow6_key key = {
      .int_ip = nf_pkt_ipv6_src(pkt),
      .ext_ip = nf_pkt_ipv6_dst(pkt),
      .int_port = nf_pkt_l4_src_port(pkt),
      .ext_port = nf_pkt_l4_dst_port(pkt),
      .proto = nf_pkt_ipv6_proto(pkt),
      .pad = {0, 0, 0},
  };
  return key;
}

/*@ requires nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK;
    assigns \nothing; */
static struct flow6_key flow6_key_from_wan(const struct nf_packet *pkt) {
  struct flow6_key key = {
      .int_ip = nf_pkt_ipv6_dst(pkt),
      .ext_ip = nf_pkt_ipv6_src(pkt),
      .int_port = nf_pkt_l4_dst_port(pkt),
      .ext_port = nf_pkt_l4_src_port(pkt),
      .proto = nf_pkt_ipv6_proto(pkt),
      .pad = {0, 0, 0},
  };
  return key;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int process_lan6(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct flow6_key key = flow6_key_from_lan(pkt);
  int32_t index = 0;
  /*@ ghost flow6_key_bytes(&key); */
  if (nf_map_get(state->flow6_table, &key, &index)) {
    nf_dchain_rejuvenate(state->flow6_chain, index, now);
    /*@ assert state_ok(state); */
    return state->cfg.wan_port;
  }
  if (!nf_dchain_allocate(state->flow6_chain, now, &index)) return NF_DROP; /* table full */
  /*@ assert state_ok(state); */
  /*@ assert nf_vector_live(state->flow_keys) &&
              nf_vector_cell_size(state->flow_keys) == sizeof(struct flow_key) &&
              nf_vector_base(state->flow_keys) == nf_dchain_base(state->flow_chain) &&
              nf_vector_capacity_of(state->flow_keys) == nf_dchain_capacity_of(state->flow_chain);
   */
  nf_vector_return(state->flow6_keys, index, &key);
  /*@ assert nf_vector_live(state->flow_keys) &&
              nf_vector_cell_size(state->flow_keys) == sizeof(struct flow_key) &&
              nf_vector_base(state->flow_keys) == nf_dchain_base(state->flow_chain) &&
              nf_vector_capacity_of(state->flow_keys) == nf_dchain_capacity_of(state->flow_chain);
   */
  /*@ assert nf_expiry_triple_ok(state->flow_table, state->flow_keys, state->flow_chain,
                                   sizeof(struct flow_key)); */
  /*@ assert nf_expiry_triple_ok(state->flow6_table, state->flow6_keys, state->flow6_chain,
                                   sizeof(struct flow6_key)); */
  /*@ assert state_ok(state); */
  nf_map_put(state->flow6_table, &key, index);
  /*@ assert nf_expiry_triple_ok(state->flow_table, state->flow_keys, state->flow_chain,
                                   sizeof(struct flow_key)); */
  /*@ assert nf_expiry_triple_ok(state->flow6_table, state->flow6_keys, state->flow6_chain,
                                   sizeof(struct flow6_key)); */
  /*@ assert state_ok(state); */
  return state->cfg.wan_port;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int process_wan6(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct flow6_key key = flow6_key_from_wan(pkt);
  int32_t index = 0;
  /*@ ghost flow6_key_bytes(&key); */
  if (!nf_map_get(state->flow6_table, &key, &index)) return NF_DROP;
  nf_dchain_rejuvenate(state->flow6_chain, index, now);
  return state->cfg.lan_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->flow_chain, state->flow_keys, state->flow_table, now - state->cfg.expiry);
  /*@ assert nf_expiry_triple_ok(state->flow_table, state->flow_keys, state->flow_chain,
                       sizeof(struct flow_key)); */
  /*@ assert nf_expiry_triple_ok(state->flow6_table, state->flow6_keys, state->flow6_chain,
                       sizeof(struct flow6_key)); */
  nf_expire_items(state->flow6_chain, state->flow6_keys, state->flow6_table,
                  now - state->cfg.expiry);
  /*@ assert nf_expiry_triple_ok(state->flow6_table, state->flow6_keys, state->flow6_chain,
                       sizeof(struct flow6_key)); */
  /*@ assert nf_expiry_triple_ok(state->flow_table, state->flow_keys, state->flow_chain,
                       sizeof(struct flow_key)); */
  enum nf_parse_status status = nf_pkt_status(pkt);
  if (in_port == state->cfg.lan_port) {
    if (status == NF_PKT_L4_OK) return process_lan(state, pkt, now);
    if (status == NF_PKT_IPV6_L4_OK) return process_lan6(state, pkt, now);
    if (status == NF_PKT_IPV4_OTHER || status == NF_PKT_FRAGMENT || status == NF_PKT_NOT_IPV4 ||
        status == NF_PKT_IPV6_OTHER || status == NF_PKT_IPV6_FRAGMENT) {
      return state->cfg.wan_port;
    }
    return NF_DROP;
  }
  if (status == NF_PKT_L4_OK) return process_wan(state, pkt, now);
  if (status == NF_PKT_IPV6_L4_OK) return process_wan6(state, pkt, now);
  return NF_DROP;
}
