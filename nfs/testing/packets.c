#include "nfs/testing/packets.h"

#include <string.h>

#define ETH_LEN 14
#define IPV4_LEN 20
#define UDP_LEN 8
#define TCP_LEN 20
#define OTHER_L4_LEN 8

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

enum nf_parse_status test_frame_build(struct test_frame *f, const struct test_frame_spec *spec) {
  memset(f, 0, sizeof(*f));
  uint8_t *eth = f->data;
  memcpy(eth, spec->dst_mac.bytes, 6);
  memcpy(eth + 6, spec->src_mac.bytes, 6);
  put16(eth + 12, spec->ether_type);
  uint8_t *ip = eth + ETH_LEN;
  uint32_t l4_header_len = spec->proto == NF_IPPROTO_TCP   ? TCP_LEN
                           : spec->proto == NF_IPPROTO_UDP ? UDP_LEN
                                                           : OTHER_L4_LEN;
  uint32_t l4_len = l4_header_len + spec->payload_len;
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
  uint8_t *l4 = ip + IPV4_LEN;
  for (uint32_t i = 0; i < spec->payload_len; i++) l4[l4_header_len + i] = (uint8_t)(i * 7 + 1);
  if (spec->proto == NF_IPPROTO_TCP || spec->proto == NF_IPPROTO_UDP) {
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
    uint16_t sum =
        (uint16_t)~fold(sum_bytes(l4, l4_len, pseudo_header_sum(ip, spec->proto, l4_len)));
    if (spec->proto == NF_IPPROTO_UDP && sum == 0) sum = 0xffff;
    put16(checksum, sum);
  } else {
    l4[0] = 8; /* e.g. an ICMP echo request; opaque to the NFs */
  }
  f->len = ETH_LEN + total_len;
  if (spec->ip_total_len != 0) {
    put16(ip + 2, spec->ip_total_len);
    put16(ip + 10, 0);
    put16(ip + 10, (uint16_t)~fold(sum_bytes(ip, IPV4_LEN, 0)));
    if (spec->ip_total_len < total_len) f->len = ETH_LEN + spec->ip_total_len;
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

static uint32_t ihl_bytes(const struct test_frame *f) {
  return (f->data[ETH_LEN] & 0x0f) * 4u;
}

uint32_t test_frame_ipv4_src(const struct test_frame *f) {
  return get32(f->data + ETH_LEN + 12);
}

uint32_t test_frame_ipv4_dst(const struct test_frame *f) {
  return get32(f->data + ETH_LEN + 16);
}

uint16_t test_frame_l4_src_port(const struct test_frame *f) {
  return get16(f->data + ETH_LEN + ihl_bytes(f));
}

uint16_t test_frame_l4_dst_port(const struct test_frame *f) {
  return get16(f->data + ETH_LEN + ihl_bytes(f) + 2);
}

bool test_frame_checksums_ok(const struct test_frame *f) {
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
