/* Load balancer for a virtual IP (--vip). Backends announce themselves with
 * heartbeats: UDP packets to --heartbeat-port arriving on the backend port,
 * identified by their source IPv4 address (their source MAC is recorded too).
 * A backend without a heartbeat for --backend-expiry is dead.
 *
 * A client flow (5-tuple) to the VIP gets a live backend by consistent hashing
 * (Maglev table over the live backends) and keeps it while the flow is alive
 * (--flow-expiry without packets) and the backend is alive; when its backend
 * died, the flow is re-assigned by the same hashing. Packets to a backend get
 * the backend's IPv4 and MAC address as destination. Packets from a live
 * backend (other than heartbeats) get the VIP as source and go to the clients.
 * When the flow table is full, new flows are still served by the hash, just
 * not pinned. With no live backend, client packets are dropped.
 *
 * Dual stack: IPv6 clients connect to --vip6 and are balanced over IPv6
 * backends (IPv6 heartbeats), with the same rules and their own objects
 * (flow6_*, backend6_*, backends6): a backend is a host address of one family,
 * and a flow is rewritten within its family only (no NAT64), so an IPv6 flow
 * must land on a backend with an IPv6 address. Capacities (--max-flows,
 * --max-backends, --cht-size) hold per family. Without --vip6 the IPv6 VIP is
 * the unspecified address ::, and IPv6 client packets to :: are dropped, so
 * IPv6 clients are not served.
 *
 * Malformed-packet rule: only complete TCP/UDP frames are balanced; every other
 * frame (neither IP family, other protocols, fragments of either family,
 * truncated or bad headers) is dropped on both sides, as are client packets not addressed to the
 * VIP and backend packets from addresses that are not live backends. Heartbeats are consumed
 * (dropped after being recorded). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/cht.h"
#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/time.h"
#include "nflib/vector.h"
#include "nfs/common/options.h"

const char *const nf_name = "load_balancer";

#define LB_MAX_FLOWS_LIMIT (1u << 24)
#define LB_MAX_BACKENDS_LIMIT 4096
#define LB_MAX_CHT_SIZE (1u << 26)

struct nf_config {
  uint16_t client_port;
  uint16_t backend_port;
  uint32_t vip;             /* host byte order */
  struct nf_ipv6_addr vip6; /* :: (no IPv6 service) unless --vip6 */
  uint16_t heartbeat_port;  /* UDP destination port of heartbeats */
  uint32_t max_flows;       /* power of two */
  uint32_t max_backends;    /* power of two */
  uint32_t cht_size;        /* prime > max_backends */
  nf_time_t flow_expiry;    /* ns */
  nf_time_t backend_expiry; /* ns */
};

struct flow_key {
  uint32_t src_ip;
  uint32_t dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t proto;
  uint8_t pad[3];
};
/* The contract of the hash NF_KEY_DECLARE defines below (a prototype of the
 * same function: no code), for its calls on the packet path. */
/*@ requires nf_bytes_readable((uint8_t *)key, sizeof(struct flow_key));
    assigns \nothing; */
static inline uint32_t flow_key_hash(const void *key);
NF_KEY_DECLARE(flow_key)

struct ip_key {
  uint32_t addr;
};
NF_KEY_DECLARE(ip_key)

/* The IPv6 twins of flow_key, ip_key and backend. */
struct flow6_key {
  struct nf_ipv6_addr src_ip;
  struct nf_ipv6_addr dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t proto;
  uint8_t pad[3];
};
/* The contract of the hash NF_KEY_DECLARE defines below (a prototype of the
 * same function: no code), for its calls on the packet path. */
/*@ requires nf_bytes_readable((uint8_t *)key, sizeof(struct flow6_key));
    assigns \nothing; */
static inline uint32_t flow6_key_hash(const void *key);
NF_KEY_DECLARE(flow6_key)

struct ip6_key {
  struct nf_ipv6_addr addr;
};
NF_KEY_DECLARE(ip6_key)

struct backend6 {
  struct nf_ipv6_addr ip;
  struct nf_mac mac;
  uint8_t pad[2];
};

/* Where no packet may be addressed (RFC 4291 2.5.2): the VIP6 default. */
static const struct nf_ipv6_addr ipv6_unspecified = {{0}};

struct flow_backend {
  int32_t backend; /* backend index the flow is pinned to */
};

struct backend {
  uint32_t ip;
  struct nf_mac mac;
  uint8_t pad[2];
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *flow_table;       /* flow_key -> flow index */
  struct nf_vector *flow_keys;     /* flow index -> flow_key (for expiry) */
  struct nf_vector *flow_backends; /* flow index -> struct flow_backend */
  struct nf_dchain *flow_chain;    /* flow indexes, by last packet */
  struct nf_map *backend_table;    /* backend address -> backend index */
  struct nf_vector *backend_keys;  /* backend index -> ip_key (for expiry) */
  struct nf_vector *backends;      /* backend index -> struct backend */
  struct nf_dchain *backend_chain; /* live backend indexes, by last heartbeat */
  struct nf_cht *backend_cht;      /* flow hash -> preferred live backend */
  struct nf_map *flow6_table;      /* the same for IPv6 clients and backends */
  struct nf_vector *flow6_keys;
  struct nf_vector *flow6_backends;
  struct nf_dchain *flow6_chain;
  struct nf_map *backend6_table;
  struct nf_vector *backend6_keys;
  struct nf_vector *backends6;
  struct nf_dchain *backend6_chain;
  struct nf_cht *backend6_cht;
};

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs), written out
 * flat (no wrapping predicate: the provers give up on nested ones): per IP
 * family, the flow triple (table, key vector, chain) and the backend triple,
 * each as nf_expiry_triple_ok states it; the pinned-backend vector over the
 * flow chain's indexes and the backend vector over the backend chain's
 * (LB_SHAPE: live, cell size, the chain's base and capacity); every flow
 * table value a flow index and every backend table value a backend index
 * (values_index); live consistent-hashing tables (their backends are checked
 * against the backend chain, whose allocated indexes are backend indexes:
 * dchain.h's nf_dchain_in_range); distinct maps, vectors and chains (an
 * operation on one leaves the others as they were: the same-kind frames of
 * map.h, vector.h and dchain.h); expiries >= 0, so now - expiry cannot
 * overflow. A pinned backend index is any int32: it is checked against the
 * backend chain before use. nf_state_create establishes it (assumed, as
 * nflib's constructors: start-up code is not proved). */
// clang-format off
#define LB_SHAPE(v, c, T)                                           \
  (nf_vector_live(v) && nf_vector_cell_size(v) == sizeof(T) &&     \
   nf_vector_base(v) == nf_dchain_base(c) &&                        \
   nf_vector_capacity_of(v) == nf_dchain_capacity_of(c))
/* Index i of chain c (hence of the vectors over c). */
#define LB_IN(c, i) (nf_dchain_base(c) <= (i) && (i) < nf_dchain_base(c) + nf_dchain_capacity_of(c))
/* After the return at (ghost) label L, vector v (over chain c) still holds
 * its first cell's first byte: the term that lets the provers instantiate
 * nf_vector_return's frame clause for v (docs/VERIFICATION.md, "Byte views
 * and frames"). */
#define LB_KEPT(v, c, L)                        \
  (!nf_vector_index_ok(v, nf_dchain_base(c)) || \
   nf_vector_byte(v, nf_dchain_base(c), 0) ==   \
     \at(nf_vector_byte(v, nf_dchain_base(c), 0), L))
/* Per vector: its shape (LB_S_), and its first byte kept since L (LB_K_); per
 * family and kind, the triple (LB_T_). */
#define LB_S_FLOW_KEYS(s) LB_SHAPE((s)->flow_keys, (s)->flow_chain, struct flow_key)
#define LB_K_FLOW_KEYS(s, L) LB_KEPT((s)->flow_keys, (s)->flow_chain, L)
#define LB_S_FLOW_BACKENDS(s) LB_SHAPE((s)->flow_backends, (s)->flow_chain, struct flow_backend)
#define LB_K_FLOW_BACKENDS(s, L) LB_KEPT((s)->flow_backends, (s)->flow_chain, L)
#define LB_S_BACKEND_KEYS(s) LB_SHAPE((s)->backend_keys, (s)->backend_chain, struct ip_key)
#define LB_K_BACKEND_KEYS(s, L) LB_KEPT((s)->backend_keys, (s)->backend_chain, L)
#define LB_S_BACKENDS(s) LB_SHAPE((s)->backends, (s)->backend_chain, struct backend)
#define LB_K_BACKENDS(s, L) LB_KEPT((s)->backends, (s)->backend_chain, L)
#define LB_S_FLOW6_KEYS(s) LB_SHAPE((s)->flow6_keys, (s)->flow6_chain, struct flow6_key)
#define LB_K_FLOW6_KEYS(s, L) LB_KEPT((s)->flow6_keys, (s)->flow6_chain, L)
#define LB_S_FLOW6_BACKENDS(s) LB_SHAPE((s)->flow6_backends, (s)->flow6_chain, struct flow_backend)
#define LB_K_FLOW6_BACKENDS(s, L) LB_KEPT((s)->flow6_backends, (s)->flow6_chain, L)
#define LB_S_BACKEND6_KEYS(s) LB_SHAPE((s)->backend6_keys, (s)->backend6_chain, struct ip6_key)
#define LB_K_BACKEND6_KEYS(s, L) LB_KEPT((s)->backend6_keys, (s)->backend6_chain, L)
#define LB_S_BACKENDS6(s) LB_SHAPE((s)->backends6, (s)->backend6_chain, struct backend6)
#define LB_K_BACKENDS6(s, L) LB_KEPT((s)->backends6, (s)->backend6_chain, L)
#define LB_T_FLOW_TABLE(s) \
  nf_expiry_triple_ok((s)->flow_table, (s)->flow_keys, (s)->flow_chain, sizeof(struct flow_key))
#define LB_T_BACKEND_TABLE(s) \
  nf_expiry_triple_ok((s)->backend_table, (s)->backend_keys, (s)->backend_chain, sizeof(struct ip_key))
#define LB_T_FLOW6_TABLE(s) \
  nf_expiry_triple_ok((s)->flow6_table, (s)->flow6_keys, (s)->flow6_chain, sizeof(struct flow6_key))
#define LB_T_BACKEND6_TABLE(s) \
  nf_expiry_triple_ok((s)->backend6_table, (s)->backend6_keys, (s)->backend6_chain, sizeof(struct ip6_key))
// clang-format on
/*@ predicate values_index(struct nf_map *table, struct nf_dchain *c) =
      \forall uint8_t *k; nf_map_has(table, k) ==>
        nf_dchain_base(c) <= nf_map_value(table, k) < nf_dchain_base(c) + nf_dchain_capacity_of(c);
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.flow_expiry >= 0 && s->cfg.backend_expiry >= 0 &&
      s->flow_table != s->backend_table && s->flow_table != s->flow6_table &&
      s->flow_table != s->backend6_table && s->backend_table != s->flow6_table &&
      s->backend_table != s->backend6_table && s->flow6_table != s->backend6_table &&
      s->flow_keys != s->flow_backends && s->flow_keys != s->backend_keys &&
      s->flow_keys != s->backends && s->flow_keys != s->flow6_keys &&
      s->flow_keys != s->flow6_backends && s->flow_keys != s->backend6_keys &&
      s->flow_keys != s->backends6 && s->flow_backends != s->backend_keys &&
      s->flow_backends != s->backends && s->flow_backends != s->flow6_keys &&
      s->flow_backends != s->flow6_backends && s->flow_backends != s->backend6_keys &&
      s->flow_backends != s->backends6 && s->backend_keys != s->backends &&
      s->backend_keys != s->flow6_keys && s->backend_keys != s->flow6_backends &&
      s->backend_keys != s->backend6_keys && s->backend_keys != s->backends6 &&
      s->backends != s->flow6_keys && s->backends != s->flow6_backends &&
      s->backends != s->backend6_keys && s->backends != s->backends6 &&
      s->flow6_keys != s->flow6_backends && s->flow6_keys != s->backend6_keys &&
      s->flow6_keys != s->backends6 && s->flow6_backends != s->backend6_keys &&
      s->flow6_backends != s->backends6 && s->backend6_keys != s->backends6 &&
      s->flow_chain != s->backend_chain && s->flow_chain != s->flow6_chain &&
      s->flow_chain != s->backend6_chain && s->backend_chain != s->flow6_chain &&
      s->backend_chain != s->backend6_chain && s->flow6_chain != s->backend6_chain &&
      LB_T_FLOW_TABLE(s) &&
      LB_T_BACKEND_TABLE(s) &&
      LB_T_FLOW6_TABLE(s) &&
      LB_T_BACKEND6_TABLE(s) &&
      LB_S_FLOW_BACKENDS(s) &&
      LB_S_BACKENDS(s) &&
      LB_S_FLOW6_BACKENDS(s) &&
      LB_S_BACKENDS6(s) &&
      values_index(s->flow_table, s->flow_chain) &&
      values_index(s->backend_table, s->backend_chain) &&
      values_index(s->flow6_table, s->flow6_chain) &&
      values_index(s->backend6_table, s->backend6_chain) &&
      nf_cht_live(s->backend_cht) && nf_cht_live(s->backend6_cht);
*/

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(flow_key_bytes, struct flow_key)
  NF_BYTES_VIEW(ip_key_bytes, struct ip_key)
  NF_BYTES_VIEW(flow6_key_bytes, struct flow6_key)
  NF_BYTES_VIEW(ip6_key_bytes, struct ip6_key)
  NF_BYTES_VIEW(flow_backend_bytes, struct flow_backend)
  NF_BYTES_VIEW(backend_bytes, struct backend)
  NF_BYTES_VIEW(backend6_bytes, struct backend6)
*/

enum {
  OPT_CLIENT_PORT = 256,
  OPT_BACKEND_PORT,
  OPT_VIP,
  OPT_VIP6,
  OPT_HEARTBEAT_PORT,
  OPT_MAX_FLOWS,
  OPT_MAX_BACKENDS,
  OPT_CHT_SIZE,
  OPT_FLOW_EXPIRY,
  OPT_BACKEND_EXPIRY,
};

static const struct option long_options[] = {
    {"client-port", required_argument, NULL, OPT_CLIENT_PORT},
    {"backend-port", required_argument, NULL, OPT_BACKEND_PORT},
    {"vip", required_argument, NULL, OPT_VIP},
    {"vip6", required_argument, NULL, OPT_VIP6},
    {"heartbeat-port", required_argument, NULL, OPT_HEARTBEAT_PORT},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"max-backends", required_argument, NULL, OPT_MAX_BACKENDS},
    {"cht-size", required_argument, NULL, OPT_CHT_SIZE},
    {"flow-expiry", required_argument, NULL, OPT_FLOW_EXPIRY},
    {"backend-expiry", required_argument, NULL, OPT_BACKEND_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(
      out,
      "load_balancer options:\n"
      "  --vip A              the virtual IPv4 address clients connect to (required)\n"
      "  --vip6 A             the virtual IPv6 address (default none: IPv6 clients dropped)\n"
      "  --client-port N      port facing the clients (default 0)\n"
      "  --backend-port N     port facing the backends (default 1)\n"
      "  --heartbeat-port P   UDP destination port of backend heartbeats (default 7777)\n"
      "  --max-flows N        flow table capacity per IP family, a power of two (default 65536)\n"
      "  --max-backends N     backend capacity per IP family, a power of two (default 32)\n"
      "  --cht-size N         consistent-hashing table size per IP family, a prime >\n"
      "                       max-backends (default 65537)\n"
      "  --flow-expiry T      idle time before a flow is forgotten (default 10s)\n"
      "  --backend-expiry T   time without heartbeat before a backend is dead (default 3s)\n");
}

static bool is_prime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; d++) {
    if (n % d == 0) return false;
  }
  return true;
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.client_port = 0,
                          .backend_port = 1,
                          .vip = 0,
                          .heartbeat_port = 7777,
                          .max_flows = 65536,
                          .max_backends = 32,
                          .cht_size = 65537,
                          .flow_expiry = 10 * NF_NS_PER_SEC,
                          .backend_expiry = 3 * NF_NS_PER_SEC};
  bool have_vip = false;
  uint64_t value = 0;
  int opt;
  optind = 0;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "+:", long_options, NULL)) != -1) {
    switch (opt) {
      case OPT_CLIENT_PORT:
        if (!nf_opt_parse_u64("--client-port", optarg, 0, 1, &value, err, err_len)) return NULL;
        cfg.client_port = (uint16_t)value;
        break;
      case OPT_BACKEND_PORT:
        if (!nf_opt_parse_u64("--backend-port", optarg, 0, 1, &value, err, err_len)) return NULL;
        cfg.backend_port = (uint16_t)value;
        break;
      case OPT_VIP:
        if (!nf_opt_parse_ipv4("--vip", optarg, &cfg.vip, err, err_len)) return NULL;
        have_vip = true;
        break;
      case OPT_VIP6:
        if (!nf_opt_parse_ipv6("--vip6", optarg, &cfg.vip6, err, err_len)) return NULL;
        break;
      case OPT_HEARTBEAT_PORT:
        if (!nf_opt_parse_u64("--heartbeat-port", optarg, 1, 65535, &value, err, err_len)) {
          return NULL;
        }
        cfg.heartbeat_port = (uint16_t)value;
        break;
      case OPT_MAX_FLOWS:
        if (!nf_opt_parse_pow2("--max-flows", optarg, 1, LB_MAX_FLOWS_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.max_flows = (uint32_t)value;
        break;
      case OPT_MAX_BACKENDS:
        if (!nf_opt_parse_pow2("--max-backends", optarg, 1, LB_MAX_BACKENDS_LIMIT, &value, err,
                               err_len)) {
          return NULL;
        }
        cfg.max_backends = (uint32_t)value;
        break;
      case OPT_CHT_SIZE:
        if (!nf_opt_parse_u64("--cht-size", optarg, 2, LB_MAX_CHT_SIZE, &value, err, err_len)) {
          return NULL;
        }
        if (!is_prime(value)) {
          nf_opt_fail(err, err_len, "invalid value '%s' for --cht-size: expected a prime", optarg);
          return NULL;
        }
        cfg.cht_size = (uint32_t)value;
        break;
      case OPT_FLOW_EXPIRY:
        if (!nf_opt_parse_duration("--flow-expiry", optarg, &cfg.flow_expiry, err, err_len)) {
          return NULL;
        }
        break;
      case OPT_BACKEND_EXPIRY:
        if (!nf_opt_parse_duration("--backend-expiry", optarg, &cfg.backend_expiry, err, err_len)) {
          return NULL;
        }
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
  if (!have_vip) {
    nf_opt_fail(err, err_len, "missing --vip: the load balancer needs its virtual IPv4 address");
    return NULL;
  }
  if (cfg.cht_size <= cfg.max_backends) {
    nf_opt_fail(err, err_len, "--cht-size %u must be larger than --max-backends %u", cfg.cht_size,
                cfg.max_backends);
    return NULL;
  }
  if (!nf_opt_check_distinct_ports("--client-port", cfg.client_port, "--backend-port",
                                   cfg.backend_port, err, err_len)) {
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
    nf_opt_fail(err, err_len, "out of memory for the load balancer state");
    return NULL;
  }
  state->cfg = *cfg;
  state->flow_table = nf_map_create("flow_table", cfg->max_flows, sizeof(struct flow_key),
                                    flow_key_hash, flow_key_eq);
  state->flow_keys = nf_vector_create("flow_keys", cfg->max_flows, sizeof(struct flow_key), NULL);
  state->flow_backends =
      nf_vector_create("flow_backends", cfg->max_flows, sizeof(struct flow_backend), NULL);
  state->flow_chain = nf_dchain_create("flow_chain", cfg->max_flows);
  state->backend_table = nf_map_create("backend_table", cfg->max_backends, sizeof(struct ip_key),
                                       ip_key_hash, ip_key_eq);
  state->backend_keys =
      nf_vector_create("backend_keys", cfg->max_backends, sizeof(struct ip_key), NULL);
  state->backends = nf_vector_create("backends", cfg->max_backends, sizeof(struct backend), NULL);
  state->backend_chain = nf_dchain_create("backend_chain", cfg->max_backends);
  state->backend_cht = nf_cht_create("backend_cht", cfg->max_backends, cfg->cht_size);
  state->flow6_table = nf_map_create("flow6_table", cfg->max_flows, sizeof(struct flow6_key),
                                     flow6_key_hash, flow6_key_eq);
  state->flow6_keys =
      nf_vector_create("flow6_keys", cfg->max_flows, sizeof(struct flow6_key), NULL);
  state->flow6_backends =
      nf_vector_create("flow6_backends", cfg->max_flows, sizeof(struct flow_backend), NULL);
  state->flow6_chain = nf_dchain_create("flow6_chain", cfg->max_flows);
  state->backend6_table = nf_map_create("backend6_table", cfg->max_backends, sizeof(struct ip6_key),
                                        ip6_key_hash, ip6_key_eq);
  state->backend6_keys =
      nf_vector_create("backend6_keys", cfg->max_backends, sizeof(struct ip6_key), NULL);
  state->backends6 =
      nf_vector_create("backends6", cfg->max_backends, sizeof(struct backend6), NULL);
  state->backend6_chain = nf_dchain_create("backend6_chain", cfg->max_backends);
  state->backend6_cht = nf_cht_create("backend6_cht", cfg->max_backends, cfg->cht_size);
  if (state->flow_table == NULL || state->flow_keys == NULL || state->flow_backends == NULL ||
      state->flow_chain == NULL || state->backend_table == NULL || state->backend_keys == NULL ||
      state->backends == NULL || state->backend_chain == NULL || state->backend_cht == NULL ||
      state->flow6_table == NULL || state->flow6_keys == NULL || state->flow6_backends == NULL ||
      state->flow6_chain == NULL || state->backend6_table == NULL || state->backend6_keys == NULL ||
      state->backends6 == NULL || state->backend6_chain == NULL || state->backend6_cht == NULL) {
    nf_opt_fail(err, err_len,
                "cannot allocate %u flows, %u backends and a %u-entry hash table per family",
                cfg->max_flows, cfg->max_backends, cfg->cht_size);
    return NULL;
  }
  return state;
}

/* Records or refreshes the IPv4 backend `key` (the heartbeat's source, whose
 * source MAC is `mac`). The heartbeat itself is consumed (nf_process drops it).
 * It takes the key, not the packet: with the packet's invariant in their
 * context, the provers need far longer for each state_ok after a vector
 * return (docs/VERIFICATION.md, per-NF table: conn_limiter, policer). */
/*@ requires state_ok(state) && now >= 0;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static void heartbeat(struct nf_state *state, struct ip_key key, struct nf_mac mac, nf_time_t now) {
  int32_t index = 0;
  //@ ghost ip_key_bytes(&key);
  if (nf_map_get(state->backend_table, &key, &index)) {
    //@ assert LB_IN(state->backend_chain, index);
    nf_dchain_rejuvenate(state->backend_chain, index, now);
    //@ assert state_ok(state) && LB_IN(state->backend_chain, index);
  } else {
    if (!nf_dchain_allocate(state->backend_chain, now, &index)) return; /* full */
    //@ assert state_ok(state) && LB_IN(state->backend_chain, index);
    //@ ghost ip_key_bytes(&key);
    //@ assert state->backend_keys != state->flow_keys;
    //@ assert state->backend_keys != state->flow_backends;
    //@ assert state->backend_keys != state->backends;
    //@ assert state->backend_keys != state->flow6_keys;
    //@ assert state->backend_keys != state->flow6_backends;
    //@ assert state->backend_keys != state->backend6_keys;
    //@ assert state->backend_keys != state->backends6;
    //@ assert LB_S_FLOW_KEYS(state);
    //@ assert LB_S_FLOW_BACKENDS(state);
    //@ assert LB_S_BACKEND_KEYS(state);
    //@ assert LB_S_BACKENDS(state);
    //@ assert LB_S_FLOW6_KEYS(state);
    //@ assert LB_S_FLOW6_BACKENDS(state);
    //@ assert LB_S_BACKEND6_KEYS(state);
    //@ assert LB_S_BACKENDS6(state);
    //@ ghost store_key:;
    nf_vector_return(state->backend_keys, index, &key);
    //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, store_key);
    //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, store_key);
    //@ assert LB_S_BACKEND_KEYS(state);
    //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, store_key);
    //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, store_key);
    //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, store_key);
    //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, store_key);
    //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, store_key);
    //@ assert LB_T_FLOW_TABLE(state);
    //@ assert LB_T_BACKEND_TABLE(state);
    //@ assert LB_T_FLOW6_TABLE(state);
    //@ assert LB_T_BACKEND6_TABLE(state);
    //@ assert state_ok(state) && LB_IN(state->backend_chain, index);
    //@ ghost ip_key_bytes(&key);
    nf_map_put(state->backend_table, &key, index);
    //@ assert LB_T_FLOW_TABLE(state);
    //@ assert LB_T_BACKEND_TABLE(state);
    //@ assert LB_T_FLOW6_TABLE(state);
    //@ assert LB_T_BACKEND6_TABLE(state);
    //@ assert state_ok(state) && LB_IN(state->backend_chain, index);
  }
  struct backend backend = {.ip = key.addr, .mac = mac, .pad = {0, 0}};
  //@ ghost backend_bytes(&backend);
  //@ assert state->backends != state->flow_keys;
  //@ assert state->backends != state->flow_backends;
  //@ assert state->backends != state->backend_keys;
  //@ assert state->backends != state->flow6_keys;
  //@ assert state->backends != state->flow6_backends;
  //@ assert state->backends != state->backend6_keys;
  //@ assert state->backends != state->backends6;
  //@ assert LB_S_FLOW_KEYS(state);
  //@ assert LB_S_FLOW_BACKENDS(state);
  //@ assert LB_S_BACKEND_KEYS(state);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_KEYS(state);
  //@ assert LB_S_FLOW6_BACKENDS(state);
  //@ assert LB_S_BACKEND6_KEYS(state);
  //@ assert LB_S_BACKENDS6(state);
  //@ ghost store_backend:;
  nf_vector_return(state->backends, index, &backend);
  //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, store_backend);
  //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, store_backend);
  //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, store_backend);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, store_backend);
  //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, store_backend);
  //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, store_backend);
  //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, store_backend);
  //@ assert LB_T_FLOW_TABLE(state);
  //@ assert LB_T_BACKEND_TABLE(state);
  //@ assert LB_T_FLOW6_TABLE(state);
  //@ assert LB_T_BACKEND6_TABLE(state);
  //@ assert state_ok(state);
}

/* The live IPv4 backend of the client flow `key`: its pinned backend while that
 * is alive, else the consistent hash's choice, pinned when a flow index is
 * free. False when no backend is alive. Takes the key, not the packet, as
 * heartbeat. */
/*@ requires state_ok(state) && now >= 0 && \valid(backend_out) && \separated(backend_out, state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap, *backend_out;
    ensures state_ok(state);
    ensures \result ==> LB_IN(state->backend_chain, *backend_out); */
static bool pick_backend(struct nf_state *state, struct flow_key key, nf_time_t now,
                         int32_t *backend_out) {
  struct flow_backend pinned;
  int32_t backend_index = 0;
  int32_t flow_index = 0;
  //@ ghost flow_key_bytes(&key);
  if (nf_map_get(state->flow_table, &key, &flow_index)) {
    //@ assert LB_IN(state->flow_chain, flow_index);
    //@ ghost flow_backend_bytes(&pinned);
    nf_vector_borrow(state->flow_backends, flow_index, &pinned);
    backend_index = pinned.backend;
    if (!nf_dchain_is_allocated(state->backend_chain, backend_index)) {
      /* Its backend died: re-assign. */
      //@ ghost flow_key_bytes(&key);
      if (!nf_cht_find_backend(state->backend_cht, flow_key_hash(&key), state->backend_chain,
                               &backend_index)) {
        return false; /* no live backend */
      }
      //@ assert LB_IN(state->backend_chain, backend_index);
      pinned.backend = backend_index;
      //@ ghost flow_backend_bytes(&pinned);
      //@ assert state->flow_backends != state->flow_keys;
      //@ assert state->flow_backends != state->backend_keys;
      //@ assert state->flow_backends != state->backends;
      //@ assert state->flow_backends != state->flow6_keys;
      //@ assert state->flow_backends != state->flow6_backends;
      //@ assert state->flow_backends != state->backend6_keys;
      //@ assert state->flow_backends != state->backends6;
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state);
      //@ assert LB_S_BACKENDS(state);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state);
      //@ assert LB_S_BACKENDS6(state);
      //@ ghost repin:;
      nf_vector_return(state->flow_backends, flow_index, &pinned);
      //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, repin);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, repin);
      //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, repin);
      //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, repin);
      //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, repin);
      //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, repin);
      //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, repin);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      /*@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index) &&
                 LB_IN(state->flow_chain, flow_index); */
    }
    //@ assert LB_IN(state->backend_chain, backend_index);
    nf_dchain_rejuvenate(state->flow_chain, flow_index, now);
    //@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index);
  } else {
    //@ ghost flow_key_bytes(&key);
    if (!nf_cht_find_backend(state->backend_cht, flow_key_hash(&key), state->backend_chain,
                             &backend_index)) {
      return false; /* no live backend */
    }
    //@ assert LB_IN(state->backend_chain, backend_index);
    if (nf_dchain_allocate(state->flow_chain, now, &flow_index)) {
      /*@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index) &&
                 LB_IN(state->flow_chain, flow_index); */
      //@ ghost flow_key_bytes(&key);
      //@ assert state->flow_keys != state->flow_backends;
      //@ assert state->flow_keys != state->backend_keys;
      //@ assert state->flow_keys != state->backends;
      //@ assert state->flow_keys != state->flow6_keys;
      //@ assert state->flow_keys != state->flow6_backends;
      //@ assert state->flow_keys != state->backend6_keys;
      //@ assert state->flow_keys != state->backends6;
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state);
      //@ assert LB_S_BACKENDS(state);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state);
      //@ assert LB_S_BACKENDS6(state);
      //@ ghost store_key:;
      nf_vector_return(state->flow_keys, flow_index, &key);
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, store_key);
      //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, store_key);
      //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, store_key);
      //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, store_key);
      //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, store_key);
      //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, store_key);
      //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, store_key);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      /*@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index) &&
                 LB_IN(state->flow_chain, flow_index); */
      //@ ghost flow_key_bytes(&key);
      nf_map_put(state->flow_table, &key, flow_index);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      /*@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index) &&
                 LB_IN(state->flow_chain, flow_index); */
      pinned.backend = backend_index;
      //@ ghost flow_backend_bytes(&pinned);
      //@ assert state->flow_backends != state->flow_keys;
      //@ assert state->flow_backends != state->backend_keys;
      //@ assert state->flow_backends != state->backends;
      //@ assert state->flow_backends != state->flow6_keys;
      //@ assert state->flow_backends != state->flow6_backends;
      //@ assert state->flow_backends != state->backend6_keys;
      //@ assert state->flow_backends != state->backends6;
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state);
      //@ assert LB_S_BACKENDS(state);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state);
      //@ assert LB_S_BACKENDS6(state);
      //@ ghost pin:;
      nf_vector_return(state->flow_backends, flow_index, &pinned);
      //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, pin);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, pin);
      //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, pin);
      //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, pin);
      //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, pin);
      //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, pin);
      //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, pin);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      //@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index);
    }
    /* else: flow table full, the flow is served by the hash without being pinned. */
    //@ assert state_ok(state) && LB_IN(state->backend_chain, backend_index);
  }
  *backend_out = backend_index;
  return true;
}

/* Records or refreshes the IPv6 backend `key` (the heartbeat's source, whose
 * source MAC is `mac`). The heartbeat itself is consumed (nf_process drops it).
 * It takes the key, not the packet: with the packet's invariant in their
 * context, the provers need far longer for each state_ok after a vector
 * return (docs/VERIFICATION.md, per-NF table: conn_limiter, policer). */
/*@ requires state_ok(state) && now >= 0;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static void heartbeat6(struct nf_state *state, struct ip6_key key, struct nf_mac mac,
                       nf_time_t now) {
  int32_t index = 0;
  //@ ghost ip6_key_bytes(&key);
  if (nf_map_get(state->backend6_table, &key, &index)) {
    //@ assert LB_IN(state->backend6_chain, index);
    nf_dchain_rejuvenate(state->backend6_chain, index, now);
    //@ assert state_ok(state) && LB_IN(state->backend6_chain, index);
  } else {
    if (!nf_dchain_allocate(state->backend6_chain, now, &index)) return; /* full */
    //@ assert state_ok(state) && LB_IN(state->backend6_chain, index);
    //@ ghost ip6_key_bytes(&key);
    //@ assert state->backend6_keys != state->flow_keys;
    //@ assert state->backend6_keys != state->flow_backends;
    //@ assert state->backend6_keys != state->backend_keys;
    //@ assert state->backend6_keys != state->backends;
    //@ assert state->backend6_keys != state->flow6_keys;
    //@ assert state->backend6_keys != state->flow6_backends;
    //@ assert state->backend6_keys != state->backends6;
    //@ assert LB_S_FLOW_KEYS(state);
    //@ assert LB_S_FLOW_BACKENDS(state);
    //@ assert LB_S_BACKEND_KEYS(state);
    //@ assert LB_S_BACKENDS(state);
    //@ assert LB_S_FLOW6_KEYS(state);
    //@ assert LB_S_FLOW6_BACKENDS(state);
    //@ assert LB_S_BACKEND6_KEYS(state);
    //@ assert LB_S_BACKENDS6(state);
    //@ ghost store_key:;
    nf_vector_return(state->backend6_keys, index, &key);
    //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, store_key);
    //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, store_key);
    //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, store_key);
    //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, store_key);
    //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, store_key);
    //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, store_key);
    //@ assert LB_S_BACKEND6_KEYS(state);
    //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, store_key);
    //@ assert LB_T_FLOW_TABLE(state);
    //@ assert LB_T_BACKEND_TABLE(state);
    //@ assert LB_T_FLOW6_TABLE(state);
    //@ assert LB_T_BACKEND6_TABLE(state);
    //@ assert state_ok(state) && LB_IN(state->backend6_chain, index);
    //@ ghost ip6_key_bytes(&key);
    nf_map_put(state->backend6_table, &key, index);
    //@ assert LB_T_FLOW_TABLE(state);
    //@ assert LB_T_BACKEND_TABLE(state);
    //@ assert LB_T_FLOW6_TABLE(state);
    //@ assert LB_T_BACKEND6_TABLE(state);
    //@ assert state_ok(state) && LB_IN(state->backend6_chain, index);
  }
  struct backend6 backend = {.ip = key.addr, .mac = mac, .pad = {0, 0}};
  //@ ghost backend6_bytes(&backend);
  //@ assert state->backends6 != state->flow_keys;
  //@ assert state->backends6 != state->flow_backends;
  //@ assert state->backends6 != state->backend_keys;
  //@ assert state->backends6 != state->backends;
  //@ assert state->backends6 != state->flow6_keys;
  //@ assert state->backends6 != state->flow6_backends;
  //@ assert state->backends6 != state->backend6_keys;
  //@ assert LB_S_FLOW_KEYS(state);
  //@ assert LB_S_FLOW_BACKENDS(state);
  //@ assert LB_S_BACKEND_KEYS(state);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_KEYS(state);
  //@ assert LB_S_FLOW6_BACKENDS(state);
  //@ assert LB_S_BACKEND6_KEYS(state);
  //@ assert LB_S_BACKENDS6(state);
  //@ ghost store_backend:;
  nf_vector_return(state->backends6, index, &backend);
  //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, store_backend);
  //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, store_backend);
  //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, store_backend);
  //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, store_backend);
  //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, store_backend);
  //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, store_backend);
  //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, store_backend);
  //@ assert LB_S_BACKENDS6(state);
  //@ assert LB_T_FLOW_TABLE(state);
  //@ assert LB_T_BACKEND_TABLE(state);
  //@ assert LB_T_FLOW6_TABLE(state);
  //@ assert LB_T_BACKEND6_TABLE(state);
  //@ assert state_ok(state);
}

/* The live IPv6 backend of the client flow `key`: its pinned backend while that
 * is alive, else the consistent hash's choice, pinned when a flow index is
 * free. False when no backend is alive. Takes the key, not the packet, as
 * heartbeat6. */
/*@ requires state_ok(state) && now >= 0 && \valid(backend_out) && \separated(backend_out, state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap, *backend_out;
    ensures state_ok(state);
    ensures \result ==> LB_IN(state->backend6_chain, *backend_out); */
static bool pick_backend6(struct nf_state *state, struct flow6_key key, nf_time_t now,
                          int32_t *backend_out) {
  struct flow_backend pinned;
  int32_t backend_index = 0;
  int32_t flow_index = 0;
  //@ ghost flow6_key_bytes(&key);
  if (nf_map_get(state->flow6_table, &key, &flow_index)) {
    //@ assert LB_IN(state->flow6_chain, flow_index);
    //@ ghost flow_backend_bytes(&pinned);
    nf_vector_borrow(state->flow6_backends, flow_index, &pinned);
    backend_index = pinned.backend;
    if (!nf_dchain_is_allocated(state->backend6_chain, backend_index)) {
      /* Its backend died: re-assign. */
      //@ ghost flow6_key_bytes(&key);
      if (!nf_cht_find_backend(state->backend6_cht, flow6_key_hash(&key), state->backend6_chain,
                               &backend_index)) {
        return false; /* no live backend */
      }
      //@ assert LB_IN(state->backend6_chain, backend_index);
      pinned.backend = backend_index;
      //@ ghost flow_backend_bytes(&pinned);
      //@ assert state->flow6_backends != state->flow_keys;
      //@ assert state->flow6_backends != state->flow_backends;
      //@ assert state->flow6_backends != state->backend_keys;
      //@ assert state->flow6_backends != state->backends;
      //@ assert state->flow6_backends != state->flow6_keys;
      //@ assert state->flow6_backends != state->backend6_keys;
      //@ assert state->flow6_backends != state->backends6;
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state);
      //@ assert LB_S_BACKENDS(state);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state);
      //@ assert LB_S_BACKENDS6(state);
      //@ ghost repin:;
      nf_vector_return(state->flow6_backends, flow_index, &pinned);
      //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, repin);
      //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, repin);
      //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, repin);
      //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, repin);
      //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, repin);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, repin);
      //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, repin);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      /*@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index) &&
                 LB_IN(state->flow6_chain, flow_index); */
    }
    //@ assert LB_IN(state->backend6_chain, backend_index);
    nf_dchain_rejuvenate(state->flow6_chain, flow_index, now);
    //@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index);
  } else {
    //@ ghost flow6_key_bytes(&key);
    if (!nf_cht_find_backend(state->backend6_cht, flow6_key_hash(&key), state->backend6_chain,
                             &backend_index)) {
      return false; /* no live backend */
    }
    //@ assert LB_IN(state->backend6_chain, backend_index);
    if (nf_dchain_allocate(state->flow6_chain, now, &flow_index)) {
      /*@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index) &&
                 LB_IN(state->flow6_chain, flow_index); */
      //@ ghost flow6_key_bytes(&key);
      //@ assert state->flow6_keys != state->flow_keys;
      //@ assert state->flow6_keys != state->flow_backends;
      //@ assert state->flow6_keys != state->backend_keys;
      //@ assert state->flow6_keys != state->backends;
      //@ assert state->flow6_keys != state->flow6_backends;
      //@ assert state->flow6_keys != state->backend6_keys;
      //@ assert state->flow6_keys != state->backends6;
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state);
      //@ assert LB_S_BACKENDS(state);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state);
      //@ assert LB_S_BACKENDS6(state);
      //@ ghost store_key:;
      nf_vector_return(state->flow6_keys, flow_index, &key);
      //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, store_key);
      //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, store_key);
      //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, store_key);
      //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, store_key);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state) && LB_K_FLOW6_BACKENDS(state, store_key);
      //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, store_key);
      //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, store_key);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      /*@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index) &&
                 LB_IN(state->flow6_chain, flow_index); */
      //@ ghost flow6_key_bytes(&key);
      nf_map_put(state->flow6_table, &key, flow_index);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      /*@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index) &&
                 LB_IN(state->flow6_chain, flow_index); */
      pinned.backend = backend_index;
      //@ ghost flow_backend_bytes(&pinned);
      //@ assert state->flow6_backends != state->flow_keys;
      //@ assert state->flow6_backends != state->flow_backends;
      //@ assert state->flow6_backends != state->backend_keys;
      //@ assert state->flow6_backends != state->backends;
      //@ assert state->flow6_backends != state->flow6_keys;
      //@ assert state->flow6_backends != state->backend6_keys;
      //@ assert state->flow6_backends != state->backends6;
      //@ assert LB_S_FLOW_KEYS(state);
      //@ assert LB_S_FLOW_BACKENDS(state);
      //@ assert LB_S_BACKEND_KEYS(state);
      //@ assert LB_S_BACKENDS(state);
      //@ assert LB_S_FLOW6_KEYS(state);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state);
      //@ assert LB_S_BACKENDS6(state);
      //@ ghost pin:;
      nf_vector_return(state->flow6_backends, flow_index, &pinned);
      //@ assert LB_S_FLOW_KEYS(state) && LB_K_FLOW_KEYS(state, pin);
      //@ assert LB_S_FLOW_BACKENDS(state) && LB_K_FLOW_BACKENDS(state, pin);
      //@ assert LB_S_BACKEND_KEYS(state) && LB_K_BACKEND_KEYS(state, pin);
      //@ assert LB_S_BACKENDS(state) && LB_K_BACKENDS(state, pin);
      //@ assert LB_S_FLOW6_KEYS(state) && LB_K_FLOW6_KEYS(state, pin);
      //@ assert LB_S_FLOW6_BACKENDS(state);
      //@ assert LB_S_BACKEND6_KEYS(state) && LB_K_BACKEND6_KEYS(state, pin);
      //@ assert LB_S_BACKENDS6(state) && LB_K_BACKENDS6(state, pin);
      //@ assert LB_T_FLOW_TABLE(state);
      //@ assert LB_T_BACKEND_TABLE(state);
      //@ assert LB_T_FLOW6_TABLE(state);
      //@ assert LB_T_BACKEND6_TABLE(state);
      //@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index);
    }
    /* else: flow table full, the flow is served by the hash without being pinned. */
    //@ assert state_ok(state) && LB_IN(state->backend6_chain, backend_index);
  }
  *backend_out = backend_index;
  return true;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK && now >= 0;
    ensures state_ok(state); */
static int from_backend(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct ip_key key = {.addr = nf_pkt_ipv4_src(pkt)};
  if (nf_pkt_ipv4_proto(pkt) == NF_IPPROTO_UDP &&
      nf_pkt_l4_dst_port(pkt) == state->cfg.heartbeat_port) {
    heartbeat(state, key, nf_pkt_eth_src(pkt), now);
    return NF_DROP; /* consumed */
  }
  int32_t index = 0;
  //@ ghost ip_key_bytes(&key);
  if (!nf_map_get(state->backend_table, &key, &index)) return NF_DROP; /* not a live backend */
  nf_pkt_set_ipv4_src(pkt, state->cfg.vip);
  return state->cfg.client_port;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_L4_OK && now >= 0;
    ensures state_ok(state); */
static int from_client(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  if (nf_pkt_ipv4_dst(pkt) != state->cfg.vip) return NF_DROP;
  struct flow_key key = {
      .src_ip = nf_pkt_ipv4_src(pkt),
      .dst_ip = nf_pkt_ipv4_dst(pkt),
      .src_port = nf_pkt_l4_src_port(pkt),
      .dst_port = nf_pkt_l4_dst_port(pkt),
      .proto = nf_pkt_ipv4_proto(pkt),
      .pad = {0, 0, 0},
  };
  int32_t backend_index = 0;
  if (!pick_backend(state, key, now, &backend_index)) return NF_DROP; /* no live backend */
  struct backend backend;
  //@ ghost backend_bytes(&backend);
  nf_vector_borrow(state->backends, backend_index, &backend);
  nf_pkt_set_ipv4_dst(pkt, backend.ip);
  nf_pkt_set_eth_dst(pkt, backend.mac);
  return state->cfg.backend_port;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK && now >= 0;
    ensures state_ok(state); */
static int from_backend6(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct ip6_key key = {.addr = nf_pkt_ipv6_src(pkt)};
  if (nf_pkt_ipv6_proto(pkt) == NF_IPPROTO_UDP &&
      nf_pkt_l4_dst_port(pkt) == state->cfg.heartbeat_port) {
    heartbeat6(state, key, nf_pkt_eth_src(pkt), now);
    return NF_DROP; /* consumed */
  }
  int32_t index = 0;
  //@ ghost ip6_key_bytes(&key);
  if (!nf_map_get(state->backend6_table, &key, &index)) return NF_DROP; /* not a live backend */
  nf_pkt_set_ipv6_src(pkt, state->cfg.vip6);
  return state->cfg.client_port;
}

/*@ requires state_ok(state) && nf_pkt_ok(pkt) && pkt->status == NF_PKT_IPV6_L4_OK && now >= 0;
    ensures state_ok(state); */
static int from_client6(struct nf_state *state, struct nf_packet *pkt, nf_time_t now) {
  struct nf_ipv6_addr dst = nf_pkt_ipv6_dst(pkt);
  /* nf_bytes_equal: memcmp's == 0 with a contract WP can use (types.h). */
  if (!nf_bytes_equal(&dst, &state->cfg.vip6, sizeof(dst))) return NF_DROP;
  if (nf_bytes_equal(&dst, &ipv6_unspecified, sizeof(dst))) return NF_DROP; /* no --vip6 */
  struct flow6_key key = {
      .src_ip = nf_pkt_ipv6_src(pkt),
      .dst_ip = dst,
      .src_port = nf_pkt_l4_src_port(pkt),
      .dst_port = nf_pkt_l4_dst_port(pkt),
      .proto = nf_pkt_ipv6_proto(pkt),
      .pad = {0, 0, 0},
  };
  int32_t backend_index = 0;
  if (!pick_backend6(state, key, now, &backend_index)) return NF_DROP; /* no live backend */
  struct backend6 backend;
  //@ ghost backend6_bytes(&backend);
  nf_vector_borrow(state->backends6, backend_index, &backend);
  nf_pkt_set_ipv6_dst(pkt, backend.ip);
  nf_pkt_set_eth_dst(pkt, backend.mac);
  return state->cfg.backend_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bounds
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->flow_chain, state->flow_keys, state->flow_table,
                  now - state->cfg.flow_expiry);
  //@ assert LB_T_FLOW_TABLE(state);
  //@ assert LB_T_BACKEND_TABLE(state);
  //@ assert LB_T_FLOW6_TABLE(state);
  //@ assert LB_T_BACKEND6_TABLE(state);
  //@ assert LB_S_FLOW_BACKENDS(state);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_BACKENDS(state);
  //@ assert LB_S_BACKENDS6(state);
  //@ assert state_ok(state);
  nf_expire_items(state->backend_chain, state->backend_keys, state->backend_table,
                  now - state->cfg.backend_expiry);
  //@ assert LB_T_FLOW_TABLE(state);
  //@ assert LB_T_BACKEND_TABLE(state);
  //@ assert LB_T_FLOW6_TABLE(state);
  //@ assert LB_T_BACKEND6_TABLE(state);
  //@ assert LB_S_FLOW_BACKENDS(state);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_BACKENDS(state);
  //@ assert LB_S_BACKENDS6(state);
  //@ assert state_ok(state);
  nf_expire_items(state->flow6_chain, state->flow6_keys, state->flow6_table,
                  now - state->cfg.flow_expiry);
  //@ assert LB_T_FLOW_TABLE(state);
  //@ assert LB_T_BACKEND_TABLE(state);
  //@ assert LB_T_FLOW6_TABLE(state);
  //@ assert LB_T_BACKEND6_TABLE(state);
  //@ assert LB_S_FLOW_BACKENDS(state);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_BACKENDS(state);
  //@ assert LB_S_BACKENDS6(state);
  //@ assert state_ok(state);
  nf_expire_items(state->backend6_chain, state->backend6_keys, state->backend6_table,
                  now - state->cfg.backend_expiry);
  //@ assert LB_T_FLOW_TABLE(state);
  //@ assert LB_T_BACKEND_TABLE(state);
  //@ assert LB_T_FLOW6_TABLE(state);
  //@ assert LB_T_BACKEND6_TABLE(state);
  //@ assert LB_S_FLOW_BACKENDS(state);
  //@ assert LB_S_BACKENDS(state);
  //@ assert LB_S_FLOW6_BACKENDS(state);
  //@ assert LB_S_BACKENDS6(state);
  //@ assert state_ok(state);
  if (nf_pkt_status(pkt) == NF_PKT_IPV6_L4_OK) {
    if (in_port == state->cfg.backend_port) return from_backend6(state, pkt, now);
    return from_client6(state, pkt, now);
  }
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) return NF_DROP;
  if (in_port == state->cfg.backend_port) return from_backend(state, pkt, now);
  return from_client(state, pkt, now);
}
