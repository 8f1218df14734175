/* Learning bridge over --ports ports: learns source MAC -> input port (unicast
 * sources only), forwards frames to a known destination's port, floods unknown
 * and group (broadcast/multicast) destinations, and never sends a frame back
 * out of its input port (a known destination behind the input port is
 * dropped). An entry is refreshed by every frame from that MAC (which also
 * moves it to the new port when the station moved) and expires after --expiry
 * without frames from it. When the table is full, new MACs are not learned (and
 * frames to them are flooded).
 *
 * Malformed-packet rule: the bridge only reads the Ethernet header, so every
 * frame with a complete Ethernet header is bridged whatever follows it
 * (non-IPv4, truncated or bad IPv4); frames shorter than an Ethernet header are
 * dropped. */
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

const char *const nf_name = "bridge_learning";

#define BRIDGE_MAX_PORTS 32
#define BRIDGE_MAX_MACS_LIMIT (1u << 24)

struct nf_config {
  uint16_t port_count;
  uint32_t max_macs; /* power of two: capacity of the MAC table */
  nf_time_t expiry;  /* ns without frames from a MAC before it is forgotten */
};

struct mac_key {
  struct nf_mac addr;
};
NF_KEY_DECLARE(mac_key)

/* One byte: ports are < BRIDGE_MAX_PORTS. nflib's vector contracts see a cell
 * as cell_size uint8_t objects, which WP's typed model can prove only of a
 * struct of bytes (there a uint32_t is one object, not four bytes). */
struct port_cell {
  uint8_t port;
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *mac_table;    /* mac_key -> index */
  struct nf_vector *mac_keys;  /* index -> mac_key (for expiry) */
  struct nf_vector *mac_ports; /* index -> struct port_cell */
  struct nf_dchain *mac_chain; /* allocated indexes, by last frame from the MAC */
};

enum {
  OPT_PORTS = 256,
  OPT_MAX_MACS,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"ports", required_argument, NULL, OPT_PORTS},
    {"max-macs", required_argument, NULL, OPT_MAX_MACS},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "bridge_learning options:\n"
          "  --ports N      number of bridged ports, 2..32 (default 2)\n"
          "  --max-macs N   MAC table capacity, a power of two (default 65536)\n"
          "  --expiry T     idle time before a MAC is forgotten, e.g. 300s (default 300s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.port_count = 2, .max_macs = 65536, .expiry = 300 * NF_NS_PER_SEC};
  uint64_t value = 0;
  int opt;
  optind = 0;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "+:", long_options, NULL)) != -1) {
    switch (opt) {
      case OPT_PORTS:
        if (!nf_opt_parse_u64("--ports", optarg, 2, BRIDGE_MAX_PORTS, &value, err, err_len)) {
          return NULL;
        }
        cfg.port_count = (uint16_t)value;
        break;
      case OPT_MAX_MACS:
        if (!nf_opt_parse_pow2("--max-macs", optarg, 1, BRIDGE_MAX_MACS_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.max_macs = (uint32_t)value;
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
  return cfg->port_count;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) {
    nf_opt_fail(err, err_len, "out of memory for the bridge state");
    return NULL;
  }
  state->cfg = *cfg;
  state->mac_table =
      nf_map_create("mac_table", cfg->max_macs, sizeof(struct mac_key), mac_key_hash, mac_key_eq);
  state->mac_keys = nf_vector_create("mac_keys", cfg->max_macs, sizeof(struct mac_key), NULL);
  state->mac_ports = nf_vector_create("mac_ports", cfg->max_macs, sizeof(struct port_cell), NULL);
  state->mac_chain = nf_dchain_create("mac_chain", cfg->max_macs);
  if (state->mac_table == NULL || state->mac_keys == NULL || state->mac_ports == NULL ||
      state->mac_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate a MAC table of %u entries", cfg->max_macs);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): a live MAC
 * table of mac_key keys, whose every value is an index of the port vector
 * (the forwarding read); a key vector of mac_key cells (nf_expire_items reads
 * each key back from it) and a port vector (two objects: writing one leaves
 * the other as it was), both with exactly the chain's indexes (a newly
 * allocated index is a cell of both); the chain's capacity
 * within dchain.h's published limit (nf_expire_items' count bound). The
 * expiry is positive. nf_state_create establishes it: every object is
 * created with capacity max_macs and no index is allocated (assumed, as
 * nflib's constructors: start-up code is not proved). */
/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(mac_key_bytes, struct mac_key)
*/
/*@ predicate values_index(struct nf_map *table, struct nf_vector *v) =
      \forall uint8_t *k; nf_map_has(table, k) ==> nf_vector_index_ok(v, nf_map_value(table, k));
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 && s->cfg.port_count <= BRIDGE_MAX_PORTS &&
      nf_expiry_triple_ok(s->mac_table, s->mac_keys, s->mac_chain, sizeof(struct mac_key)) &&
      nf_vector_live(s->mac_ports) &&
      nf_vector_cell_size(s->mac_ports) == sizeof(struct port_cell) &&
      s->mac_keys != s->mac_ports &&
      nf_vector_base(s->mac_ports) == nf_dchain_base(s->mac_chain) &&
      nf_vector_capacity_of(s->mac_ports) == nf_dchain_capacity_of(s->mac_chain) &&
      values_index(s->mac_table, s->mac_ports);
*/

/* Records that source lives behind in_port. Writes only nflib objects (the
 * packet is read again after it). The asserts split the proof of state_ok
 * per path (on the joined paths z3 and cvc4 give up). */
/*@ requires state_ok(state) && in_port < state->cfg.port_count;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static void learn(struct nf_state *state, struct mac_key source, uint16_t in_port, nf_time_t now) {
  struct port_cell cell;
  int32_t index = 0;
  if (nf_map_get(state->mac_table, &source, &index)) {
    nf_vector_borrow(state->mac_ports, index, &cell);
    if (cell.port != in_port) {
      cell.port = (uint8_t)in_port; /* the station moved */
      nf_vector_return(state->mac_ports, index, &cell);
    }
    nf_dchain_rejuvenate(state->mac_chain, index, now);
    /*@ assert state_ok(state); */
    return;
  }
  if (!nf_dchain_allocate(state->mac_chain, now, &index)) return; /* full: not learned */
  nf_vector_return(state->mac_keys, index, &source);
  /*@ assert values_index(state->mac_table, state->mac_ports) &&
             nf_vector_index_ok(state->mac_ports, index); */
  nf_map_put(state->mac_table, &source, index);
  /*@ assert values_index(state->mac_table, state->mac_ports); */
  cell.port = (uint8_t)in_port; /* in_port < port_count <= BRIDGE_MAX_PORTS */
  nf_vector_return(state->mac_ports, index, &cell);
  /*@ assert state_ok(state); */
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. in_port < port_count: the runtimes pass one
 * of the NF's ports (nf.h). */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0 && in_port < state->cfg.port_count;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->mac_chain, state->mac_keys, state->mac_table, now - state->cfg.expiry);
  if (nf_pkt_status(pkt) == NF_PKT_TRUNCATED_ETH) return NF_DROP;
  struct mac_key source = {.addr = nf_pkt_eth_src(pkt)};
  if ((source.addr.bytes[0] & 1) == 0) learn(state, source, in_port, now);
  struct mac_key destination = {.addr = nf_pkt_eth_dst(pkt)};
  int32_t index = 0;
  //@ ghost mac_key_bytes(&destination);
  /*@ assert values_index(state->mac_table, state->mac_ports) &&
             nf_map_key_size(state->mac_table) == sizeof(struct mac_key); */
  if (!nf_map_get(state->mac_table, &destination, &index)) return NF_FLOOD;
  /*@ assert found: nf_map_has(state->mac_table, (uint8_t *)&destination) &&
                    index == nf_map_value(state->mac_table, (uint8_t *)&destination); */
  /*@ assert nf_vector_index_ok(state->mac_ports, index); */
  struct port_cell cell;
  nf_vector_borrow(state->mac_ports, index, &cell);
  if (cell.port == in_port) return NF_DROP; /* destination is on the input segment */
  return (int)cell.port;
}
