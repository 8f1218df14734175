/* Behaviour of the hierarchical heavy-hitter NF: per-level thresholds on WAN
 * -> LAN traffic by source prefix, windows, expiry, full tables, LAN -> WAN
 * traffic, malformed frames and configuration errors. Every expected count is
 * worked out by hand in the comment next to it. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define INSIDE TEST_IP(192, 168, 0, 10)
#define INSIDE6 "2001:db8:0:1::10"

/* Sends `count` WAN frames from src at time now; returns how many passed. */
static int send_from(struct nf_state *s, uint32_t src, int count, nf_time_t now) {
  int passed = 0;
  for (int i = 0; i < count; i++) {
    struct test_frame f;
    test_frame_udp(&f, src, INSIDE, 80, (uint16_t)(5000 + i));
    int out = test_send(s, &f, WAN, now);
    if (out == LAN) passed++;
  }
  return passed;
}

static int send_from6(struct nf_state *s, const char *src, int count, nf_time_t now) {
  int passed = 0;
  for (int i = 0; i < count; i++) {
    struct test_frame f;
    CHECK_EQ(test_frame_udp6(&f, src, INSIDE6, 80, (uint16_t)(5000 + i)), NF_PKT_IPV6_L4_OK);
    if (test_send(s, &f, WAN, now) == LAN) passed++;
  }
  return passed;
}

static void test_default_thresholds(void) {
  /* Defaults: 1000 packets per address and 1 s window; the coarser levels
   * (4000, 16000, 64000) are not reached by one address. */
  struct nf_state *s = test_create("");
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 1), 1200, TEST_SEC), 1000);
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 2), 10, TEST_SEC), 10);
}

static void test_each_level_binds_in_turn(void) {
  /* Thresholds 9 (/8), 7 (/16), 5 (/24), 3 (/32). Each step below is limited
   * by the next coarser level, which the earlier steps filled. */
  struct nf_state *s =
      test_create("--threshold-8 9 --threshold-16 7 --threshold-24 5 --threshold-32 3 --window 1s");
  nf_time_t t = TEST_SEC;
  /* /32: 10.1.1.1 alone passes its 3. Counts now /8=3 /16=3 /24=3. */
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 1), 10, t), 3);
  /* /24: another host of 10.1.1.0/24 gets only 5 - 3 = 2. /8=5 /16=5 /24=5. */
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 2), 10, t), 2);
  /* The /24 is heavy now: a third host of it gets nothing. */
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 3), 10, t), 0);
  /* /16: a host of another /24 of 10.1.0.0/16 gets 7 - 5 = 2. /8=7 /16=7. */
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 2, 1), 10, t), 2);
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 3, 1), 10, t), 0);
  /* /8: a host of another /16 of 10.0.0.0/8 gets 9 - 7 = 2. /8=9. */
  CHECK_EQ(send_from(s, TEST_IP(10, 2, 1, 1), 10, t), 2);
  CHECK_EQ(send_from(s, TEST_IP(10, 3, 0, 1), 10, t), 0);
  /* Another /8 is untouched: its host gets its full 3. */
  CHECK_EQ(send_from(s, TEST_IP(11, 1, 1, 1), 10, t), 3);
}

static void test_only_passed_packets_are_counted(void) {
  /* /32 threshold 2, /24 threshold 3: the 8 packets a heavy address loses do
   * not count for its /24, so a neighbour still gets 3 - 2 = 1. (Counting them
   * would leave the neighbour nothing.) */
  struct nf_state *s = test_create("--threshold-24 3 --threshold-32 2");
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 10, 0), 2);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 10, 0), 1);
}

static void test_windows_start_at_the_first_packet(void) {
  /* /32 threshold 2, 100 ms windows, each prefix its own window. */
  struct nf_state *s = test_create("--threshold-32 2 --window 100ms");
  nf_time_t t0 = TEST_SEC;
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 3, t0), 2);
  /* B's window opens 50 ms after A's. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 3, t0 + 50 * TEST_MS), 2);
  /* 1 ns before A's window ends: still heavy. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, t0 + 100 * TEST_MS - 1), 0);
  /* At t0 + 100 ms A's next window opens (2 of 3 pass); B's is still open. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 3, t0 + 100 * TEST_MS), 2);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 1, t0 + 100 * TEST_MS), 0);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 3, t0 + 150 * TEST_MS), 2);
  /* A's third window opens at its first packet after t0 + 200 ms, here 250 ms. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, t0 + 250 * TEST_MS), 1);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 2, t0 + 349 * TEST_MS), 1);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 2, t0 + 350 * TEST_MS), 2);
}

static void test_idle_prefixes_expire(void) {
  /* 10 s windows: only expiry (1 s) can give A a fresh count. */
  struct nf_state *s = test_create("--threshold-32 2 --window 10s --expiry 1s");
  nf_time_t t0 = 10 * TEST_SEC;
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 3, t0), 2);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, t0 + TEST_SEC), 0); /* at the bound: alive */
  /* The dropped packet refreshed A, so 1 s after it A is still heavy. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, t0 + 2 * TEST_SEC), 0);
  /* Idle for more than the expiry: forgotten, a fresh window. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 3, t0 + 3 * TEST_SEC + 1), 2);
}

static void test_full_tables_drop(void) {
  /* Two addresses fit the /32 table; a third is dropped until they expire. */
  struct nf_state *s = test_create("--max-prefixes-32 2 --expiry 1s");
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, 0), 1);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 1, 0), 1);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 3), 5, 1), 0);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, 2), 1); /* known addresses still pass */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 3), 5, 2 * TEST_SEC), 5);
  /* The /8 table: one /8 fits, another /8 is dropped. */
  s = test_create("--max-prefixes-8 1");
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, 0), 1);
  CHECK_EQ(send_from(s, TEST_IP(11, 0, 0, 1), 3, 0), 0);
  CHECK_EQ(send_from(s, TEST_IP(10, 200, 0, 1), 1, 0), 1);
}

static void test_dropped_at_a_coarse_level_skips_finer_levels(void) {
  /* One /32 slot; 10.0.0.0/8 is heavy after one packet (10 s window). B's
   * packets (in that /8) are dropped at the /8 level and keep the /8 alive;
   * A's /32 entry, idle since 0, is expired by B's packet at 1.5 s. Had B
   * reached the /32 level then, it would hold the only slot until 2.5 s and C
   * (another /8) would be dropped at 2 s; it is not. */
  struct nf_state *s = test_create("--threshold-8 1 --max-prefixes-32 1 --window 10s --expiry 1s");
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 1, 0), 1);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 1, 800 * TEST_MS), 0);
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 2), 1, 1500 * TEST_MS), 0);
  CHECK_EQ(send_from(s, TEST_IP(11, 0, 0, 1), 1, 2 * TEST_SEC), 1);
  /* Control: a /32 entry that is held does block a new address of a fresh /8. */
  CHECK_EQ(send_from(s, TEST_IP(12, 0, 0, 1), 1, 2 * TEST_SEC), 0);
}

static void test_lan_to_wan_passes_uncounted(void) {
  struct nf_state *s = test_create("--threshold-32 2 --threshold-8 2");
  struct test_frame f;
  int passed = 0;
  for (int i = 0; i < 1000; i++) {
    test_frame_udp(&f, TEST_IP(10, 0, 0, 1), INSIDE, 5000, 80);
    if (test_send(s, &f, LAN, TEST_SEC) == WAN) passed++;
  }
  CHECK_EQ(passed, 1000);
  /* The LAN frames did not count for 10.0.0.1 as a WAN source. */
  CHECK_EQ(send_from(s, TEST_IP(10, 0, 0, 1), 5, TEST_SEC), 2);
}

static void test_malformed_and_non_l4_frames(void) {
  struct nf_state *s = test_create("--threshold-32 4");
  uint32_t src = TEST_IP(10, 0, 0, 1);
  struct test_frame f;
  struct test_frame_spec spec;
  /* WAN: non-IPv4 and malformed frames are dropped and count for nothing. */
  spec = test_spec_udp(src, INSIDE, 1, 2);
  spec.ether_type = 0x0806;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(s, &f, WAN, 0), NF_DROP);
  spec = test_spec_udp(src, INSIDE, 1, 2);
  spec.ip_total_len = 22;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(test_send(s, &f, WAN, 0), NF_DROP);
  spec = test_spec_udp(src, INSIDE, 1, 2);
  spec.truncate_to = 20;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  CHECK_EQ(test_send(s, &f, WAN, 0), NF_DROP);
  /* WAN: ICMP and fragments are counted by their source: 2 + 2 = the 4. */
  for (int i = 0; i < 2; i++) {
    spec = test_spec_udp(src, INSIDE, 1, 2);
    spec.proto = TEST_IPPROTO_ICMP;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
    CHECK_EQ(test_send(s, &f, WAN, 0), LAN);
    spec = test_spec_udp(src, INSIDE, 1, 2);
    spec.frag_offset = 100;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
    CHECK_EQ(test_send(s, &f, WAN, 0), LAN);
  }
  CHECK_EQ(send_from(s, src, 1, 0), 0);
  /* LAN: well-formed frames of any kind pass, malformed ones are dropped. */
  spec = test_spec_udp(INSIDE, src, 1, 2);
  spec.ether_type = 0x0806;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 0), WAN);
  spec = test_spec_udp(INSIDE, src, 1, 2);
  spec.proto = TEST_IPPROTO_ICMP;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 0), WAN);
  spec = test_spec_udp(INSIDE, src, 1, 2);
  spec.truncate_to = 20;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  CHECK_EQ(test_send(s, &f, LAN, 0), NF_DROP);
}

static void test_swapped_ports(void) {
  /* The WAN may be port 0: then port 0's traffic is counted. */
  struct nf_state *s = test_create("--lan-port 1 --wan-port 0 --threshold-32 1");
  struct test_frame f;
  test_frame_udp(&f, TEST_IP(10, 0, 0, 1), INSIDE, 80, 5000);
  CHECK_EQ(test_send(s, &f, 0, 0), 1);
  CHECK_EQ(test_send(s, &f, 0, 0), NF_DROP);
  CHECK_EQ(test_send(s, &f, 1, 0), 0);
}

/* The IPv6 twin of test_each_level_binds_in_turn over /16, /32, /48, /64,
 * which use the thresholds of /8, /16, /24, /32: 9, 7, 5, 3. */
static void test_ipv6_each_level_binds_in_turn(void) {
  struct nf_state *s =
      test_create("--threshold-8 9 --threshold-16 7 --threshold-24 5 --threshold-32 3 --window 1s");
  nf_time_t t = TEST_SEC;
  /* /64: one host passes 3. Counts /16=3 /32=3 /48=3 /64=3. */
  CHECK_EQ(send_from6(s, "2001:db8:1:1::1", 10, t), 3);
  /* Another interface ID of the same /64 is the same /64: nothing more. */
  CHECK_EQ(send_from6(s, "2001:db8:1:1:ffff:ffff:ffff:ffff", 10, t), 0);
  /* /48: another /64 of 2001:db8:1::/48 gets 5 - 3 = 2. /48=5. */
  CHECK_EQ(send_from6(s, "2001:db8:1:2::1", 10, t), 2);
  CHECK_EQ(send_from6(s, "2001:db8:1:3::1", 10, t), 0);
  /* /32: another /48 of 2001:db8::/32 gets 7 - 5 = 2. /32=7. */
  CHECK_EQ(send_from6(s, "2001:db8:2:1::1", 10, t), 2);
  CHECK_EQ(send_from6(s, "2001:db8:3:1::1", 10, t), 0);
  /* /16: another /32 of 2001::/16 gets 9 - 7 = 2. /16=9. */
  CHECK_EQ(send_from6(s, "2001:db9:1:1::1", 10, t), 2);
  CHECK_EQ(send_from6(s, "2001:dba:1:1::1", 10, t), 0);
  /* Another /16 is untouched: its host gets its full 3. */
  CHECK_EQ(send_from6(s, "2002:db8:1:1::1", 10, t), 3);
  /* The next window starts over (windows and expiry as for IPv4). */
  CHECK_EQ(send_from6(s, "2001:db8:1:1::1", 10, t + TEST_SEC), 3);
}

/* IPv4 and IPv6 prefixes count apart, even where their bits coincide (an
 * IPv4-mapped source, and an IPv6 source whose first bytes are the IPv4
 * address), and each family's tables have their own capacity. */
static void test_families_do_not_interfere(void) {
  struct nf_state *s = test_create(
      "--threshold-8 100 --threshold-16 100 --threshold-24 100 --threshold-32 3 "
      "--max-prefixes-32 1");
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 1), 10, TEST_SEC), 3);
  CHECK_EQ(send_from6(s, "::ffff:10.1.1.1", 10, TEST_SEC), 3);
  CHECK_EQ(send_from6(s, "a01:101::", 10, TEST_SEC), 0); /* the /64 table (1 entry) is full */
  CHECK_EQ(send_from(s, TEST_IP(10, 1, 1, 2), 10, TEST_SEC), 0); /* and so is the /32 one */
}

static void test_ipv6_fragments_other_protocols_and_malformed_frames(void) {
  struct nf_state *s = test_create("--threshold-32 4");
  struct nf_ipv6_addr src = test_ip6("2001:db8:bad::1"), inside = test_ip6(INSIDE6);
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp6(src, inside, 1, 2);
  spec.proto = NF_IPPROTO_ICMPV6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
  CHECK_EQ(test_send(s, &f, WAN, 0), LAN);
  spec = test_spec_udp6(src, inside, 1, 2);
  spec.ipv6_fragment = true;
  spec.frag_offset = 10;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(test_send(s, &f, WAN, 0), LAN);
  /* Malformed IPv6 is dropped on both sides and counted nowhere. */
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    spec = test_spec_udp6(src, inside, 1, 2);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(s, &f, WAN, 0), NF_DROP);
    CHECK_EQ(test_send(s, &f, LAN, 0), NF_DROP);
  }
  /* ICMPv6 and the fragment were counted by their source: 4 - 2 = 2 left. */
  CHECK_EQ(send_from6(s, "2001:db8:bad::1", 10, 0), 2);
  /* LAN -> WAN IPv6 passes uncounted. */
  for (int i = 0; i < 10; i++) {
    test_frame_udp6(&f, INSIDE6, "2001:db8:bad::2", 5000, 80);
    CHECK_EQ(test_send(s, &f, LAN, 0), WAN);
  }
  CHECK_EQ(send_from6(s, "2001:db8:bad::2", 10, 0), 0); /* same /64 as ::1: already heavy */
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--threshold-24 0", err) == NULL);
  CHECK(strstr(err, "'0' for --threshold-24") != NULL);
  CHECK(test_parse("--threshold-8 many", err) == NULL);
  CHECK(strstr(err, "'many' for --threshold-8") != NULL);
  CHECK(test_parse("--max-prefixes-16 1000", err) == NULL);
  CHECK(strstr(err, "'1000' for --max-prefixes-16") != NULL);
  CHECK(test_parse("--window 0", err) == NULL);
  CHECK(strstr(err, "--window") != NULL);
  CHECK(test_parse("--expiry soon", err) == NULL);
  CHECK(strstr(err, "--expiry") != NULL);
  CHECK(test_parse("--lan-port 1", err) == NULL);
  CHECK(strstr(err, "--lan-port") != NULL && strstr(err, "--wan-port") != NULL);
  CHECK(test_parse("--threshold-64 5", err) == NULL);
  CHECK(strstr(err, "--threshold-64") != NULL);
  CHECK(test_parse("--threshold-32", err) == NULL);
  CHECK(strstr(err, "--threshold-32") != NULL);
  CHECK(test_parse("stray", err) == NULL);
  CHECK(strstr(err, "'stray'") != NULL);
  /* Positive control: the same options with good values parse. */
  CHECK(test_parse("--threshold-24 1 --threshold-8 4G --max-prefixes-16 1024 --window 250ms "
                   "--expiry 1s --lan-port 1 --wan-port 0",
                   err) != NULL);
}

int main(void) {
  RUN_TEST(test_default_thresholds);
  RUN_TEST(test_each_level_binds_in_turn);
  RUN_TEST(test_only_passed_packets_are_counted);
  RUN_TEST(test_windows_start_at_the_first_packet);
  RUN_TEST(test_idle_prefixes_expire);
  RUN_TEST(test_full_tables_drop);
  RUN_TEST(test_dropped_at_a_coarse_level_skips_finer_levels);
  RUN_TEST(test_lan_to_wan_passes_uncounted);
  RUN_TEST(test_malformed_and_non_l4_frames);
  RUN_TEST(test_swapped_ports);
  RUN_TEST(test_ipv6_each_level_binds_in_turn);
  RUN_TEST(test_families_do_not_interfere);
  RUN_TEST(test_ipv6_fragments_other_protocols_and_malformed_frames);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
