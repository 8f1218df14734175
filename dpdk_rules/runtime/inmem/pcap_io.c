#include "dpdk_rules/runtime/inmem/pcap_io.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET 1u
#define PCAP_MAX_SNAPLEN (256u * 1024u)

static uint32_t swap32(uint32_t v) {
  return __builtin_bswap32(v);
}

int pcap_read_file(const char *path, struct pcap_file *out, char *err, size_t err_len) {
  memset(out, 0, sizeof(*out));
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  int result = -1;
  uint8_t *content = NULL;
  /* fopen succeeds on a directory, whose "size" (ftell at SEEK_END) is
   * LONG_MAX: ask what the path is before reading it. */
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    snprintf(err, err_len, "%s: cannot stat: %s", path, strerror(errno));
    goto done;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, err_len, "%s: %s, not a pcap file: give the path of a capture file", path,
             S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    goto done;
  }
  long size = (long)st.st_size;
  content = malloc((size_t)size + 1);
  if (content == NULL) {
    snprintf(err, err_len, "%s: out of memory for %ld bytes", path, size);
    goto done;
  }
  if (fread(content, 1, (size_t)size, f) != (size_t)size) {
    snprintf(err, err_len, "%s: cannot read %ld bytes: %s", path, size,
             ferror(f) ? strerror(errno) : "the file shrank while being read");
    goto done;
  }
  if (size < 24) {
    snprintf(err, err_len, "%s: %ld bytes is too short for a pcap header (24)", path, size);
    goto done;
  }
  uint32_t magic;
  memcpy(&magic, content, 4);
  bool swapped = false;
  bool nanos = false;
  if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
    nanos = magic == PCAP_MAGIC_NS;
  } else if (swap32(magic) == PCAP_MAGIC_US || swap32(magic) == PCAP_MAGIC_NS) {
    swapped = true;
    nanos = swap32(magic) == PCAP_MAGIC_NS;
  } else {
    snprintf(err, err_len, "%s: not a pcap file (magic 0x%08x; pcapng is not supported)", path,
             magic);
    goto done;
  }
  uint32_t linktype;
  memcpy(&linktype, content + 20, 4);
  if (swapped) linktype = swap32(linktype);
  if (linktype != PCAP_LINKTYPE_ETHERNET) {
    snprintf(err, err_len, "%s: link type %u; only Ethernet (1) captures are supported", path,
             linktype);
    goto done;
  }
  /* Two passes: count, then index records in place. */
  uint32_t count = 0;
  long offset = 24;
  while (offset < size) {
    if (size - offset < 16) {
      snprintf(err, err_len, "%s: truncated record header at byte %ld", path, offset);
      goto done;
    }
    uint32_t hdr[4];
    memcpy(hdr, content + offset, 16);
    uint32_t caplen = swapped ? swap32(hdr[2]) : hdr[2];
    if (caplen > PCAP_MAX_SNAPLEN || size - offset - 16 < (long)caplen) {
      snprintf(err, err_len, "%s: record %u at byte %ld: captured length %u runs past the file",
               path, count, offset, caplen);
      goto done;
    }
    offset += 16 + (long)caplen;
    count++;
  }
  out->records = calloc(count ? count : 1, sizeof(*out->records));
  if (out->records == NULL) {
    snprintf(err, err_len, "%s: out of memory for %u records", path, count);
    goto done;
  }
  offset = 24;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t hdr[4];
    memcpy(hdr, content + offset, 16);
    for (int j = 0; j < 4; j++) hdr[j] = swapped ? swap32(hdr[j]) : hdr[j];
    struct pcap_record *record = &out->records[i];
    record->ts_ns = (int64_t)hdr[0] * 1000000000LL + (int64_t)hdr[1] * (nanos ? 1 : 1000);
    record->len = hdr[2];
    record->data = content + offset + 16;
    offset += 16 + (long)hdr[2];
  }
  out->count = count;
  out->arena = content;
  content = NULL;
  result = 0;
done:
  if (result != 0 && err[0] == '\0') snprintf(err, err_len, "%s: read error", path);
  free(content);
  fclose(f);
  return result;
}

void pcap_file_free(struct pcap_file *file) {
  free(file->records);
  free(file->arena);
  memset(file, 0, sizeof(*file));
}
