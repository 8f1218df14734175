/* Soundness driver: runs the NF linked with it sequentially over a packet
 * file and writes every nflib state access (trace.c) and every packet's
 * outcome, for tests/soundness/check.py.
 *
 *   soundness_driver IN OUT [-- NF options]
 *
 * IN: records of (u16 port, u64 time ns, u32 length, frame bytes), little
 * endian. OUT: the trace lines of trace.c, then per packet
 *   P <index> <port> <verdict> <frame hex as the NF left it>
 * after that packet's accesses. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/nf.h"
#include "tests/soundness/trace.h"

#define MAX_FRAME 16384

static int read_exact(FILE *in, void *buf, size_t len) {
  return fread(buf, 1, len, in) == len ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s IN OUT [-- NF options]\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  FILE *out = fopen(argv[2], "w");
  if (in == NULL || out == NULL) {
    fprintf(stderr, "%s: cannot open %s or %s\n", argv[0], argv[1], argv[2]);
    return 2;
  }
  /* A large buffer set up front: records are formatted into it, nothing is
   * allocated per packet. */
  static char out_buffer[1 << 20];
  setvbuf(out, out_buffer, _IOFBF, sizeof(out_buffer));
  int nf_arg0 = 3;
  if (argc > 3 && strcmp(argv[3], "--") == 0) nf_arg0 = 4;
  /* nf_config_parse gets argv[0] = the program, then the NF's options. */
  int nf_argc = argc - nf_arg0 + 1;
  char **nf_argv = calloc((size_t)nf_argc + 1, sizeof(char *));
  if (nf_argv == NULL) return 2;
  nf_argv[0] = argv[0];
  for (int i = 1; i < nf_argc; i++) nf_argv[i] = argv[nf_arg0 + i - 1];
  char err[512] = "";
  struct nf_config *cfg = nf_config_parse(nf_argc, nf_argv, err, sizeof(err));
  if (cfg == NULL) {
    fprintf(stderr, "%s: %s\n", nf_name, err);
    return 2;
  }
  nf_trace_open(out);
  nf_trace_packet(-1);
  struct nf_state *state = nf_state_create(cfg, err, sizeof(err));
  if (state == NULL) {
    fprintf(stderr, "%s: %s\n", nf_name, err);
    return 2;
  }
  uint16_t ports = nf_port_count(cfg);
  static uint8_t frame[MAX_FRAME];
  int64_t index = 0;
  for (;;) {
    uint16_t port;
    uint64_t ts;
    uint32_t len;
    if (read_exact(in, &port, sizeof(port)) != 0) break;
    if (read_exact(in, &ts, sizeof(ts)) != 0 || read_exact(in, &len, sizeof(len)) != 0 ||
        len > MAX_FRAME || read_exact(in, frame, len) != 0) {
      fprintf(stderr, "%s: truncated record %" PRId64 " in %s\n", nf_name, index, argv[1]);
      return 2;
    }
    if (port >= ports) {
      fprintf(stderr, "%s: record %" PRId64 " on port %u, the NF has %u ports\n", nf_name, index,
              port, ports);
      return 2;
    }
    struct nf_packet pkt;
    nf_packet_init(&pkt, frame, len);
    nf_trace_packet(index);
    int verdict = nf_process(state, &pkt, port, (nf_time_t)ts);
    fprintf(out, "P %" PRId64 " %u %d ", index, port, verdict);
    for (uint32_t i = 0; i < len; i++) fprintf(out, "%02x", frame[i]);
    fputc('\n', out);
    index++;
  }
  if (fclose(out) != 0) {
    fprintf(stderr, "%s: cannot write %s\n", nf_name, argv[2]);
    return 2;
  }
  fclose(in);
  return 0;
}
