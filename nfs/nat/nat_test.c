/* Behaviour of the NAT: translation both ways with checksums recomputed from
 * scratch, spoofed WAN packets, expiry, a full table, malformed frames and
 * configuration errors. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define HOST TEST_IP(192, 168, 0, 10)
#define SERVER TEST_IP(93, 184, 216, 34)
#define EXT TEST_IP(203, 0, 113, 1)

/* Sends a LAN packet and returns the external port it was given (0 on drop). */
static uint16_t send_out(struct nf_state *nat, uint8_t proto, uint32_t host, uint16_t host_port,
                         uint32_t server, uint16_t server_port, nf_time_t now) {
  struct test_frame f;
  if (proto == NF_IPPROTO_TCP) {
    test_frame_tcp(&f, host, server, host_port, server_port);
  } else {
    test_frame_udp(&f, host, server, host_port, server_port);
  }
  if (test_send(nat, &f, LAN, now) != WAN) return 0;
  return test_frame_l4_src_port(&f);
}

static void test_lan_flow_is_translated_both_ways(void) {
  struct nf_state *nat = test_create("--external-ip 203.0.113.1 --port-start 5000 --max-flows 64");
  struct test_frame f;
  test_frame_udp(&f, HOST, SERVER, 40000, 53);
  uint8_t payload[18];
  memcpy(payload, f.data + 14 + 20 + 8, sizeof(payload));
  CHECK_EQ(test_send(nat, &f, LAN, TEST_SEC), WAN);
  CHECK_EQ(test_frame_ipv4_src(&f), EXT);
  CHECK_EQ(test_frame_ipv4_dst(&f), SERVER);
  CHECK_EQ(test_frame_l4_dst_port(&f), 53);
  uint16_t ext_port = test_frame_l4_src_port(&f);
  CHECK(ext_port >= 5000 && ext_port < 5064);
  CHECK(test_frame_checksums_ok(&f));
  CHECK(memcmp(payload, f.data + 14 + 20 + 8, sizeof(payload)) == 0);
  CHECK(test_mac_eq(test_frame_eth_src(&f), test_mac(1)));

  /* The same flow keeps its port; another flow gets another one. */
  CHECK_EQ(send_out(nat, NF_IPPROTO_UDP, HOST, 40000, SERVER, 53, 2 * TEST_SEC), ext_port);
  uint16_t other = send_out(nat, NF_IPPROTO_UDP, HOST, 40001, SERVER, 53, 2 * TEST_SEC);
  CHECK(other >= 5000 && other < 5064 && other != ext_port);
  uint16_t tcp_port = send_out(nat, NF_IPPROTO_TCP, HOST, 40000, SERVER, 53, 2 * TEST_SEC);
  CHECK(tcp_port != 0 && tcp_port != ext_port && tcp_port != other);

  /* The reply is translated back to the internal endpoint. */
  test_frame_udp(&f, SERVER, EXT, 53, ext_port);
  CHECK_EQ(test_send(nat, &f, WAN, 3 * TEST_SEC), LAN);
  CHECK_EQ(test_frame_ipv4_src(&f), SERVER);
  CHECK_EQ(test_frame_ipv4_dst(&f), HOST);
  CHECK_EQ(test_frame_l4_src_port(&f), 53);
  CHECK_EQ(test_frame_l4_dst_port(&f), 40000);
  CHECK(test_frame_checksums_ok(&f));
  /* TCP too. */
  test_frame_tcp(&f, SERVER, EXT, 53, tcp_port);
  CHECK_EQ(test_send(nat, &f, WAN, 3 * TEST_SEC), LAN);
  CHECK_EQ(test_frame_ipv4_dst(&f), HOST);
  CHECK_EQ(test_frame_l4_dst_port(&f), 40000);
  CHECK(test_frame_checksums_ok(&f));
}

static void test_spoofed_and_unsolicited_wan_packets_are_dropped(void) {
  struct nf_state *nat = test_create("--external-ip 203.0.113.1 --port-start 5000 --max-flows 64");
  uint16_t port = send_out(nat, NF_IPPROTO_UDP, HOST, 40000, SERVER, 53, 0);
  REQUIRE(port != 0);
  struct test_frame f;
  test_frame_udp(&f, SERVER + 1, EXT, 53, port); /* other remote host */
  CHECK_EQ(test_send(nat, &f, WAN, 1), NF_DROP);
  test_frame_udp(&f, SERVER, EXT, 54, port); /* other remote port */
  CHECK_EQ(test_send(nat, &f, WAN, 1), NF_DROP);
  test_frame_tcp(&f, SERVER, EXT, 53, port); /* other protocol */
  CHECK_EQ(test_send(nat, &f, WAN, 1), NF_DROP);
  test_frame_udp(&f, SERVER, EXT + 1, 53, port); /* not our address */
  CHECK_EQ(test_send(nat, &f, WAN, 1), NF_DROP);
  /* Ports in the range but never handed out, and ports outside the range. */
  for (uint32_t p = 5000; p < 5064; p++) {
    if (p == port) continue;
    test_frame_udp(&f, SERVER, EXT, 53, (uint16_t)p);
    CHECK_EQ(test_send(nat, &f, WAN, 1), NF_DROP);
  }
  uint16_t outside[] = {0, 1, 4999, 5064, 65535};
  for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
    test_frame_udp(&f, SERVER, EXT, 53, outside[i]);
    CHECK_EQ(test_send(nat, &f, WAN, 1), NF_DROP);
  }
  /* The real reply still works afterwards. */
  test_frame_udp(&f, SERVER, EXT, 53, port);
  CHECK_EQ(test_send(nat, &f, WAN, 2), LAN);
}

static void test_flows_expire_and_wan_traffic_refreshes(void) {
  struct nf_state *nat = test_create("--external-ip 203.0.113.1 --expiry 1s --max-flows 16");
  nf_time_t t0 = 100 * TEST_SEC;
  uint16_t port = send_out(nat, NF_IPPROTO_UDP, HOST, 1111, SERVER, 80, t0);
  REQUIRE(port != 0);
  struct test_frame f;
  test_frame_udp(&f, SERVER, EXT, 80, port);
  CHECK_EQ(test_send(nat, &f, WAN, t0 + TEST_SEC), LAN); /* exactly at the expiry bound */
  test_frame_udp(&f, SERVER, EXT, 80, port);
  CHECK_EQ(test_send(nat, &f, WAN, t0 + 2 * TEST_SEC), LAN); /* refreshed by the reply */
  test_frame_udp(&f, SERVER, EXT, 80, port);
  CHECK_EQ(test_send(nat, &f, WAN, t0 + 3 * TEST_SEC + 1), NF_DROP); /* expired */
  /* A new LAN packet of the same 5-tuple is a new flow. */
  uint16_t again = send_out(nat, NF_IPPROTO_UDP, HOST, 1111, SERVER, 80, t0 + 4 * TEST_SEC);
  CHECK(again != 0);
  test_frame_udp(&f, SERVER, EXT, 80, again);
  CHECK_EQ(test_send(nat, &f, WAN, t0 + 4 * TEST_SEC), LAN);
  CHECK_EQ(test_frame_l4_dst_port(&f), 1111);
}

static void test_full_table_drops_new_flows_and_ports_stay_in_range(void) {
  struct nf_state *nat =
      test_create("--external-ip 203.0.113.1 --port-start 65532 --max-flows 4 --expiry 1s");
  bool seen[4] = {false, false, false, false};
  for (uint16_t i = 0; i < 4; i++) {
    uint16_t port = send_out(nat, NF_IPPROTO_UDP, HOST, (uint16_t)(2000 + i), SERVER, 80, i);
    REQUIRE(port >= 65532);
    CHECK(!seen[port - 65532]);
    seen[port - 65532] = true;
  }
  CHECK_EQ(send_out(nat, NF_IPPROTO_UDP, HOST, 2004, SERVER, 80, 10), 0);
  /* Existing flows still translate, the last port included. */
  struct test_frame f;
  test_frame_udp(&f, SERVER, EXT, 80, 65535);
  CHECK_EQ(test_send(nat, &f, WAN, 20), LAN);
  CHECK(test_frame_l4_dst_port(&f) >= 2000 && test_frame_l4_dst_port(&f) < 2004);
  CHECK(test_frame_checksums_ok(&f));
  /* After expiry a new flow gets a port. */
  CHECK(send_out(nat, NF_IPPROTO_UDP, HOST, 2004, SERVER, 80, 2 * TEST_SEC) >= 65532);
}

static void test_non_l4_frames_are_dropped_both_ways(void) {
  struct nf_state *nat = test_create("--external-ip 203.0.113.1");
  uint16_t port = send_out(nat, NF_IPPROTO_UDP, HOST, 1000, SERVER, 2000, 0);
  REQUIRE(port != 0);
  struct test_frame f;
  for (int side = 0; side < 2; side++) {
    uint32_t src = side == LAN ? HOST : SERVER;
    uint32_t dst = side == LAN ? SERVER : EXT;
    uint16_t sport = side == LAN ? 1000 : 2000;
    uint16_t dport = side == LAN ? 2000 : port;
    struct test_frame_spec spec = test_spec_udp(src, dst, sport, dport);
    spec.proto = TEST_IPPROTO_ICMP;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    spec = test_spec_udp(src, dst, sport, dport);
    spec.more_fragments = true;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    spec = test_spec_udp(src, dst, sport, dport);
    spec.ether_type = 0x88b5; /* neither IPv4 nor IPv6 */
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    spec = test_spec_udp(src, dst, sport, dport);
    spec.ip_total_len = 20 + 3;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    spec = test_spec_udp(src, dst, sport, dport);
    spec.truncate_to = 13;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_ETH);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
  }
  /* The ICMP frame from the LAN was not translated: it is dropped untouched. */
  struct test_frame_spec spec = test_spec_udp(HOST, SERVER, 1000, 2000);
  spec.proto = TEST_IPPROTO_ICMP;
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(nat, &f, LAN, 2), NF_DROP);
  CHECK_EQ(test_frame_ipv4_src(&f), HOST);
}

/* NAT44 only: IPv6 is dropped in both directions, well-formed or not, and
 * never rewritten; it leaves no state (the IPv4 flow is unaffected). */
static void test_ipv6_is_dropped_both_ways(void) {
  struct nf_state *nat = test_create("--external-ip 203.0.113.1");
  uint16_t port = send_out(nat, NF_IPPROTO_UDP, HOST, 1000, SERVER, 2000, 0);
  REQUIRE(port != 0);
  struct nf_ipv6_addr host = test_ip6("2001:db8:0:1::10"), server = test_ip6("2606:2800:220:1::34");
  struct test_frame f;
  for (int side = 0; side < 2; side++) {
    struct nf_ipv6_addr src = side == LAN ? host : server, dst = side == LAN ? server : host;
    struct test_frame_spec spec = test_spec_udp6(src, dst, 1000, 2000);
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
    uint8_t before[TEST_FRAME_MAX];
    memcpy(before, f.data, f.len);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    CHECK(memcmp(before, f.data, f.len) == 0);
    spec = test_spec_tcp6(src, dst, 1000, 2000, 0x02);
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    spec = test_spec_udp6(src, dst, 1000, 2000);
    spec.proto = NF_IPPROTO_ICMPV6;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    spec = test_spec_udp6(src, dst, 1000, 2000);
    spec.ipv6_fragment = true;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
    CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
      spec = test_spec_udp6(src, dst, 1000, 2000);
      CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
      CHECK_EQ(test_send(nat, &f, (uint16_t)side, 1), NF_DROP);
    }
  }
  /* An IPv6 reply to the IPv4-mapped external address is not the IPv4 flow's. */
  struct test_frame_spec spec =
      test_spec_udp6(test_ip6("::ffff:93.184.216.34"), test_ip6("::ffff:203.0.113.1"), 2000, port);
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(nat, &f, WAN, 2), NF_DROP);
  /* The IPv4 flow still works both ways. */
  CHECK_EQ(send_out(nat, NF_IPPROTO_UDP, HOST, 1000, SERVER, 2000, 3), port);
  test_frame_udp(&f, SERVER, EXT, 2000, port);
  CHECK_EQ(test_send(nat, &f, WAN, 4), LAN);
  CHECK_EQ(test_frame_ipv4_dst(&f), HOST);
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("", err) == NULL);
  CHECK(strstr(err, "missing --external-ip") != NULL);
  CHECK(test_parse("--external-ip 1.2.3", err) == NULL);
  CHECK(strstr(err, "'1.2.3' for --external-ip") != NULL);
  CHECK(test_parse("--external-ip 1.2.3.4 --port-start 40000 --max-flows 32768", err) == NULL);
  CHECK(strstr(err, "--port-start 40000 + --max-flows 32768") != NULL);
  CHECK(test_parse("--external-ip 1.2.3.4 --port-start 0", err) == NULL);
  CHECK(strstr(err, "'0' for --port-start") != NULL);
  CHECK(test_parse("--external-ip 1.2.3.4 --max-flows 3", err) == NULL);
  CHECK(strstr(err, "'3' for --max-flows") != NULL);
  CHECK(test_parse("--external-ip 1.2.3.4 --wan-port 0", err) == NULL);
  CHECK(strstr(err, "must differ") != NULL);
  CHECK(test_parse("--external-ip 1.2.3.4 --port-start 32768 --max-flows 32768", err) != NULL);
}

int main(void) {
  RUN_TEST(test_lan_flow_is_translated_both_ways);
  RUN_TEST(test_spoofed_and_unsolicited_wan_packets_are_dropped);
  RUN_TEST(test_flows_expire_and_wan_traffic_refreshes);
  RUN_TEST(test_full_table_drops_new_flows_and_ports_stay_in_range);
  RUN_TEST(test_non_l4_frames_are_dropped_both_ways);
  RUN_TEST(test_ipv6_is_dropped_both_ways);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
