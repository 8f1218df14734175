/* Packet model: a frame plus bounds-checked Ethernet / IPv4 / TCP / UDP views.
 * NFs never see DPDK: runtimes wrap their buffers in struct nf_packet.
 * Field values are in host byte order; setters keep IPv4 and L4 checksums
 * correct by incremental update (RFC 1624). */
#ifndef NFLIB_PACKET_H
#define NFLIB_PACKET_H

#include "nflib/types.h"

#define NF_ETHERTYPE_IPV4 0x0800
#define NF_ETHERTYPE_IPV6 0x86DD
#define NF_IPPROTO_TCP 6
#define NF_IPPROTO_UDP 17
#define NF_IPPROTO_ICMPV6 58

/* The most IPv6 extension headers nf_packet_init walks before the upper-layer
 * header (hop-by-hop, routing, destination options, fragment). A longer chain
 * is NF_PKT_BAD_IPV6_EXT: the walk is bounded, so parsing costs O(1). */
#define NF_IPV6_MAX_EXT_HEADERS 8

/* Parse outcome of a frame, from least to most complete. Only NF_PKT_L4_OK
 * frames have ports; NF_PKT_IPV4_OTHER frames have IPv4 addresses only. */
enum nf_parse_status {
  NF_PKT_L4_OK = 0,          /* Ethernet + IPv4 + complete TCP or UDP header */
  NF_PKT_IPV4_OTHER = 1,     /* valid IPv4, L4 protocol neither TCP nor UDP */
  NF_PKT_FRAGMENT = 2,       /* valid IPv4 header, but a fragment (MF or offset) */
  NF_PKT_NOT_IPV4 = 3,       /* valid Ethernet header, other EtherType */
  NF_PKT_TRUNCATED_ETH = 4,  /* shorter than an Ethernet header */
  NF_PKT_TRUNCATED_IPV4 = 5, /* shorter than the IPv4 header it announces */
  NF_PKT_BAD_IHL = 6,        /* IHL < 5 or version != 4 */
  NF_PKT_BAD_TOTAL_LEN = 7,  /* IPv4 total length < IHL*4 or past the frame */
  NF_PKT_TRUNCATED_L4 = 8,   /* TCP/UDP header incomplete within total length */
  /* IPv6 (EtherType 0x86DD). Statuses are per family, so that an IPv4-only NF
   * that tests for NF_PKT_L4_OK never reads IPv4 fields of an IPv6 packet. */
  NF_PKT_IPV6_L4_OK = 9,         /* IPv6 (+ extension headers) + complete TCP or UDP header */
  NF_PKT_IPV6_OTHER = 10,        /* valid IPv6, upper-layer protocol neither TCP nor UDP */
  NF_PKT_IPV6_FRAGMENT = 11,     /* valid IPv6 with a Fragment header (any offset) */
  NF_PKT_TRUNCATED_IPV6 = 12,    /* shorter than 40 bytes, or payload length past the frame */
  NF_PKT_BAD_IPV6_VERSION = 13,  /* EtherType 0x86DD but version != 6 */
  NF_PKT_BAD_IPV6_EXT = 14,      /* extension chain past the payload or > NF_IPV6_MAX_EXT_HEADERS */
  NF_PKT_TRUNCATED_L4_IPV6 = 15, /* TCP/UDP header incomplete within the IPv6 payload */
};

/* An IPv6 address in network byte order (bytes[0] is the most significant). */
struct nf_ipv6_addr {
  uint8_t bytes[16];
};

struct nf_mac {
  uint8_t bytes[6];
};

struct nf_packet {
  uint8_t *data; /* frame start (Ethernet header) */
  uint32_t len;  /* frame length in bytes */
  uint16_t l3_offset;
  uint16_t l4_offset;
  uint8_t l4_proto;
  uint8_t status; /* enum nf_parse_status */
};

/* The parse status as a function of the frame bytes: the decision order of
 * nf_packet_init, written byte-wise so that WP can prove the parser. */
/*@ logic integer nf_be16{L}(uint8_t *p) = p[0] * 256 + p[1];
    logic integer nf_ihl_bytes{L}(uint8_t *d) = (d[14] % 16) * 4;
    logic integer nf_total_len{L}(uint8_t *d) = nf_be16(d + 16);
    logic integer nf_l4_room{L}(uint8_t *d) = nf_total_len(d) - nf_ihl_bytes(d);
    // IPv6: the end of the payload; the extension headers the walk takes and
    // their lengths; a header that ends the walk as malformed (a 9th one,
    // hop-by-hop not first, past the payload).
    logic integer nf_v6_end{L}(uint8_t *d) = 54 + nf_be16(d + 18);
    logic boolean nf_v6_ext(integer nh) = nh == 0 || nh == 43 || nh == 44 || nh == 60;
    // (\max: a byte is never negative, but a lemma over any memory state
    // does not know it; the walk lemmas need a header to be >= 8 bytes.)
    logic integer nf_v6_hlen{L}(uint8_t *d, integer nh, integer off) =
      nh == 44 ? 8 : (\max(d[off + 1], 0) + 1) * 8;
    logic boolean nf_v6_bad{L}(uint8_t *d, integer nh, integer off, integer end, integer n) =
      n >= NF_IPV6_MAX_EXT_HEADERS || (nh == 0 && n != 0) || off + 2 > end ||
      off + nf_v6_hlen(d, nh, off) > end;
    logic boolean nf_v6_later_frag{L}(uint8_t *d, integer nh, integer off) =
      nh == 44 && nf_be16(d + off + 2) / 8 != 0;
    // The fixed header's decisions; 16: the header is complete, walk on.
    logic integer nf_parse6{L}(uint8_t *d, integer len) =
      len < 15 ? 12 :
      d[14] / 16 != 6 ? 13 :
      len < 54 ? 12 :
      nf_v6_end(d) > len ? 12 : 16;
    logic integer nf_parse{L}(uint8_t *d, integer len) =
      len < 14 ? 4 :
      nf_be16(d + 12) == 0x86DD ? nf_parse6(d, len) :
      nf_be16(d + 12) != 0x0800 ? 3 :
      len < 15 ? 5 :
      (d[14] / 16 != 4 || nf_ihl_bytes(d) < 20) ? 6 :
      len < 14 + nf_ihl_bytes(d) ? 5 :
      (nf_total_len(d) < nf_ihl_bytes(d) || nf_total_len(d) > len - 14) ? 7 :
      (nf_be16(d + 20) % 16384 != 0) ? 2 :
      d[23] == 6 ? (nf_l4_room(d) >= 20 ? 0 : 8) :
      d[23] == 17 ? (nf_l4_room(d) >= 8 ? 0 : 8) :
      1;
    // Where the setters must keep an L4 checksum right: nowhere (l4_offset 0),
    // or at the L4 header right after the IPv4 header, with the TCP (bytes
    // 16..17) or UDP (bytes 6..7) checksum inside the datagram.
    predicate nf_l4_csum_ok{L}(struct nf_packet *p) =
      p->l4_offset == 0 ||
      (p->l4_offset == 14 + nf_ihl_bytes(p->data) && p->l4_proto == p->data[23] &&
       ((p->l4_proto == 6 && nf_l4_room(p->data) >= 18) ||
        (p->l4_proto == 17 && nf_l4_room(p->data) >= 8)));
    // The first of the two L4 checksum bytes the setters update; 24 (the IPv4
    // checksum, which address setters update anyway) when there is none.
    logic integer nf_l4_csum_at_or{L}(struct nf_packet *p, integer none) =
      p->l4_offset == 0 ? none : p->l4_proto == 6 ? p->l4_offset + 16 : p->l4_offset + 6;
    logic integer nf_l4_csum_at{L}(struct nf_packet *p) = nf_l4_csum_at_or(p, 24);
    // What the IPv6 accessors rely on, for a frame of EtherType 0x86DD: an
    // IPv6 status; for statuses 9..11 the fixed header and the payload inside
    // the frame and an L4 checksum (if any) inside the payload; for
    // IPV6_L4_OK a complete TCP or UDP header there.
    predicate nf_v6_shape{L}(struct nf_packet *p, integer st) =
      9 <= st <= 15 && p->l3_offset == 14 &&
      (st <= 11 ==> p->len >= 54 && nf_v6_end(p->data) <= p->len &&
        (p->l4_offset == 0 ||
         (p->l4_offset >= 54 &&
          ((p->l4_proto == 6 && p->l4_offset + 18 <= nf_v6_end(p->data)) ||
           (p->l4_proto == 17 && p->l4_offset + 8 <= nf_v6_end(p->data)))))) &&
      (st == 9 ==> p->l4_offset >= 54 &&
        ((p->l4_proto == 6 && p->l4_offset + 20 <= nf_v6_end(p->data)) ||
         (p->l4_proto == 17 && p->l4_offset + 8 <= nf_v6_end(p->data))));
    predicate nf_is_v6{L}(struct nf_packet *p) =
      p->len >= 14 && nf_be16(p->data + 12) == 0x86DD;
    // A parsed packet: its frame is valid and apart from the descriptor, its
    // status is the parse of its bytes, and its offsets are those of its headers.
    // For IPv6 frames the status is the fixed header's decision (nf_parse6)
    // or, past it, the extension-header walk (nf_v6_walk below, which
    // nf_packet_init is proved to follow); the invariant is then the shape
    // the accessors need, and nf_v6_parsed (below), which nf_packet_init
    // ensures and every setter keeps, says the status is the walk's.
    predicate nf_pkt_ok{L}(struct nf_packet *p) =
      \valid(p) && \valid(p->data + (0 .. p->len - 1)) &&
      \separated(p, p->data + (0 .. p->len - 1)) &&
      (!nf_is_v6(p) ==> p->status == nf_parse(p->data, p->len)) &&
      (nf_is_v6(p) ==> nf_v6_shape(p, p->status)) &&
      (p->status <= 2 ==> p->l3_offset == 14 && nf_l4_csum_ok(p)) &&
      (p->status == 0 ==>
         p->l4_offset == 14 + nf_ihl_bytes(p->data) && p->l4_proto == p->data[23]);
    predicate nf_has_ipv4{L}(struct nf_packet *p) = nf_pkt_ok(p) && p->status <= 2;
    // Internet checksums (RFC 1071): a checksum field verifies when the ones'
    // complement sum of the words it covers, itself included, is 0xffff, that
    // is when their integer sum is 0 modulo 65535 (a nonzero sum of 16-bit
    // words folds to 0xffff exactly then). So a setter keeps the verdict of
    // every checksum over the words it changes when checksum + those words
    // is the same modulo 65535 before and after (nf_csum_same); the other
    // covered words are unchanged (its assigns clause).
    predicate nf_csum_same(integer a, integer b) = (a - b) % 65535 == 0;
    // The covered words of a 32-bit field (an IPv4 address, also in the L4
    // pseudo-header) and of an IPv6 address (the pseudo-header).
    logic integer nf_words32{L}(uint8_t *d) = nf_be16(d) + nf_be16(d + 2);
    logic integer nf_words128{L}(uint8_t *d) =
      nf_words32(d) + nf_words32(d + 4) + nf_words32(d + 8) + nf_words32(d + 12);
    // The IPv4 header's words (RFC 791: IHL * 2 of them, options and
    // the checksum included) summed as integers: the fixed header's ten, then
    // the first n option words. The header checksum verifies exactly when
    // nf_ip4_hdr_sum is 0 modulo 65535.
    logic integer nf_ip4_opt_words{L}(uint8_t *d, integer n) =
      n <= 0 ? 0 : nf_ip4_opt_words(d, n - 1) + nf_be16(d + 32 + 2 * n);
    logic integer nf_ip4_fixed_words{L}(uint8_t *d) =
      nf_words32(d + 14) + nf_words32(d + 18) + nf_words32(d + 22) + nf_words32(d + 26) +
      nf_words32(d + 30);
    logic integer nf_ip4_hdr_sum{L}(uint8_t *d) =
      nf_ip4_fixed_words(d) + nf_ip4_opt_words(d, (d[14] % 16) * 2 - 10);
    // The L4 checksum (TCP or UDP, where the packet has one: nf_l4_csum_at)
    // after a setter changed covered words summing to old_words into words
    // summing to new_words: a zero UDP checksum (none, RFC 768) stays zero;
    // any other is kept in the sense of nf_csum_same (a UDP result of 0 is
    // written as 0xffff, the same modulo 65535).
    predicate nf_l4_csum_updated{L0, L1}(struct nf_packet *p, integer old_words,
                                        integer new_words) =
      \at(p->l4_offset, L0) != 0 ==>
        (\at(p->l4_proto, L0) == 17 && nf_be16{L0}(\at(p->data, L0) + nf_l4_csum_at{L0}(p)) == 0 ?
           nf_be16{L1}(\at(p->data, L0) + nf_l4_csum_at{L0}(p)) == 0 :
           nf_csum_same(nf_be16{L1}(\at(p->data, L0) + nf_l4_csum_at{L0}(p)) + new_words,
                        nf_be16{L0}(\at(p->data, L0) + nf_l4_csum_at{L0}(p)) + old_words));
    predicate nf_has_ipv6{L}(struct nf_packet *p) = nf_pkt_ok(p) && 9 <= p->status <= 11;
    predicate nf_has_l3{L}(struct nf_packet *p) = nf_has_ipv4(p) || nf_has_ipv6(p);
    predicate nf_has_l4{L}(struct nf_packet *p) =
      nf_pkt_ok(p) && (p->status == 0 || p->status == 9);
*/

/* The IPv6 extension-header walk past the fixed header (docs/NFLIB.md, "IPv6"),
 * one step per header, from the state: the Next Header byte at nhp, the
 * header at off, n headers taken, frag 1 after a first or atomic fragment
 * header. nf_v6_walk is its status, nf_v6_walk_nh where the upper layer's
 * protocol byte is (a later fragment's own Next Header), nf_v6_walk_off the
 * upper layer's offset. The definitions are recursive; the recursion is well
 * founded (n grows by one per step, and from n = NF_IPV6_MAX_EXT_HEADERS on
 * nf_v6_bad holds, so no step recurses). They hold under the gate
 * nf_v6_walk_unfolded, which no goal has unless it opens it: a recursive
 * definition in a goal's context sends the provers into endless unfolding (a
 * linear goal beside it timed out). The gate is a premise of packet.c's walk
 * lemmas (so they take no part in goals without it, the parser's and every
 * caller's) and is opened by asserting nf_v6_walk_opened, which packet.c does
 * in its lemma function nf_v6_walk_step (the parser's one-step facts) and
 * where nf_packet_init and the setters prove nf_v6_parsed. A lemma that named
 * an always-true marker instead would bring the definitions into every goal
 * that sees the lemma. */
/*@ logic integer nf_v6_upper(integer proto, integer off, integer end, integer frag) =
      frag != 0 ? 11 :
      proto == 6 ? (off + 20 > end ? 15 : 9) :
      proto == 17 ? (off + 8 > end ? 15 : 9) : 10;
    axiomatic nf_v6_walk_model {
      logic integer nf_v6_walk{L}(uint8_t *d, integer end, integer nhp, integer off,
                                  integer n, integer frag) reads d[..];
      logic integer nf_v6_walk_nh{L}(uint8_t *d, integer end, integer nhp, integer off,
                                     integer n) reads d[..];
      logic integer nf_v6_walk_off{L}(uint8_t *d, integer end, integer nhp, integer off,
                                      integer n) reads d[..];
    }
    axiomatic nf_v6_walk_definition {
      predicate nf_v6_walk_unfolded;
      axiom nf_v6_walk_def{L}: nf_v6_walk_unfolded ==>
        \forall uint8_t *d, integer end, nhp, off, n, frag;
        nf_v6_walk(d, end, nhp, off, n, frag) ==
          (!nf_v6_ext(d[nhp]) ? nf_v6_upper(d[nhp], off, end, frag) :
           nf_v6_bad(d, d[nhp], off, end, n) ? 14 :
           nf_v6_later_frag(d, d[nhp], off) ? 11 :
           nf_v6_walk(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1,
                      d[nhp] == 44 ? 1 : frag));
      axiom nf_v6_walk_nh_def{L}: nf_v6_walk_unfolded ==>
        \forall uint8_t *d, integer end, nhp, off, n;
        nf_v6_walk_nh(d, end, nhp, off, n) ==
          (!nf_v6_ext(d[nhp]) || nf_v6_bad(d, d[nhp], off, end, n) ? nhp :
           nf_v6_later_frag(d, d[nhp], off) ? off :
           nf_v6_walk_nh(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1));
      axiom nf_v6_walk_off_def{L}: nf_v6_walk_unfolded ==>
        \forall uint8_t *d, integer end, nhp, off, n;
        nf_v6_walk_off(d, end, nhp, off, n) ==
          (!nf_v6_ext(d[nhp]) || nf_v6_bad(d, d[nhp], off, end, n) ||
           nf_v6_later_frag(d, d[nhp], off) ? off :
           nf_v6_walk_off(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1));
    }
    // The walk's outcome for a frame d whose fixed IPv6 header is complete
    // (nf_parse6 16): the walk over d's bytes at L0, from the fixed header's
    // Next Header (byte 20) and the first byte past it (54), gives the status
    // st; p's fields at L1 hold for statuses 9..11 the upper layer's protocol,
    // and an L4 offset, where there is one (always for IPV6_L4_OK), is the
    // upper layer's. Two labels: the parser writes p's fields after reading
    // d, and the walk is opaque, so relating its value at L1 to L0's takes a
    // frame lemma by induction (packet.c's nf_v6_framed_0).
    predicate nf_v6_walked{L0, L1}(struct nf_packet *p, uint8_t *d, integer st) =
      st == nf_v6_walk{L0}(d, nf_v6_end{L0}(d), 20, 54, 0, 0) &&
      (9 <= st <= 11 ==>
         \at(p->l4_proto, L1) == \at(d[nf_v6_walk_nh{L0}(d, nf_v6_end{L0}(d), 20, 54, 0)], L0)) &&
      (st == 9 || \at(p->l4_offset, L1) != 0 ==>
         \at(p->l4_offset, L1) == nf_v6_walk_off{L0}(d, nf_v6_end{L0}(d), 20, 54, 0));
    // A packet's IPv6 status is its bytes' parse: nf_parse6's decision, or,
    // past a complete fixed header, the walk's outcome with its upper-layer
    // protocol and offset (nf_v6_walked, at one state). nf_packet_init
    // establishes it and every setter keeps it (parse_kept in each setter's
    // contract), so the status a reparse would give after any setters is the
    // packet's status. It is not part of nf_pkt_ok: the walk is opaque, and
    // carrying it across a caller's writes to other memory would take a frame
    // lemma at every call.
    // Opaque to callers: their goals see one atom. Its definition is in an
    // axiomatic of its own, under a gate that only nf_v6_walk_opened opens
    // (a goal gets an axiomatic's axioms only when it names one of its
    // symbols: an NF goal names neither gate, so it gets no axiom at all).
    axiomatic nf_v6_parse_model {
      predicate nf_v6_parsed{L}(struct nf_packet *p) reads *p, p->data[..];
    }
    axiomatic nf_v6_parse_definition {
      predicate nf_v6_parse_unfolded;
      axiom nf_v6_parsed_def{L}: nf_v6_parse_unfolded ==>
        \forall struct nf_packet *p; nf_v6_parsed(p) <==>
          (nf_is_v6(p) ==>
            (nf_parse6(p->data, p->len) != 16 ==> p->status == nf_parse6(p->data, p->len)) &&
            (nf_parse6(p->data, p->len) == 16 ==> nf_v6_walked{L, L}(p, p->data, p->status)));
    }
    axiomatic nf_v6_walk_opening {
      predicate nf_v6_walk_opened;
      axiom nf_v6_walk_opened_holds: nf_v6_walk_opened;
      axiom nf_v6_walk_opens: nf_v6_walk_opened ==> nf_v6_walk_unfolded;
      axiom nf_v6_parse_opens: nf_v6_walk_opened ==> nf_v6_parse_unfolded;
    }
*/

/* Wraps and parses a frame. Never reads outside data[0 .. len-1]. Does not
 * verify checksums. 802.1Q-tagged frames are NOT_IPV4. For a first fragment
 * (offset 0) whose L4 checksum lies inside the datagram, l4_offset is set so
 * that address setters keep that checksum right; its ports stay inaccessible.
 * IPv6 (docs/NFLIB.md, "IPv6"), in decision order: TRUNCATED_IPV6 when the
 * version byte is missing; BAD_IPV6_VERSION; TRUNCATED_IPV6 when the frame is
 * shorter than the fixed header or the payload length (no jumbograms) runs
 * past it (bytes past the payload are padding); then the walk over hop-by-hop
 * (first only), routing, destination options (8 * (Hdr Ext Len + 1) bytes)
 * and fragment (8 bytes) headers: BAD_IPV6_EXT for a 9th one, a hop-by-hop
 * header not first, or a header past the payload; a fragment header with a
 * nonzero offset ends the walk as IPV6_FRAGMENT (its Next Header is the
 * protocol); after a first or atomic (RFC 6946) fragment header the walk goes
 * on and ends as IPV6_FRAGMENT. Every other Next Header (AH, ESP, No Next
 * Header included) is the upper layer: TCP/UDP as for IPv4 within the payload
 * (IPV6_L4_OK or TRUNCATED_L4_IPV6), else IPV6_OTHER. l4_proto holds the
 * upper-layer protocol of IPv6 statuses 9..11. */
/*@ requires \valid(pkt) && \valid(data + (0 .. len - 1));
    requires \separated(pkt, data + (0 .. len - 1));
    assigns *pkt;
    ensures pkt->data == data && pkt->len == len;
    ensures nf_parse(data, len) != 16 ==> \result == nf_parse(data, len);
    ensures nf_parse(data, len) == 16 ==> nf_v6_walked{Pre, Here}(pkt, data, \result);
    ensures nf_v6_parsed(pkt);
    ensures pkt->status == \result;
    ensures nf_pkt_ok(pkt);
    ensures \result <= 2 ==> pkt->l3_offset == 14;
    ensures \result == 0 ==> pkt->l4_offset == 14 + nf_ihl_bytes(data) && pkt->l4_proto == data[23];
 */
enum nf_parse_status nf_packet_init(struct nf_packet *pkt, uint8_t *data, uint32_t len);
/*@ assigns \nothing;
    ensures \valid_read(\result); */
const char *nf_parse_status_name(enum nf_parse_status status);

/* Accessors. Preconditions by status: eth_* always except TRUNCATED_ETH;
 * ipv4_* for status <= NF_PKT_FRAGMENT; ipv6_* for NF_PKT_IPV6_L4_OK ..
 * NF_PKT_IPV6_FRAGMENT; l4_* for NF_PKT_L4_OK and NF_PKT_IPV6_L4_OK. */
/*@ requires \valid_read(pkt);
    assigns \nothing;
    ensures \result == pkt->status; */
static inline enum nf_parse_status nf_pkt_status(const struct nf_packet *pkt) {
  return (enum nf_parse_status)pkt->status;
}
/*@ requires \valid_read(pkt);
    assigns \nothing;
    ensures \result == pkt->len; */
static inline uint32_t nf_pkt_len(const struct nf_packet *pkt) {
  return pkt->len;
}
/* Outside its precondition a getter returns 0 (a zero MAC) and reads nothing
 * past the frame; the contracts state the defined case. */
/*@ requires nf_pkt_ok(pkt) && pkt->status != NF_PKT_TRUNCATED_ETH;
    assigns \result \from pkt->data[6 .. 11];
    ensures \forall integer i; 0 <= i < 6 ==> \result.bytes[i] == pkt->data[6 + i]; */
struct nf_mac nf_pkt_eth_src(const struct nf_packet *pkt);
/*@ requires nf_pkt_ok(pkt) && pkt->status != NF_PKT_TRUNCATED_ETH;
    assigns \result \from pkt->data[0 .. 5];
    ensures \forall integer i; 0 <= i < 6 ==> \result.bytes[i] == pkt->data[i]; */
struct nf_mac nf_pkt_eth_dst(const struct nf_packet *pkt);
/*@ requires nf_pkt_ok(pkt) && pkt->status != NF_PKT_TRUNCATED_ETH;
    assigns \nothing;
    ensures \result == nf_be16(pkt->data + 12); */
uint16_t nf_pkt_eth_type(const struct nf_packet *pkt);
/*@ requires nf_has_ipv4(pkt);
    assigns \nothing;
    ensures \result == nf_be16(pkt->data + 26) * 65536 + nf_be16(pkt->data + 28); */
uint32_t nf_pkt_ipv4_src(const struct nf_packet *pkt);
/*@ requires nf_has_ipv4(pkt);
    assigns \nothing;
    ensures \result == nf_be16(pkt->data + 30) * 65536 + nf_be16(pkt->data + 32); */
uint32_t nf_pkt_ipv4_dst(const struct nf_packet *pkt);
/*@ requires nf_has_ipv4(pkt);
    assigns \nothing;
    ensures \result == pkt->data[23]; */
uint8_t nf_pkt_ipv4_proto(const struct nf_packet *pkt);
/*@ requires nf_has_l4(pkt);
    assigns \nothing;
    ensures \result == nf_be16(pkt->data + pkt->l4_offset); */
uint16_t nf_pkt_l4_src_port(const struct nf_packet *pkt);
/*@ requires nf_has_l4(pkt);
    assigns \nothing;
    ensures \result == nf_be16(pkt->data + pkt->l4_offset + 2); */
uint16_t nf_pkt_l4_dst_port(const struct nf_packet *pkt);
/*@ requires nf_has_l4(pkt);
    assigns \nothing;
    ensures pkt->l4_proto == NF_IPPROTO_TCP ==> \result == pkt->data[pkt->l4_offset + 13];
    ensures pkt->l4_proto != NF_IPPROTO_TCP ==> \result == 0; */
uint8_t nf_pkt_tcp_flags(const struct nf_packet *pkt); /* 0 for UDP */

/* Setters (same preconditions); checksums stay valid: the IPv4 header
 * checksum for addresses; the TCP/UDP checksum (pseudo-header included) for
 * addresses and ports, by RFC 1624 eqn. 3. A UDP checksum of 0 (none) stays 0;
 * an updated UDP checksum that computes to 0 is written as 0xffff. Outside its
 * precondition a setter changes nothing. They write only the packet buffer
 * (not nflib state), so they do not call nf_before_write(). */
/*@ requires nf_pkt_ok(pkt) && pkt->status != NF_PKT_TRUNCATED_ETH;
    assigns pkt->data[6 .. 11];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_pkt_ok(pkt);
    ensures \forall integer i; 0 <= i < 6 ==> pkt->data[6 + i] == mac.bytes[i]; */
void nf_pkt_set_eth_src(struct nf_packet *pkt, struct nf_mac mac);
/*@ requires nf_pkt_ok(pkt) && pkt->status != NF_PKT_TRUNCATED_ETH;
    assigns pkt->data[0 .. 5];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_pkt_ok(pkt);
    ensures \forall integer i; 0 <= i < 6 ==> pkt->data[i] == mac.bytes[i]; */
void nf_pkt_set_eth_dst(struct nf_packet *pkt, struct nf_mac mac);
/*@ requires nf_has_ipv4(pkt);
    assigns pkt->data[24 .. 29], pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_ipv4(pkt) && pkt->status == \old(pkt->status);
    ensures nf_be16(pkt->data + 26) * 65536 + nf_be16(pkt->data + 28) == addr;
    ensures nf_csum_same(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 26),
                         \old(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 26)));
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words32(pkt->data + 26)),
                                         nf_words32(pkt->data + 26)); */
void nf_pkt_set_ipv4_src(struct nf_packet *pkt, uint32_t addr);
/*@ requires nf_has_ipv4(pkt);
    assigns pkt->data[24 .. 25], pkt->data[30 .. 33],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_ipv4(pkt) && pkt->status == \old(pkt->status);
    ensures nf_be16(pkt->data + 30) * 65536 + nf_be16(pkt->data + 32) == addr;
    ensures nf_csum_same(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 30),
                         \old(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 30)));
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words32(pkt->data + 30)),
                                         nf_words32(pkt->data + 30)); */
void nf_pkt_set_ipv4_dst(struct nf_packet *pkt, uint32_t addr);
/*@ requires nf_has_l4(pkt);
    assigns pkt->data[pkt->l4_offset .. pkt->l4_offset + 1],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_l4(pkt);
    ensures nf_be16(pkt->data + pkt->l4_offset) == port;
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_be16(pkt->data + pkt->l4_offset)), port); */
void nf_pkt_set_l4_src_port(struct nf_packet *pkt, uint16_t port);
/*@ requires nf_has_l4(pkt);
    assigns pkt->data[pkt->l4_offset + 2 .. pkt->l4_offset + 3],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_l4(pkt);
    ensures nf_be16(pkt->data + pkt->l4_offset + 2) == port;
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_be16(pkt->data + pkt->l4_offset + 2)),
                                         port); */
void nf_pkt_set_l4_dst_port(struct nf_packet *pkt, uint16_t port);

/* IPv6 accessors (issue #18). ipv6_* for NF_PKT_IPV6_L4_OK, NF_PKT_IPV6_OTHER
 * and NF_PKT_IPV6_FRAGMENT; outside that a getter returns 0 and a setter does
 * nothing, as for IPv4. The l4_* getters and setters above also serve
 * NF_PKT_IPV6_L4_OK packets. IPv6 has no header checksum: address setters
 * update the TCP/UDP checksum through the IPv6 pseudo-header (RFC 8200 8.1);
 * flow label and hop limit are not covered by any checksum. Fragments: every
 * fragment (first included) is NF_PKT_IPV6_FRAGMENT with addresses but no
 * ports, as for IPv4, because later fragments carry no ports and a NIC hashes
 * all fragments on addresses only. */
/*@ requires nf_has_ipv6(pkt);
    assigns \result \from pkt->data[22 .. 37];
    ensures \forall integer i; 0 <= i < 16 ==> \result.bytes[i] == pkt->data[22 + i]; */
struct nf_ipv6_addr nf_pkt_ipv6_src(const struct nf_packet *pkt);
/*@ requires nf_has_ipv6(pkt);
    assigns \result \from pkt->data[38 .. 53];
    ensures \forall integer i; 0 <= i < 16 ==> \result.bytes[i] == pkt->data[38 + i]; */
struct nf_ipv6_addr nf_pkt_ipv6_dst(const struct nf_packet *pkt);
/* The upper-layer protocol after the extension chain (the last Next Header;
 * for a later fragment, the Fragment header's Next Header). */
/*@ requires nf_has_ipv6(pkt);
    assigns \nothing;
    ensures \result == pkt->l4_proto; */
uint8_t nf_pkt_ipv6_proto(const struct nf_packet *pkt);
/*@ requires nf_has_ipv6(pkt);
    assigns \nothing;
    ensures \result == (pkt->data[15] % 16) * 65536 + pkt->data[16] * 256 + pkt->data[17]; */
uint32_t nf_pkt_ipv6_flow_label(const struct nf_packet *pkt); /* 20 bits */
/*@ requires nf_has_ipv6(pkt);
    assigns \nothing;
    ensures \result == pkt->data[21]; */
uint8_t nf_pkt_ipv6_hop_limit(const struct nf_packet *pkt);
/*@ requires nf_has_ipv6(pkt);
    assigns pkt->data[22 .. 37],
            pkt->data[nf_l4_csum_at_or(pkt, 22) .. nf_l4_csum_at_or(pkt, 22) + 1];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_ipv6(pkt) && pkt->status == \old(pkt->status);
    ensures \forall integer i; 0 <= i < 16 ==> pkt->data[22 + i] == addr.bytes[i];
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words128(pkt->data + 22)),
                                         nf_words128(pkt->data + 22)); */
void nf_pkt_set_ipv6_src(struct nf_packet *pkt, struct nf_ipv6_addr addr);
/*@ requires nf_has_ipv6(pkt);
    assigns pkt->data[38 .. 53],
            pkt->data[nf_l4_csum_at_or(pkt, 38) .. nf_l4_csum_at_or(pkt, 38) + 1];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_ipv6(pkt) && pkt->status == \old(pkt->status);
    ensures \forall integer i; 0 <= i < 16 ==> pkt->data[38 + i] == addr.bytes[i];
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words128(pkt->data + 38)),
                                         nf_words128(pkt->data + 38)); */
void nf_pkt_set_ipv6_dst(struct nf_packet *pkt, struct nf_ipv6_addr addr);
/*@ requires nf_has_ipv6(pkt);
    assigns pkt->data[15 .. 17];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_ipv6(pkt) && pkt->status == \old(pkt->status);
    ensures pkt->data[15] / 16 == \old(pkt->data[15]) / 16;
    ensures (pkt->data[15] % 16) * 65536 + pkt->data[16] * 256 + pkt->data[17] ==
            label % 1048576; */
void nf_pkt_set_ipv6_flow_label(struct nf_packet *pkt, uint32_t label); /* low 20 bits */
/*@ requires nf_has_ipv6(pkt);
    assigns pkt->data[21];
    ensures parse_kept: nf_v6_parsed{Old}(pkt) ==> nf_v6_parsed(pkt);
    ensures nf_has_ipv6(pkt) && pkt->status == \old(pkt->status);
    ensures pkt->data[21] == hop_limit; */
void nf_pkt_set_ipv6_hop_limit(struct nf_packet *pkt, uint8_t hop_limit);

#endif /* NFLIB_PACKET_H */
