/* IPv6 packet model tests (issue #18): frames built from parameters (fixed
 * header, extension chain, upper layer) whose expected status follows the
 * documented decision order (docs/NFLIB.md, "IPv6") from the parameters, not
 * from the bytes; exactly-sized heap buffers so ASan sees any overread; every
 * setter judged by a full recomputation of the TCP/UDP checksum over the IPv6
 * pseudo-header (RFC 8200 8.1), never by the incremental code under test. */
#include <string.h>

#include "nflib/packet.h"
#include "nflib/packet_csum_test_util.h"
#include "nflib/test_util.h"

#define MAX_EXT 12 /* more than NF_IPV6_MAX_EXT_HEADERS, to build too-long chains */
#define SCRATCH 32768

struct ext {
  uint8_t type;  /* 0 hop-by-hop, 43 routing, 60 destination options, 44 fragment */
  uint8_t units; /* Hdr Ext Len (8-octet units past the first 8); not for 44 */
  uint16_t frag; /* fragment offset (13 bits) << 3 | M; only for 44 */
};

struct v6_spec {
  uint32_t frame_len; /* bytes in the buffer */
  uint16_t ethertype;
  uint8_t version;
  uint32_t n_ext;
  struct ext ext[MAX_EXT];
  uint8_t proto;         /* the upper layer after the chain */
  uint32_t l4_len;       /* upper-layer bytes built after the chain */
  int32_t payload_delta; /* payload length field minus the bytes built */
  bool udp_csum_zero;
};

static uint32_t ext_len(const struct ext *e) {
  return e->type == 44 ? 8u : (e->units + 1u) * 8u;
}
static uint32_t chain_len(const struct v6_spec *s) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->n_ext; i++) n += ext_len(&s->ext[i]);
  return n;
}
static uint32_t payload_field(const struct v6_spec *s) {
  int64_t v = (int64_t)chain_len(s) + s->l4_len + s->payload_delta;
  return v < 0 ? 0 : v > 65535 ? 65535 : (uint32_t)v;
}

struct expect {
  enum nf_parse_status status;
  uint8_t proto;      /* for statuses 9..11 */
  uint32_t l4_offset; /* L4_OK, or a first fragment whose L4 checksum fits; else 0 */
};

/* The documented decision order, from the parameters. */
static struct expect expected(const struct v6_spec *s) {
  struct expect e = {NF_PKT_TRUNCATED_ETH, 0, 0};
  if (s->frame_len < 14) return e;
  e.status = NF_PKT_NOT_IPV4;
  if (s->ethertype != NF_ETHERTYPE_IPV6) return e;
  e.status = NF_PKT_TRUNCATED_IPV6;
  if (s->frame_len < 15) return e;
  e.status = NF_PKT_BAD_IPV6_VERSION;
  if (s->version != 6) return e;
  e.status = NF_PKT_TRUNCATED_IPV6;
  if (s->frame_len < 54) return e;
  uint32_t end = 54 + payload_field(s);
  if (end > s->frame_len) return e;
  uint32_t pos = 54;
  bool frag = false;
  e.status = NF_PKT_BAD_IPV6_EXT;
  for (uint32_t i = 0; i < s->n_ext; i++) {
    const struct ext *x = &s->ext[i];
    if (i == NF_IPV6_MAX_EXT_HEADERS || (x->type == 0 && i != 0)) return e;
    if (x->type == 44) {
      if (pos + 8 > end) return e;
      if (x->frag >> 3) {
        e.status = NF_PKT_IPV6_FRAGMENT;
        e.proto = i + 1 < s->n_ext ? s->ext[i + 1].type : s->proto;
        return e;
      }
      frag = true;
    } else if (pos + 2 > end || pos + ext_len(x) > end) {
      return e;
    }
    pos += ext_len(x);
  }
  e.proto = s->proto;
  uint32_t room = end - pos;
  if (frag) {
    e.status = NF_PKT_IPV6_FRAGMENT;
    if ((s->proto == 6 && room >= 18) || (s->proto == 17 && room >= 8)) e.l4_offset = pos;
    return e;
  }
  if (s->proto == 6 || s->proto == 17) {
    e.status = room >= (s->proto == 6 ? 20u : 8u) ? NF_PKT_IPV6_L4_OK : NF_PKT_TRUNCATED_L4_IPV6;
    if (e.status == NF_PKT_IPV6_L4_OK) e.l4_offset = pos;
    return e;
  }
  e.status = NF_PKT_IPV6_OTHER;
  return e;
}

/* Independent full checksum: pseudo-header (src, dst, 32-bit upper-layer
 * length, 3 zero bytes, next header) + the segment must sum to 0xffff. */
static uint16_t v6_sum(const uint8_t *f, uint32_t l4, uint32_t l4_len, uint8_t proto) {
  uint32_t s = sum16(f + 22, 32, 0);
  s += l4_len >> 16;
  s += l4_len & 0xffff;
  s += proto;
  return fold(sum16(f + l4, l4_len, s));
}
static bool v6_csum_ok(const uint8_t *f, uint32_t l4, uint32_t l4_len, uint8_t proto) {
  return v6_sum(f, l4, l4_len, proto) == 0xffff;
}
static void v6_fill_csum(uint8_t *f, uint32_t l4, uint32_t l4_len, uint8_t proto) {
  uint32_t at = l4 + (proto == 6 ? 16 : 6);
  f[at] = f[at + 1] = 0;
  uint16_t c = (uint16_t)~v6_sum(f, l4, l4_len, proto);
  if (proto == 17 && c == 0) c = 0xffff;
  f[at] = (uint8_t)(c >> 8);
  f[at + 1] = (uint8_t)c;
}

static uint32_t built_len(const struct v6_spec *s) {
  return 54 + chain_len(s) + s->l4_len;
}

/* Builds the frame into a heap buffer of exactly frame_len bytes. */
static uint8_t *build(const struct v6_spec *s, struct test_rng *rng) {
  static uint8_t f[SCRATCH];
  uint32_t fill = built_len(s) > s->frame_len ? built_len(s) : s->frame_len;
  for (size_t i = 0; i < fill; i++) f[i] = (uint8_t)rng_next(rng);
  f[12] = (uint8_t)(s->ethertype >> 8);
  f[13] = (uint8_t)s->ethertype;
  f[14] = (uint8_t)(s->version << 4 | (f[14] & 15));
  uint32_t plen = payload_field(s);
  f[18] = (uint8_t)(plen >> 8);
  f[19] = (uint8_t)plen;
  uint32_t nhp = 20, pos = 54;
  for (uint32_t i = 0; i < s->n_ext; i++) {
    const struct ext *x = &s->ext[i];
    f[nhp] = x->type;
    if (x->type == 44) {
      f[pos + 1] = 0;
      f[pos + 2] = (uint8_t)(x->frag >> 8);
      f[pos + 3] = (uint8_t)x->frag;
    } else {
      f[pos + 1] = x->units;
    }
    nhp = pos;
    pos += ext_len(x);
  }
  f[nhp] = s->proto;
  if (s->proto == 17 && s->l4_len >= 8) {
    f[pos + 4] = (uint8_t)(s->l4_len >> 8);
    f[pos + 5] = (uint8_t)s->l4_len;
    if (s->udp_csum_zero)
      f[pos + 6] = f[pos + 7] = 0;
    else
      v6_fill_csum(f, pos, s->l4_len, 17);
  } else if (s->proto == 6 && s->l4_len >= 18) {
    if (s->l4_len >= 20) f[pos + 12] = 5 << 4;
    v6_fill_csum(f, pos, s->l4_len, 6);
  }
  uint8_t *buf = malloc(s->frame_len ? s->frame_len : 1);
  memcpy(buf, f, s->frame_len);
  return buf;
}

static uint8_t random_type(struct test_rng *rng, uint32_t i) {
  static const uint8_t later[] = {43, 60, 44};
  if (i == 0 && rng_below(rng, 3) == 0) return 0;
  return later[rng_below(rng, 3)];
}

static struct v6_spec random_valid(struct test_rng *rng) {
  struct v6_spec s;
  memset(&s, 0, sizeof(s));
  s.ethertype = NF_ETHERTYPE_IPV6;
  s.version = 6;
  uint32_t r = rng_below(rng, 8);
  s.n_ext = r < 3 ? 0 : r < 7 ? rng_below(rng, 4) : rng_below(rng, NF_IPV6_MAX_EXT_HEADERS + 1);
  bool frag_seen = false;
  for (uint32_t i = 0; i < s.n_ext; i++) {
    uint8_t t = random_type(rng, i);
    if (t == 44 && frag_seen) t = 60;
    frag_seen |= t == 44;
    s.ext[i].type = t;
    s.ext[i].units = (uint8_t)(rng_below(rng, 4) == 0 ? rng_below(rng, 256) : rng_below(rng, 3));
    s.ext[i].frag = (uint16_t)(rng_below(rng, 2)); /* offset 0, M random */
  }
  r = rng_below(rng, 10);
  s.proto = r < 4 ? 6 : r < 8 ? 17 : (uint8_t)rng_below(rng, 256);
  if (s.proto == 0 || s.proto == 43 || s.proto == 44 || s.proto == 60) s.proto = 59;
  s.l4_len = (s.proto == 6 ? 20 : 8) + rng_below(rng, 200);
  s.udp_csum_zero = rng_below(rng, 5) == 0;
  s.frame_len = built_len(&s) + (rng_below(rng, 3) == 0 ? rng_below(rng, 30) : 0);
  return s;
}

/* Perturbs one parameter so that every status and malformed class is reached. */
static void mutate(struct v6_spec *s, struct test_rng *rng) {
  switch (rng_below(rng, 10)) {
    case 0:
      s->frame_len = rng_below(rng, s->frame_len + 1);
      break;
    case 1:
      s->version = (uint8_t)rng_below(rng, 16);
      break;
    case 2: /* payload length past the frame, or cutting the chain or the L4 header */
      s->payload_delta = (int32_t)rng_below(rng, 80) - 60;
      break;
    case 3: /* a longer chain than allowed, or just longer */
      while (s->n_ext < MAX_EXT && rng_below(rng, 4) != 0) {
        s->ext[s->n_ext].type = rng_below(rng, 2) ? 60 : 43;
        s->ext[s->n_ext].units = 0;
        s->n_ext++;
      }
      s->frame_len = built_len(s);
      break;
    case 4: /* hop-by-hop not first */
      if (s->n_ext > 1) s->ext[1 + rng_below(rng, s->n_ext - 1)].type = 0;
      break;
    case 5: /* a later fragment */
      if (s->n_ext > 0) {
        uint32_t i = rng_below(rng, s->n_ext);
        s->ext[i].type = 44;
        s->ext[i].frag = (uint16_t)((1 + rng_below(rng, 8191)) << 3 | rng_below(rng, 2));
      }
      break;
    case 6:
      s->proto = (uint8_t)rng_below(rng, 256);
      if (s->proto == 0 || s->proto == 43 || s->proto == 44 || s->proto == 60) s->proto = 58;
      break;
    case 7: /* short upper layer */
      s->l4_len = rng_below(rng, 24);
      s->frame_len = built_len(s);
      break;
    case 8:
      s->ethertype = rng_below(rng, 2) ? 0x8100 : 0x88cc; /* VLAN, LLDP: not IP */
      break;
    default:
      break;
  }
}

static void check_unchanged(const uint8_t *a, const uint8_t *b, uint32_t len, uint32_t from,
                            uint32_t to) {
  for (uint32_t i = 0; i < len; i++)
    if (i < from || i >= to) CHECK(a[i] == b[i]);
}

static struct nf_ipv6_addr random_addr(struct test_rng *rng) {
  struct nf_ipv6_addr a;
  for (int i = 0; i < 16; i++) a.bytes[i] = (uint8_t)rng_next(rng);
  return a;
}

/* Runs random setters on a parsed IPv6 frame and checks, after each, the
 * read-back, the bytes touched, an unchanged reparse and the full checksum. */
static void exercise_setters(struct nf_packet *p, uint8_t *buf, uint32_t len, uint32_t csum_l4,
                             uint32_t csum_len, bool udp_zero, struct test_rng *rng) {
  enum nf_parse_status st = nf_pkt_status(p);
  uint8_t *copy = malloc(len);
  for (int k = 0; k < 8; k++) {
    memcpy(copy, buf, len);
    uint32_t v = (uint32_t)rng_next(rng);
    switch (rng_below(rng, 6)) {
      case 0: {
        struct nf_ipv6_addr a = random_addr(rng);
        nf_pkt_set_ipv6_src(p, a);
        CHECK(memcmp(nf_pkt_ipv6_src(p).bytes, a.bytes, 16) == 0);
        CHECK(memcmp(buf + 22, a.bytes, 16) == 0);
        break;
      }
      case 1: {
        struct nf_ipv6_addr a = random_addr(rng);
        nf_pkt_set_ipv6_dst(p, a);
        CHECK(memcmp(nf_pkt_ipv6_dst(p).bytes, a.bytes, 16) == 0);
        CHECK(memcmp(buf + 38, a.bytes, 16) == 0);
        break;
      }
      case 2:
        nf_pkt_set_l4_src_port(p, (uint16_t)v);
        if (st == NF_PKT_IPV6_L4_OK) CHECK_EQ(nf_pkt_l4_src_port(p), (uint16_t)v);
        break;
      case 3:
        nf_pkt_set_l4_dst_port(p, (uint16_t)v);
        if (st == NF_PKT_IPV6_L4_OK) CHECK_EQ(nf_pkt_l4_dst_port(p), (uint16_t)v);
        break;
      case 4:
        nf_pkt_set_ipv6_flow_label(p, v);
        CHECK_EQ(nf_pkt_ipv6_flow_label(p), v & 0xfffff);
        CHECK_EQ(buf[14] >> 4, 6); /* version and traffic class untouched */
        CHECK_EQ(buf[15] >> 4, copy[15] >> 4);
        check_unchanged(buf, copy, len, 15, 18); /* no checksum covers it */
        break;
      default:
        nf_pkt_set_ipv6_hop_limit(p, (uint8_t)v);
        CHECK_EQ(nf_pkt_ipv6_hop_limit(p), (uint8_t)v);
        check_unchanged(buf, copy, len, 21, 22);
        break;
    }
    struct nf_packet again;
    CHECK_EQ(nf_packet_init(&again, buf, len), st);
    CHECK_EQ(again.l4_offset, p->l4_offset);
    CHECK_EQ(again.l4_proto, p->l4_proto);
    if (udp_zero) {
      CHECK(buf[csum_l4 + 6] == 0 && buf[csum_l4 + 7] == 0); /* stays without */
    } else if (csum_len) {
      CHECK(v6_csum_ok(buf, csum_l4, csum_len, p->l4_proto));
      if (p->l4_proto == 17) CHECK(!(buf[csum_l4 + 6] == 0 && buf[csum_l4 + 7] == 0));
    }
  }
  free(copy);
}

static void test_random(uint64_t seed, uint32_t count) {
  struct test_rng rng = {seed};
  uint32_t seen[16] = {0};
  for (uint32_t n = 0; n < count; n++) {
    struct v6_spec s = random_valid(&rng);
    uint32_t mutations = rng_below(&rng, 3);
    for (uint32_t m = 0; m < mutations; m++) mutate(&s, &rng);
    struct expect e = expected(&s);
    uint8_t *buf = build(&s, &rng);
    struct nf_packet p;
    enum nf_parse_status st = nf_packet_init(&p, buf, s.frame_len);
    if (st != e.status)
      fprintf(stderr, "case %u: got %s, expected %s\n", n, nf_parse_status_name(st),
              nf_parse_status_name(e.status));
    CHECK_EQ(st, e.status);
    seen[st]++;
    /* Getters are safe for every status (0 outside their precondition). */
    struct nf_ipv6_addr src = nf_pkt_ipv6_src(&p), dst = nf_pkt_ipv6_dst(&p);
    if (st >= NF_PKT_IPV6_L4_OK && st <= NF_PKT_IPV6_FRAGMENT) {
      CHECK_EQ(p.l3_offset, 14);
      CHECK(memcmp(src.bytes, buf + 22, 16) == 0 && memcmp(dst.bytes, buf + 38, 16) == 0);
      CHECK_EQ(nf_pkt_ipv6_proto(&p), e.proto);
      CHECK_EQ(nf_pkt_ipv6_flow_label(&p), (buf[15] & 15u) << 16 | buf[16] << 8 | buf[17]);
      CHECK_EQ(nf_pkt_ipv6_hop_limit(&p), buf[21]);
      CHECK_EQ(nf_pkt_ipv4_src(&p), 0); /* per-family statuses: no IPv4 view */
      CHECK_EQ(p.l4_offset, e.l4_offset);
    } else {
      static const uint8_t zero[16];
      CHECK(memcmp(src.bytes, zero, 16) == 0 && memcmp(dst.bytes, zero, 16) == 0);
      CHECK_EQ(nf_pkt_ipv6_proto(&p) | nf_pkt_ipv6_flow_label(&p) | nf_pkt_ipv6_hop_limit(&p), 0);
    }
    if (st == NF_PKT_IPV6_L4_OK) {
      CHECK_EQ(nf_pkt_l4_src_port(&p), buf[e.l4_offset] << 8 | buf[e.l4_offset + 1]);
      CHECK_EQ(nf_pkt_l4_dst_port(&p), buf[e.l4_offset + 2] << 8 | buf[e.l4_offset + 3]);
      CHECK_EQ(nf_pkt_tcp_flags(&p), e.proto == 6 ? buf[e.l4_offset + 13] : 0);
    } else {
      CHECK_EQ(nf_pkt_l4_src_port(&p) | nf_pkt_l4_dst_port(&p) | nf_pkt_tcp_flags(&p), 0);
    }
    /* Checksums are judged where the builder wrote one over the whole segment. */
    bool pristine = s.payload_delta == 0 && s.frame_len >= built_len(&s);
    if (st == NF_PKT_IPV6_L4_OK || st == NF_PKT_IPV6_FRAGMENT || st == NF_PKT_IPV6_OTHER) {
      bool csum = pristine && e.l4_offset != 0;
      if (csum && !(e.proto == 17 && s.udp_csum_zero))
        CHECK(v6_csum_ok(buf, e.l4_offset, s.l4_len, e.proto));
      exercise_setters(&p, buf, s.frame_len, e.l4_offset, csum ? s.l4_len : 0,
                       csum && e.proto == 17 && s.udp_csum_zero, &rng);
    } else {
      /* Setters outside their precondition do nothing. */
      uint8_t *copy = malloc(s.frame_len ? s.frame_len : 1);
      memcpy(copy, buf, s.frame_len);
      nf_pkt_set_ipv6_src(&p, random_addr(&rng));
      nf_pkt_set_ipv6_dst(&p, random_addr(&rng));
      nf_pkt_set_ipv6_flow_label(&p, 0xfffff);
      nf_pkt_set_ipv6_hop_limit(&p, 1);
      if (st != NF_PKT_L4_OK) nf_pkt_set_l4_src_port(&p, 99);
      if (st > NF_PKT_FRAGMENT) nf_pkt_set_ipv4_dst(&p, 0x01020304);
      CHECK(memcmp(copy, buf, s.frame_len) == 0);
      free(copy);
    }
    free(buf);
  }
  for (int st = NF_PKT_IPV6_L4_OK; st <= NF_PKT_TRUNCATED_L4_IPV6; st++) {
    if (seen[st] == 0) fprintf(stderr, "status %s never produced\n", nf_parse_status_name(st));
    CHECK(seen[st] > 0);
  }
}

/* A frame of one chain and upper layer, exactly built (no padding). */
static struct v6_spec chain(const uint8_t *types, uint32_t n, uint8_t proto, uint32_t l4_len) {
  struct v6_spec s;
  memset(&s, 0, sizeof(s));
  s.ethertype = NF_ETHERTYPE_IPV6;
  s.version = 6;
  s.n_ext = n;
  for (uint32_t i = 0; i < n; i++) s.ext[i].type = types[i];
  s.proto = proto;
  s.l4_len = l4_len;
  s.frame_len = built_len(&s);
  return s;
}

static enum nf_parse_status parse_spec(const struct v6_spec *s, struct nf_packet *p,
                                       uint8_t **buf) {
  struct test_rng rng = {7};
  *buf = build(s, &rng);
  return nf_packet_init(p, *buf, s->frame_len);
}

/* Each extension header type, the longest chain, one past it, a chain cut in
 * the middle, hop-by-hop out of place, and the upper layers that end a walk. */
static void test_chains(void) {
  struct nf_packet p;
  uint8_t *buf;
  static const uint8_t each[] = {0, 43, 60};
  for (int i = 0; i < 3; i++) {
    struct v6_spec s = chain(&each[i], 1, 6, 20);
    CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
    CHECK_EQ(p.l4_offset, 62);
    CHECK_EQ(nf_pkt_ipv6_proto(&p), 6);
    free(buf);
  }
  uint8_t types[MAX_EXT] = {0, 43, 60, 43, 60, 43, 60, 60, 60, 60};
  struct v6_spec s = chain(types, NF_IPV6_MAX_EXT_HEADERS, 17, 8);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
  CHECK_EQ(p.l4_offset, 54 + 8 * NF_IPV6_MAX_EXT_HEADERS);
  free(buf);
  s = chain(types, NF_IPV6_MAX_EXT_HEADERS + 1, 17, 8);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_EXT);
  free(buf);
  types[NF_IPV6_MAX_EXT_HEADERS] = 44; /* a fragment header counts as well */
  s = chain(types, NF_IPV6_MAX_EXT_HEADERS + 1, 17, 8);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_EXT);
  free(buf);
  /* Longest headers: 8 x 2048 bytes, offsets past 16 bits never arise. */
  s = chain(types, NF_IPV6_MAX_EXT_HEADERS, 6, 20);
  for (int i = 0; i < NF_IPV6_MAX_EXT_HEADERS; i++) s.ext[i].units = 255;
  s.frame_len = built_len(&s);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
  CHECK_EQ(p.l4_offset, 54 + 2048 * NF_IPV6_MAX_EXT_HEADERS);
  free(buf);
  /* Payload ending inside the third header, inside its first 2 bytes, and
   * inside a fragment header; bytes past the payload (padding) do not count. */
  static const uint8_t three[] = {0, 43, 60};
  static const int32_t cut[] = {-1, -7, -8}; /* inside, inside the first 2 bytes, before */
  for (int i = 0; i < 3; i++) {
    s = chain(three, 3, 6, 0);
    s.payload_delta = cut[i];
    s.frame_len = built_len(&s); /* the cut bytes stay in the frame as padding */
    CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_EXT);
    free(buf);
  }
  static const uint8_t frag_last[] = {60, 44};
  s = chain(frag_last, 2, 6, 0);
  s.payload_delta = -1;
  s.frame_len = built_len(&s);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_EXT);
  free(buf);
  static const uint8_t hbh_second[] = {60, 0};
  s = chain(hbh_second, 2, 6, 20);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_EXT);
  free(buf);
  /* Upper layers that end the walk: ICMPv6, No Next Header, AH, ESP. */
  static const uint8_t ends[] = {58, 59, 51, 50};
  for (int i = 0; i < 4; i++) {
    s = chain(each, 1, ends[i], 16);
    CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_OTHER);
    CHECK_EQ(nf_pkt_ipv6_proto(&p), ends[i]);
    CHECK_EQ(p.l4_offset, 0);
    free(buf);
  }
}

/* The fixed header's malformed classes, in decision order. */
static void test_fixed_header(void) {
  struct nf_packet p;
  uint8_t *buf;
  struct v6_spec s = chain(NULL, 0, 6, 20);
  s.frame_len = 14;
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_TRUNCATED_IPV6);
  CHECK_EQ(p.l3_offset, 14);
  free(buf);
  s.frame_len = 15;
  s.version = 4; /* judged as soon as its byte is there */
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_VERSION);
  free(buf);
  s.version = 6;
  s.frame_len = 53;
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_TRUNCATED_IPV6);
  free(buf);
  s.frame_len = 54 + 19; /* payload length 20 past the frame */
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_TRUNCATED_IPV6);
  free(buf);
  s.frame_len = 54 + 20 + 30; /* trailing link padding */
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
  free(buf);
  s.payload_delta = -1; /* TCP header one byte short of the payload */
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_TRUNCATED_L4_IPV6);
  free(buf);
  s = chain(NULL, 0, 17, 8);
  s.payload_delta = -8; /* payload length 0 (no jumbograms) */
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_TRUNCATED_L4_IPV6);
  free(buf);
  static const uint8_t hbh[] = {0};
  s = chain(hbh, 1, 17, 8);
  s.payload_delta = -16;
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_BAD_IPV6_EXT);
  free(buf);
}

/* Fragments: later ones stop the walk (no L4 offset, the fragment header's
 * Next Header as protocol); first and atomic ones (RFC 6946) are fragments too,
 * with the L4 checksum kept right by the address setters. */
static void test_fragments(void) {
  struct nf_packet p;
  uint8_t *buf;
  static const uint8_t frag_dst[] = {44, 60};
  struct v6_spec s = chain(frag_dst, 2, 6, 40);
  s.ext[0].frag = 100 << 3 | 1;
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(nf_pkt_ipv6_proto(&p), 60);
  CHECK_EQ(p.l4_offset, 0);
  CHECK_EQ(nf_pkt_l4_src_port(&p), 0);
  free(buf);
  for (uint16_t m = 0; m <= 1; m++) { /* first fragment, then atomic */
    for (int proto = 6; proto <= 17; proto += 11) {
      s = chain(frag_dst, 2, (uint8_t)proto, 40);
      s.ext[0].frag = m;
      CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_FRAGMENT);
      CHECK_EQ(nf_pkt_ipv6_proto(&p), proto);
      CHECK_EQ(p.l4_offset, 54 + 8 + 8);
      CHECK_EQ(nf_pkt_l4_dst_port(&p), 0); /* no ports for fragments */
      CHECK(v6_csum_ok(buf, 70, 40, (uint8_t)proto));
      struct test_rng rng = {m * 31u + (uint32_t)proto};
      nf_pkt_set_ipv6_dst(&p, random_addr(&rng));
      nf_pkt_set_ipv6_src(&p, random_addr(&rng));
      CHECK(v6_csum_ok(buf, 70, 40, (uint8_t)proto));
      free(buf);
    }
  }
  /* A first fragment too short for its checksum: no L4 offset. */
  s = chain(frag_dst, 2, 6, 17);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(p.l4_offset, 0);
  free(buf);
}

/* Known values: the incremental update over the 8 words of an address, swept
 * over many checksums; an updated UDP checksum of 0 goes out as 0xffff; a
 * zero UDP checksum stays zero. Negative control: a raw address write (no
 * checksum update) is rejected by the independent checker. */
static void test_checksums(void) {
  struct nf_packet p;
  uint8_t *buf;
  struct v6_spec s = chain(NULL, 0, 17, 8);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
  struct test_rng rng = {11};
  for (uint32_t v = 0; v < 70000; v += 7) {
    struct nf_ipv6_addr a = random_addr(&rng);
    a.bytes[15] = (uint8_t)v;
    a.bytes[14] = (uint8_t)(v >> 8);
    nf_pkt_set_ipv6_src(&p, a);
    nf_pkt_set_l4_src_port(&p, (uint16_t)(v * 2654435761u));
    CHECK(!(buf[60] == 0 && buf[61] == 0));
    CHECK(v6_csum_ok(buf, 54, 8, 17));
  }
  buf[38] ^= 0x40; /* negative control */
  CHECK(!v6_csum_ok(buf, 54, 8, 17));
  free(buf);
  s = chain(NULL, 0, 17, 8);
  s.udp_csum_zero = true;
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
  nf_pkt_set_ipv6_src(&p, random_addr(&rng));
  nf_pkt_set_l4_dst_port(&p, 53);
  CHECK(buf[60] == 0 && buf[61] == 0);
  free(buf);
  /* The IPv4 setters leave an IPv6 frame alone, the IPv6 ones an IPv4 frame. */
  s = chain(NULL, 0, 6, 20);
  CHECK_EQ(parse_spec(&s, &p, &buf), NF_PKT_IPV6_L4_OK);
  uint8_t copy[74];
  memcpy(copy, buf, 74);
  nf_pkt_set_ipv4_src(&p, 1);
  nf_pkt_set_ipv4_dst(&p, 2);
  CHECK(memcmp(copy, buf, 74) == 0);
  free(buf);
  uint8_t v4[54] = {0};
  v4[12] = 0x08;
  v4[14] = 0x45;
  v4[17] = 40;
  v4[23] = 6;
  CHECK_EQ(nf_packet_init(&p, v4, sizeof(v4)), NF_PKT_L4_OK);
  memcpy(copy, v4, 54);
  nf_pkt_set_ipv6_src(&p, random_addr(&rng));
  nf_pkt_set_ipv6_flow_label(&p, 5);
  nf_pkt_set_ipv6_hop_limit(&p, 5);
  CHECK(memcmp(copy, v4, 54) == 0);
  CHECK_EQ(nf_pkt_ipv6_hop_limit(&p), 0);
  CHECK(strcmp(nf_parse_status_name(NF_PKT_BAD_IPV6_EXT), "BAD_IPV6_EXT") == 0);
  for (int st = NF_PKT_L4_OK; st <= NF_PKT_TRUNCATED_L4_IPV6; st++)
    CHECK(strcmp(nf_parse_status_name(st), "UNKNOWN") != 0);
}

int main(void) {
  test_fixed_header();
  test_chains();
  test_fragments();
  test_checksums();
  test_random(43, 300000);
  printf("packet_ipv6_test: OK\n");
  return 0;
}
