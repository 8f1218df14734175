/* UDP port limiter (written for the equivalence test suite, docs/EQUIVALENCE.md):
 * LAN -> WAN UDP packets are counted per service, i.e. per (destination IPv4
 * address, destination UDP port), in fixed windows of --window; a service that
 * already had --limit packets in its current window drops further packets until
 * the window ends. While a service is over its limit, its WAN -> LAN UDP packets
 * (source address and port = the service) are dropped too. A service is
 * forgotten --expiry after its last LAN packet; a full table drops packets of new
 * services.
 *
 * Malformed-packet rule: LAN: UDP frames are counted; other well-formed frames
 * (TCP, other IPv4 protocols, fragments, non-IPv4, well-formed IPv6: the NF is
 * IPv4-only) pass uncounted; malformed frames (IPv6 ones included) are
 * dropped. WAN: UDP frames are checked against their service; other
 * well-formed frames pass; malformed frames are dropped. */
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

const char *const nf_name = "udp_port_limiter";

#define UPL_MAX_SERVICES_LIMIT (1u << 24)

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t limit;        /* packets per service and window */
  uint32_t max_services; /* power of two: capacity of the service table */
  nf_time_t window;      /* ns per counting window */
  nf_time_t expiry;      /* ns without LAN packets before a service is forgotten */
};

struct service_key {
  uint32_t addr;
  uint16_t port;
  uint8_t pad[2];
};
NF_KEY_DECLARE(service_key)

/* Packet count of a service's current window. */
struct service_window {
  nf_time_t start;
  uint32_t count;
  uint8_t pad[4];
};

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(service_key_bytes, struct service_key)
  NF_BYTES_VIEW(service_window_bytes, struct service_window)
*/

struct nf_state {
  struct nf_config cfg;
  struct nf_map *service_table;      /* service_key -> index */
  struct nf_vector *service_keys;    /* index -> service_key (for expiry) */
  struct nf_vector *service_windows; /* index -> struct service_window */
  struct nf_dchain *service_chain;   /* allocated indexes, by last LAN packet */
};

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_LIMIT,
  OPT_WINDOW,
  OPT_MAX_SERVICES,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"max-services", required_argument, NULL, OPT_MAX_SERVICES},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "udp_port_limiter options:\n"
          "  --lan-port N       port of the protected network (default 0)\n"
          "  --wan-port N       port of the outside network (default 1)\n"
          "  --limit N          UDP packets per service and window (default 100)\n"
          "  --window T         counting window, e.g. 1s, 250ms (default 1s)\n"
          "  --max-services N   service table capacity, a power of two (default 65536)\n"
          "  --expiry T         idle time before a service is forgotten (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .limit = 100,
                          .max_services = 65536,
                          .window = NF_NS_PER_SEC,
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
        if (!nf_opt_parse_scaled_u64("--limit", optarg, 1, UINT32_MAX, &value, err, err_len)) {
          return NULL;
        }
        cfg.limit = (uint32_t)value;
        break;
      case OPT_WINDOW:
        if (!nf_opt_parse_duration("--window", optarg, &cfg.window, err, err_len)) return NULL;
        break;
      case OPT_MAX_SERVICES:
        if (!nf_opt_parse_pow2("--max-services", optarg, 1, UPL_MAX_SERVICES_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.max_services = (uint32_t)value;
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
  if (cfg.window <= 0) {
    nf_opt_fail(err, err_len, "invalid value for --window: expected a duration above 0");
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
    nf_opt_fail(err, err_len, "out of memory for the udp_port_limiter state");
    return NULL;
  }
  state->cfg = *cfg;
  state->service_table =
      nf_map_create("service_table", cfg->max_services, sizeof(struct service_key),
                    service_key_hash, service_key_eq);
  state->service_keys =
      nf_vector_create("service_keys", cfg->max_services, sizeof(struct service_key), NULL);
  state->service_windows =
      nf_vector_create("service_windows", cfg->max_services, sizeof(struct service_window), NULL);
  state->service_chain = nf_dchain_create("service_chain", cfg->max_services);
  if (state->service_table == NULL || state->service_keys == NULL ||
      state->service_windows == NULL || state->service_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate a table of %u services", cfg->max_services);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): a live
 * service table of service_key keys, whose every value is an index of the
 * window vector (both sides read the service's window); a key vector of
 * service_key cells (nf_expire_items reads each key back from it) and a
 * window vector (two objects: writing one leaves the other as it was), both
 * with exactly the chain's indexes (a newly allocated index is a cell of
 * both); the chain's capacity within dchain.h's published limit
 * (nf_expire_items' count bound); window and expiry positive
 * (nf_config_parse checks both). nf_state_create establishes it (assumed, as
 * nflib's constructors: start-up code is not proved). */
/*@ predicate values_index(struct nf_map *table, struct nf_vector *v) =
      \forall uint8_t *k; nf_map_has(table, k) ==> nf_vector_index_ok(v, nf_map_value(table, k));
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 && s->cfg.window > 0 &&
      nf_expiry_triple_ok(s->service_table, s->service_keys, s->service_chain,
                          sizeof(struct service_key)) &&
      nf_vector_live(s->service_windows) &&
      nf_vector_cell_size(s->service_windows) == sizeof(struct service_window) &&
      s->service_keys != s->service_windows &&
      nf_vector_base(s->service_windows) == nf_dchain_base(s->service_chain) &&
      nf_vector_capacity_of(s->service_windows) == nf_dchain_capacity_of(s->service_chain) &&
      values_index(s->service_table, s->service_windows);
*/

/* LAN -> WAN UDP: count the packet in its service's window. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK && now >= 0;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int count_lan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct service_key key = {
      .addr = nf_pkt_ipv4_dst(pkt), .port = nf_pkt_l4_dst_port(pkt), .pad = {0, 0}};
  struct service_window window;
  //@ ghost service_key_bytes(&key);
  //@ ghost service_window_bytes(&window);
  int32_t index = 0;
  if (nf_map_get(state->service_table, &key, &index)) {
    //@ assert nf_vector_index_ok(state->service_windows, index);
    nf_vector_borrow(state->service_windows, index, &window);
    nf_dchain_rejuvenate(state->service_chain, index, now);
    //@ assert state_ok(state) && nf_vector_index_ok(state->service_windows, index);
    /* now - start >= window, without the subtraction of a stored time (which
     * WP cannot bound: a cell's bytes are not its typed fields there). */
    if (window.start <= now - state->cfg.window) {
      window.start = now;
      window.count = 0;
    }
  } else {
    if (!nf_dchain_allocate(state->service_chain, now, &index)) return NF_DROP; /* table full */
    //@ assert state_ok(state) && nf_vector_index_ok(state->service_windows, index);
    /*@ assert nf_vector_live(state->service_windows) &&
          nf_vector_cell_size(state->service_windows) == sizeof(struct service_window) &&
          nf_vector_base(state->service_windows) == nf_dchain_base(state->service_chain) &&
          nf_vector_capacity_of(state->service_windows) ==
            nf_dchain_capacity_of(state->service_chain); */
    /*@ assert nf_vector_cell_size(state->service_keys) == sizeof(struct service_key) &&
          nf_vector_base(state->service_keys) == nf_dchain_base(state->service_chain) &&
          nf_vector_capacity_of(state->service_keys) ==
            nf_dchain_capacity_of(state->service_chain); */
    nf_vector_return(state->service_keys, index, &key);
    //@ assert nf_vector_live(state->service_windows);
    /*@ assert nf_vector_live(state->service_windows) &&
          nf_vector_cell_size(state->service_windows) == sizeof(struct service_window) &&
          nf_vector_base(state->service_windows) == nf_dchain_base(state->service_chain) &&
          nf_vector_capacity_of(state->service_windows) ==
            nf_dchain_capacity_of(state->service_chain); */
    /*@ assert nf_vector_live(state->service_keys) &&
          nf_vector_cell_size(state->service_keys) == sizeof(struct service_key) &&
          nf_vector_base(state->service_keys) == nf_dchain_base(state->service_chain) &&
          nf_vector_capacity_of(state->service_keys) ==
            nf_dchain_capacity_of(state->service_chain); */
    //@ assert nf_vector_index_ok(state->service_windows, index);
    //@ assert values_index(state->service_table, state->service_windows);
    //@ assert state_ok(state);
    nf_map_put(state->service_table, &key, index);
    //@ assert nf_map_key_size(state->service_table) == sizeof(struct service_key);
    //@ assert values_index(state->service_table, state->service_windows);
    //@ assert state_ok(state) && nf_vector_index_ok(state->service_windows, index);
    struct service_window fresh = {.start = now, .count = 0, .pad = {0, 0, 0, 0}};
    window = fresh;
  }
  if (window.count >= state->cfg.limit) return NF_DROP; /* over the limit: nothing changes */
  window.count = window.count + 1;
  //@ ghost service_window_bytes(&window);
  nf_vector_return(state->service_windows, index, &window);
  return state->cfg.wan_port;
}

/* WAN -> LAN UDP: dropped while its service is over the limit. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK && now >= 0;
    assigns \nothing; */
static int check_wan(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct service_key key = {
      .addr = nf_pkt_ipv4_src(pkt), .port = nf_pkt_l4_src_port(pkt), .pad = {0, 0}};
  struct service_window window;
  //@ ghost service_key_bytes(&key);
  //@ ghost service_window_bytes(&window);
  int32_t index = 0;
  if (!nf_map_get(state->service_table, &key, &index)) return state->cfg.lan_port;
  nf_vector_borrow(state->service_windows, index, &window);
  /* now - start < window, as in count_lan. */
  if (window.start > now - state->cfg.window && window.count >= state->cfg.limit) return NF_DROP;
  return state->cfg.lan_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->service_chain, state->service_keys, state->service_table,
                  now - state->cfg.expiry);
  enum nf_parse_status status = nf_pkt_status(pkt);
  bool well_formed = status == NF_PKT_L4_OK || status == NF_PKT_IPV4_OTHER ||
                     status == NF_PKT_FRAGMENT || status == NF_PKT_NOT_IPV4 ||
                     status == NF_PKT_IPV6_L4_OK || status == NF_PKT_IPV6_OTHER ||
                     status == NF_PKT_IPV6_FRAGMENT;
  if (!well_formed) return NF_DROP;
  bool udp = status == NF_PKT_L4_OK && nf_pkt_ipv4_proto(pkt) == NF_IPPROTO_UDP;
  if (in_port == state->cfg.lan_port) {
    if (udp) return count_lan(state, pkt, now);
    return state->cfg.wan_port;
  }
  if (udp) return check_wan(state, pkt, now);
  return state->cfg.lan_port;
}
