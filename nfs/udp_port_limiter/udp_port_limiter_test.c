/* Behaviour of the UDP port limiter: per-service windows, WAN blocking while
 * over the limit, expiry, a full table, malformed frames and configuration. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define HOST TEST_IP(10, 0, 0, 7)
#define SERVER TEST_IP(93, 184, 216, 34)

static void test_limit_per_service_and_window(void) {
  struct nf_state *s = test_create("--limit 3 --window 100ms");
  struct test_frame f;
  nf_time_t t0 = 1 * TEST_SEC;
  for (int i = 0; i < 3; i++) {
    test_frame_udp(&f, HOST, SERVER, (uint16_t)(4000 + i), 53);
    CHECK_EQ(test_send(s, &f, LAN, t0 + i), WAN);
  }
  /* The fourth packet to SERVER:53 in the window is dropped, whatever its source. */
  test_frame_udp(&f, HOST + 1, SERVER, 5000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 10), NF_DROP);
  /* Another port or address of the server is another service. */
  test_frame_udp(&f, HOST, SERVER, 4000, 54);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 11), WAN);
  test_frame_udp(&f, HOST, SERVER + 1, 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 12), WAN);
  /* TCP to the same service is not counted. */
  test_frame_tcp(&f, HOST, SERVER, 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 13), WAN);
  /* The window started at t0: at t0 + 100 ms a new one starts. */
  test_frame_udp(&f, HOST, SERVER, 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 100 * TEST_MS - 1), NF_DROP);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 100 * TEST_MS), WAN);
}

static void test_wan_blocked_only_while_over_limit(void) {
  struct nf_state *s = test_create("--limit 2 --window 1s");
  struct test_frame f;
  nf_time_t t0 = 3 * TEST_SEC;
  /* Unknown service: passes. */
  test_frame_udp(&f, SERVER, HOST, 53, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0), LAN);
  test_frame_udp(&f, HOST, SERVER, 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 1), WAN);
  test_frame_udp(&f, SERVER, HOST, 53, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0 + 2), LAN); /* count 1 < 2 */
  test_frame_udp(&f, HOST, SERVER, 4001, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 3), WAN); /* count 2: at the limit */
  test_frame_udp(&f, SERVER, HOST, 53, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0 + 4), NF_DROP);
  /* Another source port of the server is another service. */
  test_frame_udp(&f, SERVER, HOST, 54, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0 + 5), LAN);
  /* Non-UDP from the blocked service passes. */
  test_frame_tcp(&f, SERVER, HOST, 53, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0 + 6), LAN);
  /* WAN packets do not open a new window: after it ends they pass again. */
  test_frame_udp(&f, SERVER, HOST, 53, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0 + 1 * TEST_SEC + 1), LAN);
}

static void test_services_expire_and_table_fills(void) {
  struct nf_state *s = test_create("--limit 1 --window 10s --max-services 2 --expiry 50ms");
  struct test_frame f;
  nf_time_t t0 = 2 * TEST_SEC;
  test_frame_udp(&f, HOST, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0), WAN);
  test_frame_udp(&f, HOST, SERVER, 4000, 2);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 1), WAN);
  test_frame_udp(&f, HOST, SERVER, 4000, 3);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 2), NF_DROP); /* table full */
  test_frame_udp(&f, HOST, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 3), NF_DROP); /* over the limit, refreshed */
  /* Service 2 expires 50 ms after its only packet; service 1 was refreshed. */
  test_frame_udp(&f, HOST, SERVER, 4000, 3);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 50 * TEST_MS + 2), WAN);
  test_frame_udp(&f, HOST, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 50 * TEST_MS + 3), NF_DROP);
  /* After expiry a service starts over with a fresh window. */
  CHECK_EQ(test_send(s, &f, LAN, t0 + 200 * TEST_MS), WAN);
}

static void test_malformed_and_other_frames(void) {
  struct nf_state *s = test_create("--limit 1");
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.truncate_to = 20;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 1), NF_DROP);
  CHECK_EQ(test_send(s, &f, WAN, 1), NF_DROP);
  spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.ip_total_len = 24; /* UDP header cut inside the datagram */
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 2), NF_DROP);
  spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.more_fragments = true;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 3), WAN); /* fragment: not counted */
  CHECK_EQ(test_send(s, &f, LAN, 4), WAN);
  spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.ether_type = 0x88b5; /* neither IPv4 nor IPv6 */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(s, &f, WAN, 5), LAN);
  /* IPv4-only: IPv6 UDP passes uncounted both ways, malformed IPv6 is dropped. */
  for (int i = 0; i < 5; i++) {
    CHECK_EQ(test_frame_udp6(&f, "2001:db8::1", "2001:db8::53", 4000, 53), NF_PKT_IPV6_L4_OK);
    CHECK_EQ(test_send(s, &f, LAN, 5), WAN);
    CHECK_EQ(test_send(s, &f, WAN, 5), LAN);
  }
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    struct test_frame_spec spec6 =
        test_spec_udp6(test_ip6("2001:db8::1"), test_ip6("2001:db8::53"), 4000, 53);
    CHECK_EQ(test_frame_malformed6(&f, &spec6, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(s, &f, LAN, 5), NF_DROP);
    CHECK_EQ(test_send(s, &f, WAN, 5), NF_DROP);
  }
  spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.proto = TEST_IPPROTO_ICMP;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 6), WAN);
}

static void test_config_errors_name_option_and_value(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--max-services 1000", err) == NULL);
  CHECK(strstr(err, "'1000' for --max-services") != NULL);
  CHECK(test_parse("--limit 0", err) == NULL);
  CHECK(strstr(err, "'0' for --limit") != NULL);
  CHECK(test_parse("--window 0", err) == NULL);
  CHECK(strstr(err, "--window") != NULL);
  CHECK(test_parse("--lan-port 1", err) == NULL);
  CHECK(strcmp(err, "--lan-port and --wan-port must differ (both are 1)") == 0);
  CHECK(test_parse("--bogus 3", err) == NULL);
  CHECK(strcmp(err, "unknown option '--bogus'") == 0);
  struct nf_config *cfg = test_parse("--limit=5 --window=2ms", err);
  CHECK(cfg != NULL);
  CHECK_EQ(nf_port_count(cfg), 2);
}

int main(void) {
  RUN_TEST(test_limit_per_service_and_window);
  RUN_TEST(test_wan_blocked_only_while_over_limit);
  RUN_TEST(test_services_expire_and_table_fills);
  RUN_TEST(test_malformed_and_other_frames);
  RUN_TEST(test_config_errors_name_option_and_value);
  return test_main_result();
}
