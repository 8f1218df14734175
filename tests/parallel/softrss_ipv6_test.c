/* Software RSS of IPv6 frames (softrss.c) against two independent references:
 * the IPv6 vectors of Microsoft's "Verifying the RSS Hash Calculation" and
 * DPDK's own rte_softrss over struct rte_ipv6_tuple (rte_thash.h), on random
 * tuples, keys, extension-header chains and fragments. Frames are built here
 * byte by byte (RFC 8200), not with the NF test builders. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_thash.h>

#include "dpdk_rules/runtime/parallel/softrss.h"
#include "nfs/testing/check.h"

/* The config is normally generated; these tests build their own. */
const struct nf_parallel_config nf_parallel_config;

static const uint8_t ms_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* Microsoft's IPv6 table (destination, source, ports; hash of the addresses
 * alone and with TCP ports). */
struct ms_vector6 {
  const char *src, *dst;
  uint16_t sport, dport;
  uint32_t hash_l3, hash_l4;
};
static const struct ms_vector6 ms_vectors6[] = {
    {"3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d},
    {"3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf},
    {"3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024, 0x4b61e985,
     0x02d1feef},
};

#define EXT_HOPOPTS 0
#define EXT_ROUTING 43
#define EXT_FRAGMENT 44
#define EXT_DSTOPTS 60

struct frame6 {
  uint8_t data[256];
  uint32_t len;
};

struct spec6 {
  uint8_t src[16], dst[16];
  uint16_t sport, dport;
  uint8_t proto;        /* 6, 17 or another upper layer */
  uint8_t ext[4];       /* extension header types before the upper layer */
  unsigned ext_count;   /* fragment headers among them get frag_offset / more */
  uint16_t frag_offset; /* in 8-byte units */
  bool more;
};

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* Ethernet + IPv6 + extension headers + TCP (20 bytes) / UDP (8) / 8 bytes of other payload. */
static void build6(struct frame6 *f, const struct spec6 *s) {
  memset(f, 0, sizeof(*f));
  uint8_t *d = f->data;
  memset(d, 0x02, 12);
  put16(d + 12, 0x86dd);
  uint8_t *ip = d + 14;
  ip[0] = 0x60;
  ip[7] = 64;
  memcpy(ip + 8, s->src, 16);
  memcpy(ip + 24, s->dst, 16);
  uint8_t *next = ip + 6;
  uint32_t off = 14 + 40;
  for (unsigned i = 0; i < s->ext_count; i++) {
    *next = s->ext[i];
    uint8_t *h = d + off;
    if (s->ext[i] == EXT_FRAGMENT)
      put16(h + 2, (uint16_t)(s->frag_offset << 3 | (s->more ? 1 : 0)));
    /* Hdr Ext Len 0: 8 bytes; options/routing data left zero (Pad1s). */
    next = h;
    off += 8;
  }
  *next = s->proto;
  uint8_t *l4 = d + off;
  uint32_t l4_len = s->proto == 6 ? 20 : 8;
  put16(l4, s->sport);
  put16(l4 + 2, s->dport);
  if (s->proto == 6) l4[12] = 5 << 4;
  if (s->proto == 17) put16(l4 + 4, 8);
  off += l4_len;
  put16(ip + 4, (uint16_t)(off - 14 - 40));
  f->len = off;
}

static void addr(uint8_t out[16], const char *text) {
  CHECK_EQ(inet_pton(AF_INET6, text, out), 1);
}

static struct nf_par_rss_port port_of(const uint8_t *key, uint32_t key_len, uint64_t rss_hf) {
  struct nf_par_rss_port port;
  memset(&port, 0, sizeof(port));
  port.key_len = key_len;
  memcpy(port.key, key, key_len);
  port.rss_hf = rss_hf;
  return port;
}

static const uint64_t ALL6 =
    NF_PAR_RSS_IPV6 | NF_PAR_RSS_NONFRAG_IPV6_TCP | NF_PAR_RSS_NONFRAG_IPV6_UDP;

static void test_microsoft_ipv6_vectors(void) {
  struct nf_par_rss_port l4 = port_of(ms_key, 40, ALL6);
  struct nf_par_rss_port l3 = port_of(ms_key, 40, NF_PAR_RSS_IPV6);
  for (size_t i = 0; i < sizeof(ms_vectors6) / sizeof(ms_vectors6[0]); i++) {
    const struct ms_vector6 *v = &ms_vectors6[i];
    struct spec6 s = {.sport = v->sport, .dport = v->dport, .proto = 6};
    addr(s.src, v->src);
    addr(s.dst, v->dst);
    struct frame6 f;
    build6(&f, &s);
    CHECK_EQ(nf_par_rss_hash(&l4, f.data, f.len), v->hash_l4);
    CHECK_EQ(nf_par_rss_hash(&l3, f.data, f.len), v->hash_l3); /* TCP type off: addresses */
    /* Extension headers move the ports, not the hash input. */
    s.ext[0] = EXT_HOPOPTS;
    s.ext[1] = EXT_DSTOPTS;
    s.ext[2] = EXT_ROUTING;
    s.ext_count = 3;
    build6(&f, &s);
    CHECK_EQ(nf_par_rss_hash(&l4, f.data, f.len), v->hash_l4);
  }
}

/* Which rss_hf bits select which input: an IPv4-only plan does not hash IPv6
 * (RETA entry 0); fragments and other protocols hash the addresses. */
static void test_types_select_the_input(void) {
  const struct ms_vector6 *v = &ms_vectors6[0];
  struct spec6 s = {.sport = v->sport, .dport = v->dport, .proto = 17};
  addr(s.src, v->src);
  addr(s.dst, v->dst);
  struct frame6 f;
  build6(&f, &s);
  struct nf_par_rss_port v4 = port_of(
      ms_key, 40, NF_PAR_RSS_IPV4 | NF_PAR_RSS_NONFRAG_IPV4_TCP | NF_PAR_RSS_NONFRAG_IPV4_UDP);
  CHECK_EQ(nf_par_rss_hash(&v4, f.data, f.len), 0);
  struct nf_par_rss_port tcp_only =
      port_of(ms_key, 40, NF_PAR_RSS_IPV6 | NF_PAR_RSS_NONFRAG_IPV6_TCP);
  CHECK_EQ(nf_par_rss_hash(&tcp_only, f.data, f.len), v->hash_l3); /* UDP type off */
  s.proto = 6;
  s.ext[0] = EXT_FRAGMENT;
  s.ext_count = 1;
  s.more = true; /* first fragment: ports present, still hashed on addresses */
  build6(&f, &s);
  struct nf_par_rss_port all = port_of(ms_key, 40, ALL6);
  CHECK_EQ(nf_par_rss_hash(&all, f.data, f.len), v->hash_l3);
  s.frag_offset = 100; /* a later fragment */
  build6(&f, &s);
  CHECK_EQ(nf_par_rss_hash(&all, f.data, f.len), v->hash_l3);
  struct nf_par_rss_port frag_only = port_of(ms_key, 40, NF_PAR_RSS_FRAG_IPV6);
  CHECK_EQ(nf_par_rss_hash(&frag_only, f.data, f.len), v->hash_l3);
  s.ext_count = 0;
  s.proto = 58; /* ICMPv6 */
  build6(&f, &s);
  CHECK_EQ(nf_par_rss_hash(&all, f.data, f.len), v->hash_l3);
  struct nf_par_rss_port other = port_of(ms_key, 40, NF_PAR_RSS_NONFRAG_IPV6_OTHER);
  CHECK_EQ(nf_par_rss_hash(&other, f.data, f.len), v->hash_l3);
  CHECK_EQ(nf_par_rss_hash(&tcp_only, f.data, 14 + 39), 0); /* truncated fixed header */
}

/* DPDK's reference: rte_softrss over struct rte_ipv6_tuple (addresses loaded
 * by rte_thash_load_v6_addrs, ports in CPU order). */
static uint32_t dpdk_hash(const struct frame6 *f, const struct spec6 *s, const uint8_t *key,
                          bool l4, bool swap_ports) {
  union rte_thash_tuple tuple;
  memset(&tuple, 0, sizeof(tuple));
  rte_thash_load_v6_addrs((const struct rte_ipv6_hdr *)(f->data + 14), &tuple);
  tuple.v6.sport = swap_ports ? s->dport : s->sport;
  tuple.v6.dport = swap_ports ? s->sport : s->dport;
  return rte_softrss((uint32_t *)&tuple, l4 ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN, key);
}

static void test_against_rte_softrss(void) {
  srand(18);
  unsigned wrong_layout_caught = 0;
  const unsigned rounds = 2000;
  for (unsigned r = 0; r < rounds; r++) {
    uint8_t key[52];
    for (size_t i = 0; i < sizeof(key); i++) key[i] = (uint8_t)rand();
    uint32_t key_len = (r & 1) ? 52 : 40;
    struct spec6 s = {.sport = (uint16_t)rand(), .dport = (uint16_t)rand()};
    for (int i = 0; i < 16; i++) {
      s.src[i] = (uint8_t)rand();
      s.dst[i] = (uint8_t)rand();
    }
    s.proto = (rand() & 1) ? 6 : 17;
    static const uint8_t chain[] = {EXT_DSTOPTS, EXT_ROUTING, EXT_DSTOPTS};
    s.ext_count = (unsigned)rand() % 4;
    for (unsigned i = 0; i < s.ext_count; i++) s.ext[i] = chain[i % 3];
    if (s.ext_count > 0 && rand() % 2) s.ext[0] = EXT_HOPOPTS;
    struct frame6 f;
    build6(&f, &s);
    struct nf_par_rss_port all = port_of(key, key_len, ALL6);
    struct nf_par_rss_port l3 = port_of(key, key_len, NF_PAR_RSS_IPV6);
    uint32_t ours = nf_par_rss_hash(&all, f.data, f.len);
    CHECK_EQ(ours, dpdk_hash(&f, &s, key, true, false));
    CHECK_EQ(nf_par_rss_hash(&l3, f.data, f.len), dpdk_hash(&f, &s, key, false, false));
    /* Negative control: the oracle with the ports swapped (a wrong layout)
     * disagrees, so the comparison above can fail. */
    if (s.sport != s.dport && ours != dpdk_hash(&f, &s, key, true, true)) wrong_layout_caught++;
  }
  CHECK(wrong_layout_caught > rounds * 9 / 10);
}

int main(void) {
  RUN_TEST(test_microsoft_ipv6_vectors);
  RUN_TEST(test_types_select_the_input);
  RUN_TEST(test_against_rte_softrss);
  return test_main_result();
}
