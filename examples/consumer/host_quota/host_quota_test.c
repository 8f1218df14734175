/* Behaviour of the host quota NF: per-host windows, expiry, a full table,
 * malformed frames and configuration. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define HOST TEST_IP(192, 168, 1, 20)
#define SERVER TEST_IP(93, 184, 216, 34)

static void test_quota_per_host_and_window(void) {
  struct nf_state *s = test_create("--quota 3 --window 100ms");
  struct test_frame f;
  nf_time_t t0 = 1 * TEST_SEC;
  /* Any IPv4 packet of the host counts, whatever its destination or protocol. */
  test_frame_udp(&f, HOST, SERVER, 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0), WAN);
  test_frame_tcp(&f, HOST, SERVER + 1, 4001, 443);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 1), WAN);
  test_frame_udp(&f, HOST, SERVER, 4002, 123);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 2), WAN);
  test_frame_udp(&f, HOST, SERVER, 4003, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 3), NF_DROP);
  /* Another host of the same /24 has its own quota. */
  test_frame_udp(&f, HOST + 1, SERVER, 4003, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 4), WAN);
  /* Replies are never limited. */
  test_frame_udp(&f, SERVER, HOST, 53, 4000);
  CHECK_EQ(test_send(s, &f, WAN, t0 + 5), LAN);
  /* The window started at t0: at t0 + 100 ms a new one starts. */
  test_frame_udp(&f, HOST, SERVER, 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 100 * TEST_MS - 1), NF_DROP);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 100 * TEST_MS), WAN);
}

static void test_hosts_expire_and_table_fills(void) {
  struct nf_state *s = test_create("--quota 1 --window 10s --max-hosts 2 --expiry 50ms");
  struct test_frame f;
  nf_time_t t0 = 2 * TEST_SEC;
  test_frame_udp(&f, HOST, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0), WAN);
  test_frame_udp(&f, HOST + 1, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 1), WAN);
  test_frame_udp(&f, HOST + 2, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 2), NF_DROP); /* table full */
  test_frame_udp(&f, HOST, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 3), NF_DROP); /* over the quota, refreshed */
  /* HOST + 1 expires 50 ms after its only packet; HOST was refreshed. */
  test_frame_udp(&f, HOST + 2, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 50 * TEST_MS + 2), WAN);
  test_frame_udp(&f, HOST, SERVER, 4000, 1);
  CHECK_EQ(test_send(s, &f, LAN, t0 + 50 * TEST_MS + 3), NF_DROP);
  /* After expiry a host starts over with a fresh window. */
  CHECK_EQ(test_send(s, &f, LAN, t0 + 200 * TEST_MS), WAN);
}

static void test_malformed_and_other_frames(void) {
  struct nf_state *s = test_create("--quota 1");
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.truncate_to = 20;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 1), NF_DROP);
  CHECK_EQ(test_send(s, &f, WAN, 1), NF_DROP);
  /* Non-IPv4 frames pass uncounted, so the host's quota is still free. */
  spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.ether_type = 0x88b5; /* neither IPv4 nor IPv6 */
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 2), WAN);
  CHECK_EQ(test_send(s, &f, LAN, 3), WAN);
  /* IPv4-only NF: IPv6 passes uncounted too. */
  test_frame_udp6(&f, "2001:db8::1", "2001:db8::53", 4000, 53);
  CHECK_EQ(test_send(s, &f, LAN, 3), WAN);
  /* Fragments are IPv4: counted. */
  spec = test_spec_udp(HOST, SERVER, 4000, 53);
  spec.more_fragments = true;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(s, &f, LAN, 4), WAN);
  CHECK_EQ(test_send(s, &f, LAN, 5), NF_DROP);
}

static void test_config_errors_name_option_and_value(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--max-hosts 1000", err) == NULL);
  CHECK(strstr(err, "'1000' for --max-hosts") != NULL);
  CHECK(test_parse("--quota 0", err) == NULL);
  CHECK(strstr(err, "'0' for --quota") != NULL);
  CHECK(test_parse("--lan-port 1", err) == NULL);
  CHECK(strcmp(err, "--lan-port and --wan-port must differ (both are 1)") == 0);
  struct nf_config *cfg = test_parse("--quota=5 --window=2ms", err);
  CHECK(cfg != NULL);
  CHECK_EQ(nf_port_count(cfg), 2);
}

int main(void) {
  RUN_TEST(test_quota_per_host_and_window);
  RUN_TEST(test_hosts_expire_and_table_fills);
  RUN_TEST(test_malformed_and_other_frames);
  RUN_TEST(test_config_errors_name_option_and_value);
  return test_main_result();
}
