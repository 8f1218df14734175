/* Three-port firewall: two protected networks (LAN ports 0 and 1) share one
 * outside port (WAN port 2). A flow opened from either LAN is recorded
 * (5-tuple and the LAN it came from) and refreshed by traffic in both
 * directions; a WAN packet passes only when it is the reverse of a live flow,
 * and goes to the LAN that opened it. Flows expire after --expiry without
 * traffic; when the table is full, packets of new LAN flows are dropped.
 *
 * It exists to exercise the N-port paths of the tool chain (analysis,
 * planning with three port keys, the matrix and the DPDK runtime on three
 * ports); the logic is nfs/firewall/firewall.c's, with the LAN of each flow
 * kept next to its key.
 *
 * Malformed-packet rule (as the two-port firewall): from a LAN, TCP/UDP frames
 * are tracked, other well-formed frames pass untracked to the WAN, malformed
 * frames are dropped; from the WAN, only complete TCP/UDP frames of a live
 * flow pass. */
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

const char *const nf_name = "firewall3";

#define FW3_MAX_FLOWS_LIMIT (1u << 24)
#define FW3_WAN_PORT 2

struct nf_config {
  uint32_t max_flows; /* power of two: capacity of the flow table */
  nf_time_t expiry;   /* ns without traffic before a flow is forgotten */
};

/* A flow as seen from a LAN: internal (LAN) endpoint and external endpoint. */
struct flow_key {
  uint32_t int_ip;
  uint32_t ext_ip;
  uint16_t int_port;
  uint16_t ext_port;
  uint8_t proto;
  uint8_t pad[3];
};
NF_KEY_DECLARE(flow_key)

/* The LAN port a flow was opened from (where its replies go). */
struct lan_cell {
  uint32_t port;
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *flow_table;    /* flow_key -> flow index */
  struct nf_vector *flow_keys;  /* flow index -> flow_key (for expiry) */
  struct nf_vector *flow_lans;  /* flow index -> struct lan_cell */
  struct nf_dchain *flow_chain; /* allocated flow indexes, by last use */
};

enum {
  OPT_MAX_FLOWS = 256,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "firewall3 options (ports 0 and 1: protected networks, port 2: outside):\n"
          "  --max-flows N    flow table capacity, a power of two (default 65536)\n"
          "  --expiry T       idle time before a flow is forgotten, e.g. 10s, 500ms (default "
          "10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.max_flows = 65536, .expiry = 10 * NF_NS_PER_SEC};
  uint64_t value = 0;
  int opt;
  optind = 0;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "+:", long_options, NULL)) != -1) {
    switch (opt) {
      case OPT_MAX_FLOWS:
        if (!nf_opt_parse_pow2("--max-flows", optarg, 1, FW3_MAX_FLOWS_LIMIT, &value, err,
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
  return 3;
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
  state->flow_lans = nf_vector_create("flow_lans", cfg->max_flows, sizeof(struct lan_cell), NULL);
  state->flow_chain = nf_dchain_create("flow_chain", cfg->max_flows);
  if (state->flow_table == NULL || state->flow_keys == NULL || state->flow_lans == NULL ||
      state->flow_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate a flow table of %u flows", cfg->max_flows);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): a live flow
 * table, key vector and chain (nf_expiry_triple_ok: the table's keys and the
 * vector's cells of sizeof(struct flow_key) bytes, the chain's indexes exactly
 * the vector's), a live LAN vector, distinct from the key vector, of
 * sizeof(struct lan_cell)-byte cells with the same indexes, and every value
 * in the table one of those indexes (a WAN packet's flow reads its LAN cell).
 * nf_state_create establishes it (the configured expiry is positive:
 * nf_opt_parse_duration). */
/*@ predicate values_index(struct nf_map *table, struct nf_dchain *chain) =
      \forall uint8_t *k; nf_map_has(table, k) ==>
        nf_dchain_base(chain) <= nf_map_value(table, k) <
          nf_dchain_base(chain) + nf_dchain_capacity_of(chain);
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 &&
      nf_expiry_triple_ok(s->flow_table, s->flow_keys, s->flow_chain, sizeof(struct flow_key)) &&
      nf_vector_live(s->flow_lans) &&
      nf_vector_cell_size(s->flow_lans) == sizeof(struct lan_cell) &&
      s->flow_keys != s->flow_lans &&
      nf_vector_base(s->flow_lans) == nf_dchain_base(s->flow_chain) &&
      nf_vector_capacity_of(s->flow_lans) == nf_dchain_capacity_of(s->flow_chain) &&
      values_index(s->flow_table, s->flow_chain);
*/

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(flow_key_bytes, struct flow_key)
  NF_BYTES_VIEW(lan_cell_bytes, struct lan_cell)
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

/* A flow keeps the LAN that opened it: a packet of the same 5-tuple from the
 * other LAN refreshes it without taking its replies over. process_lan and
 * process_wan take the flow's key, not the packet: with the packet's
 * invariant (nf_pkt_ok, the parser's arithmetic) in their context, z3 needs
 * over 20 s for each state_ok after a vector return (about 0.5 s without).
 * The asserts split the proof of state_ok per path. */
/*@ requires state_ok(state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int process_lan(struct nf_state *state, struct flow_key key, uint16_t in_port,
                       nf_time_t now) {
  int32_t index = 0;
  /*@ ghost flow_key_bytes(&key); */
  if (nf_map_get(state->flow_table, &key, &index)) {
    nf_dchain_rejuvenate(state->flow_chain, index, now);
    /*@ assert state_ok(state); */
    return FW3_WAN_PORT;
  }
  if (!nf_dchain_allocate(state->flow_chain, now, &index)) return NF_DROP; /* table full */
  struct lan_cell cell = {.port = in_port};
  nf_vector_return(state->flow_keys, index, &key);
  /*@ ghost lan_cell_bytes(&cell); */
  nf_vector_return(state->flow_lans, index, &cell);
  nf_map_put(state->flow_table, &key, index);
  /*@ assert state_ok(state); */
  return FW3_WAN_PORT;
}

/*@ requires state_ok(state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int process_wan(struct nf_state *state, struct flow_key key, nf_time_t now) {
  int32_t index = 0;
  /*@ ghost flow_key_bytes(&key); */
  if (!nf_map_get(state->flow_table, &key, &index)) return NF_DROP;
  nf_dchain_rejuvenate(state->flow_chain, index, now);
  struct lan_cell cell;
  /*@ ghost lan_cell_bytes(&cell); */
  nf_vector_borrow(state->flow_lans, index, &cell);
  return (int)cell.port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->flow_chain, state->flow_keys, state->flow_table, now - state->cfg.expiry);
  /*@ assert state_ok(state); */
  enum nf_parse_status status = nf_pkt_status(pkt);
  if (in_port != FW3_WAN_PORT) {
    if (status == NF_PKT_L4_OK) return process_lan(state, flow_key_from_lan(pkt), in_port, now);
    if (status == NF_PKT_IPV4_OTHER || status == NF_PKT_FRAGMENT || status == NF_PKT_NOT_IPV4) {
      return FW3_WAN_PORT;
    }
    return NF_DROP;
  }
  if (status == NF_PKT_L4_OK) return process_wan(state, flow_key_from_wan(pkt), now);
  return NF_DROP;
}
