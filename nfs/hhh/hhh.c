/* Hierarchical heavy hitters (HHH): WAN -> LAN IPv4 packets are counted per
 * source prefix at four levels, /8, /16, /24 and /32, each with its own
 * threshold (--threshold-8 ... --threshold-32), in fixed windows of --window.
 * A prefix that already had its level's threshold of packets in its current
 * window is a heavy hitter: every further packet from inside it is dropped
 * until its window ends. So each prefix passes at most its level's threshold
 * per window; only passed packets are counted (at every level at once), so a
 * heavy /32 does not push its /24 over the /24's threshold by itself.
 * LAN -> WAN traffic passes uncounted.
 *
 * Per packet, the levels are visited from /8 to /32. At each level the
 * packet's prefix is looked up: a known prefix is refreshed (expiry) and, when
 * its window has ended, gets a new window starting now; an unknown prefix gets
 * an entry with a window starting now. The first level whose prefix is heavy,
 * or whose table is full for an unknown prefix, drops the packet; finer levels
 * are not visited. A packet that passes all four levels adds one to the count
 * of each of its four prefixes. A prefix is forgotten --expiry after the last
 * packet that visited its level (then it starts again with an empty window).
 *
 * Dual stack: IPv6 packets are counted the same way over the IPv6 hierarchy
 * /16, /32, /48 and /64 (the /64 is a subnet's hosts: interface IDs are the
 * host's own choice, so a finer level would let one host spread itself over
 * as many entries as it likes). IPv6 level k uses IPv4 level k's threshold and
 * capacity (/16 as /8, /32 as /16, /48 as /24, /64 as /32), in tables of its
 * own (prefix6_*), so neither family's prefixes count against the other's.
 *
 * Malformed-packet rule (as the policer's): from the WAN, every IPv4 or IPv6
 * frame with a valid header (TCP/UDP, other protocols, fragments) is counted by
 * its source address; frames of neither family are dropped (they have no
 * source prefix). From the LAN, every well-formed frame passes. Malformed
 * frames (truncated, bad IPv4 or IPv6 header or extension chain, truncated
 * TCP/UDP header) are dropped on both sides. */
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

const char *const nf_name = "hhh";

#define HHH_MAX_PREFIXES_LIMIT (1u << 24)

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t threshold_8; /* packets per /8 prefix and window */
  uint32_t threshold_16;
  uint32_t threshold_24;
  uint32_t threshold_32;
  /* Powers of two: capacity of each level's table. Parallel shared-nothing
   * builds give each core an equal share of each capacity, while RSS need not
   * spread the 256 possible /8 prefixes evenly; the /8 default, 16 x 256,
   * keeps a whole /8 table in every core's share up to 16 cores. */
  uint32_t max_prefixes_8;
  uint32_t max_prefixes_16;
  uint32_t max_prefixes_24;
  uint32_t max_prefixes_32;
  nf_time_t window; /* ns per counting window */
  nf_time_t expiry; /* ns without packets before a prefix is forgotten */
};

/* A source prefix: the source address with the bits below the level cleared. */
struct prefix_key {
  uint32_t prefix;
};
NF_KEY_DECLARE(prefix_key)

/* An IPv6 source prefix: the first 8 bytes (the /64) of the source address,
 * those past the level cleared (every IPv6 level is a whole number of bytes).
 * One field per byte, so that each key field is one slice of ipv6.src (or 0)
 * for the sharding analysis, as the IPv4 masks are. */
struct prefix6_key {
  uint8_t b0;
  uint8_t b1;
  uint8_t b2;
  uint8_t b3;
  uint8_t b4;
  uint8_t b5;
  uint8_t b6;
  uint8_t b7;
};
NF_KEY_DECLARE(prefix6_key)

/* Packets counted for a prefix in its current window. */
struct prefix_window {
  nf_time_t start;
  uint32_t count;
  uint8_t pad[4];
};

/* One map + key vector + window vector + dchain per level: each level has its
 * own capacity and expiry, and the planner can place each level on its own. */
struct nf_state {
  struct nf_config cfg;
  struct nf_map *prefix8_table; /* /8 prefix -> index */
  struct nf_vector *prefix8_keys;
  struct nf_vector *prefix8_windows;
  struct nf_dchain *prefix8_chain;
  struct nf_map *prefix16_table;
  struct nf_vector *prefix16_keys;
  struct nf_vector *prefix16_windows;
  struct nf_dchain *prefix16_chain;
  struct nf_map *prefix24_table;
  struct nf_vector *prefix24_keys;
  struct nf_vector *prefix24_windows;
  struct nf_dchain *prefix24_chain;
  struct nf_map *prefix32_table;
  struct nf_vector *prefix32_keys;
  struct nf_vector *prefix32_windows;
  struct nf_dchain *prefix32_chain;
  struct nf_map *prefix6_16_table; /* IPv6 /16 prefix -> index (sized as /8) */
  struct nf_vector *prefix6_16_keys;
  struct nf_vector *prefix6_16_windows;
  struct nf_dchain *prefix6_16_chain;
  struct nf_map *prefix6_32_table; /* IPv6 /32 prefix -> index (sized as /16) */
  struct nf_vector *prefix6_32_keys;
  struct nf_vector *prefix6_32_windows;
  struct nf_dchain *prefix6_32_chain;
  struct nf_map *prefix6_48_table; /* IPv6 /48 prefix -> index (sized as /24) */
  struct nf_vector *prefix6_48_keys;
  struct nf_vector *prefix6_48_windows;
  struct nf_dchain *prefix6_48_chain;
  struct nf_map *prefix6_64_table; /* IPv6 /64 prefix -> index (sized as /32) */
  struct nf_vector *prefix6_64_keys;
  struct nf_vector *prefix6_64_windows;
  struct nf_dchain *prefix6_64_chain;
};

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): eight
 * levels (four per IP family), each a triple (table, key vector, chain) as
 * nf_expiry_triple_ok states it, with a window vector of prefix_window cells
 * over the chain's indexes (a different object from the key vector), and
 * every table value one of the chain's indexes (the window's borrow); the
 * levels' maps, vectors and chains pairwise distinct (an operation on one
 * leaves the others as they were: the same-kind frames of map.h, vector.h and
 * dchain.h); expiry and window >= 0, so now - expiry and now - window cannot
 * overflow. nf_state_create establishes it (assumed, as nflib's constructors:
 * start-up code is not proved). */
/* A key or window of n bytes is n readable and writable bytes (C11 6.5p7: any
 * object may be accessed through a character type); WP's Typed model counts a
 * struct's memory in fields, so this is stated, not derived
 * (docs/VERIFICATION.md, "Byte views and frames"). */
/*@ ghost
  NF_BYTES_VIEW(prefix_key_bytes, struct prefix_key)
  NF_BYTES_VIEW(prefix6_key_bytes, struct prefix6_key)
  NF_BYTES_VIEW(prefix_window_bytes, struct prefix_window)
*/
/* state_ok is written flat, as policer's (conjunctions of atoms and
 * one-level predicates): with level_ok and levels_apart as predicates inside
 * predicates, cvc4 gave up on state_ok after the window vectors' returns.
 * The macros only save writing the eight levels out by hand. */
/*@ predicate values_index(struct nf_map *table, struct nf_dchain *c) =
      \forall uint8_t *k; nf_map_has(table, k) ==>
        nf_dchain_base(c) <= nf_map_value(table, k) < nf_dchain_base(c) + nf_dchain_capacity_of(c);
*/
/* One level: (table, key vector, chain) as nf_expiry_triple_ok states it, a
 * window vector of prefix_window cells over the chain's indexes, distinct
 * from the key vector, and every table value one of the chain's indexes. */
#define HHH_LEVEL_OK(m, k, w, c, key_size)                                      \
  (nf_expiry_triple_ok(m, k, c, key_size) && (k) != (w) && nf_vector_live(w) && \
   nf_vector_cell_size(w) == sizeof(struct prefix_window) &&                    \
   nf_vector_base(w) == nf_dchain_base(c) &&                                    \
   nf_vector_capacity_of(w) == nf_dchain_capacity_of(c) && values_index(m, c))
/* Level a of s, as HHH_LEVEL_OK's arguments. */
#define HHH_LEVEL_OF(s, a, key_size)                                                    \
  HHH_LEVEL_OK((s)->prefix##a##_table, (s)->prefix##a##_keys, (s)->prefix##a##_windows, \
               (s)->prefix##a##_chain, key_size)
/* Levels a and b of s: their maps, chains and vectors pairwise distinct. */
#define HHH_APART(s, a, b)                              \
  ((s)->prefix##a##_table != (s)->prefix##b##_table &&  \
   (s)->prefix##a##_chain != (s)->prefix##b##_chain &&  \
   (s)->prefix##a##_keys != (s)->prefix##b##_keys &&    \
   (s)->prefix##a##_keys != (s)->prefix##b##_windows && \
   (s)->prefix##a##_windows != (s)->prefix##b##_keys && \
   (s)->prefix##a##_windows != (s)->prefix##b##_windows)
/*@ predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry >= 0 && s->cfg.window >= 0 &&
      HHH_LEVEL_OF(s, 8, sizeof(struct prefix_key)) &&
      HHH_LEVEL_OF(s, 16, sizeof(struct prefix_key)) &&
      HHH_LEVEL_OF(s, 24, sizeof(struct prefix_key)) &&
      HHH_LEVEL_OF(s, 32, sizeof(struct prefix_key)) &&
      HHH_LEVEL_OF(s, 6_16, sizeof(struct prefix6_key)) &&
      HHH_LEVEL_OF(s, 6_32, sizeof(struct prefix6_key)) &&
      HHH_LEVEL_OF(s, 6_48, sizeof(struct prefix6_key)) &&
      HHH_LEVEL_OF(s, 6_64, sizeof(struct prefix6_key)) &&
      HHH_APART(s, 8, 16) &&
      HHH_APART(s, 8, 24) &&
      HHH_APART(s, 8, 32) &&
      HHH_APART(s, 8, 6_16) &&
      HHH_APART(s, 8, 6_32) &&
      HHH_APART(s, 8, 6_48) &&
      HHH_APART(s, 8, 6_64) &&
      HHH_APART(s, 16, 24) &&
      HHH_APART(s, 16, 32) &&
      HHH_APART(s, 16, 6_16) &&
      HHH_APART(s, 16, 6_32) &&
      HHH_APART(s, 16, 6_48) &&
      HHH_APART(s, 16, 6_64) &&
      HHH_APART(s, 24, 32) &&
      HHH_APART(s, 24, 6_16) &&
      HHH_APART(s, 24, 6_32) &&
      HHH_APART(s, 24, 6_48) &&
      HHH_APART(s, 24, 6_64) &&
      HHH_APART(s, 32, 6_16) &&
      HHH_APART(s, 32, 6_32) &&
      HHH_APART(s, 32, 6_48) &&
      HHH_APART(s, 32, 6_64) &&
      HHH_APART(s, 6_16, 6_32) &&
      HHH_APART(s, 6_16, 6_48) &&
      HHH_APART(s, 6_16, 6_64) &&
      HHH_APART(s, 6_32, 6_48) &&
      HHH_APART(s, 6_32, 6_64) &&
      HHH_APART(s, 6_48, 6_64);
*/

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_THRESHOLD_8,
  OPT_THRESHOLD_16,
  OPT_THRESHOLD_24,
  OPT_THRESHOLD_32,
  OPT_MAX_PREFIXES_8,
  OPT_MAX_PREFIXES_16,
  OPT_MAX_PREFIXES_24,
  OPT_MAX_PREFIXES_32,
  OPT_WINDOW,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"threshold-8", required_argument, NULL, OPT_THRESHOLD_8},
    {"threshold-16", required_argument, NULL, OPT_THRESHOLD_16},
    {"threshold-24", required_argument, NULL, OPT_THRESHOLD_24},
    {"threshold-32", required_argument, NULL, OPT_THRESHOLD_32},
    {"max-prefixes-8", required_argument, NULL, OPT_MAX_PREFIXES_8},
    {"max-prefixes-16", required_argument, NULL, OPT_MAX_PREFIXES_16},
    {"max-prefixes-24", required_argument, NULL, OPT_MAX_PREFIXES_24},
    {"max-prefixes-32", required_argument, NULL, OPT_MAX_PREFIXES_32},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "hhh options:\n"
          "  --lan-port N          port of the protected network (default 0)\n"
          "  --wan-port N          port of the outside network, whose traffic is counted\n"
          "                        (default 1)\n"
          "  --threshold-8 N       packets per /8 source prefix and window (default 64000)\n"
          "  --threshold-16 N      packets per /16 source prefix and window (default 16000)\n"
          "  --threshold-24 N      packets per /24 source prefix and window (default 4000)\n"
          "  --threshold-32 N      packets per source address and window (default 1000)\n"
          "  --max-prefixes-8 N    /8 table capacity, a power of two (default 4096)\n"
          "  --max-prefixes-16 N   /16 table capacity, a power of two (default 65536)\n"
          "  --max-prefixes-24 N   /24 table capacity, a power of two (default 65536)\n"
          "  --max-prefixes-32 N   /32 table capacity, a power of two (default 65536)\n"
          "  --window T            counting window, e.g. 1s, 250ms (default 1s)\n"
          "  --expiry T            idle time before a prefix is forgotten (default 10s)\n");
}

static bool parse_threshold(const char *option, const char *value, uint32_t *out, char *err,
                            size_t err_len) {
  uint64_t parsed = 0;
  if (!nf_opt_parse_scaled_u64(option, value, 1, UINT32_MAX, &parsed, err, err_len)) return false;
  *out = (uint32_t)parsed;
  return true;
}

static bool parse_capacity(const char *option, const char *value, uint32_t *out, char *err,
                           size_t err_len) {
  uint64_t parsed = 0;
  if (!nf_opt_parse_pow2(option, value, 1, HHH_MAX_PREFIXES_LIMIT, &parsed, err, err_len)) {
    return false;
  }
  *out = (uint32_t)parsed;
  return true;
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .threshold_8 = 64000,
                          .threshold_16 = 16000,
                          .threshold_24 = 4000,
                          .threshold_32 = 1000,
                          .max_prefixes_8 = 4096,
                          .max_prefixes_16 = 65536,
                          .max_prefixes_24 = 65536,
                          .max_prefixes_32 = 65536,
                          .window = NF_NS_PER_SEC,
                          .expiry = 10 * NF_NS_PER_SEC};
  uint64_t value = 0;
  bool ok = true;
  int opt;
  optind = 0;
  opterr = 0;
  while (ok && (opt = getopt_long(argc, argv, "+:", long_options, NULL)) != -1) {
    switch (opt) {
      case OPT_LAN_PORT:
        ok = nf_opt_parse_u64("--lan-port", optarg, 0, 1, &value, err, err_len);
        cfg.lan_port = (uint16_t)value;
        break;
      case OPT_WAN_PORT:
        ok = nf_opt_parse_u64("--wan-port", optarg, 0, 1, &value, err, err_len);
        cfg.wan_port = (uint16_t)value;
        break;
      case OPT_THRESHOLD_8:
        ok = parse_threshold("--threshold-8", optarg, &cfg.threshold_8, err, err_len);
        break;
      case OPT_THRESHOLD_16:
        ok = parse_threshold("--threshold-16", optarg, &cfg.threshold_16, err, err_len);
        break;
      case OPT_THRESHOLD_24:
        ok = parse_threshold("--threshold-24", optarg, &cfg.threshold_24, err, err_len);
        break;
      case OPT_THRESHOLD_32:
        ok = parse_threshold("--threshold-32", optarg, &cfg.threshold_32, err, err_len);
        break;
      case OPT_MAX_PREFIXES_8:
        ok = parse_capacity("--max-prefixes-8", optarg, &cfg.max_prefixes_8, err, err_len);
        break;
      case OPT_MAX_PREFIXES_16:
        ok = parse_capacity("--max-prefixes-16", optarg, &cfg.max_prefixes_16, err, err_len);
        break;
      case OPT_MAX_PREFIXES_24:
        ok = parse_capacity("--max-prefixes-24", optarg, &cfg.max_prefixes_24, err, err_len);
        break;
      case OPT_MAX_PREFIXES_32:
        ok = parse_capacity("--max-prefixes-32", optarg, &cfg.max_prefixes_32, err, err_len);
        break;
      case OPT_WINDOW:
        ok = nf_opt_parse_duration("--window", optarg, &cfg.window, err, err_len);
        break;
      case OPT_EXPIRY:
        ok = nf_opt_parse_duration("--expiry", optarg, &cfg.expiry, err, err_len);
        break;
      default:
        ok = nf_opt_getopt_error(opt, argv, optind, err, err_len);
        break;
    }
  }
  if (!ok) return NULL;
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
    nf_opt_fail(err, err_len, "out of memory for the hhh state");
    return NULL;
  }
  state->cfg = *cfg;
  state->prefix8_table = nf_map_create("prefix8_table", cfg->max_prefixes_8,
                                       sizeof(struct prefix_key), prefix_key_hash, prefix_key_eq);
  state->prefix8_keys =
      nf_vector_create("prefix8_keys", cfg->max_prefixes_8, sizeof(struct prefix_key), NULL);
  state->prefix8_windows =
      nf_vector_create("prefix8_windows", cfg->max_prefixes_8, sizeof(struct prefix_window), NULL);
  state->prefix8_chain = nf_dchain_create("prefix8_chain", cfg->max_prefixes_8);
  state->prefix16_table = nf_map_create("prefix16_table", cfg->max_prefixes_16,
                                        sizeof(struct prefix_key), prefix_key_hash, prefix_key_eq);
  state->prefix16_keys =
      nf_vector_create("prefix16_keys", cfg->max_prefixes_16, sizeof(struct prefix_key), NULL);
  state->prefix16_windows = nf_vector_create("prefix16_windows", cfg->max_prefixes_16,
                                             sizeof(struct prefix_window), NULL);
  state->prefix16_chain = nf_dchain_create("prefix16_chain", cfg->max_prefixes_16);
  state->prefix24_table = nf_map_create("prefix24_table", cfg->max_prefixes_24,
                                        sizeof(struct prefix_key), prefix_key_hash, prefix_key_eq);
  state->prefix24_keys =
      nf_vector_create("prefix24_keys", cfg->max_prefixes_24, sizeof(struct prefix_key), NULL);
  state->prefix24_windows = nf_vector_create("prefix24_windows", cfg->max_prefixes_24,
                                             sizeof(struct prefix_window), NULL);
  state->prefix24_chain = nf_dchain_create("prefix24_chain", cfg->max_prefixes_24);
  state->prefix32_table = nf_map_create("prefix32_table", cfg->max_prefixes_32,
                                        sizeof(struct prefix_key), prefix_key_hash, prefix_key_eq);
  state->prefix32_keys =
      nf_vector_create("prefix32_keys", cfg->max_prefixes_32, sizeof(struct prefix_key), NULL);
  state->prefix32_windows = nf_vector_create("prefix32_windows", cfg->max_prefixes_32,
                                             sizeof(struct prefix_window), NULL);
  state->prefix32_chain = nf_dchain_create("prefix32_chain", cfg->max_prefixes_32);
  state->prefix6_16_table =
      nf_map_create("prefix6_16_table", cfg->max_prefixes_8, sizeof(struct prefix6_key),
                    prefix6_key_hash, prefix6_key_eq);
  state->prefix6_16_keys =
      nf_vector_create("prefix6_16_keys", cfg->max_prefixes_8, sizeof(struct prefix6_key), NULL);
  state->prefix6_16_windows = nf_vector_create("prefix6_16_windows", cfg->max_prefixes_8,
                                               sizeof(struct prefix_window), NULL);
  state->prefix6_16_chain = nf_dchain_create("prefix6_16_chain", cfg->max_prefixes_8);
  state->prefix6_32_table =
      nf_map_create("prefix6_32_table", cfg->max_prefixes_16, sizeof(struct prefix6_key),
                    prefix6_key_hash, prefix6_key_eq);
  state->prefix6_32_keys =
      nf_vector_create("prefix6_32_keys", cfg->max_prefixes_16, sizeof(struct prefix6_key), NULL);
  state->prefix6_32_windows = nf_vector_create("prefix6_32_windows", cfg->max_prefixes_16,
                                               sizeof(struct prefix_window), NULL);
  state->prefix6_32_chain = nf_dchain_create("prefix6_32_chain", cfg->max_prefixes_16);
  state->prefix6_48_table =
      nf_map_create("prefix6_48_table", cfg->max_prefixes_24, sizeof(struct prefix6_key),
                    prefix6_key_hash, prefix6_key_eq);
  state->prefix6_48_keys =
      nf_vector_create("prefix6_48_keys", cfg->max_prefixes_24, sizeof(struct prefix6_key), NULL);
  state->prefix6_48_windows = nf_vector_create("prefix6_48_windows", cfg->max_prefixes_24,
                                               sizeof(struct prefix_window), NULL);
  state->prefix6_48_chain = nf_dchain_create("prefix6_48_chain", cfg->max_prefixes_24);
  state->prefix6_64_table =
      nf_map_create("prefix6_64_table", cfg->max_prefixes_32, sizeof(struct prefix6_key),
                    prefix6_key_hash, prefix6_key_eq);
  state->prefix6_64_keys =
      nf_vector_create("prefix6_64_keys", cfg->max_prefixes_32, sizeof(struct prefix6_key), NULL);
  state->prefix6_64_windows = nf_vector_create("prefix6_64_windows", cfg->max_prefixes_32,
                                               sizeof(struct prefix_window), NULL);
  state->prefix6_64_chain = nf_dchain_create("prefix6_64_chain", cfg->max_prefixes_32);
  if (state->prefix8_table == NULL || state->prefix8_keys == NULL ||
      state->prefix8_windows == NULL || state->prefix8_chain == NULL ||
      state->prefix16_table == NULL || state->prefix16_keys == NULL ||
      state->prefix16_windows == NULL || state->prefix16_chain == NULL ||
      state->prefix24_table == NULL || state->prefix24_keys == NULL ||
      state->prefix24_windows == NULL || state->prefix24_chain == NULL ||
      state->prefix32_table == NULL || state->prefix32_keys == NULL ||
      state->prefix32_windows == NULL || state->prefix32_chain == NULL ||
      state->prefix6_16_table == NULL || state->prefix6_16_keys == NULL ||
      state->prefix6_16_windows == NULL || state->prefix6_16_chain == NULL ||
      state->prefix6_32_table == NULL || state->prefix6_32_keys == NULL ||
      state->prefix6_32_windows == NULL || state->prefix6_32_chain == NULL ||
      state->prefix6_48_table == NULL || state->prefix6_48_keys == NULL ||
      state->prefix6_48_windows == NULL || state->prefix6_48_chain == NULL ||
      state->prefix6_64_table == NULL || state->prefix6_64_keys == NULL ||
      state->prefix6_64_windows == NULL || state->prefix6_64_chain == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate the prefix tables (%u, %u, %u and %u prefixes)",
                cfg->max_prefixes_8, cfg->max_prefixes_16, cfg->max_prefixes_24,
                cfg->max_prefixes_32);
    return NULL;
  }
  return state;
}

/* One level's visit: finds (refreshing) or allocates the prefix's entry, opens
 * a new window when none is open (stored at once, so that the window's start
 * is the first packet that visited the level, whatever happens to the packet
 * at finer levels), and says whether the prefix is still under its threshold.
 * *index and *window are the entry and its window as of now. */
/*@ requires HHH_LEVEL_OK(table, keys, windows, chain, nf_map_key_size(table));
    requires nf_bytes_readable((uint8_t *)key, nf_map_key_size(table));
    requires \valid(index) && \valid(window) && \separated(index, window);
    requires now >= 0 && window_len >= 0;
    assigns nf_heap, nf_vector_heap, nf_dchain_heap, *index, *window,
            ((uint8_t *)window)[0 .. sizeof(struct prefix_window) - 1];
    ensures HHH_LEVEL_OK(table, keys, windows, chain, nf_map_key_size(table));
    ensures \result ==> nf_vector_index_ok(windows, *index);
    // The other levels as they were: the same-kind frames of the calls.
    ensures nf_maps_shape_kept{Old, Here} && nf_maps_other_unchanged{Old, Here}(table);
    ensures nf_dchains_other_unchanged{Old, Here}(chain);
    ensures \forall struct nf_vector *w; w != keys && w != windows && nf_vector_live{Old}(w) ==>
      nf_vector_live(w) && nf_vector_shape_unchanged{Old, Here}(w); */
static bool level_admits(struct nf_map *table, struct nf_vector *keys, struct nf_vector *windows,
                         struct nf_dchain *chain, const void *key, uint32_t threshold,
                         nf_time_t window_len, nf_time_t now, int32_t *index,
                         struct prefix_window *window) {
  if (nf_map_get(table, key, index)) {
    //@ ghost prefix_window_bytes(window);
    nf_vector_borrow(windows, *index, window);
    nf_dchain_rejuvenate(chain, *index, now);
    /* now - start >= window_len, without subtracting a stored time: WP
     * cannot bound a cell's start, and now - window_len cannot overflow
     * (now >= 0, window_len > 0). */
    if (window->start <= now - window_len) {
      window->start = now;
      window->count = 0;
      //@ ghost prefix_window_bytes(window);
      nf_vector_return(windows, *index, window);
    }
  } else {
    if (!nf_dchain_allocate(chain, now, index)) return false; /* table full */
    nf_vector_return(keys, *index, key);
    nf_map_put(table, key, *index);
    window->start = now;
    window->count = 0;
    window->pad[0] = 0;
    window->pad[1] = 0;
    window->pad[2] = 0;
    window->pad[3] = 0;
    //@ ghost prefix_window_bytes(window);
    nf_vector_return(windows, *index, window);
  }
  return window->count < threshold;
}

/* Counts the packet in one level's window and stores the window. Its own
 * function so that its callers see the vector frame as level_admits' (shapes
 * only), not nf_vector_return's, whose nested byte quantifier fires only from
 * a byte term of the other vector (docs/VERIFICATION.md, "Byte views and
 * frames"). */
/*@ requires nf_vector_live(windows) && nf_vector_index_ok(windows, index);
    requires nf_vector_cell_size(windows) == sizeof(struct prefix_window);
    requires \valid(window);
    assigns nf_vector_heap, window->count;
    ensures nf_vector_live(windows) && nf_vector_shape_unchanged{Old, Here}(windows);
    ensures \forall struct nf_vector *w; w != windows && nf_vector_live{Old}(w) ==>
      nf_vector_live(w) && nf_vector_shape_unchanged{Old, Here}(w); */
static void count_in(struct nf_vector *windows, int32_t index, struct prefix_window *window) {
  window->count = window->count + 1;
  //@ ghost prefix_window_bytes(window);
  nf_vector_return(windows, index, window);
}

/* WAN -> LAN IPv4: passes when none of its four source prefixes is heavy. */
/* count_wan and count_wan6 take the source address, not the packet: with the
 * packet's invariant (nf_pkt_ok) in their context z3 is far slower on each
 * state_ok (firewall3, conn_limiter, policer). */
/*@ requires state_ok(state) && now >= 0;
    ensures state_ok(state); */
static int count_wan(struct nf_state *state, uint32_t src, nf_time_t now) {
  const struct nf_config *cfg = &state->cfg;
  /* Keys written as masks of the source address: the analyzer sees each level's
   * key as a prefix of ipv4.src (docs/NF_C_SUBSET.md, sections 12-13). */
  struct prefix_key key8 = {.prefix = src & 0xff000000u};
  struct prefix_key key16 = {.prefix = src & 0xffff0000u};
  struct prefix_key key24 = {.prefix = src & 0xffffff00u};
  struct prefix_key key32 = {.prefix = src};
  int32_t index8 = 0;
  int32_t index16 = 0;
  int32_t index24 = 0;
  int32_t index32 = 0;
  struct prefix_window window8;
  struct prefix_window window16;
  struct prefix_window window24;
  struct prefix_window window32;
  //@ ghost prefix_key_bytes(&key8);
  if (!level_admits(state->prefix8_table, state->prefix8_keys, state->prefix8_windows,
                    state->prefix8_chain, &key8, cfg->threshold_8, cfg->window, now, &index8,
                    &window8)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix8_windows, index8);
  //@ ghost prefix_key_bytes(&key16);
  if (!level_admits(state->prefix16_table, state->prefix16_keys, state->prefix16_windows,
                    state->prefix16_chain, &key16, cfg->threshold_16, cfg->window, now, &index16,
                    &window16)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix8_windows, index8);
  //@ assert nf_vector_index_ok(state->prefix16_windows, index16);
  //@ ghost prefix_key_bytes(&key24);
  if (!level_admits(state->prefix24_table, state->prefix24_keys, state->prefix24_windows,
                    state->prefix24_chain, &key24, cfg->threshold_24, cfg->window, now, &index24,
                    &window24)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix8_windows, index8);
  //@ assert nf_vector_index_ok(state->prefix16_windows, index16);
  //@ assert nf_vector_index_ok(state->prefix24_windows, index24);
  //@ ghost prefix_key_bytes(&key32);
  if (!level_admits(state->prefix32_table, state->prefix32_keys, state->prefix32_windows,
                    state->prefix32_chain, &key32, cfg->threshold_32, cfg->window, now, &index32,
                    &window32)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix8_windows, index8);
  //@ assert nf_vector_index_ok(state->prefix16_windows, index16);
  //@ assert nf_vector_index_ok(state->prefix24_windows, index24);
  //@ assert nf_vector_index_ok(state->prefix32_windows, index32);
  /* Every level is under its threshold (so no count can overflow): count the
   * packet at all four. */
  count_in(state->prefix8_windows, index8, &window8);
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix16_windows, index16);
  //@ assert nf_vector_index_ok(state->prefix24_windows, index24);
  //@ assert nf_vector_index_ok(state->prefix32_windows, index32);
  count_in(state->prefix16_windows, index16, &window16);
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix24_windows, index24);
  //@ assert nf_vector_index_ok(state->prefix32_windows, index32);
  count_in(state->prefix24_windows, index24, &window24);
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix32_windows, index32);
  count_in(state->prefix32_windows, index32, &window32);
  //@ assert state_ok(state);
  return cfg->lan_port;
}

/* The first len_bytes (2, 4, 6 or 8) bytes of src, the rest of the /64 cleared. */
/*@ assigns \nothing; */
static struct prefix6_key prefix6_of(struct nf_ipv6_addr src, uint32_t len_bytes) {
  struct prefix6_key key = {
      .b0 = src.bytes[0],
      .b1 = src.bytes[1],
      .b2 = len_bytes > 2 ? src.bytes[2] : 0,
      .b3 = len_bytes > 3 ? src.bytes[3] : 0,
      .b4 = len_bytes > 4 ? src.bytes[4] : 0,
      .b5 = len_bytes > 5 ? src.bytes[5] : 0,
      .b6 = len_bytes > 6 ? src.bytes[6] : 0,
      .b7 = len_bytes > 7 ? src.bytes[7] : 0,
  };
  return key;
}

/* WAN -> LAN IPv6: passes when none of its four source prefixes is heavy. */
/*@ requires state_ok(state) && now >= 0;
    ensures state_ok(state); */
static int count_wan6(struct nf_state *state, struct nf_ipv6_addr src, nf_time_t now) {
  const struct nf_config *cfg = &state->cfg;
  struct prefix6_key key16 = prefix6_of(src, 2);
  struct prefix6_key key32 = prefix6_of(src, 4);
  struct prefix6_key key48 = prefix6_of(src, 6);
  struct prefix6_key key64 = prefix6_of(src, 8);
  int32_t index16 = 0;
  int32_t index32 = 0;
  int32_t index48 = 0;
  int32_t index64 = 0;
  struct prefix_window window16;
  struct prefix_window window32;
  struct prefix_window window48;
  struct prefix_window window64;
  //@ ghost prefix6_key_bytes(&key16);
  if (!level_admits(state->prefix6_16_table, state->prefix6_16_keys, state->prefix6_16_windows,
                    state->prefix6_16_chain, &key16, cfg->threshold_8, cfg->window, now, &index16,
                    &window16)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_16_windows, index16);
  //@ ghost prefix6_key_bytes(&key32);
  if (!level_admits(state->prefix6_32_table, state->prefix6_32_keys, state->prefix6_32_windows,
                    state->prefix6_32_chain, &key32, cfg->threshold_16, cfg->window, now, &index32,
                    &window32)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_16_windows, index16);
  //@ assert nf_vector_index_ok(state->prefix6_32_windows, index32);
  //@ ghost prefix6_key_bytes(&key48);
  if (!level_admits(state->prefix6_48_table, state->prefix6_48_keys, state->prefix6_48_windows,
                    state->prefix6_48_chain, &key48, cfg->threshold_24, cfg->window, now, &index48,
                    &window48)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_16_windows, index16);
  //@ assert nf_vector_index_ok(state->prefix6_32_windows, index32);
  //@ assert nf_vector_index_ok(state->prefix6_48_windows, index48);
  //@ ghost prefix6_key_bytes(&key64);
  if (!level_admits(state->prefix6_64_table, state->prefix6_64_keys, state->prefix6_64_windows,
                    state->prefix6_64_chain, &key64, cfg->threshold_32, cfg->window, now, &index64,
                    &window64)) {
    //@ assert state_ok(state);
    return NF_DROP;
  }
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_16_windows, index16);
  //@ assert nf_vector_index_ok(state->prefix6_32_windows, index32);
  //@ assert nf_vector_index_ok(state->prefix6_48_windows, index48);
  //@ assert nf_vector_index_ok(state->prefix6_64_windows, index64);
  count_in(state->prefix6_16_windows, index16, &window16);
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_32_windows, index32);
  //@ assert nf_vector_index_ok(state->prefix6_48_windows, index48);
  //@ assert nf_vector_index_ok(state->prefix6_64_windows, index64);
  count_in(state->prefix6_32_windows, index32, &window32);
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_48_windows, index48);
  //@ assert nf_vector_index_ok(state->prefix6_64_windows, index64);
  count_in(state->prefix6_48_windows, index48, &window48);
  //@ assert state_ok(state);
  //@ assert nf_vector_index_ok(state->prefix6_64_windows, index64);
  count_in(state->prefix6_64_windows, index64, &window64);
  //@ assert state_ok(state);
  return cfg->lan_port;
}

/* One level's expiry, its own function (as level_admits) so that nf_process
 * sees each level's frame in level_admits' terms. */
/*@ requires HHH_LEVEL_OK(table, keys, windows, chain, nf_map_key_size(table));
    assigns nf_heap, nf_dchain_heap;
    ensures HHH_LEVEL_OK(table, keys, windows, chain, nf_map_key_size(table));
    ensures nf_maps_shape_kept{Old, Here} && nf_maps_other_unchanged{Old, Here}(table);
    ensures nf_dchains_other_unchanged{Old, Here}(chain); */
static void expire_level(struct nf_map *table, struct nf_vector *keys, struct nf_vector *windows,
                         struct nf_dchain *chain, nf_time_t older_than) {
  (void)windows; /* only in the contract: the level's window vector as it was */
  nf_expire_items(chain, keys, table, older_than);
}

/* Every level's expiry. Out of nf_process so that the packet's invariant
 * (nf_pkt_ok) is not in the context of its state_ok goals (see count_wan).
 * now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && now >= 0;
    assigns nf_heap, nf_dchain_heap;
    ensures state_ok(state); */
static void expire_all(struct nf_state *state, nf_time_t now) {
  nf_time_t older_than = now - state->cfg.expiry;
  expire_level(state->prefix8_table, state->prefix8_keys, state->prefix8_windows,
               state->prefix8_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix16_table, state->prefix16_keys, state->prefix16_windows,
               state->prefix16_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix24_table, state->prefix24_keys, state->prefix24_windows,
               state->prefix24_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix32_table, state->prefix32_keys, state->prefix32_windows,
               state->prefix32_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix6_16_table, state->prefix6_16_keys, state->prefix6_16_windows,
               state->prefix6_16_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix6_32_table, state->prefix6_32_keys, state->prefix6_32_windows,
               state->prefix6_32_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix6_48_table, state->prefix6_48_keys, state->prefix6_48_windows,
               state->prefix6_48_chain, older_than);
  //@ assert state_ok(state);
  expire_level(state->prefix6_64_table, state->prefix6_64_keys, state->prefix6_64_windows,
               state->prefix6_64_chain, older_than);
  //@ assert state_ok(state);
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  expire_all(state, now);
  enum nf_parse_status status = nf_pkt_status(pkt);
  bool ipv4 = status == NF_PKT_L4_OK || status == NF_PKT_IPV4_OTHER || status == NF_PKT_FRAGMENT;
  bool ipv6 =
      status == NF_PKT_IPV6_L4_OK || status == NF_PKT_IPV6_OTHER || status == NF_PKT_IPV6_FRAGMENT;
  if (in_port == state->cfg.lan_port) {
    if (ipv4 || ipv6 || status == NF_PKT_NOT_IPV4) return state->cfg.wan_port;
    return NF_DROP;
  }
  if (ipv4) return count_wan(state, nf_pkt_ipv4_src(pkt), now);
  if (ipv6) return count_wan6(state, nf_pkt_ipv6_src(pkt), now);
  return NF_DROP;
}
