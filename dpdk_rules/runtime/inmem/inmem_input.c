#include "dpdk_rules/runtime/inmem/inmem_input.h"

#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/inmem/pcap_io.h"

static int compare_packets(const void *a, const void *b) {
  const struct inmem_packet *x = a, *y = b;
  if (x->ts_ns != y->ts_ns) return x->ts_ns < y->ts_ns ? -1 : 1;
  if (x->port != y->port) return x->port < y->port ? -1 : 1;
  /* Same port and time: keep file order (frames are laid out in file order). */
  return x->pristine < y->pristine ? -1 : (x->pristine > y->pristine);
}

void inmem_input_load(struct inmem_input *input, const char *const pcap[RT_INMEM_MAX_PORTS],
                      uint16_t port_count) {
  /* The records stay in the files' arenas for the whole run (pristine frames). */
  static struct pcap_file files[RT_INMEM_MAX_PORTS];
  char err[512] = "";
  uint64_t total = 0, bytes = 0;
  for (uint16_t port = 0; port < RT_INMEM_MAX_PORTS; port++) {
    if (pcap[port] == NULL) continue;
    if (port >= port_count)
      inmem_die("--pcap for port %u but the NF has %u ports", port, port_count);
    if (pcap_read_file(pcap[port], &files[port], err, sizeof(err)) != 0) inmem_die("%s", err);
    total += files[port].count;
    for (uint32_t i = 0; i < files[port].count; i++) bytes += files[port].records[i].len;
  }
  if (total > UINT32_MAX / 2) inmem_die("too many packets");
  input->count = (uint32_t)total;
  input->packets = calloc(total ? total : 1, sizeof(*input->packets));
  uint8_t *arena = malloc(bytes ? bytes : 1);
  if (input->packets == NULL || arena == NULL) inmem_die("out of memory for packets");
  uint32_t n = 0;
  for (uint16_t port = 0; port < RT_INMEM_MAX_PORTS; port++) {
    for (uint32_t i = 0; i < files[port].count; i++) {
      const struct pcap_record *record = &files[port].records[i];
      input->packets[n++] = (struct inmem_packet){
          .ts_ns = record->ts_ns, .port = port, .len = record->len, .pristine = record->data};
    }
  }
  qsort(input->packets, n, sizeof(*input->packets), compare_packets);
  /* Working copies, one arena in input order (what the workers rewrite). */
  for (uint32_t i = 0; i < n; i++) {
    input->packets[i].frame = arena;
    memcpy(arena, input->packets[i].pristine, input->packets[i].len);
    arena += input->packets[i].len;
  }
}

int64_t inmem_input_span(const struct inmem_input *input) {
  if (input->count == 0) return 1;
  return input->packets[input->count - 1].ts_ns - input->packets[0].ts_ns + 1;
}
