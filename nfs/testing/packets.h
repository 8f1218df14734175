/* Builders of in-memory test frames (Ethernet / IPv4 or IPv6 / TCP / UDP) with correct
 * checksums, and readers/verifiers that work on the raw bytes independently of
 * nflib's parser, so tests can check what an NF wrote.
 *
 * Typical use:
 *   struct test_frame f;
 *   struct test_frame_spec spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(8, 8, 8, 8), 1000,
 * 53); test_frame_build(&f, &spec);            // f.pkt is parsed and ready for nf_process int out
 * = nf_process(state, &f.pkt, 0, now); CHECK_EQ(test_frame_ipv4_src(&f), ...);
 * CHECK(test_frame_checksums_ok(&f));
 */
#ifndef NFS_TESTING_PACKETS_H
#define NFS_TESTING_PACKETS_H

#include "nflib/packet.h"
#include "nflib/types.h"

#define TEST_FRAME_MAX 2048
#define TEST_IP(a, b, c, d) \
  ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define TEST_IPPROTO_ICMP 1
#define TEST_IPV6_EXT_MAX 10 /* room for chains longer than nflib walks */
/* IPv6 extension header types (RFC 8200 4.1) the builder writes, each in its
 * smallest (8-byte) form: options with one PadN, routing with no segments left. */
#define TEST_IPV6_HOP_BY_HOP 0
#define TEST_IPV6_ROUTING 43
#define TEST_IPV6_DEST_OPTS 60

struct test_frame_spec {
  struct nf_mac src_mac;
  struct nf_mac dst_mac;
  uint16_t ether_type; /* NF_ETHERTYPE_IPV4 for the IPv4 frames below */
  uint32_t src_ip;     /* host byte order */
  uint32_t dst_ip;
  uint8_t proto; /* NF_IPPROTO_TCP, NF_IPPROTO_UDP or any other (8-byte opaque L4) */
  uint16_t src_port;
  uint16_t dst_port;
  uint8_t tcp_flags;
  uint16_t payload_len; /* bytes after the L4 header */
  uint16_t frag_offset; /* in 8-byte units */
  bool more_fragments;
  uint32_t truncate_to;  /* 0: full frame; else the frame is cut to this many bytes */
  uint16_t ip_total_len; /* 0: the real length; else the IPv4 total length written
                            (header checksum kept valid) and the frame ends there,
                            e.g. 24 for a TCP/UDP header cut inside the datagram.
                            IPv6: the Payload Length written, same rule */
  /* IPv6 (family 6; test_spec_udp6/tcp6 set it and ether_type 0x86DD). */
  uint8_t family; /* 4 (default, also 0) or 6 */
  struct nf_ipv6_addr src_ip6;
  struct nf_ipv6_addr dst_ip6;
  uint8_t ext_headers[TEST_IPV6_EXT_MAX]; /* TEST_IPV6_* types, in order */
  uint8_t ext_count;
  bool ipv6_fragment; /* a Fragment header after ext_headers, with frag_offset
                         and more_fragments; at offset != 0 no L4 header */
};

struct test_frame {
  uint8_t data[TEST_FRAME_MAX];
  uint32_t len;
  struct nf_packet pkt;
};

/* Specs with fixed default MACs (02:00:00:00:00:01 -> 02:00:00:00:00:02) and an
 * 18-byte payload; change any field before building. */
struct test_frame_spec test_spec_udp(uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                                     uint16_t dst_port);
struct test_frame_spec test_spec_tcp(uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                                     uint16_t dst_port, uint8_t tcp_flags);

/* IPv6 specs: same defaults (MACs, payloads) as their IPv4 twins. */
struct test_frame_spec test_spec_udp6(struct nf_ipv6_addr src, struct nf_ipv6_addr dst,
                                      uint16_t src_port, uint16_t dst_port);
struct test_frame_spec test_spec_tcp6(struct nf_ipv6_addr src, struct nf_ipv6_addr dst,
                                      uint16_t src_port, uint16_t dst_port, uint8_t tcp_flags);
/* An address from its text ("2001:db8::1"); aborts the test on bad text. */
struct nf_ipv6_addr test_ip6(const char *text);
bool test_ip6_eq(struct nf_ipv6_addr a, struct nf_ipv6_addr b);

/* Writes the frame and parses it into f->pkt; returns the parse status. */
enum nf_parse_status test_frame_build(struct test_frame *f, const struct test_frame_spec *spec);

/* Shortcuts: build a UDP / TCP-SYN frame. */
enum nf_parse_status test_frame_udp(struct test_frame *f, uint32_t src_ip, uint32_t dst_ip,
                                    uint16_t src_port, uint16_t dst_port);
enum nf_parse_status test_frame_tcp(struct test_frame *f, uint32_t src_ip, uint32_t dst_ip,
                                    uint16_t src_port, uint16_t dst_port);

enum nf_parse_status test_frame_udp6(struct test_frame *f, const char *src, const char *dst,
                                     uint16_t src_port, uint16_t dst_port);
enum nf_parse_status test_frame_tcp6(struct test_frame *f, const char *src, const char *dst,
                                     uint16_t src_port, uint16_t dst_port);

/* A malformed IPv6 frame from an IPv6 spec, for each malformed IPv6 status
 * (NF_PKT_TRUNCATED_IPV6 .. NF_PKT_TRUNCATED_L4_IPV6, loop over them with
 * TEST_IPV6_MALFORMED_FIRST/LAST): payload length past the frame, version 4
 * behind 0x86DD, one extension header more than nflib walks, and a TCP/UDP
 * header cut inside the payload. Returns the parse status (== want). */
#define TEST_IPV6_MALFORMED_FIRST NF_PKT_TRUNCATED_IPV6
#define TEST_IPV6_MALFORMED_LAST NF_PKT_TRUNCATED_L4_IPV6
enum nf_parse_status test_frame_malformed6(struct test_frame *f, const struct test_frame_spec *spec,
                                           enum nf_parse_status want);

/* Copies arbitrary bytes in as a frame and parses it. */
enum nf_parse_status test_frame_raw(struct test_frame *f, const uint8_t *bytes, uint32_t len);
/* Parses f->data[0 .. f->len - 1] again, after a test edited the bytes. */
enum nf_parse_status test_frame_reparse(struct test_frame *f);

/* Raw readers (assume a full Ethernet + IPv4 header with IHL 5 or more, or
 * for EtherType 0x86DD an IPv6 header whose extension chain the L4 readers
 * walk themselves, independently of nflib). */
struct nf_mac test_frame_eth_src(const struct test_frame *f);
struct nf_mac test_frame_eth_dst(const struct test_frame *f);
uint32_t test_frame_ipv4_src(const struct test_frame *f);
uint32_t test_frame_ipv4_dst(const struct test_frame *f);
struct nf_ipv6_addr test_frame_ipv6_src(const struct test_frame *f);
struct nf_ipv6_addr test_frame_ipv6_dst(const struct test_frame *f);
uint16_t test_frame_l4_src_port(const struct test_frame *f);
uint16_t test_frame_l4_dst_port(const struct test_frame *f);

/* Recomputes the IPv4 header checksum and the TCP/UDP checksum (pseudo-header
 * included) from scratch: true when both are correct (UDP checksum 0 = none).
 * IPv6: the TCP/UDP checksum over the IPv6 pseudo-header (UDP 0 is invalid);
 * non-first fragments have none. */
bool test_frame_checksums_ok(const struct test_frame *f);

struct nf_mac test_mac(uint8_t last_byte);
bool test_mac_eq(struct nf_mac a, struct nf_mac b);

#endif /* NFS_TESTING_PACKETS_H */
