/* Packet model: a frame plus bounds-checked Ethernet / IPv4 / TCP / UDP views.
 * NFs never see DPDK: runtimes wrap their buffers in struct nf_packet.
 * Field values are in host byte order; setters keep IPv4 and L4 checksums
 * correct by incremental update (RFC 1624). */
#ifndef NFLIB_PACKET_H
#define NFLIB_PACKET_H

#include "nflib/types.h"

#define NF_ETHERTYPE_IPV4 0x0800
#define NF_IPPROTO_TCP 6
#define NF_IPPROTO_UDP 17

/* Parse outcome of a frame, from least to most complete. Only NF_PKT_L4_OK
 * frames have ports; NF_PKT_IPV4_OTHER frames have IPv4 addresses only. */
enum nf_parse_status {
  NF_PKT_L4_OK = 0,           /* Ethernet + IPv4 + complete TCP or UDP header */
  NF_PKT_IPV4_OTHER = 1,      /* valid IPv4, L4 protocol neither TCP nor UDP */
  NF_PKT_FRAGMENT = 2,        /* valid IPv4 header, but a fragment (MF or offset) */
  NF_PKT_NOT_IPV4 = 3,        /* valid Ethernet header, other EtherType */
  NF_PKT_TRUNCATED_ETH = 4,   /* shorter than an Ethernet header */
  NF_PKT_TRUNCATED_IPV4 = 5,  /* shorter than the IPv4 header it announces */
  NF_PKT_BAD_IHL = 6,         /* IHL < 5 or version != 4 */
  NF_PKT_BAD_TOTAL_LEN = 7,   /* IPv4 total length < IHL*4 or past the frame */
  NF_PKT_TRUNCATED_L4 = 8,    /* TCP/UDP header incomplete within total length */
};

struct nf_mac {
  uint8_t bytes[6];
};

struct nf_packet {
  uint8_t *data;     /* frame start (Ethernet header) */
  uint32_t len;      /* frame length in bytes */
  uint16_t l3_offset;
  uint16_t l4_offset;
  uint8_t l4_proto;
  uint8_t status;    /* enum nf_parse_status */
};

/* Wraps and parses a frame. Never reads outside data[0 .. len-1]. */
enum nf_parse_status nf_packet_init(struct nf_packet *pkt, uint8_t *data, uint32_t len);
const char *nf_parse_status_name(enum nf_parse_status status);

/* Accessors. Preconditions by status: eth_* always except TRUNCATED_ETH;
 * ipv4_* for status <= NF_PKT_FRAGMENT; l4_* for NF_PKT_L4_OK only. */
static inline enum nf_parse_status nf_pkt_status(const struct nf_packet *pkt) {
  return (enum nf_parse_status)pkt->status;
}
static inline uint32_t nf_pkt_len(const struct nf_packet *pkt) { return pkt->len; }
struct nf_mac nf_pkt_eth_src(const struct nf_packet *pkt);
struct nf_mac nf_pkt_eth_dst(const struct nf_packet *pkt);
uint16_t nf_pkt_eth_type(const struct nf_packet *pkt);
uint32_t nf_pkt_ipv4_src(const struct nf_packet *pkt);
uint32_t nf_pkt_ipv4_dst(const struct nf_packet *pkt);
uint8_t nf_pkt_ipv4_proto(const struct nf_packet *pkt);
uint16_t nf_pkt_l4_src_port(const struct nf_packet *pkt);
uint16_t nf_pkt_l4_dst_port(const struct nf_packet *pkt);
uint8_t nf_pkt_tcp_flags(const struct nf_packet *pkt); /* 0 for UDP */

/* Setters (same preconditions); checksums stay valid. */
void nf_pkt_set_eth_src(struct nf_packet *pkt, struct nf_mac mac);
void nf_pkt_set_eth_dst(struct nf_packet *pkt, struct nf_mac mac);
void nf_pkt_set_ipv4_src(struct nf_packet *pkt, uint32_t addr);
void nf_pkt_set_ipv4_dst(struct nf_packet *pkt, uint32_t addr);
void nf_pkt_set_l4_src_port(struct nf_packet *pkt, uint16_t port);
void nf_pkt_set_l4_dst_port(struct nf_packet *pkt, uint16_t port);

#endif /* NFLIB_PACKET_H */
