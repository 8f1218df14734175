/* Ethernet / IPv4 / TCP / UDP parsing with bounds checks, field access and
 * checksum-preserving setters (RFC 1624). All multi-byte fields are read and
 * written byte-wise in network order. */
#include "nflib/packet.h"

#define ETH_HDR_LEN 14u
#define IPV4_MIN_HDR_LEN 20u
#define TCP_MIN_HDR_LEN 20u
#define UDP_HDR_LEN 8u
#define TCP_CSUM_OFFSET 16u
#define UDP_CSUM_OFFSET 6u
#define IPV4_CSUM_OFFSET 10u

/* Multi-byte fields are read and written with arithmetic rather than shifts
 * and masks (the same machine code for unsigned operands) so that the provers
 * reason over integers. */
/*@ requires \valid_read(p + (0 .. 1));
    assigns \nothing;
    ensures \result == nf_be16((uint8_t *)p); */
static inline uint16_t rd16(const uint8_t *p) {
  return (uint16_t)(p[0] * 256u + p[1]);
}

/*@ requires \valid_read(p + (0 .. 3));
    assigns \nothing;
    ensures \result == nf_be16((uint8_t *)p) * 65536 + nf_be16((uint8_t *)p + 2); */
static inline uint32_t rd32(const uint8_t *p) {
  return rd16(p) * 65536u + rd16(p + 2);
}

/*@ requires \valid(p + (0 .. 1));
    assigns p[0 .. 1];
    ensures nf_be16(p) == v; */
static inline void wr16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v / 256u);
  p[1] = (uint8_t)(v % 256u);
}

/*@ requires \valid(p + (0 .. 3));
    assigns p[0 .. 3];
    ensures nf_be16(p) * 65536 + nf_be16(p + 2) == v; */
static inline void wr32(uint8_t *p, uint32_t v) {
  wr16(p, (uint16_t)(v / 65536u));
  wr16(p + 2, (uint16_t)(v % 65536u));
}

/* Version/IHL and the fragment field are decoded with / and % (again the same
 * code as shifts and masks) to match nf_parse in packet.h. */
/*@ requires \valid(pkt) && \valid_read(pkt->data + (0 .. pkt->len - 1));
    requires \separated(pkt, pkt->data + (0 .. pkt->len - 1));
    requires pkt->l4_offset == 0;
    assigns pkt->l3_offset, pkt->l4_offset, pkt->l4_proto;
    ensures \result == nf_parse(pkt->data, pkt->len);
    ensures \result <= 2 ==> pkt->l3_offset == 14 && nf_l4_csum_ok(pkt);
    ensures \result == 0 ==>
      pkt->l4_offset == 14 + nf_ihl_bytes(pkt->data) && pkt->l4_proto == pkt->data[23]; */
static enum nf_parse_status parse(struct nf_packet *pkt) {
  const uint8_t *d = pkt->data;
  uint32_t len = pkt->len;
  if (len < ETH_HDR_LEN) return NF_PKT_TRUNCATED_ETH;
  if (rd16(d + 12) != NF_ETHERTYPE_IPV4) return NF_PKT_NOT_IPV4;
  pkt->l3_offset = ETH_HDR_LEN;
  if (len < ETH_HDR_LEN + 1) return NF_PKT_TRUNCATED_IPV4;
  uint8_t version_ihl = d[ETH_HDR_LEN];
  uint32_t ihl_bytes = (uint32_t)(version_ihl % 16u) * 4;
  if ((version_ihl / 16u) != 4 || ihl_bytes < IPV4_MIN_HDR_LEN) return NF_PKT_BAD_IHL;
  if (len < ETH_HDR_LEN + ihl_bytes) return NF_PKT_TRUNCATED_IPV4;
  const uint8_t *ip = d + ETH_HDR_LEN;
  uint32_t total_len = rd16(ip + 2);
  if (total_len < ihl_bytes || total_len > len - ETH_HDR_LEN) return NF_PKT_BAD_TOTAL_LEN;
  uint8_t proto = ip[9];
  pkt->l4_proto = proto;
  uint32_t l4 = ETH_HDR_LEN + ihl_bytes;
  uint32_t ip_end = ETH_HDR_LEN + total_len;
  uint16_t frag = rd16(ip + 6);
  if (frag % 16384u != 0) { /* MF flag or fragment offset */
    /* A first fragment (offset 0) carries the L4 checksum, which covers the
     * addresses: remember where it is so address setters keep it right. */
    if (frag % 8192u == 0 && ((proto == NF_IPPROTO_TCP && l4 + TCP_CSUM_OFFSET + 2 <= ip_end) ||
                              (proto == NF_IPPROTO_UDP && l4 + UDP_CSUM_OFFSET + 2 <= ip_end)))
      pkt->l4_offset = (uint16_t)l4;
    return NF_PKT_FRAGMENT;
  }
  if (proto == NF_IPPROTO_TCP) {
    if (l4 + TCP_MIN_HDR_LEN > ip_end) return NF_PKT_TRUNCATED_L4;
  } else if (proto == NF_IPPROTO_UDP) {
    if (l4 + UDP_HDR_LEN > ip_end) return NF_PKT_TRUNCATED_L4;
  } else {
    return NF_PKT_IPV4_OTHER;
  }
  pkt->l4_offset = (uint16_t)l4;
  return NF_PKT_L4_OK;
}

enum nf_parse_status nf_packet_init(struct nf_packet *pkt, uint8_t *data, uint32_t len) {
  pkt->data = data;
  pkt->len = len;
  pkt->l3_offset = 0;
  pkt->l4_offset = 0;
  pkt->l4_proto = 0;
  enum nf_parse_status status = parse(pkt);
  pkt->status = (uint8_t)status;
  return status;
}

const char *nf_parse_status_name(enum nf_parse_status status) {
  switch (status) {
    case NF_PKT_L4_OK:
      return "L4_OK";
    case NF_PKT_IPV4_OTHER:
      return "IPV4_OTHER";
    case NF_PKT_FRAGMENT:
      return "FRAGMENT";
    case NF_PKT_NOT_IPV4:
      return "NOT_IPV4";
    case NF_PKT_TRUNCATED_ETH:
      return "TRUNCATED_ETH";
    case NF_PKT_TRUNCATED_IPV4:
      return "TRUNCATED_IPV4";
    case NF_PKT_BAD_IHL:
      return "BAD_IHL";
    case NF_PKT_BAD_TOTAL_LEN:
      return "BAD_TOTAL_LEN";
    case NF_PKT_TRUNCATED_L4:
      return "TRUNCATED_L4";
  }
  return "UNKNOWN";
}

/* Precondition checks: a getter called outside its precondition returns 0 and
 * a setter does nothing, so a buggy NF can never touch bytes past the frame. */
/*@ requires \valid_read(pkt);
    assigns \nothing;
    ensures \result <==> pkt->status != NF_PKT_TRUNCATED_ETH && pkt->len >= 14; */
static inline bool has_eth(const struct nf_packet *pkt) {
  return pkt->status != NF_PKT_TRUNCATED_ETH && pkt->len >= ETH_HDR_LEN;
}
/*@ requires \valid_read(pkt);
    assigns \nothing;
    ensures \result <==> pkt->status <= NF_PKT_FRAGMENT; */
static inline bool has_ipv4(const struct nf_packet *pkt) {
  return pkt->status <= NF_PKT_FRAGMENT;
}
/*@ requires \valid_read(pkt);
    assigns \nothing;
    ensures \result <==> pkt->status == NF_PKT_L4_OK; */
static inline bool has_l4(const struct nf_packet *pkt) {
  return pkt->status == NF_PKT_L4_OK;
}

/*@ requires \valid_read(p + (0 .. 5));
    assigns \nothing;
    ensures \forall integer k; 0 <= k < 6 ==> \result.bytes[k] == p[k]; */
static struct nf_mac read_mac(const uint8_t *p) {
  struct nf_mac mac;
  /*@ loop invariant 0 <= i <= 6;
      loop invariant \forall integer k; 0 <= k < i ==> mac.bytes[k] == p[k];
      loop assigns i, mac.bytes[0 .. 5];
      loop variant 6 - i; */
  for (int i = 0; i < 6; i++) mac.bytes[i] = p[i];
  return mac;
}

struct nf_mac nf_pkt_eth_src(const struct nf_packet *pkt) {
  struct nf_mac zero = {{0, 0, 0, 0, 0, 0}};
  return has_eth(pkt) ? read_mac(pkt->data + 6) : zero;
}

struct nf_mac nf_pkt_eth_dst(const struct nf_packet *pkt) {
  struct nf_mac zero = {{0, 0, 0, 0, 0, 0}};
  return has_eth(pkt) ? read_mac(pkt->data) : zero;
}

uint16_t nf_pkt_eth_type(const struct nf_packet *pkt) {
  return has_eth(pkt) ? rd16(pkt->data + 12) : 0;
}

uint32_t nf_pkt_ipv4_src(const struct nf_packet *pkt) {
  return has_ipv4(pkt) ? rd32(pkt->data + pkt->l3_offset + 12) : 0;
}

uint32_t nf_pkt_ipv4_dst(const struct nf_packet *pkt) {
  return has_ipv4(pkt) ? rd32(pkt->data + pkt->l3_offset + 16) : 0;
}

uint8_t nf_pkt_ipv4_proto(const struct nf_packet *pkt) {
  return has_ipv4(pkt) ? pkt->data[pkt->l3_offset + 9] : 0;
}

uint16_t nf_pkt_l4_src_port(const struct nf_packet *pkt) {
  return has_l4(pkt) ? rd16(pkt->data + pkt->l4_offset) : 0;
}

uint16_t nf_pkt_l4_dst_port(const struct nf_packet *pkt) {
  return has_l4(pkt) ? rd16(pkt->data + pkt->l4_offset + 2) : 0;
}

uint8_t nf_pkt_tcp_flags(const struct nf_packet *pkt) {
  if (!has_l4(pkt) || pkt->l4_proto != NF_IPPROTO_TCP) return 0;
  return pkt->data[pkt->l4_offset + 13];
}

/*@ requires \valid(p + (0 .. 5));
    assigns p[0 .. 5];
    ensures \forall integer k; 0 <= k < 6 ==> p[k] == mac.bytes[k]; */
static void write_mac(uint8_t *p, struct nf_mac mac) {
  /*@ loop invariant 0 <= i <= 6;
      loop invariant \forall integer k; 0 <= k < i ==> p[k] == mac.bytes[k];
      loop assigns i, p[0 .. 5];
      loop variant 6 - i; */
  for (int i = 0; i < 6; i++) p[i] = mac.bytes[i];
}

void nf_pkt_set_eth_src(struct nf_packet *pkt, struct nf_mac mac) {
  if (has_eth(pkt)) write_mac(pkt->data + 6, mac);
}

void nf_pkt_set_eth_dst(struct nf_packet *pkt, struct nf_mac mac) {
  if (has_eth(pkt)) write_mac(pkt->data, mac);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in ones' complement arithmetic,
 * for a 16-bit word that changed from old_word to new_word. */
/*@ assigns \nothing; */
static uint16_t csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word) {
  uint32_t sum = (uint16_t)~csum;
  sum += (uint16_t)~old_word;
  sum += new_word;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/*@ assigns \nothing; */
static uint16_t csum_update32(uint16_t csum, uint32_t old_value, uint32_t new_value) {
  csum = csum_update16(csum, (uint16_t)(old_value >> 16), (uint16_t)(new_value >> 16));
  return csum_update16(csum, (uint16_t)old_value, (uint16_t)new_value);
}

/* Updates the L4 checksum (when the frame carries one) for a 32-bit change of
 * a covered field (ports, or an address through the pseudo-header). */
/*@ requires nf_has_ipv4(pkt);
    assigns pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1]; */
static void l4_csum_update32(struct nf_packet *pkt, uint32_t old_value, uint32_t new_value) {
  if (pkt->l4_offset == 0) return;
  uint8_t *l4 = pkt->data + pkt->l4_offset;
  if (pkt->l4_proto == NF_IPPROTO_TCP) {
    uint16_t csum = rd16(l4 + TCP_CSUM_OFFSET);
    wr16(l4 + TCP_CSUM_OFFSET, csum_update32(csum, old_value, new_value));
  } else if (pkt->l4_proto == NF_IPPROTO_UDP) {
    uint16_t csum = rd16(l4 + UDP_CSUM_OFFSET);
    if (csum == 0) return; /* UDP over IPv4 without checksum stays without */
    csum = csum_update32(csum, old_value, new_value);
    wr16(l4 + UDP_CSUM_OFFSET, csum == 0 ? 0xffff : csum); /* RFC 768: 0 means none */
  }
}

/*@ requires nf_has_ipv4(pkt) && (field_offset == 12 || field_offset == 16);
    assigns pkt->data[24 .. 25], pkt->data[14 + field_offset .. 17 + field_offset],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures nf_has_ipv4(pkt) && pkt->status == \old(pkt->status);
    ensures nf_be16(pkt->data + 14 + field_offset) * 65536 +
            nf_be16(pkt->data + 16 + field_offset) == addr; */
static void set_ipv4_addr(struct nf_packet *pkt, uint32_t field_offset, uint32_t addr) {
  uint8_t *ip = pkt->data + pkt->l3_offset;
  uint32_t old = rd32(ip + field_offset);
  wr32(ip + field_offset, addr);
  /*@ assert nf_has_ipv4(pkt) && pkt->status == \at(pkt->status, Pre); */
  wr16(ip + IPV4_CSUM_OFFSET, csum_update32(rd16(ip + IPV4_CSUM_OFFSET), old, addr));
  /*@ assert nf_has_ipv4(pkt) && pkt->status == \at(pkt->status, Pre); */
  l4_csum_update32(pkt, old, addr);
}

void nf_pkt_set_ipv4_src(struct nf_packet *pkt, uint32_t addr) {
  if (has_ipv4(pkt)) set_ipv4_addr(pkt, 12, addr);
}

void nf_pkt_set_ipv4_dst(struct nf_packet *pkt, uint32_t addr) {
  if (has_ipv4(pkt)) set_ipv4_addr(pkt, 16, addr);
}

/*@ requires nf_has_l4(pkt) && (field_offset == 0 || field_offset == 2);
    assigns pkt->data[pkt->l4_offset + field_offset .. pkt->l4_offset + field_offset + 1],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures nf_has_l4(pkt);
    ensures nf_be16(pkt->data + pkt->l4_offset + field_offset) == port; */
static void set_port(struct nf_packet *pkt, uint32_t field_offset, uint16_t port) {
  uint8_t *p = pkt->data + pkt->l4_offset + field_offset;
  uint16_t old = rd16(p);
  wr16(p, port);
  /*@ assert nf_has_l4(pkt); */
  l4_csum_update32(pkt, old, port);
}

void nf_pkt_set_l4_src_port(struct nf_packet *pkt, uint16_t port) {
  if (has_l4(pkt)) set_port(pkt, 0, port);
}

void nf_pkt_set_l4_dst_port(struct nf_packet *pkt, uint16_t port) {
  if (has_l4(pkt)) set_port(pkt, 2, port);
}
