/* Ethernet / IPv4 / IPv6 / TCP / UDP parsing with bounds checks, field access
 * and checksum-preserving setters (RFC 1624). All multi-byte fields are read
 * and written byte-wise in network order. */
#include "nflib/packet.h"

#define ETH_HDR_LEN 14u
#define IPV4_MIN_HDR_LEN 20u
#define TCP_MIN_HDR_LEN 20u
#define UDP_HDR_LEN 8u
#define TCP_CSUM_OFFSET 16u
#define UDP_CSUM_OFFSET 6u
#define IPV4_CSUM_OFFSET 10u
#define IPV6_HDR_LEN 40u
#define IPV6_SRC_AT 22u /* frame offsets of the IPv6 source and destination */
#define IPV6_DST_AT 38u
#define IPV6_NH_AT 20u  /* frame offset of the fixed header's Next Header */
#define IPV6_HOPOPTS 0u /* RFC 8200 extension header types nf_packet_init walks */
#define IPV6_ROUTING 43u
#define IPV6_FRAGMENT 44u
#define IPV6_DSTOPTS 60u
#define IPV6_FRAG_HDR_LEN 8u

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
    ensures \result == nf_be16((uint8_t *)p) * 65536 + nf_be16((uint8_t *)p + 2);
    ensures \result / 65536 == nf_be16((uint8_t *)p);
    ensures \result % 65536 == nf_be16((uint8_t *)p + 2); */
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
    ensures nf_be16(p) * 65536 + nf_be16(p + 2) == v;
    ensures nf_be16(p) == v / 65536 && nf_be16(p + 2) == v % 65536; */
static inline void wr32(uint8_t *p, uint32_t v) {
  wr16(p, (uint16_t)(v / 65536u));
  wr16(p + 2, (uint16_t)(v % 65536u));
}

/* RFC 8200 extension headers nf_packet_init walks: hop-by-hop options,
 * routing, fragment and destination options. Every other Next Header value,
 * AH (51), ESP (50) and No Next Header (59) included, is the upper layer. */
/*@ assigns \nothing;
    ensures \result <==> nf_v6_ext(nh); */
static inline bool ipv6_is_ext(uint8_t nh) {
  return nh == IPV6_HOPOPTS || nh == IPV6_ROUTING || nh == IPV6_FRAGMENT || nh == IPV6_DSTOPTS;
}

/* Ends a parse without an upper-layer protocol (l4_proto 0). The parsers
 * write l4_proto only after their last read of the frame, and nf_packet_init
 * does not preset it: the frame bytes and l4_proto share WP's byte memory, so
 * a write before the IPv6 walk would separate the memory the walk's
 * specification (nf_v6_walked) is stated over from the one the walk read. */
/*@ requires \valid(pkt);
    assigns pkt->l4_proto;
    ensures pkt->l4_proto == 0 && \result == status; */
static inline enum nf_parse_status without_proto(struct nf_packet *pkt,
                                                 enum nf_parse_status status) {
  pkt->l4_proto = 0;
  return status;
}

/* Lemma function (proof only): one step of the IPv6 walk (packet.h), the only
 * place that unfolds its recursive definitions (the marker), so that the
 * parser's goals see these four cases instead. */
/*@ ghost
  /@ assigns \nothing;
     ensures nf_v6_walk_end: !nf_v6_ext(d[nhp]) ==>
       nf_v6_walk(d, end, nhp, off, n, frag) == nf_v6_upper(d[nhp], off, end, frag) &&
       nf_v6_walk_nh(d, end, nhp, off, n) == nhp && nf_v6_walk_off(d, end, nhp, off, n) == off;
     ensures nf_v6_walk_bad: nf_v6_ext(d[nhp]) && nf_v6_bad(d, d[nhp], off, end, n) ==>
       nf_v6_walk(d, end, nhp, off, n, frag) == 14;
     ensures nf_v6_walk_later:
       nf_v6_ext(d[nhp]) && !nf_v6_bad(d, d[nhp], off, end, n) &&
       nf_v6_later_frag(d, d[nhp], off) ==>
       nf_v6_walk(d, end, nhp, off, n, frag) == 11 && nf_v6_walk_nh(d, end, nhp, off, n) == off;
     ensures nf_v6_walk_next:
       nf_v6_ext(d[nhp]) && !nf_v6_bad(d, d[nhp], off, end, n) &&
       !nf_v6_later_frag(d, d[nhp], off) ==>
       nf_v6_walk(d, end, nhp, off, n, frag) ==
         nf_v6_walk(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1,
                    d[nhp] == 44 ? 1 : frag) &&
       nf_v6_walk_nh(d, end, nhp, off, n) ==
         nf_v6_walk_nh(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1) &&
       nf_v6_walk_off(d, end, nhp, off, n) ==
         nf_v6_walk_off(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1); @/
  void nf_v6_walk_step(uint8_t *d, uint32_t end, uint32_t nhp, uint32_t off, uint32_t n,
                       uint32_t frag) {
    /@ assert nf_v6_walk_opened; @/
  }
*/

/* The walk reads its Next Header bytes and, inside the payload, the headers
 * before the upper layer plus the first four bytes of a header it ends on
 * (none past an IPV6_L4_OK upper layer, whose ports the port setters write).
 * So a write that keeps those bytes keeps the walk's outcome
 * (nf_v6_framed_from, per walk state), by induction over the headers left:
 * at most NF_IPV6_MAX_EXT_HEADERS, and WP has no induction, so a step lemma
 * and a lemma that applies it per depth. Every lemma here is premised on the
 * gate nf_v6_walk_unfolded (packet.h), under which the walk's definitions
 * hold: the parser's goals, which see these lemmas, do not have the gate, so
 * neither the definitions nor the lemmas take part there. cvc4 does not split
 * a definition's cases by itself, hence one lemma per case. */
/*@ predicate nf_v6_same{L1, L2}(uint8_t *d, integer i) = \at(d[i], L1) == \at(d[i], L2);
    logic integer nf_v6_read_to{L}(uint8_t *d, integer end, integer nhp, integer off,
                                   integer n, integer frag) =
      nf_v6_walk_off(d, end, nhp, off, n) +
      (nf_v6_walk(d, end, nhp, off, n, frag) == 9 ? 0 : 4);
    predicate nf_v6_reads_same{L1, L2}(uint8_t *d, integer end, integer nhp, integer off,
                                       integer n, integer frag) =
      nf_v6_same{L1, L2}(d, nhp) &&
      \forall integer i; off <= i < end && i < nf_v6_read_to{L1}(d, end, nhp, off, n, frag) ==>
        nf_v6_same{L1, L2}(d, i);
    predicate nf_v6_walk_same{L1, L2}(uint8_t *d, integer end, integer nhp, integer off,
                                      integer n, integer frag) =
      nf_v6_walk{L1}(d, end, nhp, off, n, frag) == nf_v6_walk{L2}(d, end, nhp, off, n, frag) &&
      nf_v6_walk_nh{L1}(d, end, nhp, off, n) == nf_v6_walk_nh{L2}(d, end, nhp, off, n) &&
      nf_v6_walk_off{L1}(d, end, nhp, off, n) == nf_v6_walk_off{L2}(d, end, nhp, off, n) &&
      nf_v6_same{L1, L2}(d, nf_v6_walk_nh{L1}(d, end, nhp, off, n));
    predicate nf_v6_grows_from{L}(integer m) =
      \forall uint8_t *d, integer end, nhp, off, n;
        m <= n ==> off <= nf_v6_walk_off(d, end, nhp, off, n);
    predicate nf_v6_framed_from{L1, L2}(integer m) =
      \forall uint8_t *d, integer end, nhp, off, n, frag;
        m <= n && nf_v6_reads_same{L1, L2}(d, end, nhp, off, n, frag) ==>
        nf_v6_walk_same{L1, L2}(d, end, nhp, off, n, frag);
    predicate nf_v6_stops{L}(uint8_t *d, integer end, integer nhp, integer off, integer n) =
      !nf_v6_ext(d[nhp]) || nf_v6_bad(d, d[nhp], off, end, n) ||
      nf_v6_later_frag(d, d[nhp], off);

    // the header decisions read at most three bytes past the header's start
    lemma nf_v6_hlen_frag{L}: \forall uint8_t *d, integer nh, off;
      nh == 44 ==> nf_v6_hlen(d, nh, off) == 8;
    lemma nf_v6_hlen_ext{L}: \forall uint8_t *d, integer nh, off;
      nh != 44 ==> nf_v6_hlen(d, nh, off) == (\max(d[off + 1], 0) + 1) * 8;
    lemma nf_v6_hlen_min{L}: \forall uint8_t *d, integer nh, off;
      8 <= nf_v6_hlen(d, nh, off);
    lemma nf_v6_walk_last{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> NF_IPV6_MAX_EXT_HEADERS <= n ==> nf_v6_bad(d, d[nhp], off, end, n);
    lemma nf_v6_hlen_same{L1, L2}: \forall uint8_t *d, integer nh, off;
      nf_v6_walk_unfolded ==> nf_v6_same{L1, L2}(d, off + 1) ==>
      nf_v6_hlen{L1}(d, nh, off) == nf_v6_hlen{L2}(d, nh, off);
    lemma nf_v6_bad_same{L1, L2}: \forall uint8_t *d, integer nh, off, end, n;
      nf_v6_walk_unfolded ==> (off + 2 > end || nf_v6_same{L1, L2}(d, off + 1)) ==>
      (nf_v6_bad{L1}(d, nh, off, end, n) <==> nf_v6_bad{L2}(d, nh, off, end, n));
    lemma nf_v6_later_same{L1, L2}: \forall uint8_t *d, integer nh, off;
      nf_v6_walk_unfolded ==> nf_v6_same{L1, L2}(d, off + 2) ==> nf_v6_same{L1, L2}(d, off + 3) ==>
      (nf_v6_later_frag{L1}(d, nh, off) <==> nf_v6_later_frag{L2}(d, nh, off));

    // one unfolding, per case
    lemma nf_v6_walk_upper{L}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> !nf_v6_ext(d[nhp]) ==>
      nf_v6_walk(d, end, nhp, off, n, frag) == nf_v6_upper(d[nhp], off, end, frag);
    lemma nf_v6_walk_bad{L}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> nf_v6_ext(d[nhp]) ==> nf_v6_bad(d, d[nhp], off, end, n) ==>
      nf_v6_walk(d, end, nhp, off, n, frag) == 14;
    lemma nf_v6_walk_later{L}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> nf_v6_ext(d[nhp]) ==> !nf_v6_bad(d, d[nhp], off, end, n) ==>
      nf_v6_later_frag(d, d[nhp], off) ==> nf_v6_walk(d, end, nhp, off, n, frag) == 11;
    lemma nf_v6_walk_next{L}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> nf_v6_ext(d[nhp]) ==> !nf_v6_bad(d, d[nhp], off, end, n) ==>
      !nf_v6_later_frag(d, d[nhp], off) ==>
      nf_v6_walk(d, end, nhp, off, n, frag) ==
        nf_v6_walk(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1,
                   d[nhp] == 44 ? 1 : frag);
    lemma nf_v6_walk_nh_stop{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> (!nf_v6_ext(d[nhp]) || nf_v6_bad(d, d[nhp], off, end, n)) ==>
      nf_v6_walk_nh(d, end, nhp, off, n) == nhp;
    lemma nf_v6_walk_nh_later{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> nf_v6_ext(d[nhp]) ==> !nf_v6_bad(d, d[nhp], off, end, n) ==>
      nf_v6_later_frag(d, d[nhp], off) ==> nf_v6_walk_nh(d, end, nhp, off, n) == off;
    lemma nf_v6_walk_nh_next{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> nf_v6_ext(d[nhp]) ==> !nf_v6_bad(d, d[nhp], off, end, n) ==>
      !nf_v6_later_frag(d, d[nhp], off) ==>
      nf_v6_walk_nh(d, end, nhp, off, n) ==
        nf_v6_walk_nh(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1);
    lemma nf_v6_walk_off_upper{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> !nf_v6_ext(d[nhp]) ==> nf_v6_walk_off(d, end, nhp, off, n) == off;
    lemma nf_v6_walk_off_bad{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> nf_v6_bad(d, d[nhp], off, end, n) ==>
      nf_v6_walk_off(d, end, nhp, off, n) == off;
    lemma nf_v6_walk_off_later{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> nf_v6_later_frag(d, d[nhp], off) ==>
      nf_v6_walk_off(d, end, nhp, off, n) == off;
    lemma nf_v6_walk_off_next{L}: \forall uint8_t *d, integer end, nhp, off, n;
      nf_v6_walk_unfolded ==> !nf_v6_stops(d, end, nhp, off, n) ==>
      nf_v6_walk_off(d, end, nhp, off, n) ==
        nf_v6_walk_off(d, end, off, off + nf_v6_hlen(d, d[nhp], off), n + 1);

    lemma nf_v6_walk_to_next{L}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> !nf_v6_stops(d, end, nhp, off, n) ==>
      \let h = nf_v6_hlen(d, d[nhp], off); \let fr = (d[nhp] == 44 ? 1 : frag);
      nf_v6_walk(d, end, nhp, off, n, frag) == nf_v6_walk(d, end, off, off + h, n + 1, fr) &&
      nf_v6_walk_nh(d, end, nhp, off, n) == nf_v6_walk_nh(d, end, off, off + h, n + 1) &&
      nf_v6_walk_off(d, end, nhp, off, n) == nf_v6_walk_off(d, end, off, off + h, n + 1);
    // the walk's offset never goes back
    lemma nf_v6_grows_last{L}: nf_v6_walk_unfolded ==> nf_v6_grows_from(NF_IPV6_MAX_EXT_HEADERS);
    lemma nf_v6_grows_step{L}: \forall integer m;
      nf_v6_walk_unfolded ==> nf_v6_grows_from(m + 1) ==> nf_v6_grows_from(m);
    lemma nf_v6_grows{L}: nf_v6_walk_unfolded ==> nf_v6_grows_from(0);

    // the frame, per case of the state's header (at L1)
    lemma nf_v6_framed_upper{L1, L2}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> !\at(nf_v6_ext(d[nhp]), L1) ==> nf_v6_same{L1, L2}(d, nhp) ==>
      nf_v6_walk_same{L1, L2}(d, end, nhp, off, n, frag);
    lemma nf_v6_framed_bad{L1, L2}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> \at(nf_v6_ext(d[nhp]), L1) ==>
      nf_v6_bad{L1}(d, \at(d[nhp], L1), off, end, n) ==>
      nf_v6_reads_same{L1, L2}(d, end, nhp, off, n, frag) ==>
      nf_v6_walk_same{L1, L2}(d, end, nhp, off, n, frag);
    lemma nf_v6_framed_later{L1, L2}: \forall uint8_t *d, integer end, nhp, off, n, frag;
      nf_v6_walk_unfolded ==> \at(nf_v6_ext(d[nhp]), L1) ==>
      !nf_v6_bad{L1}(d, \at(d[nhp], L1), off, end, n) ==>
      nf_v6_later_frag{L1}(d, \at(d[nhp], L1), off) ==>
      nf_v6_reads_same{L1, L2}(d, end, nhp, off, n, frag) ==>
      nf_v6_walk_same{L1, L2}(d, end, nhp, off, n, frag);
    // the next header's state (sub) is the same at L1 and L2, and so are the
    // bytes its walk reads
    predicate nf_v6_next_same{L1, L2}(uint8_t *d, integer end, integer nhp, integer off,
                                      integer n, integer frag) =
      \let h = nf_v6_hlen{L1}(d, \at(d[nhp], L1), off);
      nf_v6_reads_same{L1, L2}(d, end, off, off + h, n + 1, \at(d[nhp], L1) == 44 ? 1 : frag) &&
      !nf_v6_stops{L2}(d, end, nhp, off, n) && nf_v6_hlen{L2}(d, \at(d[nhp], L2), off) == h;
    lemma nf_v6_next_reads{L1, L2}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_walk_unfolded ==> 0 <= m ==> nf_v6_grows_from{L1}(0) ==>
      !nf_v6_stops{L1}(d, end, nhp, off, m) ==>
      nf_v6_reads_same{L1, L2}(d, end, nhp, off, m, frag) ==>
      off + 4 <= nf_v6_read_to{L1}(d, end, nhp, off, m, frag) && off + 8 <= end &&
      nf_v6_read_to{L1}(d, end, nhp, off, m, frag) ==
        nf_v6_read_to{L1}(d, end, off, off + nf_v6_hlen{L1}(d, \at(d[nhp], L1), off), m + 1,
                          \at(d[nhp], L1) == 44 ? 1 : frag);
    lemma nf_v6_next_bytes{L1, L2}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_walk_unfolded ==> 0 <= m ==> nf_v6_grows_from{L1}(0) ==>
      !nf_v6_stops{L1}(d, end, nhp, off, m) ==>
      nf_v6_reads_same{L1, L2}(d, end, nhp, off, m, frag) ==>
      nf_v6_same{L1, L2}(d, off) && nf_v6_same{L1, L2}(d, off + 1) &&
      nf_v6_same{L1, L2}(d, off + 2) && nf_v6_same{L1, L2}(d, off + 3);
    lemma nf_v6_next_state{L1, L2}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_walk_unfolded ==> 0 <= m ==> nf_v6_grows_from{L1}(0) ==>
      !nf_v6_stops{L1}(d, end, nhp, off, m) ==>
      nf_v6_reads_same{L1, L2}(d, end, nhp, off, m, frag) ==>
      nf_v6_next_same{L1, L2}(d, end, nhp, off, m, frag);
    // the walk from the state is the walk from sub, at L1 and at L2
    predicate nf_v6_to_sub{L1, L}(uint8_t *d, integer end, integer nhp, integer off,
                                  integer n, integer frag) =
      \let h = nf_v6_hlen{L1}(d, \at(d[nhp], L1), off);
      \let fr = (\at(d[nhp], L1) == 44 ? 1 : frag);
      nf_v6_walk{L}(d, end, nhp, off, n, frag) == nf_v6_walk{L}(d, end, off, off + h, n + 1, fr) &&
      nf_v6_walk_nh{L}(d, end, nhp, off, n) == nf_v6_walk_nh{L}(d, end, off, off + h, n + 1) &&
      nf_v6_walk_off{L}(d, end, nhp, off, n) == nf_v6_walk_off{L}(d, end, off, off + h, n + 1);
    lemma nf_v6_to_sub_here{L1}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_walk_unfolded ==> !nf_v6_stops{L1}(d, end, nhp, off, m) ==>
      nf_v6_to_sub{L1, L1}(d, end, nhp, off, m, frag);
    lemma nf_v6_to_sub_there{L1, L2}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_same{L1, L2}(d, nhp) ==>
      nf_v6_hlen{L2}(d, \at(d[nhp], L2), off) == nf_v6_hlen{L1}(d, \at(d[nhp], L1), off) ==>
      nf_v6_to_sub{L2, L2}(d, end, nhp, off, m, frag) ==>
      nf_v6_to_sub{L1, L2}(d, end, nhp, off, m, frag);
    lemma nf_v6_to_sub_next{L1, L2}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_walk_unfolded ==> nf_v6_same{L1, L2}(d, nhp) ==>
      nf_v6_next_same{L1, L2}(d, end, nhp, off, m, frag) ==>
      nf_v6_to_sub{L1, L2}(d, end, nhp, off, m, frag);
    lemma nf_v6_framed_next{L1, L2}: \forall integer m, uint8_t *d, integer end, nhp, off, frag;
      nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(m + 1) ==>
      nf_v6_next_same{L1, L2}(d, end, nhp, off, m, frag) ==>
      nf_v6_to_sub{L1, L1}(d, end, nhp, off, m, frag) ==>
      nf_v6_to_sub{L1, L2}(d, end, nhp, off, m, frag) ==>
      nf_v6_walk_same{L1, L2}(d, end, nhp, off, m, frag);
    lemma nf_v6_framed_last{L1, L2}:
      nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(NF_IPV6_MAX_EXT_HEADERS);
    lemma nf_v6_framed_step{L1, L2}: \forall integer m;
      nf_v6_walk_unfolded ==> 0 <= m ==> nf_v6_grows_from{L1}(0) ==>
      nf_v6_framed_from{L1, L2}(m + 1) ==> nf_v6_framed_from{L1, L2}(m);
    lemma nf_v6_framed_7{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(7);
    lemma nf_v6_framed_6{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(6);
    lemma nf_v6_framed_5{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(5);
    lemma nf_v6_framed_4{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(4);
    lemma nf_v6_framed_3{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(3);
    lemma nf_v6_framed_2{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(2);
    lemma nf_v6_framed_1{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(1);
    lemma nf_v6_framed_0{L1, L2}: nf_v6_walk_unfolded ==> nf_v6_framed_from{L1, L2}(0);
*/

/* A packet keeps its IPv6 parse (nf_v6_parsed) when its descriptor stays and
 * so do the bytes the parse reads: the EtherType, the version, the payload
 * length, the fixed header's Next Header, and the payload up to the upper
 * layer (four bytes further where the walk did not end at an IPV6_L4_OK upper
 * layer; all of it when the packet has no L4 offset). The setters write none
 * of these: addresses (22..53), flow label (15..17), hop limit (21), MACs,
 * and at or past the L4 offset ports and the L4 checksum. Under the gate, as
 * the walk lemmas it applies (nf_v6_framed_0); the setters open the gate
 * (nf_v6_walk_opened) where they prove that they keep the parse. */
/*@ predicate nf_v6_desc_same{L1, L2}(struct nf_packet *p) =
      \at(p->data, L1) == \at(p->data, L2) && \at(p->len, L1) == \at(p->len, L2) &&
      \at(p->status, L1) == \at(p->status, L2) &&
      \at(p->l4_offset, L1) == \at(p->l4_offset, L2) &&
      \at(p->l4_proto, L1) == \at(p->l4_proto, L2);
    predicate nf_v6_parse_bytes_same{L1, L2}(struct nf_packet *p) =
      \let d = \at(p->data, L1); \let l4 = \at(p->l4_offset, L1);
      nf_v6_same{L1, L2}(d, 12) && nf_v6_same{L1, L2}(d, 13) &&
      (\at(nf_is_v6(p), L1) ==>
        nf_v6_same{L1, L2}(d, 14) && nf_v6_same{L1, L2}(d, 18) &&
        nf_v6_same{L1, L2}(d, 19) && nf_v6_same{L1, L2}(d, 20) &&
        \forall integer i;
          54 <= i < nf_v6_end{L1}(d) &&
          (l4 == 0 || i < l4 + (\at(p->status, L1) == 9 ? 0 : 4)) ==>
          nf_v6_same{L1, L2}(d, i));
    lemma nf_v6_parsed_type{L1, L2}: \forall struct nf_packet *p;
      nf_v6_desc_same{L1, L2}(p) ==> nf_v6_parse_bytes_same{L1, L2}(p) ==>
      (\at(nf_is_v6(p), L1) <==> \at(nf_is_v6(p), L2));
    lemma nf_v6_parsed_start{L1, L2}: \forall struct nf_packet *p;
      nf_v6_walk_unfolded ==> \at(nf_is_v6(p), L1) ==>
      nf_v6_desc_same{L1, L2}(p) ==> nf_v6_parse_bytes_same{L1, L2}(p) ==>
      \let d = \at(p->data, L1);
      nf_v6_end{L1}(d) == nf_v6_end{L2}(d) &&
      nf_parse6{L1}(d, \at(p->len, L1)) == nf_parse6{L2}(d, \at(p->len, L1));
    lemma nf_v6_parsed_reads{L1, L2}: \forall struct nf_packet *p;
      nf_v6_walk_unfolded ==> \let d = \at(p->data, L1); \at(nf_is_v6(p), L1) ==>
      nf_v6_walked{L1, L1}(p, d, \at(p->status, L1)) ==>
      nf_v6_desc_same{L1, L2}(p) ==> nf_v6_parse_bytes_same{L1, L2}(p) ==>
      nf_v6_reads_same{L1, L2}(d, nf_v6_end{L1}(d), 20, 54, 0, 0);
    lemma nf_v6_parsed_walk{L1, L2}: \forall struct nf_packet *p;
      nf_v6_walk_unfolded ==> \let d = \at(p->data, L1);
      nf_v6_walked{L1, L1}(p, d, \at(p->status, L1)) ==>
      nf_v6_desc_same{L1, L2}(p) ==> nf_v6_end{L1}(d) == nf_v6_end{L2}(d) ==>
      nf_v6_walk_same{L1, L2}(d, nf_v6_end{L1}(d), 20, 54, 0, 0) ==>
      nf_v6_walked{L2, L2}(p, d, \at(p->status, L2));
    lemma nf_v6_walked_moved{L0, L1}: \forall struct nf_packet *p, uint8_t *d, integer st;
      nf_v6_walk_unfolded ==> nf_v6_walked{L0, L1}(p, d, st) ==>
      nf_v6_end{L0}(d) == nf_v6_end{L1}(d) ==>
      nf_v6_walk_same{L0, L1}(d, nf_v6_end{L0}(d), 20, 54, 0, 0) ==>
      nf_v6_walked{L1, L1}(p, d, st);
    lemma nf_v6_parsed_kept{L1, L2}: \forall struct nf_packet *p;
      nf_v6_walk_unfolded ==> nf_v6_parse_unfolded ==> nf_v6_parsed{L1}(p) ==>
      nf_v6_desc_same{L1, L2}(p) ==> nf_v6_parse_bytes_same{L1, L2}(p) ==> nf_v6_parsed{L2}(p);
*/

/* The IPv6 branch of parse (EtherType 0x86DD): the fixed header, then a walk
 * of at most NF_IPV6_MAX_EXT_HEADERS extension headers inside the payload
 * (payload length; bytes past it are link padding), then the upper layer.
 * nhp is where the current Next Header byte is, off where its header starts. */
/*@ requires \valid(pkt) && \valid_read(pkt->data + (0 .. pkt->len - 1));
    requires \separated(pkt, pkt->data + (0 .. pkt->len - 1));
    requires nf_is_v6(pkt) && pkt->l4_offset == 0;
    assigns pkt->l3_offset, pkt->l4_offset, pkt->l4_proto;
    ensures nf_parse6(pkt->data, pkt->len) != 16 ==> \result == nf_parse6(pkt->data, pkt->len);
    ensures nf_parse6(pkt->data, pkt->len) == 16 ==>
      nf_v6_walked{Pre, Here}(pkt, pkt->data, \result);
    ensures nf_v6_shape(pkt, \result); */
static enum nf_parse_status parse_ipv6(struct nf_packet *pkt) {
  const uint8_t *d = pkt->data;
  uint32_t len = pkt->len;
  pkt->l3_offset = ETH_HDR_LEN;
  if (len < ETH_HDR_LEN + 1) return without_proto(pkt, NF_PKT_TRUNCATED_IPV6);
  if (d[ETH_HDR_LEN] / 16u != 6) return without_proto(pkt, NF_PKT_BAD_IPV6_VERSION);
  if (len < ETH_HDR_LEN + IPV6_HDR_LEN) return without_proto(pkt, NF_PKT_TRUNCATED_IPV6);
  uint32_t end = ETH_HDR_LEN + IPV6_HDR_LEN + rd16(d + 18);
  if (end > len) return without_proto(pkt, NF_PKT_TRUNCATED_IPV6);
  uint32_t nhp = IPV6_NH_AT;
  uint32_t off = ETH_HDR_LEN + IPV6_HDR_LEN;
  uint32_t n = 0;
  uint32_t frag = 0;  /* 1 after a first (or atomic) fragment header */
  uint32_t later = 0; /* 1 at a later fragment's header (off): the rest is data */
  /*@ loop invariant 0 <= n <= NF_IPV6_MAX_EXT_HEADERS && (frag == 0 || frag == 1);
      loop invariant 54 <= off <= end && off <= 54 + n * 2048;
      loop invariant (n == 0 && nhp == 20 && off == 54) || (54 <= nhp && nhp + 8 <= off);
      loop invariant pkt->l3_offset == 14 && pkt->l4_offset == 0;
      loop invariant end == nf_v6_end(pkt->data) && end <= pkt->len && pkt->len >= 54;
      loop invariant end <= 54 + 65535;
      loop invariant later == 0;
      loop invariant \let e = nf_v6_end(pkt->data);
        nf_v6_walk(pkt->data, e, 20, 54, 0, 0) == nf_v6_walk(pkt->data, e, nhp, off, n, frag) &&
        nf_v6_walk_nh(pkt->data, e, 20, 54, 0) == nf_v6_walk_nh(pkt->data, e, nhp, off, n) &&
        nf_v6_walk_off(pkt->data, e, 20, 54, 0) == nf_v6_walk_off(pkt->data, e, nhp, off, n);
      loop assigns nhp, off, n, frag, later;
      loop variant NF_IPV6_MAX_EXT_HEADERS - n; */
  while (ipv6_is_ext(d[nhp])) {
    uint8_t nh = d[nhp];
    /*@ ghost nf_v6_walk_step(pkt->data, end, nhp, off, n, frag); */
    /* RFC 8200 4.1: hop-by-hop options only right after the fixed header. */
    if (n == NF_IPV6_MAX_EXT_HEADERS || (nh == IPV6_HOPOPTS && n != 0)) {
      /*@ assert nf_v6_bad(pkt->data, nh, off, end, n); */
      /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_BAD_IPV6_EXT); */
      return without_proto(pkt, NF_PKT_BAD_IPV6_EXT);
    }
    uint32_t hlen;
    if (nh == IPV6_FRAGMENT) {
      if (off + IPV6_FRAG_HDR_LEN > end) {
        /*@ assert nf_v6_bad(pkt->data, nh, off, end, n); */
        /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_BAD_IPV6_EXT); */
        return without_proto(pkt, NF_PKT_BAD_IPV6_EXT);
      }
      if (rd16(d + off + 2) / 8u != 0) { /* not the first fragment: the rest is data */
        /*@ assert !nf_v6_bad(pkt->data, nh, off, end, n) &&
              nf_v6_later_frag(pkt->data, nh, off); */
        later = 1;
        break;
      }
      frag = 1; /* first or atomic fragment: its header chain follows */
      hlen = IPV6_FRAG_HDR_LEN;
    } else {
      if (off + 2 > end) {
        /*@ assert nf_v6_bad(pkt->data, nh, off, end, n); */
        /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_BAD_IPV6_EXT); */
        return without_proto(pkt, NF_PKT_BAD_IPV6_EXT);
      }
      hlen = (d[off + 1] + 1u) * 8u; /* Hdr Ext Len: 8-octet units after the first 8 */
      /*@ assert hlen <= 2048; */
      if (off + hlen > end) {
        /*@ assert nf_v6_bad(pkt->data, nh, off, end, n); */
        /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_BAD_IPV6_EXT); */
        return without_proto(pkt, NF_PKT_BAD_IPV6_EXT);
      }
    }
    /*@ assert hlen == nf_v6_hlen(pkt->data, nh, off); */
    /*@ assert step: !nf_v6_bad(pkt->data, nh, off, end, n) &&
          !nf_v6_later_frag(pkt->data, nh, off) &&
          frag == (nh == 44 ? 1 : \at(frag, LoopCurrent)); */
    /*@ assert walk_step: nf_v6_walk(pkt->data, end, nhp, off, n, \at(frag, LoopCurrent)) ==
          nf_v6_walk(pkt->data, end, off, off + hlen, n + 1, frag); */
    nhp = off;
    off += hlen;
    n++;
  }
  if (later != 0) {
    pkt->l4_proto = d[off];
    /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_IPV6_FRAGMENT); */
    return NF_PKT_IPV6_FRAGMENT;
  }
  uint8_t proto = d[nhp];
  /*@ ghost nf_v6_walk_step(pkt->data, end, nhp, off, n, frag); */
  pkt->l4_proto = proto;
  if (frag != 0) {
    /* As for IPv4: a first fragment carries the L4 checksum, which covers the
     * addresses; remember where it is so address setters keep it right. */
    if ((proto == NF_IPPROTO_TCP && off + TCP_CSUM_OFFSET + 2 <= end) ||
        (proto == NF_IPPROTO_UDP && off + UDP_CSUM_OFFSET + 2 <= end))
      pkt->l4_offset = (uint16_t)off;
    /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_IPV6_FRAGMENT); */
    return NF_PKT_IPV6_FRAGMENT;
  }
  if (proto == NF_IPPROTO_TCP) {
    if (off + TCP_MIN_HDR_LEN > end) {
      /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_TRUNCATED_L4_IPV6); */
      return NF_PKT_TRUNCATED_L4_IPV6;
    }
  } else if (proto == NF_IPPROTO_UDP) {
    if (off + UDP_HDR_LEN > end) {
      /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_TRUNCATED_L4_IPV6); */
      return NF_PKT_TRUNCATED_L4_IPV6;
    }
  } else {
    /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_IPV6_OTHER); */
    return NF_PKT_IPV6_OTHER;
  }
  pkt->l4_offset = (uint16_t)off;
  /*@ assert nf_v6_walked{Pre, Here}(pkt, pkt->data, NF_PKT_IPV6_L4_OK); */
  return NF_PKT_IPV6_L4_OK;
}

/* Version/IHL and the fragment field are decoded with / and % (again the same
 * code as shifts and masks) to match nf_parse in packet.h. */
/*@ requires \valid(pkt) && \valid_read(pkt->data + (0 .. pkt->len - 1));
    requires \separated(pkt, pkt->data + (0 .. pkt->len - 1));
    requires pkt->l4_offset == 0;
    assigns pkt->l3_offset, pkt->l4_offset, pkt->l4_proto;
    ensures nf_parse(pkt->data, pkt->len) != 16 ==> \result == nf_parse(pkt->data, pkt->len);
    ensures \result <= 2 ==> pkt->l3_offset == 14 && nf_l4_csum_ok(pkt);
    ensures \result == 0 ==>
      pkt->l4_offset == 14 + nf_ihl_bytes(pkt->data) && pkt->l4_proto == pkt->data[23];
    ensures nf_is_v6(pkt) ==> nf_v6_shape(pkt, \result);
    ensures nf_parse(pkt->data, pkt->len) == 16 ==>
      nf_v6_walked{Pre, Here}(pkt, pkt->data, \result); */
static enum nf_parse_status parse(struct nf_packet *pkt) {
  const uint8_t *d = pkt->data;
  uint32_t len = pkt->len;
  if (len < ETH_HDR_LEN) return without_proto(pkt, NF_PKT_TRUNCATED_ETH);
  /* Read once: the l4_proto store below may alias the frame (uint8_t). */
  uint16_t ethertype = rd16(d + 12);
  if (ethertype == NF_ETHERTYPE_IPV6) return parse_ipv6(pkt);
  pkt->l4_proto = 0; /* the protocol, once the IPv4 header has it */
  if (ethertype != NF_ETHERTYPE_IPV4) return NF_PKT_NOT_IPV4;
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
  enum nf_parse_status status = parse(pkt); /* writes l4_proto (without_proto) */
  pkt->status = (uint8_t)status;
  /*@ assert nf_pkt_ok(pkt); */
  /*@ assert nf_is_v6(pkt) && nf_parse6(data, len) == 16 ==>
        nf_v6_reads_same{Pre, Here}(data, nf_v6_end{Pre}(data), 20, 54, 0, 0); */
  /*@ assert nf_v6_walk_opened; */ /* the parse at Here: nf_v6_framed_0 */
  /*@ assert nf_is_v6(pkt) && nf_parse6(data, len) == 16 ==>
        nf_v6_end(data) == nf_v6_end{Pre}(data) &&
        nf_v6_walk_same{Pre, Here}(data, nf_v6_end{Pre}(data), 20, 54, 0, 0); */
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
    case NF_PKT_IPV6_L4_OK:
      return "IPV6_L4_OK";
    case NF_PKT_IPV6_OTHER:
      return "IPV6_OTHER";
    case NF_PKT_IPV6_FRAGMENT:
      return "IPV6_FRAGMENT";
    case NF_PKT_TRUNCATED_IPV6:
      return "TRUNCATED_IPV6";
    case NF_PKT_BAD_IPV6_VERSION:
      return "BAD_IPV6_VERSION";
    case NF_PKT_BAD_IPV6_EXT:
      return "BAD_IPV6_EXT";
    case NF_PKT_TRUNCATED_L4_IPV6:
      return "TRUNCATED_L4_IPV6";
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
    ensures \result <==> NF_PKT_IPV6_L4_OK <= pkt->status <= NF_PKT_IPV6_FRAGMENT; */
static inline bool has_ipv6(const struct nf_packet *pkt) {
  return pkt->status >= NF_PKT_IPV6_L4_OK && pkt->status <= NF_PKT_IPV6_FRAGMENT;
}
/*@ requires \valid_read(pkt);
    assigns \nothing;
    ensures \result <==> pkt->status == NF_PKT_L4_OK || pkt->status == NF_PKT_IPV6_L4_OK; */
static inline bool has_l4(const struct nf_packet *pkt) {
  return pkt->status == NF_PKT_L4_OK || pkt->status == NF_PKT_IPV6_L4_OK;
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
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

void nf_pkt_set_eth_dst(struct nf_packet *pkt, struct nf_mac mac) {
  if (has_eth(pkt)) write_mac(pkt->data, mac);
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), in ones' complement arithmetic,
 * for a 16-bit word that changed from old_word to new_word. In integers: ~x
 * of a 16-bit x is 0xffff - x, and folding the carries back in (x % 65536 +
 * x / 65536) keeps x modulo 65535, so checksum + covered words stays the same
 * modulo 65535 (nf_csum_same, packet.h): the receiver's verdict is kept. */
/*@ assigns \nothing;
    ensures nf_csum_same(\result + new_word, csum + old_word); */
static uint16_t csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word) {
  uint32_t sum = 0xffffu - csum;
  sum += 0xffffu - old_word;
  sum += new_word;
  /*@ assert sum == 0xffff - csum + 0xffff - old_word + new_word; */
  sum = sum % 65536u + sum / 65536u;
  sum = sum % 65536u + sum / 65536u;
  /*@ assert sum <= 0xffff; */
  /*@ assert nf_csum_same(sum, 0xffff - csum + 0xffff - old_word + new_word); */
  return (uint16_t)(0xffffu - sum);
}

/*@ assigns \nothing;
    ensures nf_csum_same(\result + new_value / 65536 + new_value % 65536,
                         csum + old_value / 65536 + old_value % 65536); */
static uint16_t csum_update32(uint16_t csum, uint32_t old_value, uint32_t new_value) {
  csum = csum_update16(csum, (uint16_t)(old_value / 65536u), (uint16_t)(new_value / 65536u));
  return csum_update16(csum, (uint16_t)(old_value % 65536u), (uint16_t)(new_value % 65536u));
}

/* The same for the words of a field in memory: 32, 64 and 128 bits (an IPv6
 * address in the pseudo-header), each half by the smaller one. Split in
 * halves, one function each, so that every proof combines two congruences
 * only (the provers time out on eight in one function). */
/*@ requires \valid_read(old_field + (0 .. 3)) && \valid_read(new_field + (0 .. 3));
    assigns \nothing;
    ensures nf_csum_same(\result + nf_words32((uint8_t *)new_field),
                         csum + nf_words32((uint8_t *)old_field)); */
static uint16_t csum_update_at32(uint16_t csum, const uint8_t *old_field,
                                 const uint8_t *new_field) {
  uint16_t half = csum_update16(csum, rd16(old_field), rd16(new_field));
  return csum_update16(half, rd16(old_field + 2), rd16(new_field + 2));
}

/*@ requires \valid_read(old_field + (0 .. 7)) && \valid_read(new_field + (0 .. 7));
    assigns \nothing;
    ensures nf_csum_same(\result + nf_words32((uint8_t *)new_field) +
                           nf_words32((uint8_t *)new_field + 4),
                         csum + nf_words32((uint8_t *)old_field) +
                           nf_words32((uint8_t *)old_field + 4)); */
static uint16_t csum_update_at64(uint16_t csum, const uint8_t *old_field,
                                 const uint8_t *new_field) {
  uint16_t half = csum_update_at32(csum, old_field, new_field);
  return csum_update_at32(half, old_field + 4, new_field + 4);
}

/*@ requires \valid_read(old_field + (0 .. 15)) && \valid_read(new_field + (0 .. 15));
    assigns \nothing;
    ensures nf_csum_same(\result + nf_words128((uint8_t *)new_field),
                         csum + nf_words128((uint8_t *)old_field)); */
static uint16_t csum_update_at128(uint16_t csum, const uint8_t *old_field,
                                  const uint8_t *new_field) {
  uint16_t half = csum_update_at64(csum, old_field, new_field);
  return csum_update_at64(half, old_field + 8, new_field + 8);
}

/* Updates the L4 checksum (when the frame carries one) for a 32-bit change of
 * a covered field (ports, or an address through the pseudo-header). */
/*@ requires nf_has_l3(pkt);
    assigns pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures pkt->l4_offset == 0 ==> pkt->data[24] == \old(pkt->data[24]) &&
                                    pkt->data[25] == \old(pkt->data[25]);
    ensures nf_l4_csum_updated{Old, Here}(pkt, old_value / 65536 + old_value % 65536,
                                         new_value / 65536 + new_value % 65536); */
static void l4_csum_update32(struct nf_packet *pkt, uint32_t old_value, uint32_t new_value) {
  if (pkt->l4_offset == 0) return;
  uint8_t *l4 = pkt->data + pkt->l4_offset;
  if (pkt->l4_proto == NF_IPPROTO_TCP) {
    uint16_t csum = rd16(l4 + TCP_CSUM_OFFSET);
    wr16(l4 + TCP_CSUM_OFFSET, csum_update32(csum, old_value, new_value));
  } else if (pkt->l4_proto == NF_IPPROTO_UDP) {
    uint16_t csum = rd16(l4 + UDP_CSUM_OFFSET);
    /* A zero UDP checksum stays zero: over IPv4 it means none (RFC 768); over
     * IPv6 it is invalid (RFC 8200 8.1) except in the tunnels of RFC 6935.
     * Either way a setter neither repairs nor breaks the receiver's verdict. */
    if (csum == 0) return;
    csum = csum_update32(csum, old_value, new_value);
    wr16(l4 + UDP_CSUM_OFFSET, csum == 0 ? 0xffff : csum); /* RFC 768: 0 means none */
  }
}

/*@ requires nf_has_ipv4(pkt) && (field_offset == 12 || field_offset == 16);
    assigns pkt->data[24 .. 25], pkt->data[14 + field_offset .. 17 + field_offset],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures nf_has_ipv4(pkt) && pkt->status == \old(pkt->status);
    ensures nf_be16(pkt->data + 14 + field_offset) * 65536 +
            nf_be16(pkt->data + 16 + field_offset) == addr;
    ensures nf_csum_same(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 14 + field_offset),
                         \old(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 14 + field_offset)));
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words32(pkt->data + 14 + field_offset)),
                                         nf_words32(pkt->data + 14 + field_offset)); */
static void set_ipv4_addr(struct nf_packet *pkt, uint32_t field_offset, uint32_t addr) {
  uint8_t *ip = pkt->data + pkt->l3_offset;
  uint32_t old = rd32(ip + field_offset);
  /*@ assert old / 65536 + old % 65536 == nf_words32(pkt->data + 14 + field_offset); */
  /*@ assert l4_apart: pkt->l4_offset != 0 ==> nf_l4_csum_at(pkt) >= 34; */
  wr32(ip + field_offset, addr);
  /*@ assert addr / 65536 + addr % 65536 == nf_words32(pkt->data + 14 + field_offset); */
  /*@ assert nf_has_ipv4(pkt) && pkt->status == \at(pkt->status, Pre); */
  wr16(ip + IPV4_CSUM_OFFSET, csum_update32(rd16(ip + IPV4_CSUM_OFFSET), old, addr));
  /*@ assert nf_has_ipv4(pkt) && pkt->status == \at(pkt->status, Pre); */
  /*@ assert ip_csum:
        nf_csum_same(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 14 + field_offset),
          \at(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 14 + field_offset), Pre)); */
  /*@ assert l4_csum_kept: pkt->l4_offset != 0 ==>
        nf_be16(pkt->data + nf_l4_csum_at(pkt)) ==
          \at(nf_be16(pkt->data + nf_l4_csum_at(pkt)), Pre); */
  l4_csum_update32(pkt, old, addr);
}

void nf_pkt_set_ipv4_src(struct nf_packet *pkt, uint32_t addr) {
  if (has_ipv4(pkt)) set_ipv4_addr(pkt, 12, addr);
  /* The whole header's sum: the fixed header's words differ by what
   * set_ipv4_addr's checksum clause keeps modulo 65535, and every option word
   * is unchanged, which the ghost loop carries word by word (WP has no
   * induction). Here rather than in set_ipv4_addr, whose other goals slowed
   * past their limits beside these. Not in packet.h's contract: with it,
   * nat's process_lan call precondition of this setter went from 4 s to a
   * timeout (cvc4 20 s, then z3 40 s), the same goal in a larger theory. */
  /*@ assert hdr_len: pkt->data[14] == \at(pkt->data[14], Pre); */
  /*@ assert fixed_kept: nf_words32(pkt->data + 14) == \at(nf_words32(pkt->data + 14), Pre) &&
        nf_words32(pkt->data + 18) == \at(nf_words32(pkt->data + 18), Pre) &&
        nf_be16(pkt->data + 22) == \at(nf_be16(pkt->data + 22), Pre) &&
        nf_words32(pkt->data + 30) == \at(nf_words32(pkt->data + 30), Pre); */
  /*@ assert hdr_diff: nf_ip4_fixed_words(pkt->data) - \at(nf_ip4_fixed_words(pkt->data), Pre) ==
        nf_be16(pkt->data + 24) + nf_words32(pkt->data + 26) -
        \at(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 26), Pre); */
  /*@ assert hdr_fixed: nf_csum_same(nf_ip4_fixed_words(pkt->data),
                                     \at(nf_ip4_fixed_words(pkt->data), Pre)); */
  /*@ assert opts_kept: \forall integer i; 34 <= i < 14 + nf_ihl_bytes(pkt->data) ==>
                          pkt->data[i] == \at(pkt->data[i], Pre); */
  /*@ ghost
    /@ loop invariant 0 <= k <= (pkt->data[14] % 16) * 2 - 10;
       loop invariant nf_ip4_opt_words(pkt->data, k) == nf_ip4_opt_words{Pre}(pkt->data, k);
       loop assigns k;
       loop variant (pkt->data[14] % 16) * 2 - 10 - k; @/
    for (int k = 0; k < (pkt->data[14] % 16) * 2 - 10; k++) {
      /@ assert nf_be16(pkt->data + 34 + 2 * k) == nf_be16{Pre}(pkt->data + 34 + 2 * k); @/
    }
  */
  /*@ assert opts_all: nf_ip4_opt_words(pkt->data, (pkt->data[14] % 16) * 2 - 10) ==
                        \at(nf_ip4_opt_words(pkt->data, (pkt->data[14] % 16) * 2 - 10), Pre); */
  /*@ assert hdr_split: nf_ip4_hdr_sum(pkt->data) - \at(nf_ip4_hdr_sum(pkt->data), Pre) ==
        nf_ip4_fixed_words(pkt->data) - \at(nf_ip4_fixed_words(pkt->data), Pre); */
  /*@ assert hdr_sum:
        nf_csum_same(nf_ip4_hdr_sum(pkt->data), \at(nf_ip4_hdr_sum(pkt->data), Pre)); */
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

void nf_pkt_set_ipv4_dst(struct nf_packet *pkt, uint32_t addr) {
  if (has_ipv4(pkt)) set_ipv4_addr(pkt, 16, addr);
  /* The whole header's sum: the fixed header's words differ by what
   * set_ipv4_addr's checksum clause keeps modulo 65535, and every option word
   * is unchanged, which the ghost loop carries word by word (WP has no
   * induction). Here rather than in set_ipv4_addr, whose other goals slowed
   * past their limits beside these. Not in packet.h's contract: with it,
   * nat's process_lan call precondition of this setter went from 4 s to a
   * timeout (cvc4 20 s, then z3 40 s), the same goal in a larger theory. */
  /*@ assert hdr_len: pkt->data[14] == \at(pkt->data[14], Pre); */
  /*@ assert fixed_kept: nf_words32(pkt->data + 14) == \at(nf_words32(pkt->data + 14), Pre) &&
        nf_words32(pkt->data + 18) == \at(nf_words32(pkt->data + 18), Pre) &&
        nf_be16(pkt->data + 22) == \at(nf_be16(pkt->data + 22), Pre) &&
        nf_words32(pkt->data + 26) == \at(nf_words32(pkt->data + 26), Pre); */
  /*@ assert hdr_diff: nf_ip4_fixed_words(pkt->data) - \at(nf_ip4_fixed_words(pkt->data), Pre) ==
        nf_be16(pkt->data + 24) + nf_words32(pkt->data + 30) -
        \at(nf_be16(pkt->data + 24) + nf_words32(pkt->data + 30), Pre); */
  /*@ assert hdr_fixed: nf_csum_same(nf_ip4_fixed_words(pkt->data),
                                     \at(nf_ip4_fixed_words(pkt->data), Pre)); */
  /*@ assert opts_kept: \forall integer i; 34 <= i < 14 + nf_ihl_bytes(pkt->data) ==>
                          pkt->data[i] == \at(pkt->data[i], Pre); */
  /*@ ghost
    /@ loop invariant 0 <= k <= (pkt->data[14] % 16) * 2 - 10;
       loop invariant nf_ip4_opt_words(pkt->data, k) == nf_ip4_opt_words{Pre}(pkt->data, k);
       loop assigns k;
       loop variant (pkt->data[14] % 16) * 2 - 10 - k; @/
    for (int k = 0; k < (pkt->data[14] % 16) * 2 - 10; k++) {
      /@ assert nf_be16(pkt->data + 34 + 2 * k) == nf_be16{Pre}(pkt->data + 34 + 2 * k); @/
    }
  */
  /*@ assert opts_all: nf_ip4_opt_words(pkt->data, (pkt->data[14] % 16) * 2 - 10) ==
                        \at(nf_ip4_opt_words(pkt->data, (pkt->data[14] % 16) * 2 - 10), Pre); */
  /*@ assert hdr_split: nf_ip4_hdr_sum(pkt->data) - \at(nf_ip4_hdr_sum(pkt->data), Pre) ==
        nf_ip4_fixed_words(pkt->data) - \at(nf_ip4_fixed_words(pkt->data), Pre); */
  /*@ assert hdr_sum:
        nf_csum_same(nf_ip4_hdr_sum(pkt->data), \at(nf_ip4_hdr_sum(pkt->data), Pre)); */
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

/*@ requires nf_has_l4(pkt) && (field_offset == 0 || field_offset == 2);
    assigns pkt->data[pkt->l4_offset + field_offset .. pkt->l4_offset + field_offset + 1],
            pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures nf_has_l4(pkt);
    ensures nf_be16(pkt->data + pkt->l4_offset + field_offset) == port;
    ensures nf_l4_csum_updated{Old, Here}(
      pkt, \old(nf_be16(pkt->data + pkt->l4_offset + field_offset)), port); */
static void set_port(struct nf_packet *pkt, uint32_t field_offset, uint16_t port) {
  uint8_t *p = pkt->data + pkt->l4_offset + field_offset;
  uint16_t old = rd16(p);
  wr16(p, port);
  /*@ assert nf_has_l4(pkt); */
  l4_csum_update32(pkt, old, port);
}

void nf_pkt_set_l4_src_port(struct nf_packet *pkt, uint16_t port) {
  if (has_l4(pkt)) set_port(pkt, 0, port);
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

void nf_pkt_set_l4_dst_port(struct nf_packet *pkt, uint16_t port) {
  if (has_l4(pkt)) set_port(pkt, 2, port);
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

/*@ requires \valid_read(p + (0 .. 15));
    assigns \nothing;
    ensures \forall integer k; 0 <= k < 16 ==> \result.bytes[k] == p[k]; */
static struct nf_ipv6_addr read_ipv6_addr(const uint8_t *p) {
  struct nf_ipv6_addr a;
  /*@ loop invariant 0 <= i <= 16;
      loop invariant \forall integer k; 0 <= k < i ==> a.bytes[k] == p[k];
      loop assigns i, a.bytes[0 .. 15];
      loop variant 16 - i; */
  for (int i = 0; i < 16; i++) a.bytes[i] = p[i];
  return a;
}

struct nf_ipv6_addr nf_pkt_ipv6_src(const struct nf_packet *pkt) {
  struct nf_ipv6_addr zero = {{0}};
  return has_ipv6(pkt) ? read_ipv6_addr(pkt->data + IPV6_SRC_AT) : zero;
}

struct nf_ipv6_addr nf_pkt_ipv6_dst(const struct nf_packet *pkt) {
  struct nf_ipv6_addr zero = {{0}};
  return has_ipv6(pkt) ? read_ipv6_addr(pkt->data + IPV6_DST_AT) : zero;
}

uint8_t nf_pkt_ipv6_proto(const struct nf_packet *pkt) {
  return has_ipv6(pkt) ? pkt->l4_proto : 0;
}

/* Flow label: the low 4 bits of byte 1 of the IPv6 header and bytes 2..3. */
uint32_t nf_pkt_ipv6_flow_label(const struct nf_packet *pkt) {
  if (!has_ipv6(pkt)) return 0;
  const uint8_t *ip = pkt->data + ETH_HDR_LEN;
  return (ip[1] % 16u) * 65536u + ip[2] * 256u + ip[3];
}

uint8_t nf_pkt_ipv6_hop_limit(const struct nf_packet *pkt) {
  return has_ipv6(pkt) ? pkt->data[ETH_HDR_LEN + 7] : 0;
}

/*@ requires \valid(p + (0 .. 15));
    assigns p[0 .. 15];
    ensures \forall integer k; 0 <= k < 16 ==> p[k] == addr.bytes[k]; */
static void write_ipv6_addr(uint8_t *p, struct nf_ipv6_addr addr) {
  /*@ loop invariant 0 <= i <= 16;
      loop invariant \forall integer k; 0 <= k < i ==> p[k] == addr.bytes[k];
      loop assigns i, p[0 .. 15];
      loop variant 16 - i; */
  for (int i = 0; i < 16; i++) p[i] = addr.bytes[i];
}

/* IPv6 has no header checksum; the addresses are in the TCP/UDP checksum
 * through the pseudo-header (RFC 8200 8.1). One update per 32-bit word of the
 * address (RFC 1624 eqn. 3), one write; a zero UDP checksum stays zero and a
 * result of 0 is written as 0xffff, as in l4_csum_update32. */
/*@ logic integer ip6_words(struct nf_ipv6_addr a) =
      (a.bytes[0] * 256 + a.bytes[1]) + (a.bytes[2] * 256 + a.bytes[3]) +
      (a.bytes[4] * 256 + a.bytes[5]) + (a.bytes[6] * 256 + a.bytes[7]) +
      (a.bytes[8] * 256 + a.bytes[9]) + (a.bytes[10] * 256 + a.bytes[11]) +
      (a.bytes[12] * 256 + a.bytes[13]) + (a.bytes[14] * 256 + a.bytes[15]);
*/
/*@ requires nf_has_ipv6(pkt) && pkt->l4_offset != 0 && (at == 22 || at == 38);
    assigns pkt->data[nf_l4_csum_at(pkt) .. nf_l4_csum_at(pkt) + 1];
    ensures nf_has_ipv6(pkt) && pkt->status == \old(pkt->status);
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words128(pkt->data + at)),
                                         ip6_words(addr)); */
static void ipv6_addr_csum_update(struct nf_packet *pkt, uint32_t at, struct nf_ipv6_addr addr) {
  uint8_t *csum_p = pkt->data + pkt->l4_offset +
                    (pkt->l4_proto == NF_IPPROTO_TCP ? TCP_CSUM_OFFSET : UDP_CSUM_OFFSET);
  uint16_t csum = rd16(csum_p);
  if (pkt->l4_proto == NF_IPPROTO_UDP && csum == 0) return;
  const uint8_t *b = addr.bytes;
  /*@ assert new_words: nf_words128((uint8_t *)b) == ip6_words(addr); */
  csum = csum_update_at128(csum, pkt->data + at, b);
  wr16(csum_p, pkt->l4_proto == NF_IPPROTO_UDP && csum == 0 ? 0xffff : csum);
}

/*@ requires nf_has_ipv6(pkt) && (at == 22 || at == 38);
    assigns pkt->data[at .. at + 15],
            pkt->data[nf_l4_csum_at_or(pkt, at) .. nf_l4_csum_at_or(pkt, at) + 1];
    ensures nf_has_ipv6(pkt) && pkt->status == \old(pkt->status);
    ensures \forall integer i; 0 <= i < 16 ==> pkt->data[at + i] == addr.bytes[i];
    ensures nf_l4_csum_updated{Old, Here}(pkt, \old(nf_words128(pkt->data + at)),
                                         nf_words128(pkt->data + at)); */
static void set_ipv6_addr(struct nf_packet *pkt, uint32_t at, struct nf_ipv6_addr addr) {
  if (pkt->l4_offset != 0) ipv6_addr_csum_update(pkt, at, addr);
  /*@ assert nf_has_ipv6(pkt) && pkt->status == \at(pkt->status, Pre); */
  /*@ assert csum_apart: pkt->l4_offset != 0 ==> nf_l4_csum_at(pkt) >= at + 16; */
  /*@ ghost Csum: ; */
  write_ipv6_addr(pkt->data + at, addr);
  /*@ assert nf_has_ipv6(pkt) && pkt->status == \at(pkt->status, Pre); */
  /*@ assert nf_words128(pkt->data + at) == ip6_words(addr); */
  /*@ assert pkt->l4_offset != 0 ==>
        nf_be16(pkt->data + nf_l4_csum_at(pkt)) ==
          \at(nf_be16(pkt->data + nf_l4_csum_at(pkt)), Csum); */
}

void nf_pkt_set_ipv6_src(struct nf_packet *pkt, struct nf_ipv6_addr addr) {
  if (has_ipv6(pkt)) set_ipv6_addr(pkt, IPV6_SRC_AT, addr);
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

void nf_pkt_set_ipv6_dst(struct nf_packet *pkt, struct nf_ipv6_addr addr) {
  if (has_ipv6(pkt)) set_ipv6_addr(pkt, IPV6_DST_AT, addr);
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

/* No checksum covers the flow label or the hop limit. */
void nf_pkt_set_ipv6_flow_label(struct nf_packet *pkt, uint32_t label) {
  if (!has_ipv6(pkt)) return;
  uint8_t *ip = pkt->data + ETH_HDR_LEN;
  uint32_t l = label % 1048576u; /* 20 bits */
  ip[1] = (uint8_t)(ip[1] / 16u * 16u + l / 65536u);
  ip[2] = (uint8_t)(l / 256u % 256u);
  ip[3] = (uint8_t)(l % 256u);
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}

void nf_pkt_set_ipv6_hop_limit(struct nf_packet *pkt, uint8_t hop_limit) {
  if (has_ipv6(pkt)) pkt->data[ETH_HDR_LEN + 7] = hop_limit;
  /*@ assert nf_v6_desc_same{Pre, Here}(pkt) && nf_v6_parse_bytes_same{Pre, Here}(pkt); */
  /*@ assert nf_v6_walk_opened; */ /* parse_kept (packet.h): nf_v6_parsed_kept */
}
