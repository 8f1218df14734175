/* libFuzzer harness of the in-memory runtime's pcap reader
 * (dpdk_rules/runtime/inmem/pcap_io.c). The input is the file's content,
 * handed over as a memfd path. Oracle ("pcap-reader"): the harness's own
 * reading of the classic pcap format (tcpdump's pcap-savefile(5): 24-byte
 * header with magic a1b2c3d4 / a1b23c4d in either byte order and the link
 * type at byte 20; 16-byte record headers with ts_sec, ts_frac, incl_len,
 * orig_len) must agree with pcap_read_file on accepting the file, the record
 * count, each record's bytes and timestamp; a refusal names the path. The
 * reader's documented limits (Ethernet only, at most 256 KiB per record) are
 * part of the reading. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dpdk_rules/runtime/inmem/pcap_io.h"
#include "tests/fuzz/oracle.h"

#define MAX_RECORD (256u * 1024u)

static uint32_t rd32(const uint8_t *p, bool big) {
  return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
             : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Returns the record count the format allows, or -1 for a file to refuse. */
static long expected_records(const uint8_t *d, size_t n, bool *big, bool *nanos) {
  if (n < 24) return -1;
  uint32_t le = rd32(d, false), be = rd32(d, true);
  if (le == 0xa1b2c3d4u || le == 0xa1b23c4du) {
    *big = false;
    *nanos = le == 0xa1b23c4du;
  } else if (be == 0xa1b2c3d4u || be == 0xa1b23c4du) {
    *big = true;
    *nanos = be == 0xa1b23c4du;
  } else {
    return -1;
  }
  if (rd32(d + 20, *big) != 1) return -1;
  long count = 0;
  for (size_t at = 24; at < n; count++) {
    if (n - at < 16) return -1;
    uint32_t incl = rd32(d + at + 8, *big);
    if (incl > MAX_RECORD || incl > n - at - 16) return -1;
    at += 16 + incl;
  }
  return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("pcap_fuzz", 0);
  if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) abort();
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  struct pcap_file file;
  char err[512] = "";
  int rc = pcap_read_file(path, &file, err, sizeof(err));
  bool big = false, nanos = false;
  long want = expected_records(data, size, &big, &nanos);
  if (want < 0) {
    ORACLE(rc == -1, "pcap-reader", "accepted a file the format refuses (%zu bytes)", size);
    ORACLE(strncmp(err, path, strlen(path)) == 0 && strlen(err) > strlen(path) + 2, "pcap-reader",
           "refusal does not name the file: '%s'", err);
  } else {
    ORACLE(rc == 0, "pcap-reader", "refused a valid file: %s", err);
    ORACLE(file.count == (uint32_t)want, "pcap-reader", "%u records, the format has %ld",
           file.count, want);
    size_t at = 24;
    for (uint32_t i = 0; i < file.count; i++) {
      const struct pcap_record *r = &file.records[i];
      uint32_t sec = rd32(data + at, big), frac = rd32(data + at + 4, big);
      uint32_t incl = rd32(data + at + 8, big);
      int64_t ts = (int64_t)sec * 1000000000 + (int64_t)frac * (nanos ? 1 : 1000);
      ORACLE(r->len == incl && r->ts_ns == ts, "pcap-reader",
             "record %u: len %u ts %lld, the file says %u, %lld", i, r->len, (long long)r->ts_ns,
             incl, (long long)ts);
      ORACLE(memcmp(r->data, data + at + 16, incl) == 0, "pcap-reader", "record %u: bytes differ",
             i);
      at += 16 + incl;
    }
    pcap_file_free(&file);
  }
  close(fd);
  return 0;
}
