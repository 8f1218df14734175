/* A test-only NF with planted bugs, one per fuzz oracle, for the negative
 * controls of tests/fuzz (docs/FUZZING.md): each bug must be caught by its
 * oracle within the in-test budget. Two ports; forwards every frame to the
 * other port and rewrites ipv4.src and l4.src_port as its description
 * (description.textproto here, written by hand) says; --bug=B adds one bug on
 * TCP/UDP frames:
 * (each named after the oracle that must catch it)
 *   documented-bytes  rewrites l4.dst_port, which the description does not list
 *   checksum          flips a bit of the L4 checksum (a byte it may change)
 *   reparse           sets the IPv4 total length past the frame
 *   out-port          returns port 7 of 2
 *   no-allocation     allocates on the packet path */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/nf.h"

const char *const nf_name = "planted";

struct nf_config {
  char bug[32];
};

struct nf_state {
  struct nf_config cfg;
};

struct nf_config *nf_config_parse(int argc, char **argv, char *err, size_t err_len) {
  struct nf_config *cfg = calloc(1, sizeof(*cfg));
  if (cfg == NULL) return NULL;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--bug=", 6) != 0 || strlen(argv[i] + 6) >= sizeof(cfg->bug)) {
      snprintf(err, err_len, "unknown option '%s'; give --bug=NAME", argv[i]);
      free(cfg);
      return NULL;
    }
    strcpy(cfg->bug, argv[i] + 6);
  }
  return cfg;
}

void nf_config_usage(FILE *out) {
  fputs("  --bug=NAME  the planted bug (tests/fuzz/planted/planted.c)\n", out);
}

uint16_t nf_port_count(const struct nf_config *cfg) {
  (void)cfg;
  return 2;
}

struct nf_state *nf_state_create(const struct nf_config *cfg, char *err, size_t err_len) {
  (void)err;
  (void)err_len;
  struct nf_state *state = calloc(1, sizeof(*state));
  if (state != NULL) state->cfg = *cfg;
  return state;
}

int nf_process(struct nf_state *state, struct nf_packet *pkt, uint16_t in_port, nf_time_t now) {
  (void)now;
  int out = in_port == 0 ? 1 : 0;
  if (nf_pkt_status(pkt) != NF_PKT_L4_OK) return out;
  nf_pkt_set_ipv4_src(pkt, nf_pkt_ipv4_src(pkt) ^ 1);
  nf_pkt_set_l4_src_port(pkt, (uint16_t)(nf_pkt_l4_src_port(pkt) + 1));
  const char *bug = state->cfg.bug;
  if (strcmp(bug, "documented-bytes") == 0) {
    nf_pkt_set_l4_dst_port(pkt, (uint16_t)(nf_pkt_l4_dst_port(pkt) + 1));
  } else if (strcmp(bug, "checksum") == 0) {
    pkt->data[pkt->l4_offset + (pkt->l4_proto == NF_IPPROTO_TCP ? 16 : 6)] ^= 0x10;
  } else if (strcmp(bug, "reparse") == 0) {
    pkt->data[16] = 0xff; /* total length >= 0xff00: past any fuzz frame */
  } else if (strcmp(bug, "out-port") == 0) {
    return 7;
  } else if (strcmp(bug, "no-allocation") == 0) {
    void *volatile block = malloc(16); /* volatile: clang elides a malloc/free pair */
    free(block);
  }
  return out;
}
