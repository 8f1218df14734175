/* libFuzzer harness of one NF's nf_process (nflib/nf.h), linked with the NF's
 * :nf library by nf_fuzz_test (fuzz.bzl). Every input starts from a fresh
 * state (state_arena.h) and is a short sequence of events, so state builds up
 * within an input and a crash reproduces from the input alone:
 *
 *   input  := mode(1) event*
 *   mode   := bit 0: reply mode
 *   event  := port(1) delta(2, little-endian) length(2, little-endian) frame(length)
 *   delta  := bits 0..14 a count of µs (bit 15 clear) or of ms (bit 15 set)
 *
 * A short last frame takes what is left. In reply mode every forwarded frame
 * is mirrored (spec_mirror: addresses and ports swapped) and fed into the port
 * it left by, so the translate-back paths of NATs and firewalls are reached.
 *
 * Oracles on every output (the forwarded frame, and the reply's):
 *   out-port          an output port, NF_DROP or NF_FLOOD
 *   reparse           nflib's parse of the output agrees with spec_frame.c and
 *                     the class is the input's
 *   checksum          a valid IPv4 / L4 checksum of the input is valid on output
 *   documented-bytes  only bytes of the fields the NF's description says it
 *                     rewrites (with their checksums) differ from the input
 *   no-allocation     nf_process allocates nothing (state_arena.h)
 *
 * Options, after libFuzzer's and -ignore_remaining_args=1:
 *   --writes=F,F...   the rewritten fields (NfDescription names, e.g. ipv4.src)
 *   --arena_mb=N      state arena size (default 512)
 *   -- ARGS...        the NF's options (nf_config_parse) */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/nf.h"
#include "tests/fuzz/oracle.h"
#include "tests/fuzz/spec_frame.h"
#include "tests/fuzz/state_arena.h"

#define MAX_WRITES 16
#define MAX_EVENTS 64
#define EVENT_HEADER 5
#define NS_PER_US 1000
#define NS_PER_MS 1000000

static const struct nf_config *cfg;
static uint16_t ports;
static const char *writes[MAX_WRITES];
static int write_count;

static void usage_error(const char *what, const char *value) {
  fprintf(stderr,
          "nf_fuzz: %s '%s'; usage: <fuzzer> [libFuzzer flags] -ignore_remaining_args=1 "
          "[--writes=F,...] [--arena_mb=N] -- [NF options] (tests/fuzz/nf_fuzz.c)\n",
          what, value);
  exit(2);
}

static void parse_writes(char *list) {
  for (char *f = strtok(list, ","); f != NULL; f = strtok(NULL, ",")) {
    if (write_count == MAX_WRITES) usage_error("too many --writes fields at", f);
    struct spec_frame none = {.cls = SPEC_SHORT_ETH};
    bool dummy = false;
    if (!spec_mark_write(f, &none, 0, &dummy))
      usage_error(
          "--writes: unknown field (known: eth.src eth.dst ipv4.src ipv4.dst "
          "l4.src_port l4.dst_port)",
          f);
    writes[write_count++] = f;
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  int i = 1;
  while (i < *argc && strcmp((*argv)[i], "-ignore_remaining_args=1") != 0) i++;
  size_t arena_mb = 512;
  static char *nf_argv[64];
  int nf_argc = 0;
  nf_argv[nf_argc++] = (char *)nf_name;
  for (i++; i < *argc; i++) {
    char *arg = (*argv)[i];
    if (strncmp(arg, "--writes=", 9) == 0) {
      parse_writes(arg + 9);
    } else if (strncmp(arg, "--arena_mb=", 11) == 0) {
      char *end;
      arena_mb = strtoul(arg + 11, &end, 10);
      if (*end != '\0' || arena_mb == 0 || arena_mb > (1u << 20)) usage_error("bad", arg);
    } else if (strcmp(arg, "--") == 0) {
      for (i++; i < *argc && nf_argc < 63; i++) nf_argv[nf_argc++] = (*argv)[i];
    } else {
      usage_error("unknown option", arg);
    }
  }
  nf_argv[nf_argc] = NULL;
  char err[512] = "";
  cfg = nf_config_parse(nf_argc, nf_argv, err, sizeof(err));
  if (cfg == NULL) {
    fprintf(stderr, "nf_fuzz: %s: the NF refused its options: %s\n", nf_name, err);
    exit(2);
  }
  ports = nf_port_count(cfg);
  arena_init(arena_mb << 20);
  return 0;
}

/* Checks one forwarded frame against the input it came from. */
static void check_output(const uint8_t *in, const uint8_t *out, size_t len, int port,
                         bool *allowed) {
  ORACLE(port == NF_DROP || port == NF_FLOOD || (port >= 0 && port < ports), "out-port",
         "nf_process returned %d with %u ports", port, ports);
  if (port == NF_DROP) return;
  struct spec_frame s_in, s_out;
  spec_parse(in, len, &s_in);
  spec_parse(out, len, &s_out);
  ORACLE(s_out.cls == s_in.cls, "reparse", "the NF turned a %s frame into a %s frame",
         spec_class_name(s_in.cls), spec_class_name(s_out.cls));
  struct nf_packet again;
  nf_packet_init(&again, (uint8_t *)out, (uint32_t)len);
  ORACLE(again.status == (uint8_t)s_out.cls, "reparse", "nflib reads the output as %s, RFCs as %s",
         nf_parse_status_name((enum nf_parse_status)again.status), spec_class_name(s_out.cls));
  if (s_out.cls <= SPEC_FRAGMENT)
    ORACLE(nf_pkt_ipv4_src(&again) == s_out.src && nf_pkt_ipv4_dst(&again) == s_out.dst, "reparse",
           "IPv4 addresses read differently");
  if (s_out.cls == SPEC_L4)
    ORACLE(nf_pkt_l4_src_port(&again) == s_out.sport && nf_pkt_l4_dst_port(&again) == s_out.dport,
           "reparse", "ports read differently");
  if (spec_ipv4_csum(in, &s_in) == SPEC_CSUM_OK)
    ORACLE(spec_ipv4_csum(out, &s_out) == SPEC_CSUM_OK, "checksum",
           "valid IPv4 header checksum broken");
  enum spec_csum l4 = spec_l4_csum(in, &s_in);
  if (l4 == SPEC_CSUM_OK || l4 == SPEC_CSUM_NONE)
    ORACLE(spec_l4_csum(out, &s_out) == l4, "checksum", "%s L4 checksum broken",
           l4 == SPEC_CSUM_OK ? "valid" : "absent (0) UDP");
  memset(allowed, 0, len * sizeof(bool));
  for (int w = 0; w < write_count; w++) spec_mark_write(writes[w], &s_in, len, allowed);
  for (size_t i = 0; i < len; i++)
    ORACLE(allowed[i] || in[i] == out[i], "documented-bytes",
           "byte %zu changed 0x%02x -> 0x%02x; the NF's description rewrites %d field(s)%s%s", i,
           in[i], out[i], write_count, write_count ? ", first " : "", write_count ? writes[0] : "");
}

/* Runs one frame through the NF on in_port; checks and returns the port. The
 * frame lives in an exact-size heap block so ASan sees reads past its end. */
static int run_frame(struct nf_state *state, uint8_t *frame, size_t len, uint16_t in_port,
                     nf_time_t now, uint8_t *before, bool *allowed) {
  memcpy(before, frame, len);
  struct nf_packet pkt;
  nf_packet_init(&pkt, frame, (uint32_t)len);
  arena_packet_path(true);
  int port = nf_process(state, &pkt, in_port, now);
  arena_packet_path(false);
  check_output(before, frame, len, port, allowed);
  return port;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  bool reply = data[0] & 1;
  arena_reset();
  arena_on(true);
  char err[512] = "";
  struct nf_state *state = nf_state_create(cfg, err, sizeof(err));
  arena_on(false);
  if (state == NULL) {
    fprintf(stderr, "nf_fuzz: %s: nf_state_create failed: %s\n", nf_name, err);
    exit(2);
  }
  nf_time_t now = NS_PER_MS; /* a start time that is not 0 */
  size_t at = 1;
  for (int e = 0; e < MAX_EVENTS && size - at >= EVENT_HEADER; e++) {
    uint16_t in_port = (uint16_t)(data[at] % ports);
    uint16_t delta = (uint16_t)(data[at + 1] | data[at + 2] << 8);
    size_t len = (size_t)(data[at + 3] | data[at + 4] << 8);
    at += EVENT_HEADER;
    if (len > size - at) len = size - at;
    now += (nf_time_t)(delta & 0x7fff) * ((delta & 0x8000) ? NS_PER_MS : NS_PER_US);
    uint8_t *frame = malloc(len ? len : 1);
    uint8_t *before = malloc(len ? len : 1);
    bool *allowed = malloc((len ? len : 1) * sizeof(bool));
    if (frame == NULL || before == NULL || allowed == NULL) abort();
    memcpy(frame, data + at, len);
    at += len;
    int port = run_frame(state, frame, len, in_port, now, before, allowed);
    if (reply && port != NF_DROP && ports > 1) {
      /* NF_FLOOD: the reply comes back from the first port it was sent to. */
      uint16_t back = port >= 0 ? (uint16_t)port : (uint16_t)(in_port == 0 ? 1 : 0);
      struct spec_frame s;
      spec_parse(frame, len, &s);
      spec_mirror(frame, len, &s);
      run_frame(state, frame, len, back, now + NS_PER_US, before, allowed);
    }
    free(allowed);
    free(before);
    free(frame);
  }
  return 0;
}
