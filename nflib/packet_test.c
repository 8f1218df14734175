/* Packet model tests: frames generated from parameters whose expected parse
 * status follows the spec independently of the parser; random, truncated and
 * mutated frames in exactly-sized heap buffers (ASan catches any overread);
 * setters checked by full checksum recomputation. */
#include <string.h>

#include "nflib/packet.h"
#include "nflib/packet_csum_test_util.h"
#include "nflib/test_util.h"

/* Full verification: the IPv4 header sums to 0xffff. */
static bool ipv4_csum_ok(const uint8_t *ip, uint32_t ihl_bytes) {
  return fold(sum16(ip, ihl_bytes, 0)) == 0xffff;
}
/* L4 checksum incl. pseudo-header over [l4, l4+l4_len). */
static bool l4_csum_ok(const uint8_t *ip, const uint8_t *l4, uint32_t l4_len, uint8_t proto) {
  uint32_t s = sum16(ip + 12, 8, 0);
  s += proto;
  s += l4_len;
  return fold(sum16(l4, l4_len, s)) == 0xffff;
}
static void fill_ipv4_csum(uint8_t *ip, uint32_t ihl_bytes) {
  ip[10] = ip[11] = 0;
  uint16_t c = (uint16_t)~fold(sum16(ip, ihl_bytes, 0));
  ip[10] = (uint8_t)(c >> 8);
  ip[11] = (uint8_t)c;
}
static void fill_l4_csum(uint8_t *ip, uint8_t *l4, uint32_t l4_len, uint8_t proto) {
  uint32_t off = proto == NF_IPPROTO_TCP ? 16 : 6;
  l4[off] = l4[off + 1] = 0;
  uint32_t s = sum16(ip + 12, 8, 0) + proto + l4_len;
  uint16_t c = (uint16_t)~fold(sum16(l4, l4_len, s));
  if (proto == NF_IPPROTO_UDP && c == 0) c = 0xffff;
  l4[off] = (uint8_t)(c >> 8);
  l4[off + 1] = (uint8_t)c;
}

struct frame_spec {
  uint32_t frame_len; /* bytes actually in the buffer */
  uint16_t ethertype;
  uint8_t version, ihl;
  uint16_t total_len;
  uint16_t frag; /* flags + offset field */
  uint8_t proto;
  uint32_t payload_len; /* L4 bytes (header + data) inside total_len, for building */
};

/* The expected status, written from the spec's decision order. */
static enum nf_parse_status expected_status(const struct frame_spec *s) {
  if (s->frame_len < 14) return NF_PKT_TRUNCATED_ETH;
  if (s->ethertype != 0x0800) return NF_PKT_NOT_IPV4;
  if (s->frame_len < 15) return NF_PKT_TRUNCATED_IPV4;
  if (s->version != 4 || s->ihl < 5) return NF_PKT_BAD_IHL;
  if (s->frame_len < 14u + s->ihl * 4u) return NF_PKT_TRUNCATED_IPV4;
  if (s->total_len < s->ihl * 4u || 14u + s->total_len > s->frame_len) return NF_PKT_BAD_TOTAL_LEN;
  if (s->frag & 0x3fff) return NF_PKT_FRAGMENT;
  uint32_t l4_avail = s->total_len - s->ihl * 4u;
  if (s->proto == 6) return l4_avail >= 20 ? NF_PKT_L4_OK : NF_PKT_TRUNCATED_L4;
  if (s->proto == 17) return l4_avail >= 8 ? NF_PKT_L4_OK : NF_PKT_TRUNCATED_L4;
  return NF_PKT_IPV4_OTHER;
}

/* Builds the frame of a spec into a fresh heap buffer of exactly frame_len
 * bytes (a full frame is built in scratch first, then cut). */
static uint8_t *build(const struct frame_spec *s, struct test_rng *rng) {
  uint8_t scratch[2048];
  for (size_t i = 0; i < sizeof(scratch); i++) scratch[i] = (uint8_t)rng_next(rng);
  scratch[12] = (uint8_t)(s->ethertype >> 8);
  scratch[13] = (uint8_t)s->ethertype;
  uint8_t *ip = scratch + 14;
  ip[0] = (uint8_t)(s->version << 4 | s->ihl);
  ip[2] = (uint8_t)(s->total_len >> 8);
  ip[3] = (uint8_t)s->total_len;
  ip[6] = (uint8_t)(s->frag >> 8);
  ip[7] = (uint8_t)s->frag;
  ip[9] = s->proto;
  uint32_t ihl_bytes = s->ihl * 4u;
  if (s->version == 4 && ihl_bytes >= 20 && s->total_len >= ihl_bytes &&
      14u + s->total_len <= sizeof(scratch)) {
    uint8_t *l4 = ip + ihl_bytes;
    uint32_t l4_len = s->total_len - ihl_bytes;
    if (s->proto == 17 && l4_len >= 8) {
      l4[4] = (uint8_t)(l4_len >> 8);
      l4[5] = (uint8_t)l4_len;
      if (rng_below(rng, 4) == 0) { /* no checksum */
        l4[6] = l4[7] = 0;
      } else {
        fill_l4_csum(ip, l4, l4_len, 17);
      }
    } else if (s->proto == 6 && l4_len >= 20) {
      l4[12] = 5 << 4;
      fill_l4_csum(ip, l4, l4_len, 6);
    }
    fill_ipv4_csum(ip, ihl_bytes);
  }
  uint8_t *buf = malloc(s->frame_len ? s->frame_len : 1);
  memcpy(buf, scratch, s->frame_len);
  return buf;
}

static struct frame_spec random_valid_spec(struct test_rng *rng) {
  struct frame_spec s;
  s.ethertype = 0x0800;
  s.version = 4;
  s.ihl = (uint8_t)(5 + (rng_below(rng, 4) == 0 ? rng_below(rng, 11) : 0));
  uint32_t r = rng_below(rng, 10);
  s.proto = r < 4 ? 6 : r < 8 ? 17 : (uint8_t)rng_below(rng, 256);
  s.payload_len = (s.proto == 6 ? 20 : 8) + rng_below(rng, 200);
  s.total_len = (uint16_t)(s.ihl * 4 + s.payload_len);
  s.frag = rng_below(rng, 4) == 0 ? 0x4000 : 0; /* DF alone is not a fragment */
  s.frame_len = 14u + s.total_len + (rng_below(rng, 3) == 0 ? rng_below(rng, 30) : 0);
  return s;
}

/* Perturbs one parameter so that every status is reached. */
static void mutate(struct frame_spec *s, struct test_rng *rng) {
  switch (rng_below(rng, 9)) {
    case 0:
      s->frame_len = rng_below(rng, s->frame_len + 1);
      break; /* truncate */
    case 1:
      s->ethertype = (uint16_t)rng_next(rng);
      if (s->ethertype == NF_ETHERTYPE_IPV6) s->ethertype++; /* packet_ipv6_test's */
      break;
    case 2:
      s->version = (uint8_t)rng_below(rng, 16);
      break;
    case 3:
      s->ihl = (uint8_t)rng_below(rng, 16);
      break;
    case 4:
      s->total_len = (uint16_t)rng_below(rng, 300);
      break;
    case 5:
      s->frag = (uint16_t)rng_next(rng);
      break;
    case 6:
      s->proto = (uint8_t)rng_next(rng);
      break;
    case 7:
      s->total_len = (uint16_t)(s->ihl * 4 + rng_below(rng, 24));
      break; /* short L4 */
    default:
      break;
  }
}

static void check_checksums(const struct nf_packet *p) {
  const uint8_t *ip = p->data + 14;
  uint32_t ihl_bytes = (ip[0] & 15u) * 4;
  CHECK(ipv4_csum_ok(ip, ihl_bytes));
  if (nf_pkt_status(p) != NF_PKT_L4_OK) return;
  uint32_t total = (uint32_t)(ip[2] << 8 | ip[3]);
  const uint8_t *l4 = ip + ihl_bytes;
  if (p->l4_proto == 17 && l4[6] == 0 && l4[7] == 0) return; /* no UDP checksum */
  CHECK(l4_csum_ok(ip, l4, total - ihl_bytes, p->l4_proto));
}

static void test_random(uint64_t seed, uint32_t count) {
  struct test_rng rng = {seed};
  uint32_t seen[9] = {0};
  for (uint32_t n = 0; n < count; n++) {
    struct frame_spec s = random_valid_spec(&rng);
    uint32_t mutations = rng_below(&rng, 3);
    for (uint32_t m = 0; m < mutations; m++) mutate(&s, &rng);
    uint8_t *buf = build(&s, &rng);
    bool udp_csum_zero = false;
    {
      uint32_t l4 = 14u + s.ihl * 4u;
      udp_csum_zero =
          s.proto == 17 && l4 + 8 <= s.frame_len && buf[l4 + 6] == 0 && buf[l4 + 7] == 0;
    }
    struct nf_packet p;
    enum nf_parse_status st = nf_packet_init(&p, buf, s.frame_len);
    CHECK_EQ(st, expected_status(&s));
    CHECK_EQ(nf_pkt_status(&p), st);
    seen[st]++;
    /* Getters are safe for every status (0 outside their precondition). */
    (void)nf_pkt_eth_type(&p);
    uint32_t src = nf_pkt_ipv4_src(&p);
    (void)nf_pkt_l4_src_port(&p);
    (void)nf_pkt_tcp_flags(&p);
    if (st <= NF_PKT_FRAGMENT) {
      CHECK_EQ(src, (uint32_t)buf[26] << 24 | (uint32_t)buf[27] << 16 | (uint32_t)buf[28] << 8 |
                        buf[29]);
      CHECK_EQ(nf_pkt_ipv4_proto(&p), s.proto);
    }
    if (st == NF_PKT_L4_OK || (st == NF_PKT_FRAGMENT && s.frame_len == 14u + s.total_len)) {
      check_checksums(&p);
      for (int k = 0; k < 6; k++) {
        uint32_t v = (uint32_t)rng_next(&rng);
        switch (rng_below(&rng, 6)) {
          case 0:
            nf_pkt_set_ipv4_src(&p, v);
            CHECK_EQ(nf_pkt_ipv4_src(&p), v);
            break;
          case 1:
            nf_pkt_set_ipv4_dst(&p, v);
            CHECK_EQ(nf_pkt_ipv4_dst(&p), v);
            break;
          case 2:
            nf_pkt_set_l4_src_port(&p, (uint16_t)v);
            if (st == NF_PKT_L4_OK) CHECK_EQ(nf_pkt_l4_src_port(&p), (uint16_t)v);
            break;
          case 3:
            nf_pkt_set_l4_dst_port(&p, (uint16_t)v);
            if (st == NF_PKT_L4_OK) CHECK_EQ(nf_pkt_l4_dst_port(&p), (uint16_t)v);
            break;
          case 4: {
            struct nf_mac mac = {{(uint8_t)v, 1, 2, 3, 4, (uint8_t)(v >> 8)}};
            nf_pkt_set_eth_src(&p, mac);
            CHECK(memcmp(nf_pkt_eth_src(&p).bytes, mac.bytes, 6) == 0);
            break;
          }
          default: {
            struct nf_mac mac = {{(uint8_t)v, 9, 8, 7, 6, 5}};
            nf_pkt_set_eth_dst(&p, mac);
            CHECK(memcmp(nf_pkt_eth_dst(&p).bytes, mac.bytes, 6) == 0);
          }
        }
        check_checksums(&p);
        if (udp_csum_zero) CHECK(buf[14 + s.ihl * 4 + 6] == 0 && buf[14 + s.ihl * 4 + 7] == 0);
      }
    } else {
      /* Setters outside their precondition do nothing. */
      uint8_t *copy = malloc(s.frame_len ? s.frame_len : 1);
      memcpy(copy, buf, s.frame_len);
      if (st > NF_PKT_FRAGMENT) nf_pkt_set_ipv4_src(&p, 0x01020304);
      if (st != NF_PKT_L4_OK) nf_pkt_set_l4_dst_port(&p, 99);
      if (st == NF_PKT_TRUNCATED_ETH) nf_pkt_set_eth_src(&p, (struct nf_mac){{1, 2, 3, 4, 5, 6}});
      CHECK(memcmp(copy, buf, s.frame_len) == 0);
      free(copy);
    }
    free(buf);
  }
  for (int st = 0; st < 9; st++) {
    if (seen[st] == 0) fprintf(stderr, "status %s never produced\n", nf_parse_status_name(st));
    CHECK(seen[st] > 0);
  }
}

/* Fragment with offset 0 carries the L4 checksum over the addresses: the
 * address setters must fix it (checked over the whole datagram). */
static void test_first_fragment(void) {
  struct test_rng rng = {5};
  struct frame_spec s = {14 + 20 + 40, 0x0800, 4, 5, 60, 0x2000, 6, 40};
  uint8_t *buf = build(&s, &rng);
  struct nf_packet p;
  CHECK_EQ(nf_packet_init(&p, buf, s.frame_len), NF_PKT_FRAGMENT);
  CHECK(l4_csum_ok(buf + 14, buf + 34, 40, 6));
  nf_pkt_set_ipv4_dst(&p, 0x0a000001);
  CHECK(ipv4_csum_ok(buf + 14, 20));
  CHECK(l4_csum_ok(buf + 14, buf + 34, 40, 6));
  free(buf);
}

/* RFC 1624's example: a checksum must never become 0x0000 through eqn. 2;
 * with eqn. 3 a UDP checksum computing to 0 is sent as 0xffff. */
static void test_known_values(void) {
  uint8_t f[42] = {0};
  f[12] = 0x08;
  f[14] = 0x45;
  f[17] = 28;
  f[22] = 64;
  f[23] = 17;
  uint8_t *ip = f + 14, *udp = f + 34;
  udp[5] = 8;
  fill_ipv4_csum(ip, 20);
  fill_l4_csum(ip, udp, 8, 17);
  struct nf_packet p;
  CHECK_EQ(nf_packet_init(&p, f, sizeof(f)), NF_PKT_L4_OK);
  CHECK_EQ(nf_pkt_l4_dst_port(&p), 0);
  CHECK_EQ(nf_pkt_tcp_flags(&p), 0);
  for (uint32_t v = 0; v < 70000; v += 7) { /* sweeps many checksum values */
    nf_pkt_set_ipv4_src(&p, v * 2654435761u);
    nf_pkt_set_l4_src_port(&p, (uint16_t)v);
    CHECK(!(udp[6] == 0 && udp[7] == 0));
    check_checksums(&p);
  }
  CHECK(strcmp(nf_parse_status_name(NF_PKT_BAD_IHL), "BAD_IHL") == 0);
}

int main(void) {
  test_known_values();
  test_first_fragment();
  test_random(41, 1000000);
  printf("packet_test: OK\n");
  return 0;
}
