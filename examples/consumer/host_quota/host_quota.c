/* Host quota (the example NF of a workspace that vendors nfpar,
 * docs/VENDORING.md): every LAN host may send --quota IPv4 packets to the WAN
 * per fixed window of --window; further packets of that host are dropped until
 * its window ends. A host is forgotten --expiry after its last LAN packet; a full
 * host table drops packets of new hosts. WAN -> LAN traffic is not limited.
 *
 * Malformed-packet rule: LAN: IPv4 frames (any protocol, fragments too) are
 * counted, other well-formed frames pass uncounted, malformed frames are dropped.
 * WAN: well-formed frames pass, malformed frames are dropped. */
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

const char *const nf_name = "host_quota";

#define HQ_MAX_HOSTS_LIMIT (1u << 24)

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t quota;     /* packets per host and window */
  uint32_t max_hosts; /* power of two: capacity of the host table */
  nf_time_t window;   /* ns per window */
  nf_time_t expiry;   /* ns without LAN packets before a host is forgotten */
};

struct host_key {
  uint32_t addr;
};
NF_KEY_DECLARE(host_key)

/* Packets a host sent in its current window. */
struct host_window {
  nf_time_t start;
  uint32_t count;
  uint8_t pad[4];
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *host_table;      /* host_key -> index */
  struct nf_vector *host_keys;    /* index -> host_key (for expiry) */
  struct nf_vector *host_windows; /* index -> struct host_window */
  struct nf_dchain *host_chain;   /* allocated indexes, by last LAN packet */
};

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_QUOTA,
  OPT_WINDOW,
  OPT_MAX_HOSTS,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"quota", required_argument, NULL, OPT_QUOTA},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"max-hosts", required_argument, NULL, OPT_MAX_HOSTS},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "host_quota options:\n"
          "  --lan-port N     port of the hosts (default 0)\n"
          "  --wan-port N     port of the outside network (default 1)\n"
          "  --quota N        IPv4 packets per host and window (default 1000)\n"
          "  --window T       window length, e.g. 1s, 250ms (default 1s)\n"
          "  --max-hosts N    host table capacity, a power of two (default 65536)\n"
          "  --expiry T       idle time before a host is forgotten (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .quota = 1000,
                          .max_hosts = 65536,
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
      case OPT_QUOTA:
        if (!nf_opt_parse_scaled_u64("--quota", optarg, 1, UINT32_MAX, &value, err, err_len)) {
          return NULL;
        }
        cfg.quota = (uint32_t)value;
        break;
      case OPT_WINDOW:
        if (!nf_opt_parse_duration("--window", optarg, &cfg.window, err, err_len)) return NULL;
        break;
      case OPT_MAX_HOSTS:
        if (!nf_opt_parse_pow2("--max-hosts", optarg, 1, HQ_MAX_HOSTS_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.max_hosts = (uint32_t)value;
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
    nf_opt_fail(err, err_len, "out of memory for the host_quota state");
    return NULL;
  }
  state->cfg = *cfg;
  state->host_table = nf_map_create("host_table", cfg->max_hosts, sizeof(struct host_key),
                                    host_key_hash, host_key_eq);
  state->host_keys = nf_vector_create("host_keys", cfg->max_hosts, sizeof(struct host_key), NULL);
  state->host_windows =
      nf_vector_create("host_windows", cfg->max_hosts, sizeof(struct host_window), NULL);
  state->host_chain = nf_dchain_create("host_chain", cfg->max_hosts);
  if (state->host_table == NULL || state->host_keys == NULL || state->host_windows == NULL ||
      state->host_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate a table of %u hosts", cfg->max_hosts);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): a live host
 * table, key vector and chain (nf_expiry_triple_ok: the table's keys and the
 * vector's cells of sizeof(struct host_key) bytes, the chain's indexes exactly
 * the vector's), a live window vector, distinct from the key vector, of
 * sizeof(struct host_window)-byte cells with the same indexes, and every value
 * in the table one of the chain's indexes (a known host's window is read at
 * it). The expiry and the window are positive (nf_opt_parse_duration, and
 * nf_config_parse rejects --window 0). nf_state_create establishes it. */
/*@ predicate values_index(struct nf_map *table, struct nf_dchain *chain) =
      \forall uint8_t *k; nf_map_has(table, k) ==>
        nf_dchain_base(chain) <= nf_map_value(table, k) <
          nf_dchain_base(chain) + nf_dchain_capacity_of(chain);
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 && s->cfg.window > 0 &&
      nf_expiry_triple_ok(s->host_table, s->host_keys, s->host_chain, sizeof(struct host_key)) &&
      nf_vector_live(s->host_windows) &&
      nf_vector_cell_size(s->host_windows) == sizeof(struct host_window) &&
      s->host_keys != s->host_windows &&
      nf_vector_base(s->host_windows) == nf_dchain_base(s->host_chain) &&
      nf_vector_capacity_of(s->host_windows) == nf_dchain_capacity_of(s->host_chain) &&
      values_index(s->host_table, s->host_chain);
*/

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(host_key_bytes, struct host_key)
  NF_BYTES_VIEW(host_window_bytes, struct host_window)
*/

/* LAN -> WAN IPv4: count the packet of the host at addr in its host's window.
 * It takes the address, not the packet: with the packet's invariant
 * (nf_pkt_ok, the parser's arithmetic) in its context, z3 times out on
 * state_ok after a vector return. A window restarts when start <= now - window
 * (now - start >= window without subtracting a stored time: now >= 0 and
 * window > 0, so neither side overflows). The asserts split the proof of
 * state_ok per path. */
/*@ requires state_ok(state) && now >= 0;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int count_lan(struct nf_state *state, uint32_t addr, nf_time_t now) {
  struct host_key key = {.addr = addr};
  struct host_window window;
  int32_t index = 0;
  /*@ ghost host_key_bytes(&key); */
  if (nf_map_get(state->host_table, &key, &index)) {
    /*@ ghost host_window_bytes(&window); */
    nf_vector_borrow(state->host_windows, index, &window);
    nf_dchain_rejuvenate(state->host_chain, index, now);
    /*@ assert state_ok(state); */
    if (window.start <= now - state->cfg.window) {
      window.start = now;
      window.count = 0;
    }
  } else {
    if (!nf_dchain_allocate(state->host_chain, now, &index)) return NF_DROP; /* table full */
    nf_vector_return(state->host_keys, index, &key);
    nf_map_put(state->host_table, &key, index);
    /*@ assert state_ok(state); */
    struct host_window fresh = {.start = now, .count = 0, .pad = {0, 0, 0, 0}};
    window = fresh;
  }
  if (window.count >= state->cfg.quota) return NF_DROP; /* over the quota: nothing changes */
  window.count = window.count + 1;
  /*@ ghost host_window_bytes(&window); */
  nf_vector_return(state->host_windows, index, &window);
  /*@ assert state_ok(state); */
  return state->cfg.wan_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->host_chain, state->host_keys, state->host_table, now - state->cfg.expiry);
  /*@ assert state_ok(state); */
  enum nf_parse_status status = nf_pkt_status(pkt);
  /* IPv4 only: well-formed IPv6 passes uncounted like any non-IPv4 frame;
   * malformed IPv6 is dropped like malformed IPv4. */
  bool not_ipv4 = status == NF_PKT_NOT_IPV4 || status == NF_PKT_IPV6_L4_OK ||
                  status == NF_PKT_IPV6_OTHER || status == NF_PKT_IPV6_FRAGMENT;
  bool well_formed = status == NF_PKT_L4_OK || status == NF_PKT_IPV4_OTHER ||
                     status == NF_PKT_FRAGMENT || not_ipv4;
  if (!well_formed) return NF_DROP;
  if (in_port == state->cfg.lan_port) {
    if (not_ipv4) return state->cfg.wan_port;
    return count_lan(state, nf_pkt_ipv4_src(pkt), now);
  }
  return state->cfg.lan_port;
}
