/* The frame builders produce frames that nflib parses as intended, and the
 * checksum verifier accepts correct frames and rejects corrupted ones. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/packets.h"

static void test_udp_and_tcp_frames_parse_with_their_fields(void) {
  struct test_frame f;
  CHECK_EQ(test_frame_udp(&f, TEST_IP(10, 0, 0, 1), TEST_IP(8, 8, 4, 4), 1234, 53), NF_PKT_L4_OK);
  CHECK_EQ(nf_pkt_ipv4_src(&f.pkt), TEST_IP(10, 0, 0, 1));
  CHECK_EQ(nf_pkt_ipv4_dst(&f.pkt), TEST_IP(8, 8, 4, 4));
  CHECK_EQ(nf_pkt_ipv4_proto(&f.pkt), NF_IPPROTO_UDP);
  CHECK_EQ(nf_pkt_l4_src_port(&f.pkt), 1234);
  CHECK_EQ(nf_pkt_l4_dst_port(&f.pkt), 53);
  CHECK_EQ(f.len, 14 + 20 + 8 + 18);
  CHECK(test_frame_checksums_ok(&f));
  CHECK_EQ(test_frame_tcp(&f, TEST_IP(1, 2, 3, 4), TEST_IP(5, 6, 7, 8), 40000, 80), NF_PKT_L4_OK);
  CHECK_EQ(nf_pkt_ipv4_proto(&f.pkt), NF_IPPROTO_TCP);
  CHECK_EQ(nf_pkt_tcp_flags(&f.pkt), 0x02);
  CHECK_EQ(test_frame_l4_dst_port(&f), 80);
  CHECK(test_frame_checksums_ok(&f));
}

static void test_special_frames_have_the_intended_status(void) {
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2);
  spec.more_fragments = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
  spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2);
  spec.proto = TEST_IPPROTO_ICMP;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
  spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2);
  spec.ether_type = 0x88b5; /* IEEE local experimental: neither IPv4 nor IPv6 */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  spec.ether_type = NF_ETHERTYPE_IPV6; /* IPv4 bytes behind the IPv6 EtherType */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_BAD_IPV6_VERSION);
  spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2);
  spec.truncate_to = 10;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_ETH);
  spec.truncate_to = 14 + 12;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  spec.truncate_to = 14 + 30;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_BAD_TOTAL_LEN);
  spec.truncate_to = 0;
  spec.ip_total_len = 20 + 5;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(f.len, 14 + 25);
}

static void test_checksum_verifier_matches_a_known_header(void) {
  /* A 20-byte IPv4 header (ICMP, 192.168.0.1 -> 192.168.0.199) with no payload. */
  const uint8_t header[] = {0x45, 0x00, 0x00, 0x14, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01,
                            0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  uint8_t frame[14 + 20] = {0};
  frame[12] = 0x08;
  memcpy(frame + 14, header, 20);
  /* Independent value: sum of the words 4500+0014+0000+4000+4001+c0a8+0001+c0a8+00c7
   * = 0x2472d -> folded 0x472f -> complement 0xb8d0. */
  frame[14 + 10] = 0xb8;
  frame[14 + 11] = 0xd0;
  struct test_frame f;
  test_frame_raw(&f, frame, sizeof(frame));
  CHECK(test_frame_checksums_ok(&f));
  f.data[14 + 11] ^= 1;
  CHECK(!test_frame_checksums_ok(&f));
}

static void test_corrupted_l4_checksum_is_detected(void) {
  struct test_frame f;
  test_frame_tcp(&f, TEST_IP(1, 2, 3, 4), TEST_IP(5, 6, 7, 8), 40000, 80);
  f.data[14 + 20 + 1] ^= 0x40; /* source port byte */
  CHECK(!test_frame_checksums_ok(&f));
  test_frame_udp(&f, TEST_IP(1, 2, 3, 4), TEST_IP(5, 6, 7, 8), 1, 2);
  f.data[f.len - 1] ^= 0x10; /* payload */
  CHECK(!test_frame_checksums_ok(&f));
}

static void test_ipv6_frames_parse_with_their_fields(void) {
  struct test_frame f;
  CHECK_EQ(test_frame_udp6(&f, "2001:db8::1", "2001:db8:1::53", 1234, 53), NF_PKT_IPV6_L4_OK);
  CHECK(test_ip6_eq(nf_pkt_ipv6_src(&f.pkt), test_ip6("2001:db8::1")));
  CHECK(test_ip6_eq(nf_pkt_ipv6_dst(&f.pkt), test_ip6("2001:db8:1::53")));
  CHECK(test_ip6_eq(test_frame_ipv6_dst(&f), test_ip6("2001:db8:1::53")));
  CHECK_EQ(nf_pkt_ipv6_proto(&f.pkt), NF_IPPROTO_UDP);
  CHECK_EQ(nf_pkt_l4_src_port(&f.pkt), 1234);
  CHECK_EQ(test_frame_l4_dst_port(&f), 53);
  CHECK_EQ(f.len, 14 + 40 + 8 + 18);
  CHECK(test_frame_checksums_ok(&f));
  struct test_frame_spec spec =
      test_spec_tcp6(test_ip6("fe80::1"), test_ip6("2001:db8::2"), 40000, 443, 0x12);
  spec.ext_headers[0] = TEST_IPV6_HOP_BY_HOP;
  spec.ext_headers[1] = TEST_IPV6_ROUTING;
  spec.ext_headers[2] = TEST_IPV6_DEST_OPTS;
  spec.ext_count = 3;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
  CHECK_EQ(f.len, 14 + 40 + 3 * 8 + 20);
  CHECK_EQ(nf_pkt_ipv6_proto(&f.pkt), NF_IPPROTO_TCP);
  CHECK_EQ(nf_pkt_tcp_flags(&f.pkt), 0x12);
  CHECK_EQ(nf_pkt_l4_dst_port(&f.pkt), 443);
  CHECK_EQ(test_frame_l4_src_port(&f), 40000);
  CHECK(test_frame_checksums_ok(&f));
}

static void test_ipv6_special_frames_have_the_intended_status(void) {
  struct nf_ipv6_addr a = test_ip6("2001:db8::1"), b = test_ip6("2001:db8::2");
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp6(a, b, 1, 2);
  spec.ipv6_fragment = true; /* first fragment: ports present, still a fragment */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK(test_frame_checksums_ok(&f));
  CHECK_EQ(test_frame_l4_dst_port(&f), 2);
  spec.frag_offset = 10; /* later fragment: payload only */
  spec.more_fragments = false;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(f.len, 14 + 40 + 8 + 18);
  spec = test_spec_udp6(a, b, 1, 2);
  spec.proto = NF_IPPROTO_ICMPV6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
  spec = test_spec_udp6(a, b, 1, 2);
  spec.ether_type = NF_ETHERTYPE_IPV4; /* IPv6 bytes behind the IPv4 EtherType */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_BAD_IHL);
  spec = test_spec_udp6(a, b, 1, 2);
  spec.truncate_to = 14 + 39;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV6);
  spec.truncate_to = 14 + 40 + 8; /* payload length 26 past the frame */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV6);
  spec.truncate_to = 0;
  spec.ip_total_len = 5; /* UDP header cut inside the payload */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4_IPV6);
  CHECK_EQ(f.len, 14 + 40 + 5);
  spec = test_spec_udp6(a, b, 1, 2);
  spec.ext_count = NF_IPV6_MAX_EXT_HEADERS + 1; /* one longer than nflib walks */
  for (int i = 0; i < spec.ext_count; i++) spec.ext_headers[i] = TEST_IPV6_DEST_OPTS;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_BAD_IPV6_EXT);
  spec.ext_count = NF_IPV6_MAX_EXT_HEADERS; /* exactly the bound: walked */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
  CHECK(test_frame_checksums_ok(&f));
  CHECK_EQ(test_frame_udp6(&f, "::1", "::2", 1, 2), NF_PKT_IPV6_L4_OK);
  f.data[14] = 0x40; /* version 4 behind EtherType 0x86DD */
  CHECK_EQ(test_frame_reparse(&f), NF_PKT_BAD_IPV6_VERSION);
  spec = test_spec_tcp6(a, b, 1, 2, 0x02);
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
  }
}

static void test_ipv6_checksum_matches_a_hand_computed_vector(void) {
  /* UDP 2001:db8::1 port 1 -> 2001:db8::2 port 2, no payload. Sum of the
   * pseudo-header (addresses, length 8, next header 17) and the header words
   * (1, 2, 8, 0): 2*0x2001 + 2*0x0db8 + 1 + 2 + 8 + 0x11 + 1 + 2 + 8 = 0x5b99,
   * complement 0xa466 (the same vector as testing/frames_test.py). */
  struct test_frame_spec spec =
      test_spec_udp6(test_ip6("2001:db8::1"), test_ip6("2001:db8::2"), 1, 2);
  spec.payload_len = 0;
  struct test_frame f;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
  CHECK_EQ(f.data[14 + 40 + 6], 0xa4);
  CHECK_EQ(f.data[14 + 40 + 7], 0x66);
  CHECK(test_frame_checksums_ok(&f));
}

static void test_ipv6_corruption_is_detected(void) {
  struct test_frame f;
  test_frame_tcp6(&f, "2001:db8::1", "2001:db8::2", 40000, 80);
  f.data[14 + 8 + 15] ^= 0x01; /* last byte of the source address */
  CHECK(!test_frame_checksums_ok(&f));
  test_frame_udp6(&f, "2001:db8::1", "2001:db8::2", 1, 2);
  f.data[f.len - 1] ^= 0x10; /* payload */
  CHECK(!test_frame_checksums_ok(&f));
  test_frame_udp6(&f, "2001:db8::1", "2001:db8::2", 1, 2);
  f.data[14 + 40 + 6] = 0; /* UDP "no checksum" is not allowed in IPv6 */
  f.data[14 + 40 + 7] = 0;
  CHECK(!test_frame_checksums_ok(&f));
}

static void test_ipv6_setters_keep_the_checksum_the_verifier_recomputes(void) {
  struct test_frame f;
  test_frame_tcp6(&f, "2001:db8::1", "2001:db8::2", 40000, 80);
  nf_pkt_set_ipv6_src(&f.pkt, test_ip6("2001:db8:ffff::7"));
  nf_pkt_set_l4_dst_port(&f.pkt, 8080);
  CHECK(test_ip6_eq(test_frame_ipv6_src(&f), test_ip6("2001:db8:ffff::7")));
  CHECK_EQ(test_frame_l4_dst_port(&f), 8080);
  CHECK(test_frame_checksums_ok(&f));
}

int main(void) {
  RUN_TEST(test_udp_and_tcp_frames_parse_with_their_fields);
  RUN_TEST(test_special_frames_have_the_intended_status);
  RUN_TEST(test_checksum_verifier_matches_a_known_header);
  RUN_TEST(test_corrupted_l4_checksum_is_detected);
  RUN_TEST(test_ipv6_frames_parse_with_their_fields);
  RUN_TEST(test_ipv6_special_frames_have_the_intended_status);
  RUN_TEST(test_ipv6_checksum_matches_a_hand_computed_vector);
  RUN_TEST(test_ipv6_corruption_is_detected);
  RUN_TEST(test_ipv6_setters_keep_the_checksum_the_verifier_recomputes);
  return test_main_result();
}
