/* Policer: WAN -> LAN traffic is limited per destination IP address by a
 * token bucket of --rate bytes/s and --burst bytes (a frame conforms when the
 * bucket holds at least its length; a new address starts with a full bucket).
 * LAN -> WAN traffic is not limited. Per-address state expires after --expiry
 * without WAN traffic to that address; when the table is full, WAN frames to
 * addresses without state are dropped.
 *
 * Dual stack: IPv6 destinations have their own buckets (dst6_*), --max-addresses
 * of them besides the --max-addresses IPv4 ones, so the families never share a
 * bucket and IPv4 behaves as in the IPv4-only policer.
 *
 * Malformed-packet rule: from the WAN, every IPv4 or IPv6 frame with a valid
 * header (TCP/UDP, other protocols, fragments) is policed by its destination;
 * frames of neither family are dropped (they have no address to police by).
 * From the LAN, every well-formed frame passes. Malformed frames (truncated,
 * bad IPv4 or IPv6 header or extension chain, truncated TCP/UDP header) are
 * dropped on both sides. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/dchain.h"
#include "nflib/expirator.h"
#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/time.h"
#include "nflib/token_bucket.h"
#include "nflib/vector.h"
#include "nfs/common/options.h"

const char *const nf_name = "policer";

#define POLICER_MAX_ADDRESSES_LIMIT (1u << 24)
#define POLICER_MAX_RATE 100000000000ULL /* 100 GB/s */

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t max_addresses; /* power of two: capacity of the per-address table */
  uint64_t rate;          /* bytes per second */
  uint64_t burst;         /* bytes */
  nf_time_t expiry;       /* ns without traffic before an address's bucket is forgotten */
};

struct ip_key {
  uint32_t addr;
};
NF_KEY_DECLARE(ip_key)

struct ip6_key {
  struct nf_ipv6_addr addr;
};
NF_KEY_DECLARE(ip6_key)

struct nf_state {
  struct nf_config cfg;
  struct nf_map *dst_table;      /* destination address -> index */
  struct nf_vector *dst_keys;    /* index -> destination address (for expiry) */
  struct nf_vector *dst_buckets; /* index -> struct nf_token_bucket */
  struct nf_dchain *dst_chain;   /* allocated indexes, by last use */
  struct nf_map *dst6_table;     /* the same for IPv6 destinations */
  struct nf_vector *dst6_keys;
  struct nf_vector *dst6_buckets;
  struct nf_dchain *dst6_chain;
};

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_RATE,
  OPT_BURST,
  OPT_MAX_ADDRESSES,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"rate", required_argument, NULL, OPT_RATE},
    {"burst", required_argument, NULL, OPT_BURST},
    {"max-addresses", required_argument, NULL, OPT_MAX_ADDRESSES},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(
      out,
      "policer options:\n"
      "  --lan-port N        port of the protected network (default 0)\n"
      "  --wan-port N        port of the outside network, whose traffic is policed (default 1)\n"
      "  --rate R            bytes per second per destination address, suffix K/M/G allowed\n"
      "                      (default 1M)\n"
      "  --burst B           bucket size in bytes, suffix K/M/G allowed (default 100K; at\n"
      "                      least one maximum frame, 1518)\n"
      "  --max-addresses N   per-address table capacity per IP family, a power of two\n"
      "                      (default 65536)\n"
      "  --expiry T          idle time before an address is forgotten (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .max_addresses = 65536,
                          .rate = 1000000,
                          .burst = 100000,
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
      case OPT_RATE:
        if (!nf_opt_parse_scaled_u64("--rate", optarg, 1, POLICER_MAX_RATE, &cfg.rate, err,
                                     err_len)) {
          return NULL;
        }
        break;
      case OPT_BURST:
        if (!nf_opt_parse_scaled_u64("--burst", optarg, 1518, POLICER_MAX_RATE, &cfg.burst, err,
                                     err_len)) {
          return NULL;
        }
        break;
      case OPT_MAX_ADDRESSES:
        if (!nf_opt_parse_pow2("--max-addresses", optarg, 1, POLICER_MAX_ADDRESSES_LIMIT, &value,
                               err, err_len)) {
          return NULL;
        }
        cfg.max_addresses = (uint32_t)value;
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
    nf_opt_fail(err, err_len, "out of memory for the policer state");
    return NULL;
  }
  state->cfg = *cfg;
  state->dst_table =
      nf_map_create("dst_table", cfg->max_addresses, sizeof(struct ip_key), ip_key_hash, ip_key_eq);
  state->dst_keys = nf_vector_create("dst_keys", cfg->max_addresses, sizeof(struct ip_key), NULL);
  state->dst_buckets =
      nf_vector_create("dst_buckets", cfg->max_addresses, sizeof(struct nf_token_bucket), NULL);
  state->dst_chain = nf_dchain_create("dst_chain", cfg->max_addresses);
  state->dst6_table = nf_map_create("dst6_table", cfg->max_addresses, sizeof(struct ip6_key),
                                    ip6_key_hash, ip6_key_eq);
  state->dst6_keys =
      nf_vector_create("dst6_keys", cfg->max_addresses, sizeof(struct ip6_key), NULL);
  state->dst6_buckets =
      nf_vector_create("dst6_buckets", cfg->max_addresses, sizeof(struct nf_token_bucket), NULL);
  state->dst6_chain = nf_dchain_create("dst6_chain", cfg->max_addresses);
  if (state->dst_table == NULL || state->dst_keys == NULL || state->dst_buckets == NULL ||
      state->dst_chain == NULL || state->dst6_table == NULL || state->dst6_keys == NULL ||
      state->dst6_buckets == NULL || state->dst6_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate two tables (IPv4, IPv6) of %u addresses",
                cfg->max_addresses);
    return NULL;
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs), per family:
 * a live table, key vector and chain (nf_expiry_triple_ok: the table's keys
 * and the vector's cells of the family's key size, the chain's indexes
 * exactly the vector's), a live bucket vector of token buckets over the same
 * indexes, and every table value an index of the chain, hence of both
 * vectors (values_index: a known address's bucket is borrowed at its table
 * value). The tables, the chains and the four vectors are pairwise distinct,
 * so an operation on one leaves the others as they were. nf_state_create
 * establishes it (the configured expiry is positive: nf_opt_parse_duration). */
/*@ predicate values_index(struct nf_map *table, struct nf_dchain *chain) =
      \forall uint8_t *k; nf_map_has(table, k) ==>
        nf_dchain_base(chain) <= nf_map_value(table, k) <
          nf_dchain_base(chain) + nf_dchain_capacity_of(chain);
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry > 0 &&
      s->dst_table != s->dst6_table && s->dst_chain != s->dst6_chain &&
      s->dst_keys != s->dst6_keys && s->dst_keys != s->dst_buckets &&
      s->dst_keys != s->dst6_buckets && s->dst6_keys != s->dst_buckets &&
      s->dst6_keys != s->dst6_buckets && s->dst_buckets != s->dst6_buckets &&
      nf_expiry_triple_ok(s->dst_table, s->dst_keys, s->dst_chain, sizeof(struct ip_key)) &&
      nf_expiry_triple_ok(s->dst6_table, s->dst6_keys, s->dst6_chain, sizeof(struct ip6_key)) &&
      nf_vector_live(s->dst_buckets) &&
      nf_vector_cell_size(s->dst_buckets) == sizeof(struct nf_token_bucket) &&
      nf_vector_base(s->dst_buckets) == nf_dchain_base(s->dst_chain) &&
      nf_vector_capacity_of(s->dst_buckets) == nf_dchain_capacity_of(s->dst_chain) &&
      nf_vector_live(s->dst6_buckets) &&
      nf_vector_cell_size(s->dst6_buckets) == sizeof(struct nf_token_bucket) &&
      nf_vector_base(s->dst6_buckets) == nf_dchain_base(s->dst6_chain) &&
      nf_vector_capacity_of(s->dst6_buckets) == nf_dchain_capacity_of(s->dst6_chain) &&
      values_index(s->dst_table, s->dst_chain) && values_index(s->dst6_table, s->dst6_chain);
*/

/* The byte views of the structs this NF passes to nflib (NF_BYTES_VIEW,
 * nflib/types.h); each is called right before the calls that need it. */
/*@ ghost
  NF_BYTES_VIEW(ip_key_bytes, struct ip_key)
  NF_BYTES_VIEW(ip6_key_bytes, struct ip6_key)
  NF_BYTES_VIEW(bucket_bytes, struct nf_token_bucket)
*/

/* police and police6 take the destination's key and the frame's length, not
 * the packet: with the packet's invariant (nf_pkt_ok, the parser's
 * arithmetic) in their context, z3 needs far longer for each state_ok after a
 * vector return (firewall3, conn_limiter). The asserts split the proof of
 * state_ok per path: the shape of every other vector written out flat around
 * each nf_vector_return, both families' triples after it and after
 * nf_map_put. */
/*@ requires state_ok(state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int police(struct nf_state *state, struct ip_key key, uint32_t len, nf_time_t now) {
  struct nf_token_bucket bucket;
  int32_t index = 0;
  /*@ ghost ip_key_bytes(&key); */
  if (nf_map_get(state->dst_table, &key, &index)) {
    /*@ assert nf_dchain_base(state->dst_chain) <= index <
                   nf_dchain_base(state->dst_chain) + nf_dchain_capacity_of(state->dst_chain); */
    /*@ ghost bucket_bytes(&bucket); */
    nf_vector_borrow(state->dst_buckets, index, &bucket);
    nf_dchain_rejuvenate(state->dst_chain, index, now);
    /*@ assert state_ok(state); */
    /*@ assert nf_dchain_base(state->dst_chain) <= index <
                   nf_dchain_base(state->dst_chain) + nf_dchain_capacity_of(state->dst_chain); */
  } else {
    if (!nf_dchain_allocate(state->dst_chain, now, &index)) return NF_DROP; /* table full */
    /*@ assert state_ok(state); */
    /*@ assert nf_vector_live(state->dst6_keys) &&
                nf_vector_cell_size(state->dst6_keys) == sizeof(struct ip6_key) &&
                nf_vector_base(state->dst6_keys) == nf_dchain_base(state->dst6_chain) &&
                nf_vector_capacity_of(state->dst6_keys) == nf_dchain_capacity_of(state->dst6_chain);
     */
    /*@ assert nf_vector_live(state->dst_buckets) &&
                nf_vector_cell_size(state->dst_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst_buckets) == nf_dchain_base(state->dst_chain) &&
                nf_vector_capacity_of(state->dst_buckets) ==
                  nf_dchain_capacity_of(state->dst_chain);
     */
    /*@ assert nf_vector_live(state->dst6_buckets) &&
                nf_vector_cell_size(state->dst6_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst6_buckets) == nf_dchain_base(state->dst6_chain) &&
                nf_vector_capacity_of(state->dst6_buckets) ==
                  nf_dchain_capacity_of(state->dst6_chain);
     */
    nf_vector_return(state->dst_keys, index, &key);
    /*@ assert nf_vector_live(state->dst6_keys) &&
                nf_vector_cell_size(state->dst6_keys) == sizeof(struct ip6_key) &&
                nf_vector_base(state->dst6_keys) == nf_dchain_base(state->dst6_chain) &&
                nf_vector_capacity_of(state->dst6_keys) == nf_dchain_capacity_of(state->dst6_chain);
     */
    /*@ assert nf_vector_live(state->dst_buckets) &&
                nf_vector_cell_size(state->dst_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst_buckets) == nf_dchain_base(state->dst_chain) &&
                nf_vector_capacity_of(state->dst_buckets) ==
                  nf_dchain_capacity_of(state->dst_chain);
     */
    /*@ assert nf_vector_live(state->dst6_buckets) &&
                nf_vector_cell_size(state->dst6_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst6_buckets) == nf_dchain_base(state->dst6_chain) &&
                nf_vector_capacity_of(state->dst6_buckets) ==
                  nf_dchain_capacity_of(state->dst6_chain);
     */
    /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                     sizeof(struct ip6_key)); */
    /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                     sizeof(struct ip_key)); */
    /*@ assert state_ok(state); */
    nf_map_put(state->dst_table, &key, index);
    /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                     sizeof(struct ip6_key)); */
    /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                     sizeof(struct ip_key)); */
    /*@ assert state_ok(state); */
    bucket.tokens = state->cfg.burst;
    bucket.last_fill = now;
    /*@ assert nf_dchain_base(state->dst_chain) <= index <
                   nf_dchain_base(state->dst_chain) + nf_dchain_capacity_of(state->dst_chain); */
  }
  bool conforms = nf_token_bucket_take(&bucket, now, state->cfg.rate, state->cfg.burst, len);
  /*@ ghost bucket_bytes(&bucket); */
  /*@ assert nf_vector_live(state->dst_keys) &&
              nf_vector_cell_size(state->dst_keys) == sizeof(struct ip_key) &&
              nf_vector_base(state->dst_keys) == nf_dchain_base(state->dst_chain) &&
              nf_vector_capacity_of(state->dst_keys) == nf_dchain_capacity_of(state->dst_chain);
   */
  /*@ assert nf_vector_live(state->dst6_keys) &&
              nf_vector_cell_size(state->dst6_keys) == sizeof(struct ip6_key) &&
              nf_vector_base(state->dst6_keys) == nf_dchain_base(state->dst6_chain) &&
              nf_vector_capacity_of(state->dst6_keys) == nf_dchain_capacity_of(state->dst6_chain);
   */
  /*@ assert nf_vector_live(state->dst6_buckets) &&
              nf_vector_cell_size(state->dst6_buckets) == sizeof(struct nf_token_bucket) &&
              nf_vector_base(state->dst6_buckets) == nf_dchain_base(state->dst6_chain) &&
              nf_vector_capacity_of(state->dst6_buckets) ==
                nf_dchain_capacity_of(state->dst6_chain);
   */
  nf_vector_return(state->dst_buckets, index, &bucket);
  /*@ assert nf_vector_live(state->dst_keys) &&
              nf_vector_cell_size(state->dst_keys) == sizeof(struct ip_key) &&
              nf_vector_base(state->dst_keys) == nf_dchain_base(state->dst_chain) &&
              nf_vector_capacity_of(state->dst_keys) == nf_dchain_capacity_of(state->dst_chain);
   */
  /*@ assert nf_vector_live(state->dst6_keys) &&
              nf_vector_cell_size(state->dst6_keys) == sizeof(struct ip6_key) &&
              nf_vector_base(state->dst6_keys) == nf_dchain_base(state->dst6_chain) &&
              nf_vector_capacity_of(state->dst6_keys) == nf_dchain_capacity_of(state->dst6_chain);
   */
  /*@ assert nf_vector_live(state->dst6_buckets) &&
              nf_vector_cell_size(state->dst6_buckets) == sizeof(struct nf_token_bucket) &&
              nf_vector_base(state->dst6_buckets) == nf_dchain_base(state->dst6_chain) &&
              nf_vector_capacity_of(state->dst6_buckets) ==
                nf_dchain_capacity_of(state->dst6_chain);
   */
  /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                   sizeof(struct ip6_key)); */
  /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                   sizeof(struct ip_key)); */
  /*@ assert state_ok(state); */
  if (!conforms) return NF_DROP;
  return state->cfg.lan_port;
}

/*@ requires state_ok(state);
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int police6(struct nf_state *state, struct ip6_key key, uint32_t len, nf_time_t now) {
  struct nf_token_bucket bucket;
  int32_t index = 0;
  /*@ ghost ip6_key_bytes(&key); */
  if (nf_map_get(state->dst6_table, &key, &index)) {
    /*@ assert nf_dchain_base(state->dst6_chain) <= index <
                   nf_dchain_base(state->dst6_chain) + nf_dchain_capacity_of(state->dst6_chain); */
    /*@ ghost bucket_bytes(&bucket); */
    nf_vector_borrow(state->dst6_buckets, index, &bucket);
    nf_dchain_rejuvenate(state->dst6_chain, index, now);
    /*@ assert state_ok(state); */
    /*@ assert nf_dchain_base(state->dst6_chain) <= index <
                   nf_dchain_base(state->dst6_chain) + nf_dchain_capacity_of(state->dst6_chain); */
  } else {
    if (!nf_dchain_allocate(state->dst6_chain, now, &index)) return NF_DROP; /* table full */
    /*@ assert state_ok(state); */
    /*@ assert nf_vector_live(state->dst_keys) &&
                nf_vector_cell_size(state->dst_keys) == sizeof(struct ip_key) &&
                nf_vector_base(state->dst_keys) == nf_dchain_base(state->dst_chain) &&
                nf_vector_capacity_of(state->dst_keys) == nf_dchain_capacity_of(state->dst_chain);
     */
    /*@ assert nf_vector_live(state->dst6_buckets) &&
                nf_vector_cell_size(state->dst6_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst6_buckets) == nf_dchain_base(state->dst6_chain) &&
                nf_vector_capacity_of(state->dst6_buckets) ==
                  nf_dchain_capacity_of(state->dst6_chain);
     */
    /*@ assert nf_vector_live(state->dst_buckets) &&
                nf_vector_cell_size(state->dst_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst_buckets) == nf_dchain_base(state->dst_chain) &&
                nf_vector_capacity_of(state->dst_buckets) ==
                  nf_dchain_capacity_of(state->dst_chain);
     */
    nf_vector_return(state->dst6_keys, index, &key);
    /*@ assert nf_vector_live(state->dst_keys) &&
                nf_vector_cell_size(state->dst_keys) == sizeof(struct ip_key) &&
                nf_vector_base(state->dst_keys) == nf_dchain_base(state->dst_chain) &&
                nf_vector_capacity_of(state->dst_keys) == nf_dchain_capacity_of(state->dst_chain);
     */
    /*@ assert nf_vector_live(state->dst6_buckets) &&
                nf_vector_cell_size(state->dst6_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst6_buckets) == nf_dchain_base(state->dst6_chain) &&
                nf_vector_capacity_of(state->dst6_buckets) ==
                  nf_dchain_capacity_of(state->dst6_chain);
     */
    /*@ assert nf_vector_live(state->dst_buckets) &&
                nf_vector_cell_size(state->dst_buckets) == sizeof(struct nf_token_bucket) &&
                nf_vector_base(state->dst_buckets) == nf_dchain_base(state->dst_chain) &&
                nf_vector_capacity_of(state->dst_buckets) ==
                  nf_dchain_capacity_of(state->dst_chain);
     */
    /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                     sizeof(struct ip_key)); */
    /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                     sizeof(struct ip6_key)); */
    /*@ assert state_ok(state); */
    nf_map_put(state->dst6_table, &key, index);
    /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                     sizeof(struct ip_key)); */
    /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                     sizeof(struct ip6_key)); */
    /*@ assert state_ok(state); */
    bucket.tokens = state->cfg.burst;
    bucket.last_fill = now;
    /*@ assert nf_dchain_base(state->dst6_chain) <= index <
                   nf_dchain_base(state->dst6_chain) + nf_dchain_capacity_of(state->dst6_chain); */
  }
  bool conforms = nf_token_bucket_take(&bucket, now, state->cfg.rate, state->cfg.burst, len);
  /*@ ghost bucket_bytes(&bucket); */
  /*@ assert nf_vector_live(state->dst6_keys) &&
              nf_vector_cell_size(state->dst6_keys) == sizeof(struct ip6_key) &&
              nf_vector_base(state->dst6_keys) == nf_dchain_base(state->dst6_chain) &&
              nf_vector_capacity_of(state->dst6_keys) == nf_dchain_capacity_of(state->dst6_chain);
   */
  /*@ assert nf_vector_live(state->dst_keys) &&
              nf_vector_cell_size(state->dst_keys) == sizeof(struct ip_key) &&
              nf_vector_base(state->dst_keys) == nf_dchain_base(state->dst_chain) &&
              nf_vector_capacity_of(state->dst_keys) == nf_dchain_capacity_of(state->dst_chain);
   */
  /*@ assert nf_vector_live(state->dst_buckets) &&
              nf_vector_cell_size(state->dst_buckets) == sizeof(struct nf_token_bucket) &&
              nf_vector_base(state->dst_buckets) == nf_dchain_base(state->dst_chain) &&
              nf_vector_capacity_of(state->dst_buckets) == nf_dchain_capacity_of(state->dst_chain);
   */
  nf_vector_return(state->dst6_buckets, index, &bucket);
  /*@ assert nf_vector_live(state->dst6_keys) &&
              nf_vector_cell_size(state->dst6_keys) == sizeof(struct ip6_key) &&
              nf_vector_base(state->dst6_keys) == nf_dchain_base(state->dst6_chain) &&
              nf_vector_capacity_of(state->dst6_keys) == nf_dchain_capacity_of(state->dst6_chain);
   */
  /*@ assert nf_vector_live(state->dst_keys) &&
              nf_vector_cell_size(state->dst_keys) == sizeof(struct ip_key) &&
              nf_vector_base(state->dst_keys) == nf_dchain_base(state->dst_chain) &&
              nf_vector_capacity_of(state->dst_keys) == nf_dchain_capacity_of(state->dst_chain);
   */
  /*@ assert nf_vector_live(state->dst_buckets) &&
              nf_vector_cell_size(state->dst_buckets) == sizeof(struct nf_token_bucket) &&
              nf_vector_base(state->dst_buckets) == nf_dchain_base(state->dst_chain) &&
              nf_vector_capacity_of(state->dst_buckets) == nf_dchain_capacity_of(state->dst_chain);
   */
  /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                   sizeof(struct ip_key)); */
  /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                   sizeof(struct ip6_key)); */
  /*@ assert state_ok(state); */
  if (!conforms) return NF_DROP;
  return state->cfg.lan_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->dst_chain, state->dst_keys, state->dst_table, now - state->cfg.expiry);
  /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                   sizeof(struct ip_key)); */
  /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                   sizeof(struct ip6_key)); */
  /*@ assert state_ok(state); */
  nf_expire_items(state->dst6_chain, state->dst6_keys, state->dst6_table, now - state->cfg.expiry);
  /*@ assert nf_expiry_triple_ok(state->dst6_table, state->dst6_keys, state->dst6_chain,
                                   sizeof(struct ip6_key)); */
  /*@ assert nf_expiry_triple_ok(state->dst_table, state->dst_keys, state->dst_chain,
                                   sizeof(struct ip_key)); */
  /*@ assert state_ok(state); */
  enum nf_parse_status status = nf_pkt_status(pkt);
  bool ipv4 = status == NF_PKT_L4_OK || status == NF_PKT_IPV4_OTHER || status == NF_PKT_FRAGMENT;
  bool ipv6 =
      status == NF_PKT_IPV6_L4_OK || status == NF_PKT_IPV6_OTHER || status == NF_PKT_IPV6_FRAGMENT;
  if (in_port == state->cfg.lan_port) {
    if (ipv4 || ipv6 || status == NF_PKT_NOT_IPV4) return state->cfg.wan_port;
    return NF_DROP;
  }
  if (ipv4) {
    struct ip_key key = {.addr = nf_pkt_ipv4_dst(pkt)};
    return police(state, key, nf_pkt_len(pkt), now);
  }
  if (ipv6) {
    struct ip6_key key = {.addr = nf_pkt_ipv6_dst(pkt)};
    return police6(state, key, nf_pkt_len(pkt), now);
  }
  return NF_DROP;
}
