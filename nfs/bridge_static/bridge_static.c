/* Static bridge over --ports ports: a table of (MAC address, port) loaded from
 * the --table file at start decides where a frame goes by its destination MAC;
 * unknown destinations are flooded; a frame whose destination is behind its
 * input port is dropped. Nothing is learned: the table is read-only after init.
 *
 * Table file: one "MAC PORT" entry per line (e.g. "02:00:00:00:00:01 1"), '#'
 * starts a comment, blank lines are ignored. A bad line stops the NF with
 * "FILE:LINE: what is wrong".
 *
 * Malformed-packet rule: only the Ethernet header is read, so every frame with
 * a complete Ethernet header is bridged; shorter frames are dropped. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/map.h"
#include "nflib/nf.h"
#include "nfs/common/options.h"

const char *const nf_name = "bridge_static";

#define BRIDGE_MAX_PORTS 32
#define BRIDGE_MAX_ENTRIES (1u << 20)
#define BRIDGE_LINE_MAX 256

struct static_entry {
  struct nf_mac mac;
  uint16_t port;
  uint32_t line; /* in the table file, for duplicate reports */
};

struct nf_config {
  uint16_t port_count;
  uint32_t entry_count;
  uint32_t table_capacity;      /* power of two >= entry_count */
  struct static_entry *entries; /* entry_count entries, read at init only */
};

struct mac_key {
  struct nf_mac addr;
};
NF_KEY_DECLARE(mac_key)

struct nf_state {
  struct nf_config cfg;
  struct nf_map *mac_table; /* mac_key -> output port; written at init only */
};

enum {
  OPT_PORTS = 256,
  OPT_TABLE,
};

static const struct option long_options[] = {
    {"ports", required_argument, NULL, OPT_PORTS},
    {"table", required_argument, NULL, OPT_TABLE},
    {NULL, 0, NULL, 0},
};

void nf_config_usage(FILE *out) {
  fprintf(out,
          "bridge_static options:\n"
          "  --table FILE   the (MAC, port) table: lines 'MAC PORT', '#' comments (required)\n"
          "  --ports N      number of bridged ports, 2..32 (default 2)\n");
}

/* Parses one line (comment already cut). Returns false with err set; true with
 * *has_entry false for blank lines. */
static bool parse_line(const char *path, uint32_t line_number, char *line, uint16_t port_count,
                       struct static_entry *entry, bool *has_entry, char *err, size_t err_len) {
  char *save = NULL;
  char *mac_text = strtok_r(line, " \t\r\n", &save);
  *has_entry = false;
  if (mac_text == NULL) return true;
  char *port_text = strtok_r(NULL, " \t\r\n", &save);
  char *extra = strtok_r(NULL, " \t\r\n", &save);
  if (port_text == NULL || extra != NULL) {
    return nf_opt_fail(err, err_len, "%s:%u: expected 'MAC PORT' (e.g. 02:00:00:00:00:01 1)", path,
                       line_number);
  }
  char detail[160];
  if (!nf_opt_parse_mac("MAC", mac_text, &entry->mac, detail, sizeof(detail))) {
    return nf_opt_fail(err, err_len,
                       "%s:%u: bad MAC address '%s': expected six hex bytes like "
                       "02:00:00:00:00:01",
                       path, line_number, mac_text);
  }
  uint64_t port = 0;
  if (!nf_opt_parse_u64("PORT", port_text, 0, (uint64_t)port_count - 1, &port, detail,
                        sizeof(detail))) {
    return nf_opt_fail(err, err_len, "%s:%u: bad port '%s': expected 0..%u (--ports %u)", path,
                       line_number, port_text, port_count - 1u, port_count);
  }
  entry->port = (uint16_t)port;
  entry->line = line_number;
  *has_entry = true;
  return true;
}

/* fgets without losing bytes after a NUL: reads one line (with its '\n') into
 * line, at most cap - 1 bytes; returns the bytes read, 0 at the end. */
static size_t read_line(FILE *file, char *line, size_t cap) {
  size_t n = 0;
  int c;
  while (n + 1 < cap && (c = getc(file)) != EOF) {
    line[n++] = (char)c;
    if (c == '\n') break;
  }
  line[n] = '\0';
  return n;
}

/* Reads the table file into cfg->entries. */
static bool load_table(const char *path, struct nf_config *cfg, char *err, size_t err_len) {
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    return nf_opt_fail(err, err_len, "cannot open --table file '%s': %s", path, strerror(errno));
  }
  uint32_t capacity = 16;
  cfg->entries = malloc(capacity * sizeof(*cfg->entries));
  cfg->entry_count = 0;
  char line[BRIDGE_LINE_MAX];
  uint32_t line_number = 0;
  bool ok = cfg->entries != NULL;
  if (!ok) nf_opt_fail(err, err_len, "out of memory");
  size_t length = 0;
  while (ok && (length = read_line(file, line, sizeof(line))) > 0) {
    line_number++;
    if (length == sizeof(line) - 1 && line[length - 1] != '\n' && !feof(file)) {
      ok = nf_opt_fail(err, err_len, "%s:%u: line longer than %d characters", path, line_number,
                       BRIDGE_LINE_MAX - 2);
      break;
    }
    if (memchr(line, '\0', length) != NULL) {
      ok = nf_opt_fail(err, err_len, "%s:%u: NUL byte in the table: expected a text file", path,
                       line_number);
      break;
    }
    char *comment = strchr(line, '#');
    if (comment != NULL) *comment = '\0';
    struct static_entry entry;
    bool has_entry = false;
    ok = parse_line(path, line_number, line, cfg->port_count, &entry, &has_entry, err, err_len);
    if (!ok || !has_entry) continue;
    for (uint32_t i = 0; i < cfg->entry_count; i++) {
      if (memcmp(cfg->entries[i].mac.bytes, entry.mac.bytes, 6) == 0) {
        ok = nf_opt_fail(err, err_len, "%s:%u: MAC address listed twice (first on line %u)", path,
                         line_number, cfg->entries[i].line);
        break;
      }
    }
    if (ok && cfg->entry_count == BRIDGE_MAX_ENTRIES) {
      ok = nf_opt_fail(err, err_len, "%s:%u: more than %u entries", path, line_number,
                       BRIDGE_MAX_ENTRIES);
    }
    if (ok && cfg->entry_count == capacity) {
      capacity *= 2;
      struct static_entry *grown = realloc(cfg->entries, capacity * sizeof(*grown));
      if (grown == NULL) {
        ok = nf_opt_fail(err, err_len, "out of memory");
      } else {
        cfg->entries = grown;
      }
    }
    if (ok) cfg->entries[cfg->entry_count++] = entry;
  }
  if (ok && ferror(file)) {
    ok = nf_opt_fail(err, err_len, "cannot read --table file '%s': %s", path, strerror(errno));
  }
  fclose(file);
  if (!ok) {
    free(cfg->entries);
    cfg->entries = NULL;
    return false;
  }
  cfg->table_capacity = 1;
  while (cfg->table_capacity < cfg->entry_count) cfg->table_capacity *= 2;
  return true;
}

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config cfg = {.port_count = 2, .entry_count = 0, .table_capacity = 1, .entries = NULL};
  const char *table_path = NULL;
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
      case OPT_TABLE:
        table_path = optarg;
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
  if (table_path == NULL) {
    nf_opt_fail(err, err_len,
                "missing --table FILE: the static bridge needs its (MAC, port) table");
    return NULL;
  }
  if (!load_table(table_path, &cfg, err, err_len)) return NULL;
  struct nf_config *result = malloc(sizeof(*result));
  if (result == NULL) {
    free(cfg.entries);
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
  state->mac_table = nf_map_create("mac_table", cfg->table_capacity, sizeof(struct mac_key),
                                   mac_key_hash, mac_key_eq);
  if (state->mac_table == NULL) {
    nf_opt_fail(err, err_len, "cannot allocate a MAC table of %u entries", cfg->table_capacity);
    return NULL;
  }
  for (uint32_t i = 0; i < cfg->entry_count; i++) {
    struct mac_key key = {.addr = cfg->entries[i].mac};
    if (nf_map_put(state->mac_table, &key, cfg->entries[i].port) != NF_OK) {
      nf_opt_fail(err, err_len, "cannot insert the MAC table entry of line %u",
                  cfg->entries[i].line);
      return NULL;
    }
  }
  return state;
}

/* What every packet finds (docs/VERIFICATION.md, per-NF proofs): a live
 * table of MAC keys. nf_state_create establishes it; nf_process only reads. */
/*@ predicate state_ok(struct nf_state *s) =
      \valid_read(s) && nf_map_live(s->mac_table) &&
      nf_map_key_size(s->mac_table) == sizeof(struct mac_key);
*/
/*@ requires state_ok(state) && nf_pkt_ok(pkt);
    ensures state_ok(state); */
int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)now;
  if (nf_pkt_status(pkt) == NF_PKT_TRUNCATED_ETH) return NF_DROP;
  struct mac_key destination = {.addr = nf_pkt_eth_dst(pkt)};
  int32_t port = 0;
  if (!nf_map_get(state->mac_table, &destination, &port)) return NF_FLOOD;
  if (port == in_port) return NF_DROP; /* destination is on the input segment */
  return port;
}
