/* Connection limiter: counts the distinct TCP/UDP connections (5-tuples) that
 * each (source IP, destination IP) pair opens from the LAN, in a count-min
 * sketch whose counters expire --expiry after their last increment. A packet of
 * a new connection is dropped when the pair's estimate is already at --limit;
 * packets of established connections (in the flow table, refreshed by LAN
 * traffic, expiring after --expiry) keep passing. A full flow table drops new
 * connections. WAN -> LAN traffic passes without state.
 *
 * Dual stack: IPv6 connections have their own flow table (flow6_*, --max-flows
 * besides the IPv4 ones) and their own sketch over IPv6 address pairs
 * (conn6_sketch, same width and depth), so an IPv4 pair never counts against
 * an IPv6 pair and IPv4 behaves as in the IPv4-only limiter.
 *
 * Malformed-packet rule: from the LAN, TCP/UDP frames of either family are
 * limited, other well-formed frames (neither IP family, other protocols,
 * fragments) pass uncounted; from the WAN, well-formed frames pass. Malformed
 * frames (truncated, bad IPv4 or IPv6 header or extension chain, truncated
 * TCP/UDP header) are dropped on both sides. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/sketch.h"
#include "nflib/time.h"
#include "nflib/vector.h"
#include "nfs/common/options.h"

const char *const nf_name = "conn_limiter";

#define CL_MAX_FLOWS_LIMIT (1u << 24)
#define CL_MAX_SKETCH_WIDTH (1u << 24)

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t limit;        /* connections a pair may open within the expiry window */
  uint32_t max_flows;    /* power of two: capacity of the flow table */
  uint32_t sketch_width; /* power of two: counters per sketch row */
  uint32_t sketch_depth; /* sketch rows, 1..16 */
  nf_time_t expiry;      /* ns: idle flows and untouched counters are forgotten */
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

struct pair_key {
  uint32_t src_ip;
  uint32_t dst_ip;
};
NF_KEY_DECLARE(pair_key)

/* The IPv6 twins of flow_key and pair_key. */
struct flow6_key {
  struct nf_ipv6_addr src_ip;
  struct nf_ipv6_addr dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow6_key)

struct pair6_key {
  struct nf_ipv6_addr src_ip;
  struct nf_ipv6_addr dst_ip;
};
NF_KEY_DECLARE(pair6_key)

struct nf_state {
  struct nf_config cfg;
  struct nf_map *flow_table;     /* established connections: flow_key -> index */
  struct nf_vector *flow_keys;   /* index -> flow_key (for expiry) */
  struct nf_dchain *flow_chain;  /* allocated flow indexes, by last use */
  struct nf_sketch *conn_sketch; /* pair_key -> connections opened recently */
  struct nf_map *flow6_table;    /* the same for IPv6: flow6_key -> index */
  struct nf_vector *flow6_keys;
  struct nf_dchain *flow6_chain;
  struct nf_sketch *conn6_sketch; /* pair6_key -> connections opened recently */
};

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_LIMIT,
  OPT_MAX_FLOWS,
  OPT_SKETCH_WIDTH,
  OPT_SKETCH_DEPTH,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"sketch-width", required_argument, NULL, OPT_SKETCH_WIDTH},
    {"sketch-depth", required_argument, NULL, OPT_SKETCH_DEPTH},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "conn_limiter options:\n"
          "  --lan-port N       port of the clients whose connections are limited (default 0)\n"
          "  --wan-port N       port of the outside network (default 1)\n"
          "  --limit N          connections per (source, destination) address pair (default 64)\n"
          "  --max-flows N      flow table capacity per IP family, a power of two (default 65536)\n"
          "  --sketch-width N   counters per sketch row, a power of two (default 4096)\n"
          "  --sketch-depth N   sketch rows, 1..16 (default 4)\n"
          "  --expiry T         idle time before flows and counters are forgotten (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .limit = 64,
                          .max_flows = 65536,
                          .sketch_width = 4096,
                          .sketch_depth = 4,
                          .expiry = 10 * NF_NS_PER_SEC};
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
      case OPT_LIMIT:
        if (!nf_opt_parse_u64("--limit", optarg, 1, UINT32_MAX, &value, err, err_len)) return NULL;
        cfg.limit = (uint32_t)value;
        break;
      case OPT_MAX_FLOWS:
        if (!nf_opt_parse_pow2("--max-flows", optarg, 1, CL_MAX_FLOWS_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.max_flows = (uint32_t)value;
        break;
      case OPT_SKETCH_WIDTH:
        if (!nf_opt_parse_pow2("--sketch-width", optarg, 1, CL_MAX_SKETCH_WIDTH, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.sketch_width = (uint32_t)value;
        break;
      case OPT_SKETCH_DEPTH:
        if (!nf_opt_parse_u64("--sketch-depth", optarg, 1, 16, &value, err, err_len)) return NULL;
        cfg.sketch_depth = (uint32_t)value;
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
    nf_opt_fail(err, err_len, "out of memory for the connection limiter state");
    return NULL;
  }
  state->cfg = *cfg;
  state->flow_table = nf_map_create("flow_table", cfg->max_flows, sizeof(struct flow_key),
                                    flow_key_hash, flow_key_eq);
  state->flow_keys = nf_vector_create("flow_keys", cfg->max_flows, sizeof(struct flow_key), NULL);
  state->flow_chain = nf_dchain_create("flow_chain", cfg->max_flows);
  state->conn_sketch = nf_sketch_create("conn_sketch", cfg->sketch_width, cfg->sketch_depth,
                                        sizeof(struct pair_key), cfg->expiry);
  state->flow6_table = nf_map_create("flow6_table", cfg->max_flows, sizeof(struct flow6_key),
                                     flow6_key_hash, flow6_key_eq);
  state->flow6_keys =
      nf_vector_create("flow6_keys", cfg->max_flows, sizeof(struct flow6_key), NULL);
  state->flow6_chain = nf_dchain_create("flow6_chain", cfg->max_flows);
  state->conn6_sketch = nf_sketch_create("conn6_sketch", cfg->sketch_width, cfg->sketch_depth,
                                         sizeof(struct pair6_key), cfg->expiry);
  if (state->flow_table == NULL || state->flow_keys == NULL || state->flow_chain == NULL ||
      state->conn_sketch == NULL || state->flow6_table == NULL || state->flow6_keys == NULL ||
      state->flow6_chain == NULL || state->conn6_sketch == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate %u flows and a %ux%u sketch per family",
                cfg->max_flows, cfg->sketch_depth, cfg->sketch_width);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs), per family:
 * a live flow table, key vector and chain, the table's keys and the vector's
 * cells of the family's key size (nf_expire_items reads each key back from
 * the vector), the chain's indexes exactly the vector's (a new flow's index
 * is a cell), and a live sketch over the family's address pairs. The IPv4
 * and IPv6 objects are distinct, so an operation on one family leaves the
 * other's as it was. nf_state_create establishes it (the configured expiry
 * is positive: nf_opt_parse_duration). */
/*@ predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 &&
      s->flow_table != s->flow6_table && s->flow_keys != s->flow6_keys &&
      s->flow_chain != s->flow6_chain &&
      nf_expiry_triple_ok(s->flow_table, s->flow_keys, s->flow_chain, sizeof(struct flow_key)) &&
      nf_expiry_triple_ok(s->flow6_table, s->flow6_keys, s->flow6_chain,
                          sizeof(struct flow6_key)) &&
      nf_sketch_live(s->conn_sketch) &&
      nf_sketch_key_size(s->conn_sketch) == sizeof(struct pair_key) &&
      nf_sketch_live(s->conn6_sketch) &&
      nf_sketch_key_size(s->conn6_sketch) == sizeof(struct pair6_key);
*/

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(flow_key_bytes, struct flow_key)
  NF_BYTES_VIEW(flow6_key_bytes, struct flow6_key)
  NF_BYTES_VIEW(pair_key_bytes, struct pair_key)
  NF_BYTES_VIEW(pair6_key_bytes, struct pair6_key)
*/

/* The flow key of a LAN TCP/UDP packet (IPv4). */
/*@ requires nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK;
    assigns \nothing; */
static struct flow_key flow_key_of(const struct nf_packet *pkt) {
  struct flow_key key = {
      .src_ip = nf_pkt_ipv4_src(pkt),
      .dst_ip = nf_pkt_ipv4_dst(pkt),
      .src_port = nf_pkt_l4_src_port(pkt),
      .dst_port = nf_pkt_l4_dst_port(pkt),
      .proto = nf_pkt_ipv4_proto(pkt),
      .pad = {0, 0, 0},
  };
  return key;
}

/* The flow key of a LAN TCP/UDP packet (IPv6). */
/*@ requires nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK;
    assigns \nothing; */
static struct flow6_key flow6_key_of(const struct nf_packet *pkt) {
  struct flow6_key key = {
      .src_ip = nf_pkt_ipv6_src(pkt),
      .dst_ip = nf_pkt_ipv6_dst(pkt),
      .src_port = nf_pkt_l4_src_port(pkt),
      .dst_port = nf_pkt_l4_dst_port(pkt),
      .proto = nf_pkt_ipv6_proto(pkt),
      .pad = {0, 0, 0},
  };
  return key;
}

/* process_lan and process_lan6 take the flow's key, not the packet: with the
 * packet's invariant (nf_pkt_ok, the parser's arithmetic) in their context, z3
 * needs far longer for each state_ok after a vector return (firewall3). The
 * asserts split the proof of state_ok per path. */
/*@ requires state_ok(state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap, nf_sketch_heap;
    ensures state_ok(state); */
static int process_lan(struct nf_state *state, struct flow_key key, nf_time_t now) {
  int32_t index = 0;
  /*@ ghost flow_key_bytes(&key); */
  if (nf_map_get(state->flow_table, &key, &index)) {
    nf_dchain_rejuvenate(state->flow_chain, index, now);
    /*@ assert state_ok(state); */
    return state->cfg.wan_port;
  }
  struct pair_key pair = {.src_ip = key.src_ip, .dst_ip = key.dst_ip};
  /*@ ghost pair_key_bytes(&pair); */
  if (nf_sketch_estimate(state->conn_sketch, &pair, now) >= state->cfg.limit) return NF_DROP;
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
  nf_sketch_increment(state->conn_sketch, &pair, now);
  /*@ assert state_ok(state); */
  return state->cfg.wan_port;
}

/*@ requires state_ok(state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap, nf_sketch_heap;
    ensures state_ok(state); */
static int process_lan6(struct nf_state *state, struct flow6_key key, nf_time_t now) {
  int32_t index = 0;
  /*@ ghost flow6_key_bytes(&key); */
  if (nf_map_get(state->flow6_table, &key, &index)) {
    nf_dchain_rejuvenate(state->flow6_chain, index, now);
    /*@ assert state_ok(state); */
    return state->cfg.wan_port;
  }
  struct pair6_key pair = {.src_ip = key.src_ip, .dst_ip = key.dst_ip};
  /*@ ghost pair6_key_bytes(&pair); */
  if (nf_sketch_estimate(state->conn6_sketch, &pair, now) >= state->cfg.limit) return NF_DROP;
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
  nf_sketch_increment(state->conn6_sketch, &pair, now);
  /*@ assert state_ok(state); */
  return state->cfg.wan_port;
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
  bool well_formed = status == NF_PKT_L4_OK || status == NF_PKT_IPV4_OTHER ||
                     status == NF_PKT_FRAGMENT || status == NF_PKT_NOT_IPV4 ||
                     status == NF_PKT_IPV6_L4_OK || status == NF_PKT_IPV6_OTHER ||
                     status == NF_PKT_IPV6_FRAGMENT;
  if (!well_formed) return NF_DROP;
  if (in_port == state->cfg.lan_port) {
    if (status == NF_PKT_L4_OK) return process_lan(state, flow_key_of(pkt), now);
    if (status == NF_PKT_IPV6_L4_OK) return process_lan6(state, flow6_key_of(pkt), now);
    return state->cfg.wan_port;
  }
  return state->cfg.lan_port;
}
