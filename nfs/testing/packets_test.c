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
  spec.ether_type = 0x86dd;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
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

int main(void) {
  RUN_TEST(test_udp_and_tcp_frames_parse_with_their_fields);
  RUN_TEST(test_special_frames_have_the_intended_status);
  RUN_TEST(test_checksum_verifier_matches_a_known_header);
  RUN_TEST(test_corrupted_l4_checksum_is_detected);
  return test_main_result();
}
