/* Behaviour of the firewall: LAN flows open the way back, expiry, a full table,
 * malformed frames and configuration errors. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define HOST TEST_IP(192, 168, 0, 10)
#define SERVER TEST_IP(93, 184, 216, 34)
#define HOST6 "2001:db8:0:1::10"
#define HOST6_B "2001:db8:0:1::11"
#define SERVER6 "2606:2800:220:1::34"
#define SERVER6_B "2606:2800:220:1::35"

static void test_reply_of_lan_flow_passes_and_others_do_not(void) {
  struct nf_state *fw = test_create("--expiry 10s");
  struct test_frame f;
  /* Before any LAN traffic the reply is dropped. */
  test_frame_udp(&f, SERVER, HOST, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 0), NF_DROP);

  test_frame_udp(&f, HOST, SERVER, 40000, 53);
  uint8_t before[TEST_FRAME_MAX];
  memcpy(before, f.data, f.len);
  CHECK_EQ(test_send(fw, &f, LAN, 1 * TEST_SEC), WAN);
  CHECK(memcmp(before, f.data, f.len) == 0); /* never rewritten */

  test_frame_udp(&f, SERVER, HOST, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), LAN);
  /* Same endpoints but another protocol, remote port, remote host or local port. */
  test_frame_tcp(&f, SERVER, HOST, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp(&f, SERVER, HOST, 54, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp(&f, SERVER + 1, HOST, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp(&f, SERVER, HOST, 53, 40001);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  /* A WAN packet in the LAN flow's own direction is not its reverse. */
  test_frame_udp(&f, HOST, SERVER, 40000, 53);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  /* Other LAN hosts may open flows too. */
  test_frame_tcp(&f, HOST + 1, SERVER, 50000, 443);
  CHECK_EQ(test_send(fw, &f, LAN, 3 * TEST_SEC), WAN);
  test_frame_tcp(&f, SERVER, HOST + 1, 443, 50000);
  CHECK_EQ(test_send(fw, &f, WAN, 3 * TEST_SEC), LAN);
}

static void test_flows_expire_unless_refreshed(void) {
  struct nf_state *fw = test_create("--expiry 100ms");
  struct test_frame f;
  nf_time_t t0 = 5 * TEST_SEC;
  test_frame_udp(&f, HOST, SERVER, 1000, 2000);
  CHECK_EQ(test_send(fw, &f, LAN, t0), WAN);
  /* Exactly `expiry` after the last packet the flow is still alive ... */
  test_frame_udp(&f, SERVER, HOST, 2000, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, t0 + 100 * TEST_MS), LAN);
  /* ... and that WAN reply refreshed it, so 180 ms after t0 it still passes. */
  CHECK_EQ(test_send(fw, &f, WAN, t0 + 180 * TEST_MS), LAN);
  /* One ns past expiry after the last refresh it is gone. */
  CHECK_EQ(test_send(fw, &f, WAN, t0 + 280 * TEST_MS + 1), NF_DROP);
  /* A new LAN packet opens it again. */
  test_frame_udp(&f, HOST, SERVER, 1000, 2000);
  CHECK_EQ(test_send(fw, &f, LAN, t0 + 300 * TEST_MS), WAN);
  test_frame_udp(&f, SERVER, HOST, 2000, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, t0 + 301 * TEST_MS), LAN);
}

static void test_full_table_drops_new_flows_only(void) {
  struct nf_state *fw = test_create("--max-flows 4 --expiry 1s");
  struct test_frame f;
  for (uint16_t i = 0; i < 4; i++) {
    test_frame_udp(&f, HOST, SERVER, (uint16_t)(1000 + i), 80);
    CHECK_EQ(test_send(fw, &f, LAN, TEST_MS * i), WAN);
  }
  test_frame_udp(&f, HOST, SERVER, 1004, 80);
  CHECK_EQ(test_send(fw, &f, LAN, 10 * TEST_MS), NF_DROP);
  test_frame_udp(&f, SERVER, HOST, 80, 1004);
  CHECK_EQ(test_send(fw, &f, WAN, 10 * TEST_MS), NF_DROP);
  /* Existing flows are unaffected, both ways. */
  for (uint16_t i = 0; i < 4; i++) {
    test_frame_udp(&f, HOST, SERVER, (uint16_t)(1000 + i), 80);
    CHECK_EQ(test_send(fw, &f, LAN, 20 * TEST_MS), WAN);
    test_frame_udp(&f, SERVER, HOST, 80, (uint16_t)(1000 + i));
    CHECK_EQ(test_send(fw, &f, WAN, 20 * TEST_MS), LAN);
  }
  /* Once they expire there is room again. */
  test_frame_udp(&f, HOST, SERVER, 1004, 80);
  CHECK_EQ(test_send(fw, &f, LAN, 2 * TEST_SEC), WAN);
}

static void test_malformed_and_non_l4_frames(void) {
  struct nf_state *fw = test_create("");
  struct test_frame f;
  struct test_frame_spec spec;
  /* Open a flow so that the WAN frames below refer to a live one. */
  test_frame_udp(&f, HOST, SERVER, 1000, 2000);
  CHECK_EQ(test_send(fw, &f, LAN, 0), WAN);

  /* LAN: well-formed non-TCP/UDP frames pass untracked. */
  spec = test_spec_udp(HOST, SERVER, 1000, 2000);
  spec.proto = TEST_IPPROTO_ICMP;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
  CHECK_EQ(test_send(fw, &f, LAN, 1), WAN);
  spec = test_spec_udp(HOST, SERVER, 1000, 2000);
  spec.more_fragments = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
  CHECK_EQ(test_send(fw, &f, LAN, 1), WAN);
  spec = test_spec_udp(HOST, SERVER, 1000, 2000);
  spec.ether_type = 0x0806;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(fw, &f, LAN, 1), WAN);
  /* LAN: malformed frames are dropped. */
  spec = test_spec_udp(HOST, SERVER, 1000, 2000);
  spec.ip_total_len = 20 + 4;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(test_send(fw, &f, LAN, 1), NF_DROP);
  spec.ip_total_len = 0;
  spec.truncate_to = 14 + 20 + 4;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_BAD_TOTAL_LEN);
  CHECK_EQ(test_send(fw, &f, LAN, 1), NF_DROP);
  spec.truncate_to = 8;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_ETH);
  CHECK_EQ(test_send(fw, &f, LAN, 1), NF_DROP);
  spec.truncate_to = 14 + 10;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  CHECK_EQ(test_send(fw, &f, LAN, 1), NF_DROP);
  /* An ICMP packet from the LAN did not open anything for ICMP from the WAN. */
  spec = test_spec_udp(SERVER, HOST, 2000, 1000);
  spec.proto = TEST_IPPROTO_ICMP;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(fw, &f, WAN, 2), NF_DROP);
  /* WAN: fragments, non-IPv4 and truncated frames are dropped even for a live flow. */
  spec = test_spec_udp(SERVER, HOST, 2000, 1000);
  spec.frag_offset = 3;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
  CHECK_EQ(test_send(fw, &f, WAN, 2), NF_DROP);
  spec = test_spec_udp(SERVER, HOST, 2000, 1000);
  spec.ether_type = 0x86dd;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(fw, &f, WAN, 2), NF_DROP);
  spec = test_spec_udp(SERVER, HOST, 2000, 1000);
  spec.ip_total_len = 20 + 6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(test_send(fw, &f, WAN, 2), NF_DROP);
  uint8_t runt[3] = {1, 2, 3};
  test_frame_raw(&f, runt, sizeof(runt));
  CHECK_EQ(test_send(fw, &f, WAN, 2), NF_DROP);
  /* And the well-formed reply still passes. */
  test_frame_udp(&f, SERVER, HOST, 2000, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, 3), LAN);
}

/* The IPv6 twin of the first test: the same rules on 128-bit addresses. */
static void test_ipv6_reply_of_lan_flow_passes_and_others_do_not(void) {
  struct nf_state *fw = test_create("--expiry 10s");
  struct test_frame f;
  test_frame_udp6(&f, SERVER6, HOST6, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 0), NF_DROP);
  test_frame_udp6(&f, HOST6, SERVER6, 40000, 53);
  uint8_t before[TEST_FRAME_MAX];
  memcpy(before, f.data, f.len);
  CHECK_EQ(test_send(fw, &f, LAN, 1 * TEST_SEC), WAN);
  CHECK(memcmp(before, f.data, f.len) == 0); /* never rewritten */
  test_frame_udp6(&f, SERVER6, HOST6, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), LAN);
  /* Another protocol, remote port, remote host (differing in the last bit
   * only) or local port. */
  test_frame_tcp6(&f, SERVER6, HOST6, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp6(&f, SERVER6, HOST6, 54, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp6(&f, SERVER6_B, HOST6, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp6(&f, SERVER6, HOST6_B, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp6(&f, SERVER6, HOST6, 53, 40001);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  test_frame_udp6(&f, HOST6, SERVER6, 40000, 53);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), NF_DROP);
  /* A flow through extension headers is the same flow. */
  struct test_frame_spec spec = test_spec_udp6(test_ip6(SERVER6), test_ip6(HOST6), 53, 40000);
  spec.ext_headers[0] = TEST_IPV6_DEST_OPTS;
  spec.ext_count = 1;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
  CHECK_EQ(test_send(fw, &f, WAN, 2 * TEST_SEC), LAN);
  /* Expiry as for IPv4: gone one ns after expiry since the last refresh. */
  test_frame_udp6(&f, SERVER6, HOST6, 53, 40000);
  CHECK_EQ(test_send(fw, &f, WAN, 12 * TEST_SEC), LAN);
  CHECK_EQ(test_send(fw, &f, WAN, 22 * TEST_SEC + 1), NF_DROP);
}

/* An IPv4 flow opens nothing for IPv6 and the other way round, even where the
 * addresses coincide bit for bit (an IPv4-mapped ::ffff:a.b.c.d, and an IPv6
 * address whose first 32 bits are the IPv4 address); each family has its own
 * --max-flows. */
static void test_families_do_not_interfere(void) {
  struct nf_state *fw = test_create("--max-flows 2 --expiry 1s");
  struct test_frame f;
  test_frame_udp(&f, TEST_IP(192, 0, 2, 1), TEST_IP(198, 51, 100, 1), 1000, 53);
  CHECK_EQ(test_send(fw, &f, LAN, 0), WAN);
  test_frame_udp6(&f, "::ffff:198.51.100.1", "::ffff:192.0.2.1", 53, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, 1), NF_DROP);
  test_frame_udp6(&f, "c633:6401::", "c000:0201::", 53, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, 1), NF_DROP);
  /* An IPv6 flow with the same ports opens the IPv6 way back only. */
  test_frame_udp6(&f, "::ffff:192.0.2.1", "::ffff:198.51.100.1", 1000, 53);
  CHECK_EQ(test_send(fw, &f, LAN, 2), WAN);
  test_frame_udp6(&f, "::ffff:198.51.100.1", "::ffff:192.0.2.1", 53, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, 3), LAN);
  test_frame_udp(&f, TEST_IP(198, 51, 100, 1), TEST_IP(192, 0, 2, 1), 53, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, 3), LAN);
  /* Fill the IPv4 table (2 flows): IPv6 still gets its second flow ... */
  test_frame_udp(&f, TEST_IP(192, 0, 2, 1), TEST_IP(198, 51, 100, 1), 1001, 53);
  CHECK_EQ(test_send(fw, &f, LAN, 4), WAN);
  test_frame_udp(&f, TEST_IP(192, 0, 2, 1), TEST_IP(198, 51, 100, 1), 1002, 53);
  CHECK_EQ(test_send(fw, &f, LAN, 5), NF_DROP);
  test_frame_tcp6(&f, HOST6, SERVER6, 1002, 443);
  CHECK_EQ(test_send(fw, &f, LAN, 6), WAN);
  /* ... and then is full itself, while IPv4 stays full. */
  test_frame_tcp6(&f, HOST6, SERVER6, 1003, 443);
  CHECK_EQ(test_send(fw, &f, LAN, 7), NF_DROP);
  test_frame_udp(&f, TEST_IP(192, 0, 2, 1), TEST_IP(198, 51, 100, 1), 1003, 53);
  CHECK_EQ(test_send(fw, &f, LAN, 8), NF_DROP);
  /* Both tables expire on their own clocks: at 1.5 s the IPv6 flow refreshed
   * at 0.9 s is alive, the IPv4 flows (last used at <= 4 ns) are gone. */
  test_frame_tcp6(&f, SERVER6, HOST6, 443, 1002);
  CHECK_EQ(test_send(fw, &f, WAN, 900 * TEST_MS), LAN);
  test_frame_udp(&f, TEST_IP(198, 51, 100, 1), TEST_IP(192, 0, 2, 1), 53, 1001);
  CHECK_EQ(test_send(fw, &f, WAN, 1500 * TEST_MS), NF_DROP);
  test_frame_tcp6(&f, SERVER6, HOST6, 443, 1002);
  CHECK_EQ(test_send(fw, &f, WAN, 1500 * TEST_MS), LAN);
}

static void test_ipv6_fragments_other_protocols_and_malformed_frames(void) {
  struct nf_state *fw = test_create("");
  struct test_frame f;
  struct nf_ipv6_addr host = test_ip6(HOST6), server = test_ip6(SERVER6);
  test_frame_udp6(&f, HOST6, SERVER6, 1000, 2000);
  CHECK_EQ(test_send(fw, &f, LAN, 0), WAN);
  /* LAN: ICMPv6 and fragments (first and later) pass untracked. */
  struct test_frame_spec spec = test_spec_udp6(host, server, 1000, 2000);
  spec.proto = NF_IPPROTO_ICMPV6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
  CHECK_EQ(test_send(fw, &f, LAN, 1), WAN);
  spec = test_spec_udp6(host, server, 1000, 2000);
  spec.ipv6_fragment = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(test_send(fw, &f, LAN, 1), WAN);
  spec.frag_offset = 100;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(test_send(fw, &f, LAN, 1), WAN);
  /* The untracked first fragment opened nothing for its reverse. */
  test_frame_udp6(&f, SERVER6, HOST6, 2000, 1001);
  CHECK_EQ(test_send(fw, &f, WAN, 1), NF_DROP);
  /* Malformed IPv6 is dropped on both sides, also for a live flow. */
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    spec = test_spec_udp6(host, server, 1000, 2000);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(fw, &f, LAN, 2), NF_DROP);
    spec = test_spec_udp6(server, host, 2000, 1000);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(fw, &f, WAN, 2), NF_DROP);
  }
  /* WAN: fragments and ICMPv6 of a live flow are dropped (no ports to match). */
  spec = test_spec_udp6(server, host, 2000, 1000);
  spec.ipv6_fragment = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(test_send(fw, &f, WAN, 3), NF_DROP);
  spec = test_spec_udp6(server, host, 2000, 1000);
  spec.proto = NF_IPPROTO_ICMPV6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
  CHECK_EQ(test_send(fw, &f, WAN, 3), NF_DROP);
  /* And the well-formed reply still passes. */
  test_frame_udp6(&f, SERVER6, HOST6, 2000, 1000);
  CHECK_EQ(test_send(fw, &f, WAN, 4), LAN);
}

static void test_port_roles_are_configurable(void) {
  struct nf_state *fw = test_create("--lan-port 1 --wan-port 0");
  struct test_frame f;
  test_frame_udp(&f, HOST, SERVER, 1000, 2000);
  CHECK_EQ(test_send(fw, &f, 1, 0), 0);
  test_frame_udp(&f, SERVER, HOST, 2000, 1000);
  CHECK_EQ(test_send(fw, &f, 0, 1), 1);
  test_frame_udp(&f, SERVER, HOST, 2000, 1001);
  CHECK_EQ(test_send(fw, &f, 0, 1), NF_DROP);
}

static void test_config_errors_name_option_and_value(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--max-flows 1000", err) == NULL);
  CHECK(strstr(err, "'1000' for --max-flows") != NULL);
  CHECK(test_parse("--expiry 10parsecs", err) == NULL);
  CHECK(strstr(err, "'10parsecs' for --expiry") != NULL);
  CHECK(test_parse("--lan-port 2", err) == NULL);
  CHECK(strstr(err, "'2' for --lan-port") != NULL);
  CHECK(test_parse("--lan-port 1", err) == NULL);
  CHECK(strcmp(err, "--lan-port and --wan-port must differ (both are 1)") == 0);
  CHECK(test_parse("--bogus 3", err) == NULL);
  CHECK(strcmp(err, "unknown option '--bogus'") == 0);
  CHECK(test_parse("--expiry", err) == NULL);
  CHECK(strcmp(err, "option '--expiry' needs a value") == 0);
  CHECK(test_parse("stray", err) == NULL);
  CHECK(strcmp(err, "unexpected argument 'stray'") == 0);
  struct nf_config *cfg = test_parse("--max-flows=8 --expiry=2ms", err);
  CHECK(cfg != NULL);
  CHECK_EQ(nf_port_count(cfg), 2);
}

int main(void) {
  RUN_TEST(test_reply_of_lan_flow_passes_and_others_do_not);
  RUN_TEST(test_flows_expire_unless_refreshed);
  RUN_TEST(test_full_table_drops_new_flows_only);
  RUN_TEST(test_malformed_and_non_l4_frames);
  RUN_TEST(test_ipv6_reply_of_lan_flow_passes_and_others_do_not);
  RUN_TEST(test_families_do_not_interfere);
  RUN_TEST(test_ipv6_fragments_other_protocols_and_malformed_frames);
  RUN_TEST(test_port_roles_are_configurable);
  RUN_TEST(test_config_errors_name_option_and_value);
  return test_main_result();
}
