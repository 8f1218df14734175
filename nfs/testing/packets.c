#include "nfs/testing/packets.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_LEN 14
#define IPV4_LEN 20
#define UDP_LEN 8
#define TCP_LEN 20
#define OTHER_L4_LEN 8
#define IPV6_LEN 40
#define IPV6_EXT_LEN 8 /* every extension header the builder writes */
#define IPV6_FRAGMENT 44

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* One's-complement sum of bytes (big-endian 16-bit words), not yet folded. */
static uint32_t sum_bytes(const uint8_t *p, uint32_t len, uint32_t sum) {
  for (uint32_t i = 0; i + 1 < len; i += 2) sum += get16(p + i);
  if (len % 2 == 1) sum += (uint32_t)p[len - 1] << 8;
  return sum;
}

static uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

static uint32_t pseudo_header_sum(const uint8_t *ip, uint8_t proto, uint32_t l4_len) {
  uint32_t sum = sum_bytes(ip + 12, 8, 0);
  return sum + proto + l4_len;
}

struct nf_mac test_mac(uint8_t last_byte) {
  struct nf_mac mac = {{0x02, 0, 0, 0, 0, last_byte}};
  return mac;
}

bool test_mac_eq(struct nf_mac a, struct nf_mac b) {
  return memcmp(a.bytes, b.bytes, 6) == 0;
}

static struct test_frame_spec default_spec(uint32_t src_ip, uint32_t dst_ip, uint8_t proto,
                                           uint16_t src_port, uint16_t dst_port) {
  struct test_frame_spec spec;
  memset(&spec, 0, sizeof(spec));
  spec.src_mac = test_mac(1);
  spec.dst_mac = test_mac(2);
  spec.ether_type = NF_ETHERTYPE_IPV4;
  spec.src_ip = src_ip;
  spec.dst_ip = dst_ip;
  spec.proto = proto;
  spec.src_port = src_port;
  spec.dst_port = dst_port;
  spec.payload_len = 18;
  return spec;
}

struct test_frame_spec test_spec_udp(uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                                     uint16_t dst_port) {
  return default_spec(src_ip, dst_ip, NF_IPPROTO_UDP, src_port, dst_port);
}

struct test_frame_spec test_spec_tcp(uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                                     uint16_t dst_port, uint8_t tcp_flags) {
  struct test_frame_spec spec = default_spec(src_ip, dst_ip, NF_IPPROTO_TCP, src_port, dst_port);
  spec.tcp_flags = tcp_flags;
  spec.payload_len = 0;
  return spec;
}

static uint32_t l4_header_len(uint8_t proto) {
  return proto == NF_IPPROTO_TCP ? TCP_LEN : proto == NF_IPPROTO_UDP ? UDP_LEN : OTHER_L4_LEN;
}

/* Writes the L4 header and payload at l4 (l4_len bytes in all), the TCP/UDP
 * checksum seeded with the family's pseudo-header sum. */
static void write_l4(uint8_t *l4, const struct test_frame_spec *spec, uint32_t l4_len,
                     uint32_t pseudo_sum) {
  uint32_t header_len = l4_header_len(spec->proto);
  for (uint32_t i = 0; i < spec->payload_len; i++) l4[header_len + i] = (uint8_t)(i * 7 + 1);
  if (spec->proto != NF_IPPROTO_TCP && spec->proto != NF_IPPROTO_UDP) {
    l4[0] = 8; /* e.g. an ICMP echo request; opaque to the NFs */
    return;
  }
  put16(l4, spec->src_port);
  put16(l4 + 2, spec->dst_port);
  uint8_t *checksum = NULL;
  if (spec->proto == NF_IPPROTO_TCP) {
    put32(l4 + 4, 1000); /* seq */
    l4[12] = 5 << 4;     /* data offset */
    l4[13] = spec->tcp_flags;
    put16(l4 + 14, 65535); /* window */
    checksum = l4 + 16;
  } else {
    put16(l4 + 4, (uint16_t)l4_len);
    checksum = l4 + 6;
  }
  uint16_t sum = (uint16_t)~fold(sum_bytes(l4, l4_len, pseudo_sum));
  if (spec->proto == NF_IPPROTO_UDP && sum == 0) sum = 0xffff;
  put16(checksum, sum);
}

static void build_ipv4(struct test_frame *f, const struct test_frame_spec *spec) {
  uint8_t *ip = f->data + ETH_LEN;
  uint32_t l4_len = l4_header_len(spec->proto) + spec->payload_len;
  uint32_t total_len = IPV4_LEN + l4_len;
  ip[0] = 0x45;
  put16(ip + 2, (uint16_t)total_len);
  put16(ip + 4, 0x1234); /* identification */
  put16(ip + 6, (uint16_t)((spec->more_fragments ? 0x2000 : 0) | (spec->frag_offset & 0x1fff)));
  ip[8] = 64;
  ip[9] = spec->proto;
  put32(ip + 12, spec->src_ip);
  put32(ip + 16, spec->dst_ip);
  put16(ip + 10, (uint16_t)~fold(sum_bytes(ip, IPV4_LEN, 0)));
  write_l4(ip + IPV4_LEN, spec, l4_len, pseudo_header_sum(ip, spec->proto, l4_len));
  f->len = ETH_LEN + total_len;
  if (spec->ip_total_len != 0) {
    put16(ip + 2, spec->ip_total_len);
    put16(ip + 10, 0);
    put16(ip + 10, (uint16_t)~fold(sum_bytes(ip, IPV4_LEN, 0)));
    if (spec->ip_total_len < total_len) f->len = ETH_LEN + spec->ip_total_len;
  }
}

/* The IPv6 pseudo-header (RFC 8200 8.1): addresses, upper-layer length,
 * next header. */
static uint32_t ipv6_pseudo_header_sum(const uint8_t *ip, uint8_t proto, uint32_t l4_len) {
  uint32_t sum = sum_bytes(ip + 8, 32, 0);
  return sum + (l4_len >> 16) + (l4_len & 0xffff) + proto;
}

static void build_ipv6(struct test_frame *f, const struct test_frame_spec *spec) {
  uint8_t *ip = f->data + ETH_LEN;
  uint32_t count = spec->ext_count < TEST_IPV6_EXT_MAX ? spec->ext_count : TEST_IPV6_EXT_MAX;
  uint8_t types[TEST_IPV6_EXT_MAX + 1];
  for (uint32_t i = 0; i < count; i++) types[i] = spec->ext_headers[i];
  if (spec->ipv6_fragment) types[count++] = IPV6_FRAGMENT;
  bool ports = !spec->ipv6_fragment || spec->frag_offset == 0;
  uint32_t l4_len = (ports ? l4_header_len(spec->proto) : 0) + spec->payload_len;
  uint32_t payload_len = count * IPV6_EXT_LEN + l4_len;
  ip[0] = 0x60;
  put16(ip + 4, (uint16_t)payload_len);
  ip[6] = count > 0 ? types[0] : spec->proto;
  ip[7] = 64;
  memcpy(ip + 8, spec->src_ip6.bytes, 16);
  memcpy(ip + 24, spec->dst_ip6.bytes, 16);
  uint8_t *ext = ip + IPV6_LEN;
  for (uint32_t i = 0; i < count; i++, ext += IPV6_EXT_LEN) {
    ext[0] = i + 1 < count ? types[i + 1] : spec->proto;
    if (types[i] == IPV6_FRAGMENT) {
      put16(ext + 2,
            (uint16_t)((spec->frag_offset & 0x1fff) << 3 | (spec->more_fragments ? 1 : 0)));
      put32(ext + 4, 0x12345678); /* identification */
    } else if (types[i] != TEST_IPV6_ROUTING) {
      ext[2] = 1; /* PadN over the 4 remaining bytes */
      ext[3] = 4;
    }
  }
  if (ports) {
    write_l4(ext, spec, l4_len, ipv6_pseudo_header_sum(ip, spec->proto, l4_len));
  } else {
    for (uint32_t i = 0; i < spec->payload_len; i++) ext[i] = (uint8_t)(i * 7 + 1);
  }
  f->len = ETH_LEN + IPV6_LEN + payload_len;
  if (spec->ip_total_len != 0) {
    put16(ip + 4, spec->ip_total_len);
    if (spec->ip_total_len < payload_len) f->len = ETH_LEN + IPV6_LEN + spec->ip_total_len;
  }
}

enum nf_parse_status test_frame_build(struct test_frame *f, const struct test_frame_spec *spec) {
  memset(f, 0, sizeof(*f));
  memcpy(f->data, spec->dst_mac.bytes, 6);
  memcpy(f->data + 6, spec->src_mac.bytes, 6);
  put16(f->data + 12, spec->ether_type);
  if (spec->family == 6) {
    build_ipv6(f, spec);
  } else {
    build_ipv4(f, spec);
  }
  if (spec->truncate_to != 0 && spec->truncate_to < f->len) f->len = spec->truncate_to;
  return nf_packet_init(&f->pkt, f->data, f->len);
}

enum nf_parse_status test_frame_udp(struct test_frame *f, uint32_t src_ip, uint32_t dst_ip,
                                    uint16_t src_port, uint16_t dst_port) {
  struct test_frame_spec spec = test_spec_udp(src_ip, dst_ip, src_port, dst_port);
  return test_frame_build(f, &spec);
}

enum nf_parse_status test_frame_tcp(struct test_frame *f, uint32_t src_ip, uint32_t dst_ip,
                                    uint16_t src_port, uint16_t dst_port) {
  struct test_frame_spec spec = test_spec_tcp(src_ip, dst_ip, src_port, dst_port, 0x02);
  return test_frame_build(f, &spec);
}

struct nf_ipv6_addr test_ip6(const char *text) {
  struct nf_ipv6_addr addr;
  if (inet_pton(AF_INET6, text, addr.bytes) != 1) {
    fprintf(stderr, "test_ip6: \"%s\" is not an IPv6 address; write e.g. \"2001:db8::1\"\n", text);
    abort();
  }
  return addr;
}

bool test_ip6_eq(struct nf_ipv6_addr a, struct nf_ipv6_addr b) {
  return memcmp(a.bytes, b.bytes, 16) == 0;
}

struct test_frame_spec test_spec_udp6(struct nf_ipv6_addr src, struct nf_ipv6_addr dst,
                                      uint16_t src_port, uint16_t dst_port) {
  struct test_frame_spec spec = default_spec(0, 0, NF_IPPROTO_UDP, src_port, dst_port);
  spec.family = 6;
  spec.ether_type = NF_ETHERTYPE_IPV6;
  spec.src_ip6 = src;
  spec.dst_ip6 = dst;
  return spec;
}

struct test_frame_spec test_spec_tcp6(struct nf_ipv6_addr src, struct nf_ipv6_addr dst,
                                      uint16_t src_port, uint16_t dst_port, uint8_t tcp_flags) {
  struct test_frame_spec spec = test_spec_udp6(src, dst, src_port, dst_port);
  spec.proto = NF_IPPROTO_TCP;
  spec.tcp_flags = tcp_flags;
  spec.payload_len = 0;
  return spec;
}

enum nf_parse_status test_frame_udp6(struct test_frame *f, const char *src, const char *dst,
                                     uint16_t src_port, uint16_t dst_port) {
  struct test_frame_spec spec = test_spec_udp6(test_ip6(src), test_ip6(dst), src_port, dst_port);
  return test_frame_build(f, &spec);
}

enum nf_parse_status test_frame_tcp6(struct test_frame *f, const char *src, const char *dst,
                                     uint16_t src_port, uint16_t dst_port) {
  struct test_frame_spec spec =
      test_spec_tcp6(test_ip6(src), test_ip6(dst), src_port, dst_port, 0x02);
  return test_frame_build(f, &spec);
}

enum nf_parse_status test_frame_malformed6(struct test_frame *f, const struct test_frame_spec *spec,
                                           enum nf_parse_status want) {
  struct test_frame_spec bad = *spec;
  switch (want) {
    case NF_PKT_TRUNCATED_IPV6:
      bad.truncate_to = 14 + IPV6_LEN + 4;
      break;
    case NF_PKT_BAD_IPV6_VERSION:
      test_frame_build(f, &bad);
      f->data[ETH_LEN] = 0x40;
      return test_frame_reparse(f);
    case NF_PKT_BAD_IPV6_EXT:
      bad.ext_count = NF_IPV6_MAX_EXT_HEADERS + 1;
      for (uint32_t i = 0; i < bad.ext_count; i++) bad.ext_headers[i] = TEST_IPV6_DEST_OPTS;
      break;
    case NF_PKT_TRUNCATED_L4_IPV6:
      bad.ip_total_len = 4;
      break;
    default:
      fprintf(stderr, "test_frame_malformed6: status %d is not a malformed IPv6 status\n", want);
      abort();
  }
  return test_frame_build(f, &bad);
}

enum nf_parse_status test_frame_reparse(struct test_frame *f) {
  return nf_packet_init(&f->pkt, f->data, f->len);
}

enum nf_parse_status test_frame_raw(struct test_frame *f, const uint8_t *bytes, uint32_t len) {
  memset(f, 0, sizeof(*f));
  if (len > TEST_FRAME_MAX) len = TEST_FRAME_MAX;
  memcpy(f->data, bytes, len);
  f->len = len;
  return nf_packet_init(&f->pkt, f->data, f->len);
}

struct nf_mac test_frame_eth_dst(const struct test_frame *f) {
  struct nf_mac mac;
  memcpy(mac.bytes, f->data, 6);
  return mac;
}

struct nf_mac test_frame_eth_src(const struct test_frame *f) {
  struct nf_mac mac;
  memcpy(mac.bytes, f->data + 6, 6);
  return mac;
}

static bool is_ipv6(const struct test_frame *f) {
  return get16(f->data + 12) == NF_ETHERTYPE_IPV6;
}

static uint32_t ihl_bytes(const struct test_frame *f) {
  return (f->data[ETH_LEN] & 0x0f) * 4u;
}

/* The offset of the IPv6 upper-layer header and its protocol, walking the
 * extension headers the builder writes (all with the RFC 8200 length rule). */
static uint32_t ipv6_upper(const struct test_frame *f, uint8_t *proto, bool *later_fragment) {
  uint32_t off = ETH_LEN + IPV6_LEN;
  uint8_t nh = f->data[ETH_LEN + 6];
  *later_fragment = false;
  while ((nh == TEST_IPV6_HOP_BY_HOP || nh == TEST_IPV6_ROUTING || nh == IPV6_FRAGMENT ||
          nh == TEST_IPV6_DEST_OPTS) &&
         off + 8 <= f->len) {
    uint32_t len = nh == IPV6_FRAGMENT ? 8u : (f->data[off + 1] + 1u) * 8u;
    if (nh == IPV6_FRAGMENT && (get16(f->data + off + 2) >> 3) != 0) *later_fragment = true;
    nh = f->data[off];
    off += len;
  }
  *proto = nh;
  return off;
}

static uint32_t l4_offset(const struct test_frame *f) {
  if (!is_ipv6(f)) return ETH_LEN + ihl_bytes(f);
  uint8_t proto;
  bool later;
  return ipv6_upper(f, &proto, &later);
}

uint32_t test_frame_ipv4_src(const struct test_frame *f) {
  return get32(f->data + ETH_LEN + 12);
}

uint32_t test_frame_ipv4_dst(const struct test_frame *f) {
  return get32(f->data + ETH_LEN + 16);
}

struct nf_ipv6_addr test_frame_ipv6_src(const struct test_frame *f) {
  struct nf_ipv6_addr addr;
  memcpy(addr.bytes, f->data + ETH_LEN + 8, 16);
  return addr;
}

struct nf_ipv6_addr test_frame_ipv6_dst(const struct test_frame *f) {
  struct nf_ipv6_addr addr;
  memcpy(addr.bytes, f->data + ETH_LEN + 24, 16);
  return addr;
}

uint16_t test_frame_l4_src_port(const struct test_frame *f) {
  return get16(f->data + l4_offset(f));
}

uint16_t test_frame_l4_dst_port(const struct test_frame *f) {
  return get16(f->data + l4_offset(f) + 2);
}

static bool ipv6_checksums_ok(const struct test_frame *f) {
  const uint8_t *ip = f->data + ETH_LEN;
  if (f->len < ETH_LEN + IPV6_LEN) return false;
  uint32_t end = ETH_LEN + IPV6_LEN + get16(ip + 4);
  if (end > f->len) return false;
  uint8_t proto;
  bool later_fragment;
  uint32_t off = ipv6_upper(f, &proto, &later_fragment);
  if (later_fragment || (proto != NF_IPPROTO_TCP && proto != NF_IPPROTO_UDP)) return true;
  if (off > end) return false;
  uint32_t l4_len = end - off;
  if (proto == NF_IPPROTO_UDP && l4_len >= UDP_LEN && get16(f->data + off + 6) == 0) return false;
  return fold(sum_bytes(f->data + off, l4_len, ipv6_pseudo_header_sum(ip, proto, l4_len))) ==
         0xffff;
}

bool test_frame_checksums_ok(const struct test_frame *f) {
  if (f->len >= ETH_LEN && is_ipv6(f)) return ipv6_checksums_ok(f);
  const uint8_t *ip = f->data + ETH_LEN;
  uint32_t ihl = ihl_bytes(f);
  if (f->len < ETH_LEN + ihl || ihl < IPV4_LEN) return false;
  if (fold(sum_bytes(ip, ihl, 0)) != 0xffff) return false;
  uint32_t total_len = get16(ip + 2);
  if (f->len < ETH_LEN + total_len || total_len < ihl) return false;
  uint8_t proto = ip[9];
  if (proto != NF_IPPROTO_TCP && proto != NF_IPPROTO_UDP) return true;
  const uint8_t *l4 = ip + ihl;
  uint32_t l4_len = total_len - ihl;
  if (proto == NF_IPPROTO_UDP && l4_len >= UDP_LEN && get16(l4 + 6) == 0) return true;
  return fold(sum_bytes(l4, l4_len, pseudo_header_sum(ip, proto, l4_len))) == 0xffff;
}
