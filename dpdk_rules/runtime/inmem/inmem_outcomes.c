#include "dpdk_rules/runtime/inmem/inmem_outcomes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"

void inmem_outcomes_write(const char *path, const struct inmem_input *input,
                          const struct inmem_outcome *outcomes, bool shared) {
  FILE *out = fopen(path, "w");
  if (out == NULL) inmem_die("cannot write --outcomes file '%s': %s", path, strerror(errno));
  fprintf(out, "index,port,worker,verdict,access,write_seq,now_ns,refreshes,frame_hex\n");
  for (uint32_t i = 0; i < input->count; i++) {
    const struct inmem_packet *p = &input->packets[i];
    const struct inmem_outcome *o = &outcomes[i];
    fprintf(out, "%u,%u,%u,%d,%s,%" PRIu64 ",%" PRId64 ",%" PRIu32 ",", i, p->port, o->worker,
            o->verdict, shared ? (o->point.wrote ? "w" : "r") : "-", o->point.write_seq,
            o->point.now, o->point.refreshes);
    for (uint32_t b = 0; b < p->len; b++) fprintf(out, "%02x", p->frame[b]);
    fputc('\n', out);
  }
  /* Buffered write errors (a full disk) surface only here. */
  if (fclose(out) != 0) inmem_die("cannot write --outcomes file '%s': %s", path, strerror(errno));
}
