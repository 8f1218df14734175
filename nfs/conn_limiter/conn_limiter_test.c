/* Behaviour of the connection limiter: per address pair limit on new
 * connections, established flows keep passing, counters and flows expire, a
 * full flow table, malformed frames and configuration errors. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define CLIENT TEST_IP(10, 0, 0, 1)
#define SERVER TEST_IP(10, 9, 9, 9)
#define CLIENT6 "2001:db8:0:1::1"
#define CLIENT6_B "2001:db8:0:1::2"
#define SERVER6 "2001:db8:9::9"
#define SERVER6_B "2001:db8:9::8"

static int open_conn(struct nf_state *cl, uint32_t src, uint32_t dst, uint16_t sport,
                     nf_time_t now) {
  struct test_frame f;
  test_frame_tcp(&f, src, dst, sport, 80);
  return test_send(cl, &f, LAN, now);
}

static void test_new_connections_over_the_limit_are_dropped(void) {
  struct nf_state *cl = test_create("--limit 3 --sketch-width 1024 --expiry 10s");
  for (uint16_t i = 0; i < 3; i++) CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1000 + i, TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1003, 2 * TEST_MS), NF_DROP);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1004, 2 * TEST_MS), NF_DROP);
  /* Established connections keep passing, many packets each. */
  for (int round = 0; round < 5; round++) {
    for (uint16_t i = 0; i < 3; i++) {
      CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1000 + i, 3 * TEST_MS), WAN);
    }
  }
  /* A dropped connection was not recorded: it is still dropped. */
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1003, 4 * TEST_MS), NF_DROP);
  /* Other pairs have their own count: another destination, another source. */
  CHECK_EQ(open_conn(cl, CLIENT, SERVER + 1, 1003, 5 * TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT + 1, SERVER, 1003, 5 * TEST_MS), WAN);
  /* A UDP 5-tuple with the same ports is another connection of the same pair. */
  struct test_frame f;
  test_frame_udp(&f, CLIENT, SERVER, 1000, 80);
  CHECK_EQ(test_send(cl, &f, LAN, 6 * TEST_MS), NF_DROP);
  /* WAN -> LAN passes, whatever the counts. */
  test_frame_tcp(&f, SERVER, CLIENT, 80, 1003);
  CHECK_EQ(test_send(cl, &f, WAN, 6 * TEST_MS), LAN);
}

static void test_counts_and_flows_expire(void) {
  struct nf_state *cl = test_create("--limit 2 --sketch-width 1024 --expiry 1s");
  nf_time_t t0 = 50 * TEST_SEC;
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, t0), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 2, t0 + 500 * TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 3, t0 + 900 * TEST_MS), NF_DROP);
  /* Connection 1 stays established while it has traffic within the expiry ... */
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, t0 + 900 * TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, t0 + 1400 * TEST_MS), WAN);
  /* ... while connection 2 (last seen at t0 + 500 ms) is forgotten: reopening it counts. */
  /* Counters were last incremented at t0 + 500 ms; 1 s later they read zero. */
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 3, t0 + 1600 * TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 2, t0 + 1700 * TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 4, t0 + 1800 * TEST_MS), NF_DROP);
  /* Established connections are not counted again. */
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, t0 + 1800 * TEST_MS), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 3, t0 + 1800 * TEST_MS), WAN);
}

static void test_full_flow_table_drops_new_connections(void) {
  struct nf_state *cl = test_create("--limit 100 --max-flows 4 --expiry 1s");
  for (uint16_t i = 0; i < 4; i++) {
    CHECK_EQ(open_conn(cl, CLIENT + i, SERVER, 1000, 0), WAN);
  }
  CHECK_EQ(open_conn(cl, CLIENT + 4, SERVER, 1000, 1), NF_DROP);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1000, 2), WAN);
  CHECK_EQ(open_conn(cl, CLIENT + 4, SERVER, 1000, 2 * TEST_SEC), WAN);
}

static void test_malformed_and_non_l4_frames(void) {
  struct nf_state *cl = test_create("--limit 1 --sketch-width 1024");
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, 0), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 2, 0), NF_DROP);
  struct test_frame f;
  struct test_frame_spec spec;
  /* The pair is at its limit, but ICMP, fragments and non-IPv4 frames pass uncounted. */
  spec = test_spec_udp(CLIENT, SERVER, 3, 4);
  spec.proto = TEST_IPPROTO_ICMP;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
  CHECK_EQ(test_send(cl, &f, LAN, 1), WAN);
  spec = test_spec_udp(CLIENT, SERVER, 3, 4);
  spec.more_fragments = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
  CHECK_EQ(test_send(cl, &f, LAN, 1), WAN);
  spec = test_spec_udp(CLIENT, SERVER, 3, 4);
  spec.ether_type = 0x88cc;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(cl, &f, LAN, 1), WAN);
  CHECK_EQ(test_send(cl, &f, WAN, 1), LAN);
  /* Uncounted indeed: a fresh pair still has its full limit afterwards. */
  for (int i = 0; i < 10; i++) {
    spec = test_spec_udp(CLIENT + 1, SERVER, (uint16_t)i, 4);
    spec.proto = TEST_IPPROTO_ICMP;
    test_frame_build(&f, &spec);
    CHECK_EQ(test_send(cl, &f, LAN, 1), WAN);
  }
  CHECK_EQ(open_conn(cl, CLIENT + 1, SERVER, 1, 2), WAN);
  /* Malformed frames are dropped both ways. */
  spec = test_spec_udp(CLIENT + 2, SERVER, 3, 4);
  spec.ip_total_len = 21;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(test_send(cl, &f, LAN, 3), NF_DROP);
  CHECK_EQ(test_send(cl, &f, WAN, 3), NF_DROP);
  f.data[14] = 0x44; /* IHL 4 */
  nf_packet_init(&f.pkt, f.data, f.len);
  CHECK_EQ(nf_pkt_status(&f.pkt), NF_PKT_BAD_IHL);
  CHECK_EQ(test_send(cl, &f, LAN, 3), NF_DROP);
  CHECK_EQ(test_send(cl, &f, WAN, 3), NF_DROP);
}

static int open_conn6(struct nf_state *cl, const char *src, const char *dst, uint16_t sport,
                      nf_time_t now) {
  struct test_frame f;
  CHECK_EQ(test_frame_tcp6(&f, src, dst, sport, 80), NF_PKT_IPV6_L4_OK);
  return test_send(cl, &f, LAN, now);
}

/* The IPv6 twin of the first two tests. */
static void test_ipv6_connections_over_the_limit_are_dropped_and_expire(void) {
  struct nf_state *cl = test_create("--limit 3 --sketch-width 1024 --expiry 1s");
  for (uint16_t i = 0; i < 3; i++) {
    CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 1000 + i, TEST_MS), WAN);
  }
  CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 1003, 2 * TEST_MS), NF_DROP);
  for (uint16_t i = 0; i < 3; i++) {
    CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 1000 + i, 3 * TEST_MS), WAN);
  }
  /* Other pairs (addresses differing in the last bits only) count apart. */
  CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6_B, 1003, 5 * TEST_MS), WAN);
  CHECK_EQ(open_conn6(cl, CLIENT6_B, SERVER6, 1003, 5 * TEST_MS), WAN);
  struct test_frame f;
  test_frame_udp6(&f, CLIENT6, SERVER6, 1000, 80);
  CHECK_EQ(test_send(cl, &f, LAN, 6 * TEST_MS), NF_DROP);
  test_frame_tcp6(&f, SERVER6, CLIENT6, 80, 1003);
  CHECK_EQ(test_send(cl, &f, WAN, 6 * TEST_MS), LAN);
  /* Counters last incremented at 1 ms read zero 1 s later; connection 1000,
   * last seen at 3 ms, is forgotten, so reopening it counts again. */
  nf_time_t later = 1100 * TEST_MS;
  for (uint16_t i = 0; i < 3; i++) {
    CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 2000 + i, later), WAN);
  }
  CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 1000, later), NF_DROP);
}

/* An IPv4 pair and the IPv4-mapped IPv6 pair of the same hosts count apart,
 * and each family has --max-flows of its own. */
static void test_families_do_not_interfere(void) {
  struct nf_state *cl = test_create("--limit 2 --max-flows 2 --sketch-width 1024 --expiry 1s");
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, 0), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 2, 0), WAN);
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 3, 0), NF_DROP);
  CHECK_EQ(open_conn6(cl, "::ffff:10.0.0.1", "::ffff:10.9.9.9", 1, 1), WAN);
  CHECK_EQ(open_conn6(cl, "::ffff:10.0.0.1", "::ffff:10.9.9.9", 2, 1), WAN);
  CHECK_EQ(open_conn6(cl, "::ffff:10.0.0.1", "::ffff:10.9.9.9", 3, 1), NF_DROP);
  /* Both flow tables are full (2 each): a fresh pair is dropped in both. */
  CHECK_EQ(open_conn(cl, CLIENT + 1, SERVER, 1, 2), NF_DROP);
  CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 1, 2), NF_DROP);
  /* Established connections of both families keep passing. */
  CHECK_EQ(open_conn(cl, CLIENT, SERVER, 1, 3), WAN);
  CHECK_EQ(open_conn6(cl, "::ffff:10.0.0.1", "::ffff:10.9.9.9", 2, 3), WAN);
}

static void test_ipv6_fragments_other_protocols_and_malformed_frames(void) {
  struct nf_state *cl = test_create("--limit 1 --sketch-width 1024");
  struct nf_ipv6_addr client = test_ip6(CLIENT6), server = test_ip6(SERVER6);
  CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 1, 0), WAN);
  CHECK_EQ(open_conn6(cl, CLIENT6, SERVER6, 2, 0), NF_DROP);
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp6(client, server, 3, 4);
  spec.proto = NF_IPPROTO_ICMPV6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
  CHECK_EQ(test_send(cl, &f, LAN, 1), WAN);
  CHECK_EQ(test_send(cl, &f, WAN, 1), LAN);
  spec = test_spec_udp6(client, server, 3, 4);
  spec.ipv6_fragment = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(test_send(cl, &f, LAN, 1), WAN);
  CHECK_EQ(test_send(cl, &f, WAN, 1), LAN);
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    spec = test_spec_udp6(test_ip6(CLIENT6_B), server, 3, 4);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(cl, &f, LAN, 2), NF_DROP);
    CHECK_EQ(test_send(cl, &f, WAN, 2), NF_DROP);
  }
  /* None of that was counted: a fresh pair still opens its one connection. */
  CHECK_EQ(open_conn6(cl, CLIENT6_B, SERVER6, 1, 3), WAN);
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--limit 0", err) == NULL);
  CHECK(strstr(err, "'0' for --limit") != NULL);
  CHECK(test_parse("--sketch-depth 17", err) == NULL);
  CHECK(strstr(err, "'17' for --sketch-depth") != NULL);
  CHECK(test_parse("--sketch-width 1000", err) == NULL);
  CHECK(strstr(err, "'1000' for --sketch-width") != NULL);
  CHECK(test_parse("--limit 5 --sketch-depth 2 --sketch-width 64", err) != NULL);
}

int main(void) {
  RUN_TEST(test_new_connections_over_the_limit_are_dropped);
  RUN_TEST(test_counts_and_flows_expire);
  RUN_TEST(test_full_flow_table_drops_new_connections);
  RUN_TEST(test_malformed_and_non_l4_frames);
  RUN_TEST(test_ipv6_connections_over_the_limit_are_dropped_and_expire);
  RUN_TEST(test_families_do_not_interfere);
  RUN_TEST(test_ipv6_fragments_other_protocols_and_malformed_frames);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
