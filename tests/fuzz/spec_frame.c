/* See spec_frame.h: the fuzz oracles' own reading of Ethernet/IPv4/TCP/UDP. */
#include "tests/fuzz/spec_frame.h"

#include <string.h>

enum {
  ETH_LEN = 14, /* dst(6) src(6) type(2) */
  ETHERTYPE_IP = 0x0800,
  ETHERTYPE_IPV6 = 0x86DD,
  IP6_LEN = 40,     /* RFC 8200 section 3: the fixed header */
  IP6_MAX_EXT = 8,  /* nflib's documented limit on extension headers */
  IP6_FRAG_LEN = 8, /* RFC 8200 4.5 */
  IP6_SRC = 8,      /* offsets in the fixed header */
  IP6_DST = 24,
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

/* RFC 8200 4: the extension headers nflib walks. Hop-by-Hop (0), Routing
 * (43) and Destination Options (60) share the layout "next header, length in
 * 8-octet units not counting the first 8"; the Fragment header (44) is 8. */
static bool ip6_walked(unsigned next) {
  return next == 0 || next == 43 || next == 44 || next == 60;
}

static void spec_parse_v6(const uint8_t *f, size_t len, struct spec_frame *s) {
  const uint8_t *ip = f + ETH_LEN;
  size_t room = len - ETH_LEN;
  s->cls = SPEC_SHORT_IPV6;
  if (room < 1) return;
  s->cls = SPEC_BAD_IPV6_VERSION;
  if (ip[0] >> 4 != 6) return;
  s->cls = SPEC_SHORT_IPV6;
  if (room < IP6_LEN || IP6_LEN + be16(ip + 4) > room) return;
  memcpy(s->src6, ip + IP6_SRC, 16);
  memcpy(s->dst6, ip + IP6_DST, 16);
  s->flow_label = ((ip[1] & 0x0fu) << 16) | be16(ip + 2);
  s->hop_limit = ip[7];
  size_t end = ETH_LEN + IP6_LEN + be16(ip + 4); /* bytes past it: link padding */
  size_t at = ETH_LEN + IP6_LEN;                 /* the current header */
  unsigned next = ip[6];
  bool fragment = false;
  for (int taken = 0; ip6_walked(next); taken++) {
    s->cls = SPEC_BAD_IPV6_EXT;
    if (taken == IP6_MAX_EXT || (next == 0 && taken != 0)) return; /* 4.1: HBH first */
    size_t size;
    if (next == 44) {
      if (end - at < IP6_FRAG_LEN) return;
      if (be16(f + at + 2) >> 3) { /* a later fragment: data, not headers */
        s->cls = SPEC_FRAGMENT_V6;
        s->proto = f[at];
        return;
      }
      fragment = true;
      size = IP6_FRAG_LEN;
    } else {
      if (end - at < 2) return;
      size = 8u * (f[at + 1] + 1u);
      if (end - at < size) return;
    }
    next = f[at];
    at += size;
  }
  s->proto = (uint8_t)next;
  size_t payload = end - at;
  if (fragment) { /* first or atomic (RFC 6946): a fragment, checksum kept */
    s->cls = SPEC_FRAGMENT_V6;
    uint32_t csum = next == 6 ? TCP_CSUM : next == 17 ? UDP_CSUM : (uint32_t)payload;
    if (csum + 2 <= payload) s->l4_csum_at = (uint32_t)at + csum;
    return;
  }
  if (next != 6 && next != 17) {
    s->cls = SPEC_IPV6_OTHER;
    return;
  }
  if (payload < (next == 6 ? (size_t)TCP_MIN : (size_t)UDP_LEN)) {
    s->cls = SPEC_SHORT_L4_V6;
    return;
  }
  s->cls = SPEC_L4_V6;
  s->l4 = (uint32_t)at;
  s->l4_end = (uint32_t)end;
  s->l4_csum_at = s->l4 + (next == 6 ? TCP_CSUM : UDP_CSUM);
  s->sport = (uint16_t)be16(f + at);
  s->dport = (uint16_t)be16(f + at + 2);
  s->tcp_flags = next == 6 ? f[at + 13] : 0;
}

void spec_parse(const uint8_t *f, size_t len, struct spec_frame *s) {
  memset(s, 0, sizeof(*s));
  if (len < ETH_LEN) {
    s->cls = SPEC_SHORT_ETH;
    return;
  }
  if (be16(f + 12) == ETHERTYPE_IPV6) {
    spec_parse_v6(f, len, s);
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
  s->l4_end = ETH_LEN + total;
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
  if (!SPEC_HAS_L4(s->cls)) return SPEC_CSUM_UNKNOWN;
  uint32_t seg = s->l4_end - s->l4;
  if (s->proto == 17) {
    if (be16(f + s->l4 + UDP_CSUM) == 0) return SPEC_CSUM_NONE;
    uint32_t ulen = be16(f + s->l4 + 4);
    if (ulen < UDP_LEN || ulen > seg) return SPEC_CSUM_UNKNOWN;
    seg = ulen; /* RFC 768: the pseudo-header and the sum use the UDP length */
  }
  const uint8_t *ip = f + ETH_LEN;
  uint8_t pseudo[40];
  size_t n;
  if (s->cls == SPEC_L4) { /* RFC 793: src, dst, zero, protocol, TCP length */
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = s->proto;
    pseudo[10] = (uint8_t)(seg >> 8);
    pseudo[11] = (uint8_t)seg;
    n = 12;
  } else { /* RFC 8200 8.1: src, dst, 32-bit length, 3 zero bytes, next header */
    memcpy(pseudo, s->src6, 16);
    memcpy(pseudo + 16, s->dst6, 16);
    pseudo[32] = (uint8_t)(seg >> 24);
    pseudo[33] = (uint8_t)(seg >> 16);
    pseudo[34] = (uint8_t)(seg >> 8);
    pseudo[35] = (uint8_t)seg;
    pseudo[36] = pseudo[37] = pseudo[38] = 0;
    pseudo[39] = s->proto;
    n = 40;
  }
  uint32_t sum = ones_sum(pseudo, n, 0);
  sum = ones_sum(f + s->l4, seg, sum);
  return sum == 0xffff ? SPEC_CSUM_OK : SPEC_CSUM_BAD;
}

static void mark(bool *mask, size_t len, size_t from, size_t n) {
  for (size_t i = from; i < from + n && i < len; i++) mask[i] = true;
}

bool spec_mark_write(const char *field, const struct spec_frame *s, size_t len, bool *mask) {
  bool ip_field = strcmp(field, "ipv4.src") == 0 || strcmp(field, "ipv4.dst") == 0;
  bool l4_field = strcmp(field, "l4.src_port") == 0 || strcmp(field, "l4.dst_port") == 0;
  bool ip6_field = strcmp(field, "ipv6.src") == 0 || strcmp(field, "ipv6.dst") == 0;
  if (strcmp(field, "ipv6.flow_label") == 0 || strcmp(field, "ipv6.hop_limit") == 0) {
    /* In no checksum (RFC 8200 8.1). */
    if (!SPEC_HAS_V6(s->cls)) return true;
    if (field[5] == 'f')
      mark(mask, len, ETH_LEN + 1, 3);
    else
      mark(mask, len, ETH_LEN + 7, 1);
    return true;
  }
  if (ip6_field) {
    if (!SPEC_HAS_V6(s->cls)) return true;
    mark(mask, len, ETH_LEN + (strcmp(field, "ipv6.src") == 0 ? IP6_SRC : IP6_DST), 16);
  } else if (strcmp(field, "eth.dst") == 0) {
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
  if ((ip_field || ip6_field || l4_field) && s->l4_csum_at != 0) mark(mask, len, s->l4_csum_at, 2);
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
  if (SPEC_HAS_V6(s->cls)) swap_bytes(f + ETH_LEN + IP6_SRC, f + ETH_LEN + IP6_DST, 16);
  if (SPEC_HAS_L4(s->cls)) swap_bytes(f + s->l4, f + s->l4 + 2, 2);
}

const char *spec_class_name(enum spec_class c) {
  static const char *const names[] = {
      "L4",         "IPV4_OTHER",       "FRAGMENT",     "NOT_IPV4",   "SHORT_ETH",  "SHORT_IPV4",
      "BAD_IHL",    "BAD_TOTAL_LEN",    "SHORT_L4",     "L4_V6",      "IPV6_OTHER", "FRAGMENT_V6",
      "SHORT_IPV6", "BAD_IPV6_VERSION", "BAD_IPV6_EXT", "SHORT_L4_V6"};
  return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}
