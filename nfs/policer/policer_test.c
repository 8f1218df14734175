/* Behaviour of the policer: per-destination token buckets on WAN -> LAN
 * traffic, unlimited LAN -> WAN, expiry, a full table, malformed frames and
 * configuration errors. Frames are 60 bytes (UDP with 18 payload bytes). */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define HOST_A TEST_IP(192, 168, 0, 10)
#define HOST_B TEST_IP(192, 168, 0, 11)
#define SERVER TEST_IP(93, 184, 216, 34)
#define FRAME_LEN 60
#define HOST6_A "2001:db8:0:1::10"
#define HOST6_B "2001:db8:0:1::11"
#define SERVER6 "2606:2800:220:1::34"
#define FRAME6_LEN 80 /* 14 + 40 + 8 + 18 */

/* Sends `count` WAN frames to dst at time now; returns how many passed. */
static int send_down(struct nf_state *p, uint32_t dst, int count, nf_time_t now) {
  int passed = 0;
  for (int i = 0; i < count; i++) {
    struct test_frame f;
    test_frame_udp(&f, SERVER, dst, 80, 5000);
    int out = test_send(p, &f, WAN, now);
    if (out == LAN) passed++;
  }
  return passed;
}

static int send_down6(struct nf_state *p, const char *dst, int count, nf_time_t now) {
  int passed = 0;
  for (int i = 0; i < count; i++) {
    struct test_frame f;
    CHECK_EQ(test_frame_udp6(&f, SERVER6, dst, 80, 5000), NF_PKT_IPV6_L4_OK);
    CHECK_EQ(f.len, FRAME6_LEN);
    if (test_send(p, &f, WAN, now) == LAN) passed++;
  }
  return passed;
}

static void test_burst_then_rate_per_destination(void) {
  /* 3000-byte burst = 50 frames; 1000 bytes/s = one frame per 60 ms. */
  struct nf_state *p = test_create("--rate 1000 --burst 3000 --expiry 10s");
  nf_time_t t0 = TEST_SEC;
  CHECK_EQ(send_down(p, HOST_A, 60, t0), 50);
  /* Another destination has its own bucket. */
  CHECK_EQ(send_down(p, HOST_B, 10, t0), 10);
  /* 59 ms later not even one frame's worth has been earned, at 60 ms exactly one. */
  CHECK_EQ(send_down(p, HOST_A, 1, t0 + 59 * TEST_MS), 0);
  CHECK_EQ(send_down(p, HOST_A, 3, t0 + 60 * TEST_MS), 1);
  /* After 600 ms more, ten frames' worth. */
  CHECK_EQ(send_down(p, HOST_A, 20, t0 + 660 * TEST_MS), 10);
  /* Long idle (but within expiry): refilled to the burst, not beyond. */
  CHECK_EQ(send_down(p, HOST_A, 80, t0 + 9 * TEST_SEC), 50);
}

static void test_lan_to_wan_is_unlimited(void) {
  struct nf_state *p = test_create("--rate 1000 --burst 3000");
  struct test_frame f;
  int passed = 0;
  for (int i = 0; i < 1000; i++) {
    test_frame_udp(&f, HOST_A, SERVER, 5000, 80);
    if (test_send(p, &f, LAN, TEST_SEC) == WAN) passed++;
  }
  CHECK_EQ(passed, 1000);
  /* LAN traffic did not consume the host's WAN -> LAN budget either. */
  CHECK_EQ(send_down(p, HOST_A, 60, TEST_SEC), 50);
}

static void test_idle_state_expires(void) {
  /* 1 byte/s: refilling cannot explain a full bucket, only expiry can. */
  struct nf_state *p = test_create("--rate 1 --burst 3000 --expiry 1s");
  nf_time_t t0 = 10 * TEST_SEC;
  CHECK_EQ(send_down(p, HOST_A, 60, t0), 50);
  CHECK_EQ(send_down(p, HOST_A, 1, t0 + TEST_SEC), 0); /* at the bound: state still there */
  /* The last (dropped) frame refreshed the state, so 1 s after it, still empty. */
  CHECK_EQ(send_down(p, HOST_A, 1, t0 + 2 * TEST_SEC), 0);
  /* Idle for more than the expiry: forgotten, a fresh full bucket. */
  CHECK_EQ(send_down(p, HOST_A, 60, t0 + 3 * TEST_SEC + 1), 50);
}

static void test_full_table_drops_unknown_destinations(void) {
  struct nf_state *p = test_create("--max-addresses 2 --burst 3000 --expiry 1s");
  CHECK_EQ(send_down(p, HOST_A, 1, 0), 1);
  CHECK_EQ(send_down(p, HOST_B, 1, 0), 1);
  CHECK_EQ(send_down(p, HOST_B + 1, 5, 1), 0);
  CHECK_EQ(send_down(p, HOST_A, 1, 2), 1);
  CHECK_EQ(send_down(p, HOST_B + 1, 5, 2 * TEST_SEC), 5);
}

static void test_malformed_and_non_l4_frames(void) {
  struct nf_state *p = test_create("--rate 1 --burst 3000");
  struct test_frame f;
  struct test_frame_spec spec;
  /* WAN: ICMP and fragments are policed against their destination's bucket. */
  int passed = 0;
  for (int i = 0; i < 30; i++) {
    spec = test_spec_udp(SERVER, HOST_A, 1, 2);
    spec.proto = TEST_IPPROTO_ICMP;
    spec.payload_len = 26; /* 14 + 20 + 8 + 26 = 68 */
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
    if (test_send(p, &f, WAN, 0) == LAN) passed++;
    spec = test_spec_udp(SERVER, HOST_A, 1, 2);
    spec.frag_offset = 100;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
    if (test_send(p, &f, WAN, 0) == LAN) passed++;
  }
  /* 3000 bytes: 23 pairs of 68 + 60 bytes = 2944; neither 68 nor 60 more fit. */
  CHECK_EQ(passed, 46);
  CHECK_EQ(send_down(p, HOST_A, 1, 0), 0);
  /* WAN: non-IPv4 and malformed frames are dropped, and cost nothing. */
  spec = test_spec_udp(SERVER, HOST_B, 1, 2);
  spec.ether_type = 0x0806;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(p, &f, WAN, 0), NF_DROP);
  spec = test_spec_udp(SERVER, HOST_B, 1, 2);
  spec.ip_total_len = 22;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(test_send(p, &f, WAN, 0), NF_DROP);
  CHECK_EQ(send_down(p, HOST_B, 60, 0), 50);
  /* LAN: well-formed frames of any kind pass, malformed ones are dropped. */
  spec = test_spec_udp(HOST_A, SERVER, 1, 2);
  spec.ether_type = 0x0806;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(p, &f, LAN, 0), WAN);
  spec = test_spec_udp(HOST_A, SERVER, 1, 2);
  spec.proto = TEST_IPPROTO_ICMP;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(p, &f, LAN, 0), WAN);
  spec = test_spec_udp(HOST_A, SERVER, 1, 2);
  spec.truncate_to = 20;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  CHECK_EQ(test_send(p, &f, LAN, 0), NF_DROP);
}

/* The IPv6 twin of the first test: 80-byte frames, a 3200-byte burst is 40
 * frames, 800 bytes/s is one frame per 100 ms. */
static void test_ipv6_burst_then_rate_per_destination(void) {
  struct nf_state *p = test_create("--rate 800 --burst 3200 --expiry 10s");
  nf_time_t t0 = TEST_SEC;
  CHECK_EQ(send_down6(p, HOST6_A, 50, t0), 40);
  CHECK_EQ(send_down6(p, HOST6_B, 10, t0), 10); /* differs in the last bit only */
  CHECK_EQ(send_down6(p, HOST6_A, 1, t0 + 99 * TEST_MS), 0);
  CHECK_EQ(send_down6(p, HOST6_A, 3, t0 + 100 * TEST_MS), 1);
  CHECK_EQ(send_down6(p, HOST6_A, 20, t0 + 1100 * TEST_MS), 10);
  CHECK_EQ(send_down6(p, HOST6_A, 80, t0 + 9 * TEST_SEC), 40);
  /* LAN -> WAN IPv6 is not limited and costs the host nothing. */
  struct test_frame f;
  int passed = 0;
  for (int i = 0; i < 100; i++) {
    test_frame_udp6(&f, HOST6_B, SERVER6, 5000, 80);
    if (test_send(p, &f, LAN, 20 * TEST_SEC) == WAN) passed++;
  }
  CHECK_EQ(passed, 100);
  CHECK_EQ(send_down6(p, HOST6_B, 50, 20 * TEST_SEC), 40);
  /* Expiry as for IPv4: idle for more than 10 s, a fresh bucket. */
  CHECK_EQ(send_down6(p, HOST6_B, 1, 20 * TEST_SEC + 1), 0);
  CHECK_EQ(send_down6(p, HOST6_B, 50, 30 * TEST_SEC + 2), 40);
}

/* An IPv4 address and the IPv4-mapped IPv6 address of the same host have
 * separate buckets, and each family has --max-addresses of its own. */
static void test_families_do_not_interfere(void) {
  struct nf_state *p = test_create("--rate 1 --burst 3000 --max-addresses 1 --expiry 1s");
  CHECK_EQ(send_down(p, HOST_A, 60, 0), 50);
  CHECK_EQ(send_down6(p, "::ffff:192.168.0.10", 60, 0), 37); /* 37 * 80 = 2960 */
  CHECK_EQ(send_down(p, HOST_A, 1, 1), 0);
  CHECK_EQ(send_down6(p, HOST6_A, 1, 1), 0); /* IPv6 table full (1 address) */
  CHECK_EQ(send_down(p, HOST_B, 1, 1), 0);   /* IPv4 table full */
  /* Expiry per table: both forgotten after 1 s idle, fresh buckets. */
  CHECK_EQ(send_down6(p, HOST6_A, 60, 2 * TEST_SEC), 37);
  CHECK_EQ(send_down(p, HOST_B, 60, 2 * TEST_SEC), 50);
}

static void test_ipv6_fragments_other_protocols_and_malformed_frames(void) {
  struct nf_state *p = test_create("--rate 1 --burst 3200");
  struct nf_ipv6_addr server = test_ip6(SERVER6), host = test_ip6(HOST6_A);
  struct test_frame f;
  struct test_frame_spec spec;
  /* WAN: ICMPv6 and later fragments (80 bytes each) take from the bucket. */
  int passed = 0;
  for (int i = 0; i < 25; i++) {
    spec = test_spec_udp6(server, host, 1, 2);
    spec.proto = NF_IPPROTO_ICMPV6;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
    CHECK_EQ(f.len, 80);
    if (test_send(p, &f, WAN, 0) == LAN) passed++;
    spec = test_spec_udp6(server, host, 1, 2);
    spec.ipv6_fragment = true;
    spec.frag_offset = 100;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
    CHECK_EQ(f.len, 80);
    if (test_send(p, &f, WAN, 0) == LAN) passed++;
  }
  CHECK_EQ(passed, 40); /* 3200 / 80 */
  CHECK_EQ(send_down6(p, HOST6_A, 1, 0), 0);
  /* Malformed IPv6 is dropped on both sides and costs nothing. */
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    spec = test_spec_udp6(server, test_ip6(HOST6_B), 1, 2);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(p, &f, WAN, 0), NF_DROP);
    spec = test_spec_udp6(test_ip6(HOST6_B), server, 1, 2);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(p, &f, LAN, 0), NF_DROP);
  }
  CHECK_EQ(send_down6(p, HOST6_B, 50, 0), 40);
  /* LAN: ICMPv6 and fragments pass. */
  spec = test_spec_udp6(host, server, 1, 2);
  spec.proto = NF_IPPROTO_ICMPV6;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(p, &f, LAN, 0), WAN);
  spec = test_spec_udp6(host, server, 1, 2);
  spec.ipv6_fragment = true;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(p, &f, LAN, 0), WAN);
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--rate fast", err) == NULL);
  CHECK(strstr(err, "'fast' for --rate") != NULL);
  CHECK(test_parse("--burst 100", err) == NULL);
  CHECK(strstr(err, "'100' for --burst") != NULL);
  CHECK(test_parse("--max-addresses 0", err) == NULL);
  CHECK(strstr(err, "'0' for --max-addresses") != NULL);
  CHECK(test_parse("--rate 10M --burst 1M", err) != NULL);
}

int main(void) {
  RUN_TEST(test_burst_then_rate_per_destination);
  RUN_TEST(test_lan_to_wan_is_unlimited);
  RUN_TEST(test_idle_state_expires);
  RUN_TEST(test_full_table_drops_unknown_destinations);
  RUN_TEST(test_malformed_and_non_l4_frames);
  RUN_TEST(test_ipv6_burst_then_rate_per_destination);
  RUN_TEST(test_families_do_not_interfere);
  RUN_TEST(test_ipv6_fragments_other_protocols_and_malformed_frames);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
