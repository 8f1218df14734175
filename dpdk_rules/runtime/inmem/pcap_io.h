/* A small pcap file reader (classic format, micro- or nanosecond timestamps,
 * either byte order); no libpcap needed. */
#ifndef DPDK_RULES_RUNTIME_INMEM_PCAP_IO_H
#define DPDK_RULES_RUNTIME_INMEM_PCAP_IO_H

#include <stddef.h>
#include <stdint.h>

struct pcap_record {
  int64_t ts_ns; /* capture timestamp in ns */
  uint32_t len;  /* captured bytes */
  uint8_t *data; /* owned by the pcap_file */
};

struct pcap_file {
  struct pcap_record *records;
  uint32_t count;
  uint8_t *arena;
};

/* Reads every record of path. Returns 0, or -1 with "path: what" in err. Only
 * Ethernet (linktype 1) captures are accepted. */
int pcap_read_file(const char *path, struct pcap_file *out, char *err, size_t err_len);

void pcap_file_free(struct pcap_file *file);

#endif
