#include "dpdk_rules/runtime/parallel/softrss.h"

#include <string.h>

#include "nflib/packet.h"

uint32_t nf_par_toeplitz(const uint8_t *key, uint32_t key_len, const uint8_t *data, uint32_t len) {
  uint32_t result = 0;
  /* window = key bits i .. i+31, shifted along with the input bit. */
  uint32_t window =
      ((uint32_t)key[0] << 24) | ((uint32_t)key[1] << 16) | ((uint32_t)key[2] << 8) | key[3];
  for (uint32_t byte = 0; byte < len; byte++) {
    uint8_t next_key_byte = byte + 4 < key_len ? key[byte + 4] : 0;
    for (int bit = 7; bit >= 0; bit--) {
      if (data[byte] & (1u << bit)) result ^= window;
      window = (window << 1) | ((next_key_byte >> bit) & 1u);
    }
  }
  return result;
}

static void put32(uint8_t *out, uint32_t value) {
  out[0] = (uint8_t)(value >> 24);
  out[1] = (uint8_t)(value >> 16);
  out[2] = (uint8_t)(value >> 8);
  out[3] = (uint8_t)value;
}

static void put16(uint8_t *out, uint16_t value) {
  out[0] = (uint8_t)(value >> 8);
  out[1] = (uint8_t)value;
}

/* Which parts of an IPv6 packet the NIC hashes under hf (as for IPv4 below). */
static void ipv6_parts(const struct nf_packet *pkt, enum nf_parse_status status, uint64_t hf,
                       bool *l3, bool *l4) {
  if (status == NF_PKT_IPV6_L4_OK) {
    uint8_t proto = nf_pkt_ipv6_proto(pkt);
    *l4 = (proto == NF_IPPROTO_TCP && (hf & NF_PAR_RSS_NONFRAG_IPV6_TCP)) ||
          (proto == NF_IPPROTO_UDP && (hf & NF_PAR_RSS_NONFRAG_IPV6_UDP));
    *l3 = !*l4 && (hf & NF_PAR_RSS_IPV6);
  } else if (status == NF_PKT_IPV6_FRAGMENT) {
    *l3 = (hf & (NF_PAR_RSS_IPV6 | NF_PAR_RSS_FRAG_IPV6)) != 0;
  } else if (status == NF_PKT_IPV6_OTHER) {
    *l3 = (hf & (NF_PAR_RSS_IPV6 | NF_PAR_RSS_NONFRAG_IPV6_OTHER)) != 0;
  } else if (status == NF_PKT_TRUNCATED_L4_IPV6) {
    *l3 = (hf & NF_PAR_RSS_IPV6) != 0;
  }
}

static bool is_ipv6(enum nf_parse_status status) {
  return status == NF_PKT_IPV6_L4_OK || status == NF_PKT_IPV6_OTHER ||
         status == NF_PKT_IPV6_FRAGMENT || status == NF_PKT_TRUNCATED_L4_IPV6;
}

uint32_t nf_par_rss_input(const struct nf_par_rss_port *rss, const uint8_t *frame, uint32_t len,
                          uint8_t input[NF_PAR_RSS_INPUT_MAX]) {
  struct nf_packet pkt;
  /* nf_packet_init only reads the frame. */
  enum nf_parse_status status = nf_packet_init(&pkt, (uint8_t *)frame, len);
  uint64_t hf = rss->rss_hf;
  bool l4 = false;
  bool l3 = false;
  bool v6 = is_ipv6(status);
  if (v6) {
    ipv6_parts(&pkt, status, hf, &l3, &l4);
  } else if (status == NF_PKT_L4_OK) {
    uint8_t proto = nf_pkt_ipv4_proto(&pkt);
    l4 = (proto == NF_IPPROTO_TCP && (hf & NF_PAR_RSS_NONFRAG_IPV4_TCP)) ||
         (proto == NF_IPPROTO_UDP && (hf & NF_PAR_RSS_NONFRAG_IPV4_UDP));
    l3 = !l4 && (hf & NF_PAR_RSS_IPV4);
  } else if (status == NF_PKT_FRAGMENT) {
    l3 = (hf & (NF_PAR_RSS_IPV4 | NF_PAR_RSS_FRAG_IPV4)) != 0;
  } else if (status == NF_PKT_IPV4_OTHER) {
    l3 = (hf & (NF_PAR_RSS_IPV4 | NF_PAR_RSS_NONFRAG_IPV4_OTHER)) != 0;
  } else if (status == NF_PKT_TRUNCATED_L4) {
    l3 = (hf & NF_PAR_RSS_IPV4) != 0;
  }
  if (!l3 && !l4) return 0;
  uint32_t n = 0;
  bool src_only = (hf & NF_PAR_RSS_L3_SRC_ONLY) && !(hf & NF_PAR_RSS_L3_DST_ONLY);
  bool dst_only = (hf & NF_PAR_RSS_L3_DST_ONLY) && !(hf & NF_PAR_RSS_L3_SRC_ONLY);
  /* NF_PKT_TRUNCATED_L4_IPV6 has a valid fixed header but no address getters
   * (their precondition): read the addresses at their fixed offsets. */
  if (v6) {
    const uint8_t *ip6 = frame + 14;
    if (!dst_only) {
      memcpy(input + n, ip6 + 8, 16);
      n += 16;
    }
    if (!src_only) {
      memcpy(input + n, ip6 + 24, 16);
      n += 16;
    }
  } else {
    if (!dst_only) {
      put32(input + n, nf_pkt_ipv4_src(&pkt));
      n += 4;
    }
    if (!src_only) {
      put32(input + n, nf_pkt_ipv4_dst(&pkt));
      n += 4;
    }
  }
  if (l4) {
    bool sport_only = (hf & NF_PAR_RSS_L4_SRC_ONLY) && !(hf & NF_PAR_RSS_L4_DST_ONLY);
    bool dport_only = (hf & NF_PAR_RSS_L4_DST_ONLY) && !(hf & NF_PAR_RSS_L4_SRC_ONLY);
    if (!dport_only) {
      put16(input + n, nf_pkt_l4_src_port(&pkt));
      n += 2;
    }
    if (!sport_only) {
      put16(input + n, nf_pkt_l4_dst_port(&pkt));
      n += 2;
    }
  }
  return n;
}

uint32_t nf_par_rss_hash(const struct nf_par_rss_port *rss, const uint8_t *frame, uint32_t len) {
  uint8_t input[NF_PAR_RSS_INPUT_MAX];
  uint32_t n = nf_par_rss_input(rss, frame, len, input);
  if (n == 0) return 0;
  return nf_par_toeplitz(rss->key, rss->key_len, input, n);
}
