/* Port-scan detector: watches TCP/UDP traffic arriving on the WAN port and
 * counts, per source IP address, the distinct destination ports it touches.
 * A (source, port) pair stays "touched" while it sees traffic within --expiry.
 * A source's count grows by one per newly touched port and is forgotten when
 * the source has tried no new port for --expiry. Once a source's count reaches
 * --threshold, its packets to ports it has not touched yet are dropped (and
 * keep its count alive); packets to ports it already touched keep passing.
 * When either table is full, packets to new ports are dropped. LAN -> WAN
 * traffic passes.
 *
 * Dual stack: IPv6 sources (full 128-bit addresses, as IPv4 sources are full
 * 32-bit ones) have their own tables (src6_*, touched6_*), --max-sources and
 * --max-touched besides the IPv4 ones, so IPv4 behaves as in the IPv4-only
 * detector and no count is shared across families.
 *
 * Malformed-packet rule: from the WAN, TCP/UDP frames of either family are
 * inspected; other well-formed frames (neither IP family, other protocols,
 * fragments) pass uninspected (they have no ports). From the LAN, well-formed
 * frames pass. Malformed frames (truncated, bad IPv4 or IPv6 header or
 * extension chain, truncated TCP/UDP header) are dropped on both sides. */
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

const char *const nf_name = "port_scan";

#define PSD_TABLE_LIMIT (1u << 24)

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t threshold;   /* distinct ports a source may touch */
  uint32_t max_sources; /* power of two: capacity of the per-source table */
  uint32_t max_touched; /* power of two: capacity of the (source, port) table */
  nf_time_t expiry;     /* ns */
};

struct src_key {
  uint32_t src_ip;
};
NF_KEY_DECLARE(src_key)

struct touched_key {
  uint32_t src_ip;
  uint16_t dst_port;
  uint8_t pad[2];
};
NF_KEY_DECLARE(touched_key)

/* The IPv6 twins of src_key and touched_key. */
struct src6_key {
  struct nf_ipv6_addr src_ip;
};
NF_KEY_DECLARE(src6_key)

struct touched6_key {
  struct nf_ipv6_addr src_ip;
  uint16_t dst_port;
  uint8_t pad[2];
};
NF_KEY_DECLARE(touched6_key)

struct port_count {
  uint32_t ports; /* distinct ports touched */
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *src_table;        /* src_key -> source index */
  struct nf_vector *src_keys;      /* source index -> src_key (for expiry) */
  struct nf_vector *src_counts;    /* source index -> struct port_count */
  struct nf_dchain *src_chain;     /* source indexes, by last new-port attempt */
  struct nf_map *touched_table;    /* touched_key -> touched index */
  struct nf_vector *touched_keys;  /* touched index -> touched_key (for expiry) */
  struct nf_dchain *touched_chain; /* touched indexes, by last packet */
  struct nf_map *src6_table;       /* the same for IPv6 sources */
  struct nf_vector *src6_keys;
  struct nf_vector *src6_counts;
  struct nf_dchain *src6_chain;
  struct nf_map *touched6_table;
  struct nf_vector *touched6_keys;
  struct nf_dchain *touched6_chain;
};

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): per IP
 * family, the source triple (table, key vector, chain) and the touched triple,
 * each as nf_expiry_triple_ok states it; the per-source count vector of
 * port_count cells with the source chain's indexes, and every source table
 * value one of them (the count's borrow and return); distinct maps, vectors
 * and chains (an operation on one leaves the others as they were: the
 * same-kind frames of map.h, vector.h and dchain.h); expiry >= 0, so
 * now - expiry cannot overflow. nf_state_create establishes it (assumed, as
 * nflib's constructors: start-up code is not proved). */
/* A key or count of n bytes is n readable and writable bytes (C11 6.5p7: any
 * object may be accessed through a character type); WP's Typed model counts a
 * struct's memory in fields, so this is stated, not derived
 * (docs/VERIFICATION.md, "Byte views and frames"). */
/*@ ghost
  /@ requires \valid(p);
     assigns \nothing;
     ensures nf_bytes_writable((uint8_t *)p, sizeof(struct src_key));
     ensures nf_bytes_readable((uint8_t *)p, sizeof(struct src_key)); @/
  void src_key_bytes(struct src_key *p);
  /@ requires \valid(p);
     assigns \nothing;
     ensures nf_bytes_writable((uint8_t *)p, sizeof(struct touched_key));
     ensures nf_bytes_readable((uint8_t *)p, sizeof(struct touched_key)); @/
  void touched_key_bytes(struct touched_key *p);
  /@ requires \valid(p);
     assigns \nothing;
     ensures nf_bytes_writable((uint8_t *)p, sizeof(struct src6_key));
     ensures nf_bytes_readable((uint8_t *)p, sizeof(struct src6_key)); @/
  void src6_key_bytes(struct src6_key *p);
  /@ requires \valid(p);
     assigns \nothing;
     ensures nf_bytes_writable((uint8_t *)p, sizeof(struct touched6_key));
     ensures nf_bytes_readable((uint8_t *)p, sizeof(struct touched6_key)); @/
  void touched6_key_bytes(struct touched6_key *p);
  /@ requires \valid(p);
     assigns \nothing;
     ensures nf_bytes_writable((uint8_t *)p, sizeof(struct port_count));
     ensures nf_bytes_readable((uint8_t *)p, sizeof(struct port_count)); @/
  void port_count_bytes(struct port_count *p);
*/
/*@ predicate counts_ok(struct nf_vector *v, struct nf_dchain *c) =
      nf_vector_live(v) && nf_vector_cell_size(v) == sizeof(struct port_count) &&
      nf_vector_base(v) == nf_dchain_base(c) &&
      nf_vector_capacity_of(v) == nf_dchain_capacity_of(c);
    predicate values_index(struct nf_map *table, struct nf_dchain *c) =
      \forall uint8_t *k; nf_map_has(table, k) ==>
        nf_dchain_base(c) <= nf_map_value(table, k) < nf_dchain_base(c) + nf_dchain_capacity_of(c);
    predicate apart(struct nf_state *s) =
      s->src_table != s->touched_table && s->src_table != s->src6_table &&
      s->src_table != s->touched6_table && s->touched_table != s->src6_table &&
      s->touched_table != s->touched6_table && s->src6_table != s->touched6_table &&
      s->src_keys != s->src_counts && s->src_keys != s->touched_keys &&
      s->src_keys != s->src6_keys && s->src_keys != s->src6_counts &&
      s->src_keys != s->touched6_keys && s->src_counts != s->touched_keys &&
      s->src_counts != s->src6_keys && s->src_counts != s->src6_counts &&
      s->src_counts != s->touched6_keys && s->touched_keys != s->src6_keys &&
      s->touched_keys != s->src6_counts && s->touched_keys != s->touched6_keys &&
      s->src6_keys != s->src6_counts && s->src6_keys != s->touched6_keys &&
      s->src6_counts != s->touched6_keys &&
      s->src_chain != s->touched_chain && s->src_chain != s->src6_chain &&
      s->src_chain != s->touched6_chain && s->touched_chain != s->src6_chain &&
      s->touched_chain != s->touched6_chain && s->src6_chain != s->touched6_chain;
    predicate v4_ok(struct nf_state *s) =
      nf_expiry_triple_ok(s->src_table, s->src_keys, s->src_chain, sizeof(struct src_key)) &&
      nf_expiry_triple_ok(s->touched_table, s->touched_keys, s->touched_chain,
                          sizeof(struct touched_key)) &&
      counts_ok(s->src_counts, s->src_chain) && values_index(s->src_table, s->src_chain);
    predicate v6_ok(struct nf_state *s) =
      nf_expiry_triple_ok(s->src6_table, s->src6_keys, s->src6_chain, sizeof(struct src6_key)) &&
      nf_expiry_triple_ok(s->touched6_table, s->touched6_keys, s->touched6_chain,
                          sizeof(struct touched6_key)) &&
      counts_ok(s->src6_counts, s->src6_chain) && values_index(s->src6_table, s->src6_chain);
    predicate state_ok(struct nf_state *s) =
      \valid_read(s) && s->cfg.expiry >= 0 && apart(s) && v4_ok(s) && v6_ok(s);
*/

enum {
  OPT_LAN_PORT = 256,
  OPT_WAN_PORT,
  OPT_THRESHOLD,
  OPT_MAX_SOURCES,
  OPT_MAX_TOUCHED,
  OPT_EXPIRY,
};

static const struct option long_options[] = {
    {"lan-port", required_argument, NULL, OPT_LAN_PORT},
    {"wan-port", required_argument, NULL, OPT_WAN_PORT},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"max-sources", required_argument, NULL, OPT_MAX_SOURCES},
    {"max-touched", required_argument, NULL, OPT_MAX_TOUCHED},
    {"expiry", required_argument, NULL, OPT_EXPIRY},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "port_scan options:\n"
          "  --lan-port N      port of the protected network (default 0)\n"
          "  --wan-port N      port whose incoming traffic is watched (default 1)\n"
          "  --threshold N     distinct destination ports a source may touch (default 64)\n"
          "  --max-sources N   per-source table capacity per IP family, a power of two\n"
          "                    (default 65536)\n"
          "  --max-touched N   (source, port) table capacity per IP family, a power of two\n"
          "                    (default 262144)\n"
          "  --expiry T        window: idle time before ports and counts are forgotten\n"
          "                    (default 10s)\n");
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.lan_port = 0,
                          .wan_port = 1,
                          .threshold = 64,
                          .max_sources = 65536,
                          .max_touched = 262144,
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
      case OPT_THRESHOLD:
        if (!nf_opt_parse_u64("--threshold", optarg, 1, 65536, &value, err, err_len)) return NULL;
        cfg.threshold = (uint32_t)value;
        break;
      case OPT_MAX_SOURCES:
        if (!nf_opt_parse_pow2("--max-sources", optarg, 1, PSD_TABLE_LIMIT, &value, err, err_len)) {
          return NULL;
        }
        cfg.max_sources = (uint32_t)value;
        break;
      case OPT_MAX_TOUCHED:
        if (!nf_opt_parse_pow2("--max-touched", optarg, 1, PSD_TABLE_LIMIT, &value, err, err_len)) {
          return NULL;
        }
        cfg.max_touched = (uint32_t)value;
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
    nf_opt_fail(err, err_len, "out of memory for the port-scan detector state");
    return NULL;
  }
  state->cfg = *cfg;
  state->src_table = nf_map_create("src_table", cfg->max_sources, sizeof(struct src_key),
                                   src_key_hash, src_key_eq);
  state->src_keys = nf_vector_create("src_keys", cfg->max_sources, sizeof(struct src_key), NULL);
  state->src_counts =
      nf_vector_create("src_counts", cfg->max_sources, sizeof(struct port_count), NULL);
  state->src_chain = nf_dchain_create("src_chain", cfg->max_sources);
  state->touched_table =
      nf_map_create("touched_table", cfg->max_touched, sizeof(struct touched_key), touched_key_hash,
                    touched_key_eq);
  state->touched_keys =
      nf_vector_create("touched_keys", cfg->max_touched, sizeof(struct touched_key), NULL);
  state->touched_chain = nf_dchain_create("touched_chain", cfg->max_touched);
  state->src6_table = nf_map_create("src6_table", cfg->max_sources, sizeof(struct src6_key),
                                    src6_key_hash, src6_key_eq);
  state->src6_keys = nf_vector_create("src6_keys", cfg->max_sources, sizeof(struct src6_key), NULL);
  state->src6_counts =
      nf_vector_create("src6_counts", cfg->max_sources, sizeof(struct port_count), NULL);
  state->src6_chain = nf_dchain_create("src6_chain", cfg->max_sources);
  state->touched6_table =
      nf_map_create("touched6_table", cfg->max_touched, sizeof(struct touched6_key),
                    touched6_key_hash, touched6_key_eq);
  state->touched6_keys =
      nf_vector_create("touched6_keys", cfg->max_touched, sizeof(struct touched6_key), NULL);
  state->touched6_chain = nf_dchain_create("touched6_chain", cfg->max_touched);
  if (state->src_table == NULL || state->src_keys == NULL || state->src_counts == NULL ||
      state->src_chain == NULL || state->touched_table == NULL || state->touched_keys == NULL ||
      state->touched_chain == NULL || state->src6_table == NULL || state->src6_keys == NULL ||
      state->src6_counts == NULL || state->src6_chain == NULL || state->touched6_table == NULL ||
      state->touched6_keys == NULL || state->touched6_chain == NULL) {
    nf_opt_fail(err, err_len,
                "cannot allocate tables of %u sources and %u touched ports per family",
                cfg->max_sources, cfg->max_touched);
    return NULL;
  }
  return state;
}

/* The shape facts of one vector of the state (docs/VERIFICATION.md, per-NF
 * table): asserted flat before and after each nf_vector_return, since the
 * provers do not derive them from the return's frame through state_ok's
 * nested predicates. */
#define PS_VECTOR_SHAPE(v, c, T)                                      \
  (nf_vector_live(v) && nf_vector_cell_size(v) == sizeof(struct T) && \
   nf_vector_base(v) == nf_dchain_base(c) && nf_vector_capacity_of(v) == nf_dchain_capacity_of(c))
/* After the return at (ghost) label L, vector v (of chain c) still holds its first
 * cell: the term that lets the provers instantiate nf_vector_return's frame
 * clause for v (a trigger; without it cvc4 answers Unknown, z3 fails). */
#define PS_VECTOR_KEPT(v, c, L)                 \
  (!nf_vector_index_ok(v, nf_dchain_base(c)) || \
   nf_vector_byte(v, nf_dchain_base(c), 0) == \at(nf_vector_byte(v, nf_dchain_base(c), 0), L))

/* A TCP/UDP packet from the WAN, by its IPv4 source and destination port
 * (nf_process reads them: the packet is not in this proof's context, which
 * keeps the provers fast, docs/VERIFICATION.md, per-NF table). */
/*@ requires state_ok(state) && now >= 0;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int inspect_wan(struct nf_state *state, uint32_t src_ip, uint16_t dst_port, nf_time_t now) {
  struct touched_key touched = {.src_ip = src_ip, .dst_port = dst_port, .pad = {0, 0}};
  int32_t touched_index = 0;
  //@ ghost touched_key_bytes(&touched);
  if (nf_map_get(state->touched_table, &touched, &touched_index)) {
    nf_dchain_rejuvenate(state->touched_chain, touched_index, now);
    //@ assert state_ok(state);
    return state->cfg.lan_port;
  }
  /* A port this source has not touched (recently). */
  struct src_key source = {.src_ip = touched.src_ip};
  struct port_count count;
  int32_t src_index = 0;
  //@ ghost src_key_bytes(&source);
  if (nf_map_get(state->src_table, &source, &src_index)) {
    //@ ghost port_count_bytes(&count);
    nf_vector_borrow(state->src_counts, src_index, &count);
    nf_dchain_rejuvenate(state->src_chain, src_index, now);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
  } else {
    if (!nf_dchain_allocate(state->src_chain, now, &src_index)) return NF_DROP; /* full */
    //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
    //@ ghost src_key_bytes(&source);
    //@ assert state->src_keys != state->src_counts;
    //@ assert state->src_keys != state->touched_keys;
    //@ assert state->src_keys != state->src6_keys;
    //@ assert state->src_keys != state->src6_counts;
    //@ assert state->src_keys != state->touched6_keys;
    //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
    //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
    //@ ghost store_src_key:;
    nf_vector_return(state->src_keys, src_index, &source);
    //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
    /*@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count) &&
               PS_VECTOR_KEPT(state->src_counts, state->src_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
               PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
               PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count) &&
               PS_VECTOR_KEPT(state->src6_counts, state->src6_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
               PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_src_key); */
    /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                     sizeof(struct src_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                     state->touched_chain, sizeof(struct touched_key)); */
    /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                     sizeof(struct src6_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                     state->touched6_chain, sizeof(struct touched6_key)); */
    //@ assert v4_ok(state);
    //@ assert v6_ok(state);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
    //@ ghost src_key_bytes(&source);
    nf_map_put(state->src_table, &source, src_index);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
    count.ports = 0;
    //@ ghost port_count_bytes(&count);
    //@ assert state->src_counts != state->src_keys;
    //@ assert state->src_counts != state->touched_keys;
    //@ assert state->src_counts != state->src6_keys;
    //@ assert state->src_counts != state->src6_counts;
    //@ assert state->src_counts != state->touched6_keys;
    //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
    //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
    //@ ghost store_src_count:;
    nf_vector_return(state->src_counts, src_index, &count);
    /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
               PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_src_count); */
    //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
    /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
               PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_src_count); */
    /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
               PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_src_count); */
    /*@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count) &&
               PS_VECTOR_KEPT(state->src6_counts, state->src6_chain, store_src_count); */
    /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
               PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_src_count); */
    /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                     sizeof(struct src_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                     state->touched_chain, sizeof(struct touched_key)); */
    /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                     sizeof(struct src6_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                     state->touched6_chain, sizeof(struct touched6_key)); */
    //@ assert v4_ok(state);
    //@ assert v6_ok(state);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
  }
  if (count.ports >= state->cfg.threshold) return NF_DROP;                            /* scanning */
  if (!nf_dchain_allocate(state->touched_chain, now, &touched_index)) return NF_DROP; /* full */
  //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
  //@ ghost touched_key_bytes(&touched);
  //@ assert state->touched_keys != state->src_keys;
  //@ assert state->touched_keys != state->src_counts;
  //@ assert state->touched_keys != state->src6_keys;
  //@ assert state->touched_keys != state->src6_counts;
  //@ assert state->touched_keys != state->touched6_keys;
  //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
  //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
  //@ ghost store_touched_key:;
  nf_vector_return(state->touched_keys, touched_index, &touched);
  /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
             PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count) &&
             PS_VECTOR_KEPT(state->src_counts, state->src_chain, store_touched_key); */
  //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
  /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
             PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count) &&
             PS_VECTOR_KEPT(state->src6_counts, state->src6_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
             PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_touched_key); */
  /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                   sizeof(struct src_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                   state->touched_chain, sizeof(struct touched_key)); */
  /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                   sizeof(struct src6_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                   state->touched6_chain, sizeof(struct touched6_key)); */
  //@ assert v4_ok(state);
  //@ assert v6_ok(state);
  //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
  //@ ghost touched_key_bytes(&touched);
  nf_map_put(state->touched_table, &touched, touched_index);
  //@ assert state_ok(state) && nf_vector_index_ok(state->src_counts, src_index);
  count.ports = count.ports + 1;
  //@ ghost port_count_bytes(&count);
  //@ assert state->src_counts != state->src_keys;
  //@ assert state->src_counts != state->touched_keys;
  //@ assert state->src_counts != state->src6_keys;
  //@ assert state->src_counts != state->src6_counts;
  //@ assert state->src_counts != state->touched6_keys;
  //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
  //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
  //@ ghost store_count:;
  nf_vector_return(state->src_counts, src_index, &count);
  /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
             PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_count); */
  //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
  /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
             PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_count); */
  /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
             PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_count); */
  /*@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count) &&
             PS_VECTOR_KEPT(state->src6_counts, state->src6_chain, store_count); */
  /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
             PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_count); */
  /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                   sizeof(struct src_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                   state->touched_chain, sizeof(struct touched_key)); */
  /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                   sizeof(struct src6_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                   state->touched6_chain, sizeof(struct touched6_key)); */
  //@ assert v4_ok(state);
  //@ assert v6_ok(state);
  //@ assert state_ok(state);
  return state->cfg.lan_port;
}

/* inspect_wan for IPv6 sources. */
/*@ requires state_ok(state) && now >= 0;
    assigns nf_heap, nf_dchain_heap, nf_vector_heap;
    ensures state_ok(state); */
static int inspect_wan6(struct nf_state *state, struct nf_ipv6_addr src_ip, uint16_t dst_port,
                        nf_time_t now) {
  struct touched6_key touched = {.src_ip = src_ip, .dst_port = dst_port, .pad = {0, 0}};
  int32_t touched_index = 0;
  //@ ghost touched6_key_bytes(&touched);
  if (nf_map_get(state->touched6_table, &touched, &touched_index)) {
    nf_dchain_rejuvenate(state->touched6_chain, touched_index, now);
    //@ assert state_ok(state);
    return state->cfg.lan_port;
  }
  struct src6_key source = {.src_ip = touched.src_ip};
  struct port_count count;
  int32_t src_index = 0;
  //@ ghost src6_key_bytes(&source);
  if (nf_map_get(state->src6_table, &source, &src_index)) {
    //@ ghost port_count_bytes(&count);
    nf_vector_borrow(state->src6_counts, src_index, &count);
    nf_dchain_rejuvenate(state->src6_chain, src_index, now);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
  } else {
    if (!nf_dchain_allocate(state->src6_chain, now, &src_index)) return NF_DROP; /* full */
    //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
    //@ ghost src6_key_bytes(&source);
    //@ assert state->src6_keys != state->src_keys;
    //@ assert state->src6_keys != state->src_counts;
    //@ assert state->src6_keys != state->touched_keys;
    //@ assert state->src6_keys != state->src6_counts;
    //@ assert state->src6_keys != state->touched6_keys;
    //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
    //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
    //@ ghost store_src_key:;
    nf_vector_return(state->src6_keys, src_index, &source);
    /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
               PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count) &&
               PS_VECTOR_KEPT(state->src_counts, state->src_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
               PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_src_key); */
    //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
    /*@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count) &&
               PS_VECTOR_KEPT(state->src6_counts, state->src6_chain, store_src_key); */
    /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
               PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_src_key); */
    /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                     sizeof(struct src_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                     state->touched_chain, sizeof(struct touched_key)); */
    /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                     sizeof(struct src6_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                     state->touched6_chain, sizeof(struct touched6_key)); */
    //@ assert v4_ok(state);
    //@ assert v6_ok(state);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
    //@ ghost src6_key_bytes(&source);
    nf_map_put(state->src6_table, &source, src_index);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
    count.ports = 0;
    //@ ghost port_count_bytes(&count);
    //@ assert state->src6_counts != state->src_keys;
    //@ assert state->src6_counts != state->src_counts;
    //@ assert state->src6_counts != state->touched_keys;
    //@ assert state->src6_counts != state->src6_keys;
    //@ assert state->src6_counts != state->touched6_keys;
    //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
    //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
    //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
    //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
    //@ ghost store_src_count:;
    nf_vector_return(state->src6_counts, src_index, &count);
    /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
               PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_src_count); */
    /*@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count) &&
               PS_VECTOR_KEPT(state->src_counts, state->src_chain, store_src_count); */
    /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
               PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_src_count); */
    /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
               PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_src_count); */
    //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
    /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
               PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_src_count); */
    /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                     sizeof(struct src_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                     state->touched_chain, sizeof(struct touched_key)); */
    /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                     sizeof(struct src6_key)); */
    /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                     state->touched6_chain, sizeof(struct touched6_key)); */
    //@ assert v4_ok(state);
    //@ assert v6_ok(state);
    //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
  }
  if (count.ports >= state->cfg.threshold) return NF_DROP; /* scanning */
  if (!nf_dchain_allocate(state->touched6_chain, now, &touched_index)) return NF_DROP; /* full */
  //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
  //@ ghost touched6_key_bytes(&touched);
  //@ assert state->touched6_keys != state->src_keys;
  //@ assert state->touched6_keys != state->src_counts;
  //@ assert state->touched6_keys != state->touched_keys;
  //@ assert state->touched6_keys != state->src6_keys;
  //@ assert state->touched6_keys != state->src6_counts;
  //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
  //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
  //@ ghost store_touched_key:;
  nf_vector_return(state->touched6_keys, touched_index, &touched);
  /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
             PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count) &&
             PS_VECTOR_KEPT(state->src_counts, state->src_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
             PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
             PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_touched_key); */
  /*@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count) &&
             PS_VECTOR_KEPT(state->src6_counts, state->src6_chain, store_touched_key); */
  //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
  /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                   sizeof(struct src_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                   state->touched_chain, sizeof(struct touched_key)); */
  /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                   sizeof(struct src6_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                   state->touched6_chain, sizeof(struct touched6_key)); */
  //@ assert v4_ok(state);
  //@ assert v6_ok(state);
  //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
  //@ ghost touched6_key_bytes(&touched);
  nf_map_put(state->touched6_table, &touched, touched_index);
  //@ assert state_ok(state) && nf_vector_index_ok(state->src6_counts, src_index);
  count.ports = count.ports + 1;
  //@ ghost port_count_bytes(&count);
  //@ assert state->src6_counts != state->src_keys;
  //@ assert state->src6_counts != state->src_counts;
  //@ assert state->src6_counts != state->touched_keys;
  //@ assert state->src6_counts != state->src6_keys;
  //@ assert state->src6_counts != state->touched6_keys;
  //@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key);
  //@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key);
  //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
  //@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key);
  //@ ghost store_count:;
  nf_vector_return(state->src6_counts, src_index, &count);
  /*@ assert PS_VECTOR_SHAPE(state->src_keys, state->src_chain, src_key) &&
             PS_VECTOR_KEPT(state->src_keys, state->src_chain, store_count); */
  /*@ assert PS_VECTOR_SHAPE(state->src_counts, state->src_chain, port_count) &&
             PS_VECTOR_KEPT(state->src_counts, state->src_chain, store_count); */
  /*@ assert PS_VECTOR_SHAPE(state->touched_keys, state->touched_chain, touched_key) &&
             PS_VECTOR_KEPT(state->touched_keys, state->touched_chain, store_count); */
  /*@ assert PS_VECTOR_SHAPE(state->src6_keys, state->src6_chain, src6_key) &&
             PS_VECTOR_KEPT(state->src6_keys, state->src6_chain, store_count); */
  //@ assert PS_VECTOR_SHAPE(state->src6_counts, state->src6_chain, port_count);
  /*@ assert PS_VECTOR_SHAPE(state->touched6_keys, state->touched6_chain, touched6_key) &&
             PS_VECTOR_KEPT(state->touched6_keys, state->touched6_chain, store_count); */
  /*@ assert nf_expiry_triple_ok(state->src_table, state->src_keys, state->src_chain,
                                   sizeof(struct src_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched_table, state->touched_keys,
                                   state->touched_chain, sizeof(struct touched_key)); */
  /*@ assert nf_expiry_triple_ok(state->src6_table, state->src6_keys, state->src6_chain,
                                   sizeof(struct src6_key)); */
  /*@ assert nf_expiry_triple_ok(state->touched6_table, state->touched6_keys,
                                   state->touched6_chain, sizeof(struct touched6_key)); */
  //@ assert v4_ok(state);
  //@ assert v6_ok(state);
  //@ assert state_ok(state);
  return state->cfg.lan_port;
}

/* now >= 0: the runtimes pass nf_time_now() (time.h), so the expiry bound
 * now - expiry cannot overflow. */
/*@ requires state_ok(state) && nf_pkt_ok(pkt) && now >= 0;
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  nf_expire_items(state->src_chain, state->src_keys, state->src_table, now - state->cfg.expiry);
  //@ assert state_ok(state);
  nf_expire_items(state->touched_chain, state->touched_keys, state->touched_table,
                  now - state->cfg.expiry);
  //@ assert state_ok(state);
  nf_expire_items(state->src6_chain, state->src6_keys, state->src6_table, now - state->cfg.expiry);
  //@ assert state_ok(state);
  nf_expire_items(state->touched6_chain, state->touched6_keys, state->touched6_table,
                  now - state->cfg.expiry);
  //@ assert state_ok(state);
  enum nf_parse_status status = nf_pkt_status(pkt);
  bool well_formed = status == NF_PKT_L4_OK || status == NF_PKT_IPV4_OTHER ||
                     status == NF_PKT_FRAGMENT || status == NF_PKT_NOT_IPV4 ||
                     status == NF_PKT_IPV6_L4_OK || status == NF_PKT_IPV6_OTHER ||
                     status == NF_PKT_IPV6_FRAGMENT;
  if (!well_formed) return NF_DROP;
  if (in_port == state->cfg.lan_port) return state->cfg.wan_port;
  if (status == NF_PKT_L4_OK) {
    return inspect_wan(state, nf_pkt_ipv4_src(pkt), nf_pkt_l4_dst_port(pkt), now);
  }
  if (status == NF_PKT_IPV6_L4_OK) {
    return inspect_wan6(state, nf_pkt_ipv6_src(pkt), nf_pkt_l4_dst_port(pkt), now);
  }
  return state->cfg.lan_port;
}
