/* libFuzzer harness of nflib's packet model (nflib/packet.c): an arbitrary
 * frame is parsed by nf_packet_init and by the independent reading of
 * spec_frame.c, which must agree on the class, the offsets and every field;
 * then one setter chosen by the input runs, and it must change only the bytes
 * its contract names, keep valid checksums valid and read back the value.
 *
 * Input: op (1 byte), value (6 bytes), frame (the rest). Shorter inputs are a
 * frame with no setter. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nflib/packet.h"
#include "tests/fuzz/oracle.h"
#include "tests/fuzz/spec_frame.h"

#define PREFIX 7

static void check_agree(const struct nf_packet *p, const uint8_t *f, size_t len,
                        const struct spec_frame *s) {
  ORACLE(p->status == (uint8_t)s->cls, "reparse", "nflib says %s, the RFC reading %s (len %zu)",
         nf_parse_status_name((enum nf_parse_status)p->status), spec_class_name(s->cls), len);
  if (len >= 14) {
    struct nf_mac src = nf_pkt_eth_src(p), dst = nf_pkt_eth_dst(p);
    ORACLE(memcmp(src.bytes, f + 6, 6) == 0 && memcmp(dst.bytes, f, 6) == 0, "reparse",
           "Ethernet addresses differ");
    ORACLE(nf_pkt_eth_type(p) == (uint16_t)((f[12] << 8) | f[13]), "reparse", "EtherType");
  }
  if (s->cls <= SPEC_FRAGMENT) {
    ORACLE(p->l3_offset == 14, "reparse", "l3_offset %u", p->l3_offset);
    ORACLE(nf_pkt_ipv4_src(p) == s->src && nf_pkt_ipv4_dst(p) == s->dst, "reparse",
           "IPv4 addresses differ");
    ORACLE(nf_pkt_ipv4_proto(p) == s->proto, "reparse", "protocol");
  }
  if (SPEC_HAS_V6(s->cls)) {
    struct nf_ipv6_addr src = nf_pkt_ipv6_src(p), dst = nf_pkt_ipv6_dst(p);
    ORACLE(p->l3_offset == 14, "reparse", "l3_offset %u", p->l3_offset);
    ORACLE(memcmp(src.bytes, s->src6, 16) == 0 && memcmp(dst.bytes, s->dst6, 16) == 0, "reparse",
           "IPv6 addresses differ");
    ORACLE(nf_pkt_ipv6_proto(p) == s->proto, "reparse", "IPv6 upper layer %u, expected %u",
           nf_pkt_ipv6_proto(p), s->proto);
    ORACLE(nf_pkt_ipv6_flow_label(p) == s->flow_label && nf_pkt_ipv6_hop_limit(p) == s->hop_limit,
           "reparse", "flow label or hop limit");
    ORACLE(nf_pkt_ipv4_src(p) == 0, "reparse", "an IPv6 packet has no IPv4 view");
  } else {
    struct nf_ipv6_addr src = nf_pkt_ipv6_src(p);
    static const uint8_t zero[16];
    ORACLE(memcmp(src.bytes, zero, 16) == 0 && nf_pkt_ipv6_hop_limit(p) == 0, "reparse",
           "IPv6 getters outside their precondition must read 0");
  }
  if (SPEC_HAS_L4(s->cls)) {
    ORACLE(p->l4_offset == s->l4, "reparse", "l4_offset %u, expected %u", p->l4_offset, s->l4);
    ORACLE(nf_pkt_l4_src_port(p) == s->sport && nf_pkt_l4_dst_port(p) == s->dport, "reparse",
           "ports differ");
    ORACLE(nf_pkt_tcp_flags(p) == s->tcp_flags, "reparse", "TCP flags");
  } else {
    ORACLE(nf_pkt_l4_src_port(p) == 0 && nf_pkt_l4_dst_port(p) == 0, "reparse",
           "ports outside the precondition must read 0");
  }
}

static const char *const op_field[] = {"eth.src",         "eth.dst",       "ipv4.src", "ipv4.dst",
                                       "l4.src_port",     "l4.dst_port",   "ipv6.src", "ipv6.dst",
                                       "ipv6.flow_label", "ipv6.hop_limit"};

/* The 6 value bytes stretched over an IPv6 address. */
static struct nf_ipv6_addr value_addr(const uint8_t *v) {
  struct nf_ipv6_addr a;
  for (int i = 0; i < 16; i++) a.bytes[i] = (uint8_t)(v[i % 6] + 37 * (i / 6));
  return a;
}
static uint32_t value_u32(const uint8_t *v) {
  return ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
}
#define OPS (sizeof(op_field) / sizeof(op_field[0]))

/* Applies op with value v; returns whether the setter's precondition held. */
static bool apply(struct nf_packet *p, unsigned op, const uint8_t *v) {
  struct nf_mac mac;
  memcpy(mac.bytes, v, 6);
  uint32_t addr = ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
  uint16_t port = (uint16_t)((v[4] << 8) | v[5]);
  bool eth = p->len >= 14, ip = p->status <= NF_PKT_FRAGMENT;
  bool l4 = p->status == NF_PKT_L4_OK || p->status == NF_PKT_IPV6_L4_OK;
  bool ip6 = p->status >= NF_PKT_IPV6_L4_OK && p->status <= NF_PKT_IPV6_FRAGMENT;
  switch (op) {
    case 6:
      nf_pkt_set_ipv6_src(p, value_addr(v));
      return ip6;
    case 7:
      nf_pkt_set_ipv6_dst(p, value_addr(v));
      return ip6;
    case 8:
      nf_pkt_set_ipv6_flow_label(p, value_u32(v));
      return ip6;
    case 9:
      nf_pkt_set_ipv6_hop_limit(p, v[0]);
      return ip6;
    case 0:
      nf_pkt_set_eth_src(p, mac);
      return eth;
    case 1:
      nf_pkt_set_eth_dst(p, mac);
      return eth;
    case 2:
      nf_pkt_set_ipv4_src(p, addr);
      return ip;
    case 3:
      nf_pkt_set_ipv4_dst(p, addr);
      return ip;
    case 4:
      nf_pkt_set_l4_src_port(p, port);
      return l4;
    default:
      nf_pkt_set_l4_dst_port(p, port);
      return l4;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bool with_op = size >= PREFIX;
  const uint8_t *frame = with_op ? data + PREFIX : data;
  size_t len = with_op ? size - PREFIX : size;
  /* An exact-size heap copy, so that ASan sees any read past the frame. */
  uint8_t *f = malloc(len ? len : 1);
  uint8_t *before = malloc(len ? len : 1);
  bool *allowed = calloc(len ? len : 1, sizeof(bool));
  if (f == NULL || before == NULL || allowed == NULL) abort();
  memcpy(f, frame, len);
  struct nf_packet p;
  nf_packet_init(&p, f, (uint32_t)len);
  struct spec_frame s;
  spec_parse(f, len, &s);
  check_agree(&p, f, len, &s);

  if (with_op && data[0] / OPS == 0) { /* ops 0..OPS-1; other op bytes: parse only */
    unsigned op = data[0] % OPS;
    memcpy(before, f, len);
    enum spec_csum ip_before = spec_ipv4_csum(f, &s), l4_before = spec_l4_csum(f, &s);
    bool defined = apply(&p, op, data + 1);
    if (!defined) {
      ORACLE(memcmp(before, f, len) == 0, "documented-bytes",
             "%s outside its precondition changed the frame", op_field[op]);
    } else {
      spec_mark_write(op_field[op], &s, len, allowed);
      for (size_t i = 0; i < len; i++)
        ORACLE(allowed[i] || f[i] == before[i], "documented-bytes",
               "%s changed byte %zu (0x%02x -> 0x%02x)", op_field[op], i, before[i], f[i]);
      struct spec_frame after;
      spec_parse(f, len, &after);
      ORACLE(after.cls == s.cls, "reparse", "%s changed the class %s -> %s", op_field[op],
             spec_class_name(s.cls), spec_class_name(after.cls));
      if (ip_before == SPEC_CSUM_OK)
        ORACLE(spec_ipv4_csum(f, &after) == SPEC_CSUM_OK, "checksum",
               "%s broke a valid IPv4 header checksum", op_field[op]);
      if (l4_before == SPEC_CSUM_OK || l4_before == SPEC_CSUM_NONE)
        ORACLE(spec_l4_csum(f, &after) == l4_before, "checksum", "%s broke the L4 checksum (%d)",
               op_field[op], (int)l4_before);
      check_agree(&p, f, len, &after);
      const uint8_t *v = data + 1;
      uint32_t addr =
          ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
      uint16_t port = (uint16_t)((v[4] << 8) | v[5]);
      switch (op) {
        case 0:
          ORACLE(memcmp(f + 6, v, 6) == 0, "read-back", "eth.src");
          break;
        case 1:
          ORACLE(memcmp(f, v, 6) == 0, "read-back", "eth.dst");
          break;
        case 2:
          ORACLE(after.src == addr, "read-back", "ipv4.src");
          break;
        case 3:
          ORACLE(after.dst == addr, "read-back", "ipv4.dst");
          break;
        case 4:
          ORACLE(after.sport == port, "read-back", "l4.src_port");
          break;
        case 5:
          ORACLE(after.dport == port, "read-back", "l4.dst_port");
          break;
        case 6:
          ORACLE(memcmp(after.src6, value_addr(v).bytes, 16) == 0, "read-back", "ipv6.src");
          break;
        case 7:
          ORACLE(memcmp(after.dst6, value_addr(v).bytes, 16) == 0, "read-back", "ipv6.dst");
          break;
        case 8:
          ORACLE(after.flow_label == (value_u32(v) & 0xfffff), "read-back", "ipv6.flow_label");
          /* Byte 15 is shared: its high nibble is the traffic class. */
          ORACLE(f[15] >> 4 == before[15] >> 4, "documented-bytes",
                 "ipv6.flow_label changed the traffic class");
          break;
        default:
          ORACLE(after.hop_limit == v[0], "read-back", "ipv6.hop_limit");
          break;
      }
    }
  }
  free(allowed);
  free(before);
  free(f);
  return 0;
}
