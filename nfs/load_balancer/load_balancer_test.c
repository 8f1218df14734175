/* Behaviour of the load balancer: heartbeats, consistent assignment and
 * stickiness, re-assignment of a dead backend's flows only, reply rewriting,
 * a full flow table, malformed frames and configuration errors. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define CLIENTS 0
#define BACKENDS 1
#define VIP TEST_IP(10, 0, 0, 100)
#define B1 TEST_IP(10, 1, 0, 1)
#define B2 TEST_IP(10, 1, 0, 2)
#define B3 TEST_IP(10, 1, 0, 3)
#define FLOWS 200
#define VIP6 "2001:db8:100::100"
#define B6_1 "2001:db8:1::1"
#define B6_2 "2001:db8:1::2"
#define LB6_ARGS "--vip 10.0.0.100 --vip6 2001:db8:100::100"

static int beat(struct nf_state *lb, uint32_t backend_ip, uint8_t mac_byte, nf_time_t now) {
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(backend_ip, VIP, 7777, 7777);
  spec.src_mac = test_mac(mac_byte);
  test_frame_build(&f, &spec);
  return test_send(lb, &f, BACKENDS, now);
}

/* Sends packet `i` of a client flow; returns the backend address it went to, 0 if dropped. */
static uint32_t send_flow(struct nf_state *lb, uint32_t i, nf_time_t now) {
  struct test_frame f;
  test_frame_tcp(&f, TEST_IP(172, 16, i / 250, i % 250 + 1), VIP, (uint16_t)(10000 + i), 80);
  if (test_send(lb, &f, CLIENTS, now) != BACKENDS) return 0;
  CHECK(test_frame_checksums_ok(&f));
  return test_frame_ipv4_dst(&f);
}

static void test_no_backend_no_service(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100");
  CHECK_EQ(send_flow(lb, 1, 0), 0);
}

static void test_flows_spread_and_stick(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100 --backend-expiry 1s");
  CHECK_EQ(beat(lb, B1, 0xb1, 0), NF_DROP); /* consumed */
  CHECK_EQ(beat(lb, B2, 0xb2, 0), NF_DROP);
  uint32_t first[FLOWS];
  int on_b1 = 0, on_b2 = 0;
  for (uint32_t i = 0; i < FLOWS; i++) {
    first[i] = send_flow(lb, i, 1);
    if (first[i] == B1) on_b1++;
    if (first[i] == B2) on_b2++;
  }
  CHECK_EQ(on_b1 + on_b2, FLOWS);
  CHECK(on_b1 > FLOWS / 5 && on_b2 > FLOWS / 5); /* both used, roughly evenly */
  for (uint32_t i = 0; i < FLOWS; i++) CHECK_EQ(send_flow(lb, i, 2), first[i]);
  /* The destination MAC is the backend's (from its heartbeat). */
  struct test_frame f;
  test_frame_tcp(&f, TEST_IP(172, 16, 0, 1), VIP, 10000, 80);
  CHECK_EQ(test_send(lb, &f, CLIENTS, 3), BACKENDS);
  CHECK(test_mac_eq(test_frame_eth_dst(&f), test_mac(first[0] == B1 ? 0xb1 : 0xb2)));
  CHECK_EQ(test_frame_l4_dst_port(&f), 80);
}

static void test_dead_backend_flows_move_others_stay(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100 --backend-expiry 1s --flow-expiry 60s");
  beat(lb, B1, 0xb1, 0);
  beat(lb, B2, 0xb2, 0);
  beat(lb, B3, 0xb3, 0);
  uint32_t first[FLOWS];
  for (uint32_t i = 0; i < FLOWS; i++) first[i] = send_flow(lb, i, 1);
  /* B2 and B3 keep beating, B1 stops. */
  for (nf_time_t t = 500 * TEST_MS; t <= 3 * TEST_SEC; t += 500 * TEST_MS) {
    beat(lb, B2, 0xb2, t);
    beat(lb, B3, 0xb3, t);
  }
  int moved = 0;
  uint32_t second[FLOWS];
  for (uint32_t i = 0; i < FLOWS; i++) {
    second[i] = send_flow(lb, i, 3 * TEST_SEC);
    CHECK(second[i] == B2 || second[i] == B3);
    if (first[i] != B1) CHECK_EQ(second[i], first[i]);
    if (first[i] == B1) moved++;
  }
  CHECK(moved > 0);
  /* B1 comes back: re-assigned flows stay where they are now. */
  beat(lb, B1, 0xb1, 3 * TEST_SEC);
  for (uint32_t i = 0; i < FLOWS; i++) CHECK_EQ(send_flow(lb, i, 3 * TEST_SEC + 1), second[i]);
  /* With every backend dead, client packets are dropped. */
  CHECK_EQ(send_flow(lb, 0, 10 * TEST_SEC), 0);
}

static void test_backend_replies_come_from_the_vip(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100");
  beat(lb, B1, 0xb1, 0);
  struct test_frame f;
  test_frame_tcp(&f, B1, TEST_IP(172, 16, 0, 1), 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 1), CLIENTS);
  CHECK_EQ(test_frame_ipv4_src(&f), VIP);
  CHECK_EQ(test_frame_ipv4_dst(&f), TEST_IP(172, 16, 0, 1));
  CHECK_EQ(test_frame_l4_src_port(&f), 80);
  CHECK(test_frame_checksums_ok(&f));
  /* From an address that is not a live backend: dropped. */
  test_frame_tcp(&f, B2, TEST_IP(172, 16, 0, 1), 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 1), NF_DROP);
  /* A heartbeat-port packet from the client side is not a heartbeat. */
  struct test_frame_spec spec = test_spec_udp(B2, VIP, 7777, 7777);
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(lb, &f, CLIENTS, 2), BACKENDS); /* balanced to B1 like any flow */
  CHECK_EQ(test_frame_ipv4_dst(&f), B1);
  test_frame_tcp(&f, B2, TEST_IP(172, 16, 0, 1), 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 3), NF_DROP);
}

static void test_full_tables(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100 --max-flows 2 --max-backends 2 --cht-size 7");
  beat(lb, B1, 0xb1, 0);
  beat(lb, B2, 0xb2, 0);
  beat(lb, B3, 0xb3, 0); /* no room: ignored */
  for (uint32_t i = 0; i < 50; i++) {
    uint32_t backend = send_flow(lb, i, 1);
    CHECK(backend == B1 || backend == B2); /* served even when not pinned */
    CHECK_EQ(send_flow(lb, i, 2), backend);
  }
  struct test_frame f;
  test_frame_tcp(&f, B3, TEST_IP(172, 16, 0, 1), 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 3), NF_DROP);
}

static void test_malformed_and_foreign_frames(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100");
  beat(lb, B1, 0xb1, 0);
  struct test_frame f;
  test_frame_tcp(&f, TEST_IP(172, 16, 0, 1), VIP + 1, 10000, 80); /* not the VIP */
  CHECK_EQ(test_send(lb, &f, CLIENTS, 1), NF_DROP);
  for (uint16_t side = 0; side < 2; side++) {
    uint32_t src = side == CLIENTS ? TEST_IP(172, 16, 0, 1) : B1;
    struct test_frame_spec spec = test_spec_udp(src, VIP, 10000, 80);
    spec.proto = TEST_IPPROTO_ICMP;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
    CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
    spec = test_spec_udp(src, VIP, 10000, 80);
    spec.more_fragments = true;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
    CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
    spec = test_spec_udp(src, VIP, 10000, 80);
    spec.ether_type = 0x0806;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
    CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
    spec = test_spec_udp(src, VIP, 7777, 7777);
    spec.ip_total_len = 24;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
    CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
  }
  /* A truncated heartbeat did not register B2 (its packets are still dropped). */
  test_frame_tcp(&f, B2, TEST_IP(172, 16, 0, 1), 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 2), NF_DROP);
}

static int beat6(struct nf_state *lb, const char *backend, uint8_t mac_byte, nf_time_t now) {
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp6(test_ip6(backend), test_ip6(VIP6), 7777, 7777);
  spec.src_mac = test_mac(mac_byte);
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
  return test_send(lb, &f, BACKENDS, now);
}

/* Client i of one /64 (interface ID i); returns the backend's last address
 * byte the packet went to, 0 if dropped. */
static int send_flow6(struct nf_state *lb, uint32_t i, nf_time_t now) {
  struct test_frame f;
  struct test_frame_spec spec =
      test_spec_tcp6(test_ip6("2001:db8:c::"), test_ip6(VIP6), (uint16_t)(10000 + i), 80, 0x02);
  spec.src_ip6.bytes[14] = (uint8_t)(i >> 8);
  spec.src_ip6.bytes[15] = (uint8_t)i;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_L4_OK);
  if (test_send(lb, &f, CLIENTS, now) != BACKENDS) return 0;
  CHECK(test_frame_checksums_ok(&f));
  struct nf_ipv6_addr dst = test_frame_ipv6_dst(&f);
  CHECK(test_ip6_eq(dst, test_ip6(B6_1)) || test_ip6_eq(dst, test_ip6(B6_2)));
  return dst.bytes[15];
}

/* The IPv6 twins of the spread, stickiness, dead-backend and reply tests. */
static void test_ipv6_flows_spread_stick_and_move(void) {
  struct nf_state *lb = test_create(LB6_ARGS " --backend-expiry 1s --flow-expiry 60s");
  CHECK_EQ(send_flow6(lb, 1, 0), 0);           /* no IPv6 backend yet */
  CHECK_EQ(beat6(lb, B6_1, 0xc1, 0), NF_DROP); /* consumed */
  CHECK_EQ(beat6(lb, B6_2, 0xc2, 0), NF_DROP);
  int first[FLOWS];
  int on[3] = {0, 0, 0};
  for (uint32_t i = 0; i < FLOWS; i++) {
    first[i] = send_flow6(lb, i, 1);
    CHECK(first[i] == 1 || first[i] == 2);
    on[first[i]]++;
  }
  CHECK(on[1] > FLOWS / 5 && on[2] > FLOWS / 5);
  for (uint32_t i = 0; i < FLOWS; i++) CHECK_EQ(send_flow6(lb, i, 2), first[i]);
  /* The destination MAC is the backend's (from its IPv6 heartbeat). */
  struct test_frame f;
  struct test_frame_spec spec =
      test_spec_tcp6(test_ip6("2001:db8:c::"), test_ip6(VIP6), 10000, 80, 0x02);
  test_frame_build(&f, &spec);
  CHECK_EQ(test_send(lb, &f, CLIENTS, 3), BACKENDS);
  CHECK(test_mac_eq(test_frame_eth_dst(&f), test_mac(first[0] == 1 ? 0xc1 : 0xc2)));
  /* B6_2 keeps beating, B6_1 stops: only B6_1's flows move. */
  for (nf_time_t t = 500 * TEST_MS; t <= 3 * TEST_SEC; t += 500 * TEST_MS) {
    beat6(lb, B6_2, 0xc2, t);
  }
  for (uint32_t i = 0; i < FLOWS; i++) CHECK_EQ(send_flow6(lb, i, 3 * TEST_SEC), 2);
  /* Replies from a live IPv6 backend come from the IPv6 VIP, checksum kept. */
  test_frame_tcp6(&f, B6_2, "2001:db8:c::1", 80, 10001);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 3 * TEST_SEC), CLIENTS);
  CHECK(test_ip6_eq(test_frame_ipv6_src(&f), test_ip6(VIP6)));
  CHECK(test_frame_checksums_ok(&f));
  /* From the dead one: dropped. */
  test_frame_tcp6(&f, B6_1, "2001:db8:c::1", 80, 10001);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 3 * TEST_SEC), NF_DROP);
}

/* IPv4 backends serve IPv4 clients only and IPv6 backends IPv6 clients only;
 * neither family's heartbeats, flows or capacities affect the other. */
static void test_families_do_not_interfere(void) {
  struct nf_state *lb = test_create(LB6_ARGS " --max-backends 1 --cht-size 3");
  beat(lb, B1, 0xb1, 0);
  CHECK_EQ(send_flow6(lb, 1, 1), 0); /* an IPv4 backend does not serve IPv6 */
  beat6(lb, B6_1, 0xc1, 2);          /* the IPv6 table has its own slot */
  beat6(lb, B6_2, 0xc2, 2);          /* ... just one */
  for (uint32_t i = 0; i < 20; i++) {
    CHECK_EQ(send_flow(lb, i, 3), B1);
    CHECK_EQ(send_flow6(lb, i, 3), 1);
  }
  /* The IPv4-mapped address of an IPv4 backend is not that backend. */
  struct test_frame f;
  test_frame_tcp6(&f, "::ffff:10.1.0.1", "2001:db8:c::1", 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 4), NF_DROP);
  /* An IPv6 client to the IPv4-mapped VIP is not addressed to the VIP6. */
  test_frame_tcp6(&f, "2001:db8:c::1", "::ffff:10.0.0.100", 10000, 80);
  CHECK_EQ(test_send(lb, &f, CLIENTS, 4), NF_DROP);
}

/* Without --vip6, IPv6 clients are not served, also not those addressed to ::. */
static void test_without_vip6_ipv6_clients_are_dropped(void) {
  struct nf_state *lb = test_create("--vip 10.0.0.100");
  CHECK_EQ(beat6(lb, B6_1, 0xc1, 0), NF_DROP);
  struct test_frame f;
  test_frame_tcp6(&f, "2001:db8:c::1", "::", 10000, 80);
  CHECK_EQ(test_send(lb, &f, CLIENTS, 1), NF_DROP);
  test_frame_tcp6(&f, "2001:db8:c::1", VIP6, 10000, 80);
  CHECK_EQ(test_send(lb, &f, CLIENTS, 1), NF_DROP);
  /* IPv4 is served as always. */
  beat(lb, B1, 0xb1, 1);
  CHECK_EQ(send_flow(lb, 1, 2), B1);
}

static void test_ipv6_malformed_fragments_and_other_protocols(void) {
  struct nf_state *lb = test_create(LB6_ARGS);
  beat6(lb, B6_1, 0xc1, 0);
  struct test_frame f;
  struct nf_ipv6_addr client = test_ip6("2001:db8:c::1"), vip6 = test_ip6(VIP6);
  for (uint16_t side = 0; side < 2; side++) {
    struct nf_ipv6_addr src = side == CLIENTS ? client : test_ip6(B6_1);
    struct test_frame_spec spec = test_spec_udp6(src, vip6, 10000, 80);
    spec.proto = NF_IPPROTO_ICMPV6;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
    CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
    spec = test_spec_udp6(src, vip6, 10000, 80);
    spec.ipv6_fragment = true;
    CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
    CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
    for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
      spec = test_spec_udp6(side == CLIENTS ? client : test_ip6(B6_2), vip6, 7777, 7777);
      CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
      CHECK_EQ(test_send(lb, &f, side, 1), NF_DROP);
    }
  }
  /* None of the malformed heartbeats registered B6_2. */
  test_frame_tcp6(&f, B6_2, "2001:db8:c::1", 80, 10000);
  CHECK_EQ(test_send(lb, &f, BACKENDS, 2), NF_DROP);
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("", err) == NULL);
  CHECK(strstr(err, "missing --vip") != NULL);
  CHECK(test_parse("--vip 10.0.0.1 --cht-size 65536", err) == NULL);
  CHECK(strstr(err, "'65536' for --cht-size: expected a prime") != NULL);
  CHECK(test_parse("--vip 10.0.0.1 --max-backends 64 --cht-size 61", err) == NULL);
  CHECK(strstr(err, "--cht-size 61 must be larger than --max-backends 64") != NULL);
  CHECK(test_parse("--vip 10.0.0.1 --backend-port 0", err) == NULL);
  CHECK(strstr(err, "--client-port and --backend-port must differ") != NULL);
  CHECK(test_parse("--vip 10.0.0.1 --heartbeat-port 0", err) == NULL);
  CHECK(strstr(err, "'0' for --heartbeat-port") != NULL);
  CHECK(test_parse("--vip 10.0.0.1 --vip6 10.0.0.1", err) == NULL);
  CHECK(strstr(err, "'10.0.0.1' for --vip6: expected an IPv6 address") != NULL);
}

int main(void) {
  RUN_TEST(test_no_backend_no_service);
  RUN_TEST(test_flows_spread_and_stick);
  RUN_TEST(test_dead_backend_flows_move_others_stay);
  RUN_TEST(test_backend_replies_come_from_the_vip);
  RUN_TEST(test_full_tables);
  RUN_TEST(test_malformed_and_foreign_frames);
  RUN_TEST(test_ipv6_flows_spread_stick_and_move);
  RUN_TEST(test_families_do_not_interfere);
  RUN_TEST(test_without_vip6_ipv6_clients_are_dropped);
  RUN_TEST(test_ipv6_malformed_fragments_and_other_protocols);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
