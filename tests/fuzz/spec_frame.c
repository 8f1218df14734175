/* See spec_frame.h: the fuzz oracles' own reading of Ethernet/IPv4/TCP/UDP. */
#include "tests/fuzz/spec_frame.h"

#include <string.h>

enum {
  ETH_LEN = 14, /* dst(6) src(6) type(2) */
  ETHERTYPE_IP = 0x0800,
  IP_MIN = 20,   /* RFC 791: IHL >= 5 words */
  TCP_MIN = 20,  /* RFC 793: data offset >= 5 words */
  UDP_LEN = 8,   /* RFC 768 */
  TCP_CSUM = 16, /* offset of the checksum in the TCP header */
  UDP_CSUM = 6,
  IP_CSUM = 10, /* offset of the header checksum in the IPv4 header */
};

static uint32_t be16(const uint8_t *p) {
  return ((uint32_t)p[0] << 8) | p[1];
}

static uint32_t be32(const uint8_t *p) {
  return (be16(p) << 16) | be16(p + 2);
}

void spec_parse(const uint8_t *f, size_t len, struct spec_frame *s) {
  memset(s, 0, sizeof(*s));
  if (len < ETH_LEN) {
    s->cls = SPEC_SHORT_ETH;
    return;
  }
  if (be16(f + 12) != ETHERTYPE_IP) {
    s->cls = SPEC_NOT_IPV4;
    return;
  }
  const uint8_t *ip = f + ETH_LEN;
  size_t room = len - ETH_LEN;
  if (room < 1) {
    s->cls = SPEC_SHORT_IPV4;
    return;
  }
  unsigned version = ip[0] >> 4, ihl = (ip[0] & 0x0f) * 4u;
  if (version != 4 || ihl < IP_MIN) {
    s->cls = SPEC_BAD_IHL;
    return;
  }
  if (room < ihl) {
    s->cls = SPEC_SHORT_IPV4;
    return;
  }
  uint32_t total = be16(ip + 2);
  if (total < ihl || total > room) {
    s->cls = SPEC_BAD_TOTAL_LEN;
    return;
  }
  s->ihl_bytes = ihl;
  s->total_len = total;
  s->proto = ip[9];
  s->src = be32(ip + 12);
  s->dst = be32(ip + 16);
  uint32_t payload = total - ihl;
  /* RFC 791 flags: bit 0 reserved, bit 1 DF, bit 2 MF; then 13 bits offset. */
  bool more = (ip[6] & 0x20) != 0;
  uint32_t offset = be16(ip + 6) & 0x1fff;
  if (more || offset != 0) {
    s->cls = SPEC_FRAGMENT;
    if (offset == 0) {
      uint32_t at = s->proto == 6 ? TCP_CSUM : s->proto == 17 ? UDP_CSUM : payload;
      if (at + 2 <= payload) s->l4_csum_at = ETH_LEN + ihl + at;
    }
    return;
  }
  if (s->proto != 6 && s->proto != 17) {
    s->cls = SPEC_IPV4_OTHER;
    return;
  }
  if (payload < (s->proto == 6 ? (uint32_t)TCP_MIN : (uint32_t)UDP_LEN)) {
    s->cls = SPEC_SHORT_L4;
    return;
  }
  s->cls = SPEC_L4;
  s->l4 = ETH_LEN + ihl;
  s->l4_csum_at = s->l4 + (s->proto == 6 ? TCP_CSUM : UDP_CSUM);
  s->sport = (uint16_t)be16(f + s->l4);
  s->dport = (uint16_t)be16(f + s->l4 + 2);
  s->tcp_flags = s->proto == 6 ? f[s->l4 + 13] : 0;
}

/* RFC 1071: the 16-bit one's complement sum of a byte string (odd length
 * padded with a zero byte), added to sum. */
static uint32_t ones_sum(const uint8_t *p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += be16(p + i);
  if (n % 2) sum += (uint32_t)p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

enum spec_csum spec_ipv4_csum(const uint8_t *f, const struct spec_frame *s) {
  if (s->cls > SPEC_FRAGMENT) return SPEC_CSUM_UNKNOWN;
  return ones_sum(f + ETH_LEN, s->ihl_bytes, 0) == 0xffff ? SPEC_CSUM_OK : SPEC_CSUM_BAD;
}

enum spec_csum spec_l4_csum(const uint8_t *f, const struct spec_frame *s) {
  if (s->cls != SPEC_L4) return SPEC_CSUM_UNKNOWN;
  uint32_t seg = s->total_len - s->ihl_bytes;
  if (s->proto == 17) {
    if (be16(f + s->l4 + UDP_CSUM) == 0) return SPEC_CSUM_NONE;
    uint32_t ulen = be16(f + s->l4 + 4);
    if (ulen < UDP_LEN || ulen > seg) return SPEC_CSUM_UNKNOWN;
    seg = ulen; /* RFC 768: the pseudo-header and the sum use the UDP length */
  }
  const uint8_t *ip = f + ETH_LEN;
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = s->proto;
  pseudo[10] = (uint8_t)(seg >> 8);
  pseudo[11] = (uint8_t)seg;
  uint32_t sum = ones_sum(pseudo, sizeof(pseudo), 0);
  sum = ones_sum(f + s->l4, seg, sum);
  return sum == 0xffff ? SPEC_CSUM_OK : SPEC_CSUM_BAD;
}

static void mark(bool *mask, size_t len, size_t from, size_t n) {
  for (size_t i = from; i < from + n && i < len; i++) mask[i] = true;
}

bool spec_mark_write(const char *field, const struct spec_frame *s, size_t len, bool *mask) {
  bool ip_field = strcmp(field, "ipv4.src") == 0 || strcmp(field, "ipv4.dst") == 0;
  bool l4_field = strcmp(field, "l4.src_port") == 0 || strcmp(field, "l4.dst_port") == 0;
  if (strcmp(field, "eth.dst") == 0) {
    mark(mask, len, 0, 6);
  } else if (strcmp(field, "eth.src") == 0) {
    mark(mask, len, 6, 6);
  } else if (ip_field) {
    if (s->cls > SPEC_FRAGMENT) return true; /* no IPv4 header: nothing to write */
    mark(mask, len, strcmp(field, "ipv4.src") == 0 ? ETH_LEN + 12 : ETH_LEN + 16, 4);
    mark(mask, len, ETH_LEN + IP_CSUM, 2);
  } else if (l4_field) {
    if (s->l4 == 0) return true;
    mark(mask, len, s->l4 + (strcmp(field, "l4.src_port") == 0 ? 0 : 2), 2);
  } else {
    return false;
  }
  /* The pseudo-header covers the addresses; the header the ports. */
  if ((ip_field || l4_field) && s->l4_csum_at != 0) mark(mask, len, s->l4_csum_at, 2);
  return true;
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t t = a[i];
    a[i] = b[i];
    b[i] = t;
  }
}

void spec_mirror(uint8_t *f, size_t len, const struct spec_frame *s) {
  if (len >= 12) swap_bytes(f, f + 6, 6);
  if (s->cls <= SPEC_FRAGMENT) swap_bytes(f + ETH_LEN + 12, f + ETH_LEN + 16, 4);
  if (s->cls == SPEC_L4) swap_bytes(f + s->l4, f + s->l4 + 2, 2);
}

const char *spec_class_name(enum spec_class c) {
  static const char *const names[] = {"L4",       "IPV4_OTHER",    "FRAGMENT",
                                      "NOT_IPV4", "SHORT_ETH",     "SHORT_IPV4",
                                      "BAD_IHL",  "BAD_TOTAL_LEN", "SHORT_L4"};
  return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}
