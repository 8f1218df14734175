/* The shared part of the per-/24 prefix counters (prefix_counter_cast.c,
 * prefix_counter_masked.c, union_key.c), which differ only in how they write
 * the key: each defines struct nf_config and struct prefix_key, includes this
 * after NF_KEY_DECLARE(prefix_key), and ends nf_process with
 * PREFIX_COUNTER_COUNT. A macro, not a function, so the analyzer sees the
 * same statements inline as when each file spelled them out. */
#ifndef PARALLELIZER_ANALYSIS_TESTDATA_PREFIX_COUNTER_H
#define PARALLELIZER_ANALYSIS_TESTDATA_PREFIX_COUNTER_H

struct counter {
  uint64_t packets;
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *prefixes;
  struct nf_dchain *slots;
  struct nf_vector *counters;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  (void)argc;
  (void)argv;
  (void)err;
  (void)err_len;
  struct nf_config *cfg = calloc(1, sizeof(*cfg));
  if (cfg == NULL) return NULL;
  cfg->lan_port = 0;
  cfg->wan_port = 1;
  cfg->max_prefixes = 1024;
  return cfg;
}

uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  (void)err;
  (void)err_len;
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state == NULL) return NULL;
  state->cfg = *cfg;
  state->prefixes = nf_map_create("prefixes", cfg->max_prefixes, sizeof(struct prefix_key),
                                  prefix_key_hash, prefix_key_eq);
  state->slots = nf_dchain_create("slots", cfg->max_prefixes);
  state->counters = nf_vector_create("counters", cfg->max_prefixes, sizeof(struct counter), NULL);
  if (state->prefixes == NULL || state->slots == NULL || state->counters == NULL) return NULL;
  return state;
}

/* Counts the packet under `key` and forwards it to the other port: the last
 * statements of nf_process (bare statements, no do/while, which would add a
 * loop to the analyzed code). */
#define PREFIX_COUNTER_COUNT(state, key, in_port, now)                  \
  int32_t index;                                                        \
  if (!nf_map_get(state->prefixes, &key, &index)) {                     \
    if (!nf_dchain_allocate(state->slots, now, &index)) return NF_DROP; \
    nf_map_put(state->prefixes, &key, index);                           \
  }                                                                     \
  struct counter cell;                                                  \
  nf_vector_borrow(state->counters, index, &cell);                      \
  cell.packets++;                                                       \
  nf_vector_return(state->counters, index, &cell);                      \
  return in_port == state->cfg.lan_port ? state->cfg.wan_port : state->cfg.lan_port

#endif
