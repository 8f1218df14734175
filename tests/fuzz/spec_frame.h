/* An independent reading of a frame, written from the RFCs (Ethernet II,
 * RFC 791 IPv4, RFC 8200 IPv6, RFC 793 TCP, RFC 768 UDP, RFC 1071 checksums)
 * for the fuzz
 * oracles. It deliberately shares no code with nflib/packet.c: the harnesses
 * compare nflib's parse and setters against it. Where nflib documents a choice
 * the RFCs leave open (packet.h: 802.1Q frames are not IPv4, a TCP header needs
 * 20 bytes within the total length whatever its data offset, fragments keep
 * their first-fragment L4 checksum right; for IPv6 docs/NFLIB.md "IPv6": the
 * extension headers walked and their limit, every fragment a fragment, AH and
 * ESP upper layers), this file follows the documentation. */
#ifndef TESTS_FUZZ_SPEC_FRAME_H
#define TESTS_FUZZ_SPEC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Classes in the decision order documented in nflib/packet.h. The values are
 * the documented enum nf_parse_status values (the interface, not the code). */
enum spec_class {
  SPEC_L4 = 0,
  SPEC_IPV4_OTHER = 1,
  SPEC_FRAGMENT = 2,
  SPEC_NOT_IPV4 = 3,
  SPEC_SHORT_ETH = 4,
  SPEC_SHORT_IPV4 = 5,
  SPEC_BAD_IHL = 6,
  SPEC_BAD_TOTAL_LEN = 7,
  SPEC_SHORT_L4 = 8,
  SPEC_L4_V6 = 9,
  SPEC_IPV6_OTHER = 10,
  SPEC_FRAGMENT_V6 = 11,
  SPEC_SHORT_IPV6 = 12,
  SPEC_BAD_IPV6_VERSION = 13,
  SPEC_BAD_IPV6_EXT = 14,
  SPEC_SHORT_L4_V6 = 15,
};

/* Classes with an IPv6 header nflib exposes (addresses, flow label...). */
#define SPEC_HAS_V6(c) ((c) >= SPEC_L4_V6 && (c) <= SPEC_FRAGMENT_V6)
/* Classes with ports (either family). */
#define SPEC_HAS_L4(c) ((c) == SPEC_L4 || (c) == SPEC_L4_V6)

struct spec_frame {
  enum spec_class cls;
  uint32_t ihl_bytes;  /* IPv4 header length (classes <= FRAGMENT) */
  uint32_t total_len;  /* IPv4 total length (classes <= FRAGMENT) */
  uint8_t proto;       /* IPv4 protocol (<= FRAGMENT), IPv6 upper layer (SPEC_HAS_V6) */
  uint32_t l4;         /* offset of the TCP/UDP header; 0 when there is none */
  uint32_t l4_end;     /* end of the datagram's payload (SPEC_HAS_L4) */
  uint32_t l4_csum_at; /* offset of the L4 checksum the setters keep; 0 none */
  uint32_t src, dst;   /* IPv4 addresses (classes <= FRAGMENT) */
  uint16_t sport, dport;
  uint8_t tcp_flags;
  uint8_t src6[16], dst6[16]; /* IPv6 addresses (SPEC_HAS_V6) */
  uint32_t flow_label;
  uint8_t hop_limit;
};

/* Checksum verdicts. */
enum spec_csum { SPEC_CSUM_BAD = 0, SPEC_CSUM_OK = 1, SPEC_CSUM_NONE = 2, SPEC_CSUM_UNKNOWN = 3 };

void spec_parse(const uint8_t *f, size_t len, struct spec_frame *out);

/* RFC 791 header checksum of a frame with an IPv4 header (cls <= FRAGMENT). */
enum spec_csum spec_ipv4_csum(const uint8_t *f, const struct spec_frame *s);

/* RFC 793 / 768 checksum over the pseudo-header (RFC 8200 8.1 for IPv6) and
 * the whole segment; only for unfragmented L4 frames (UNKNOWN otherwise, or for a UDP length field
 * that does not fit the datagram). NONE: UDP without checksum (field 0). */
enum spec_csum spec_l4_csum(const uint8_t *f, const struct spec_frame *s);

/* Byte ranges each documented packet field write may change, checksums
 * included, for a frame read as s. Returns false for an unknown field name.
 * Names are those of the analyzer's NfDescription rewrites ("ipv4.src",
 * "ipv6.src", "ipv6.flow_label", "ipv6.hop_limit"...). */
bool spec_mark_write(const char *field, const struct spec_frame *s, size_t len, bool *mask);

/* Mirrors a frame in place: Ethernet, IPv4/IPv6 and L4 source and destination
 * swapped (a reply). Checksums stay valid: their sums do not depend on order. */
void spec_mirror(uint8_t *f, size_t len, const struct spec_frame *s);

const char *spec_class_name(enum spec_class c);

#endif
