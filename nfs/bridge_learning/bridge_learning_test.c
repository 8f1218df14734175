/* Behaviour of the learning bridge: learning, flooding, station moves, no
 * hairpinning, expiry and refresh, a full table, group addresses, malformed
 * frames and configuration errors. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

static const struct nf_mac BROADCAST = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct nf_mac MULTICAST = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};

/* Sends a frame from src to dst (MACs) into in_port. */
static int send_l2(struct nf_state *br, struct nf_mac src, struct nf_mac dst, uint16_t in_port,
                   nf_time_t now) {
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2);
  spec.src_mac = src;
  spec.dst_mac = dst;
  test_frame_build(&f, &spec);
  return test_send(br, &f, in_port, now);
}

static void test_learns_forwards_and_floods(void) {
  struct nf_state *br = test_create("--ports 3");
  struct nf_mac a = test_mac(0xa), b = test_mac(0xb), c = test_mac(0xc);
  CHECK_EQ(send_l2(br, a, b, 0, 1), NF_FLOOD); /* b unknown */
  CHECK_EQ(send_l2(br, b, a, 1, 2), 0);        /* a learned on port 0 */
  CHECK_EQ(send_l2(br, a, b, 0, 3), 1);        /* b learned on port 1 */
  CHECK_EQ(send_l2(br, c, BROADCAST, 2, 4), NF_FLOOD);
  CHECK_EQ(send_l2(br, a, c, 0, 5), 2);
  CHECK_EQ(send_l2(br, c, MULTICAST, 2, 6), NF_FLOOD);
  /* A destination behind the input port is not sent back there. */
  CHECK_EQ(send_l2(br, test_mac(0xd), a, 0, 7), NF_DROP);
  CHECK_EQ(send_l2(br, b, test_mac(0xd), 1, 8), 0);
}

static void test_station_moves(void) {
  struct nf_state *br = test_create("--ports 4");
  struct nf_mac a = test_mac(0xa), b = test_mac(0xb);
  CHECK_EQ(send_l2(br, a, b, 0, 1), NF_FLOOD);
  CHECK_EQ(send_l2(br, b, a, 1, 2), 0);
  CHECK_EQ(send_l2(br, a, b, 3, 3), 1); /* a now on port 3 */
  CHECK_EQ(send_l2(br, b, a, 1, 4), 3);
}

static void test_entries_expire_unless_refreshed(void) {
  struct nf_state *br = test_create("--ports 2 --expiry 1s");
  struct nf_mac a = test_mac(0xa), b = test_mac(0xb);
  nf_time_t t0 = 7 * TEST_SEC;
  send_l2(br, a, b, 0, t0);
  CHECK_EQ(send_l2(br, b, a, 1, t0 + TEST_SEC), 0); /* at the bound: known */
  /* Frames *to* a do not refresh it; only frames from a do. */
  CHECK_EQ(send_l2(br, b, a, 1, t0 + TEST_SEC + 1), NF_FLOOD);
  send_l2(br, a, b, 0, t0 + 2 * TEST_SEC);
  send_l2(br, a, b, 0, t0 + 2800 * TEST_MS);
  CHECK_EQ(send_l2(br, b, a, 1, t0 + 3500 * TEST_MS), 0);
}

static void test_full_table_and_group_sources(void) {
  struct nf_state *br = test_create("--ports 3 --max-macs 2 --expiry 1s");
  struct nf_mac a = test_mac(0xa), b = test_mac(0xb), c = test_mac(0xc);
  send_l2(br, a, BROADCAST, 0, 0);
  send_l2(br, b, BROADCAST, 1, 0);
  send_l2(br, c, BROADCAST, 2, 0); /* not learned: full */
  CHECK_EQ(send_l2(br, a, c, 0, 1), NF_FLOOD);
  CHECK_EQ(send_l2(br, c, a, 2, 1), 0);
  CHECK_EQ(send_l2(br, c, b, 2, 1), 1);
  /* A group address used as source is never learned. */
  struct nf_state *br2 = test_create("--ports 3");
  send_l2(br2, MULTICAST, a, 2, 0);
  CHECK_EQ(send_l2(br2, a, MULTICAST, 0, 1), NF_FLOOD);
  /* After a and b expire there is room for c. */
  send_l2(br, c, BROADCAST, 2, 3 * TEST_SEC);
  CHECK_EQ(send_l2(br, a, c, 0, 3 * TEST_SEC), 2);
}

static void test_malformed_frames(void) {
  struct nf_state *br = test_create("--ports 2");
  struct nf_mac a = test_mac(0xa), b = test_mac(0xb);
  send_l2(br, b, a, 1, 0);
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(1, 2, 3, 4);
  spec.src_mac = a;
  spec.dst_mac = b;
  spec.ether_type = 0x88b5; /* neither IPv4 nor IPv6 */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(br, &f, 0, 1), 1);
  /* IPv6 is bridged unchanged, malformed IPv6 too (only Ethernet is read). */
  struct test_frame_spec spec6 =
      test_spec_udp6(test_ip6("2001:db8::1"), test_ip6("2001:db8::2"), 1, 2);
  spec6.src_mac = a;
  spec6.dst_mac = b;
  CHECK_EQ(test_frame_build(&f, &spec6), NF_PKT_IPV6_L4_OK);
  uint8_t before[TEST_FRAME_MAX];
  memcpy(before, f.data, f.len);
  CHECK_EQ(test_send(br, &f, 0, 1), 1);
  CHECK(memcmp(before, f.data, f.len) == 0);
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    CHECK_EQ(test_frame_malformed6(&f, &spec6, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(br, &f, 0, 1), 1);
  }
  spec.ether_type = NF_ETHERTYPE_IPV4;
  spec.truncate_to = 20;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  CHECK_EQ(test_send(br, &f, 0, 1), 1);
  spec.truncate_to = 13;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_ETH);
  CHECK_EQ(test_send(br, &f, 0, 1), NF_DROP);
  /* The bridged non-IPv4 frame taught the bridge where a is. */
  CHECK_EQ(send_l2(br, b, a, 1, 2), 0);
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--ports 1", err) == NULL);
  CHECK(strstr(err, "'1' for --ports") != NULL);
  CHECK(test_parse("--ports 33", err) == NULL);
  CHECK(test_parse("--max-macs 3", err) == NULL);
  CHECK(strstr(err, "'3' for --max-macs") != NULL);
  struct nf_config *cfg = test_parse("--ports 5", err);
  REQUIRE(cfg != NULL);
  CHECK_EQ(nf_port_count(cfg), 5);
}

int main(void) {
  RUN_TEST(test_learns_forwards_and_floods);
  RUN_TEST(test_station_moves);
  RUN_TEST(test_entries_expire_unless_refreshed);
  RUN_TEST(test_full_table_and_group_sources);
  RUN_TEST(test_malformed_frames);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
