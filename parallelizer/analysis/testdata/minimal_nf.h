/* Shared set-up of the analyzer's small test NFs: a config with constant
 * defaults, a map and a vector. Each test file defines nf_process. */
#include <stdlib.h>
#include <string.h>

#include "nflib/map.h"
#include "nflib/nf.h"
#include "nflib/vector.h"

const char *const nf_name = "minimal";

struct nf_config {
  uint16_t lan_port;
  uint16_t wan_port;
  uint32_t capacity;
};

struct addr_key {
  uint32_t addr;
};
NF_KEY_DECLARE(addr_key)

struct addr_cell {
  uint32_t addr;
  uint16_t port;
  uint16_t pad;
};

struct nf_state {
  struct nf_config cfg;
  struct nf_map *table;
  struct nf_vector *cells;
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
  cfg->capacity = 1024;
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
  state->table = nf_map_create("table", cfg->capacity, sizeof(struct addr_key), addr_key_hash, addr_key_eq);
  state->cells = nf_vector_create("cells", cfg->capacity, sizeof(struct addr_cell), NULL);
  if (state->table == NULL || state->cells == NULL) return NULL;
  return state;
}
