/* Behaviour of the port-scan detector: distinct destination ports per source
 * within the window, blocking of new ports over the threshold, expiry, full
 * tables, malformed frames and configuration errors. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

#define LAN 0
#define WAN 1
#define SCANNER TEST_IP(198, 51, 100, 7)
#define VICTIM TEST_IP(192, 168, 0, 10)
#define SCANNER6 "2001:db8:bad::7"
#define SCANNER6_B "2001:db8:bad::6"
#define VICTIM6 "2001:db8:0:1::10"

static int probe(struct nf_state *psd, uint32_t src, uint16_t dst_port, nf_time_t now) {
  struct test_frame f;
  test_frame_tcp(&f, src, VICTIM, 40000, dst_port);
  return test_send(psd, &f, WAN, now);
}

static void test_new_ports_over_threshold_are_dropped(void) {
  struct nf_state *psd = test_create("--threshold 5 --expiry 10s");
  for (uint16_t p = 1; p <= 5; p++) CHECK_EQ(probe(psd, SCANNER, p, TEST_MS * p), LAN);
  CHECK_EQ(probe(psd, SCANNER, 6, 10 * TEST_MS), NF_DROP);
  CHECK_EQ(probe(psd, SCANNER, 7, 11 * TEST_MS), NF_DROP);
  /* Ports already touched keep passing, also with other source ports or protocol. */
  for (uint16_t p = 1; p <= 5; p++) CHECK_EQ(probe(psd, SCANNER, p, 12 * TEST_MS), LAN);
  struct test_frame f;
  test_frame_udp(&f, SCANNER, VICTIM + 1, 1, 3);
  CHECK_EQ(test_send(psd, &f, WAN, 13 * TEST_MS), LAN);
  /* Touching the same port many times counts once: another source is below the threshold. */
  for (int i = 0; i < 20; i++) CHECK_EQ(probe(psd, SCANNER + 1, 80, 14 * TEST_MS), LAN);
  for (uint16_t p = 81; p <= 84; p++) CHECK_EQ(probe(psd, SCANNER + 1, p, 15 * TEST_MS), LAN);
  CHECK_EQ(probe(psd, SCANNER + 1, 85, 16 * TEST_MS), NF_DROP);
  /* LAN -> WAN traffic is not inspected. */
  test_frame_tcp(&f, VICTIM, SCANNER, 9, 9999);
  CHECK_EQ(test_send(psd, &f, LAN, 17 * TEST_MS), WAN);
}

static void test_slow_sources_are_not_blocked_and_scanners_recover(void) {
  struct nf_state *psd = test_create("--threshold 3 --expiry 1s");
  /* One new port every 1.5 s: each time the count has been forgotten. */
  for (uint16_t p = 1; p <= 10; p++) {
    CHECK_EQ(probe(psd, SCANNER, p, (nf_time_t)p * 1500 * TEST_MS), LAN);
  }
  /* A fast scan from another source: blocked after 3 ports ... */
  nf_time_t t0 = 100 * TEST_SEC;
  for (uint16_t p = 1; p <= 3; p++) CHECK_EQ(probe(psd, SCANNER + 1, p, t0), LAN);
  /* ... and kept blocked while it keeps trying within the window ... */
  for (int i = 1; i <= 5; i++) {
    CHECK_EQ(probe(psd, SCANNER + 1, (uint16_t)(100 + i), t0 + i * 800 * TEST_MS), NF_DROP);
    /* ... while a touched port kept alive by traffic still passes ... */
    CHECK_EQ(probe(psd, SCANNER + 1, 2, t0 + i * 800 * TEST_MS), LAN);
  }
  /* ... and one left idle past the window counts as new again: dropped. */
  CHECK_EQ(probe(psd, SCANNER + 1, 3, t0 + 4800 * TEST_MS), NF_DROP);
  /* After a quiet window it may touch new ports again. */
  CHECK_EQ(probe(psd, SCANNER + 1, 200, t0 + 6 * TEST_SEC), LAN);
}

static void test_full_tables_drop_new_ports(void) {
  struct nf_state *psd = test_create("--threshold 100 --max-touched 4 --max-sources 2 --expiry 1s");
  CHECK_EQ(probe(psd, SCANNER, 1, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER, 2, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER + 1, 1, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER + 2, 1, 0), NF_DROP); /* source table full */
  CHECK_EQ(probe(psd, SCANNER + 1, 2, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER, 3, 0), NF_DROP); /* (source, port) table full */
  CHECK_EQ(probe(psd, SCANNER, 1, 1), LAN);
  CHECK_EQ(probe(psd, SCANNER + 2, 1, 2 * TEST_SEC), LAN);
}

static void test_malformed_and_non_l4_frames(void) {
  struct nf_state *psd = test_create("--threshold 1");
  CHECK_EQ(probe(psd, SCANNER, 1, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER, 2, 0), NF_DROP);
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(SCANNER, VICTIM, 1, 3);
  spec.proto = TEST_IPPROTO_ICMP;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV4_OTHER);
  CHECK_EQ(test_send(psd, &f, WAN, 1), LAN);
  spec = test_spec_udp(SCANNER, VICTIM, 1, 3);
  spec.frag_offset = 1;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_FRAGMENT);
  CHECK_EQ(test_send(psd, &f, WAN, 1), LAN);
  spec = test_spec_udp(SCANNER, VICTIM, 1, 3);
  spec.ether_type = 0x0806;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(psd, &f, WAN, 1), LAN);
  CHECK_EQ(test_send(psd, &f, LAN, 1), WAN);
  spec = test_spec_udp(SCANNER, VICTIM, 1, 1);
  spec.ip_total_len = 25;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_L4);
  CHECK_EQ(test_send(psd, &f, WAN, 1), NF_DROP);
  CHECK_EQ(test_send(psd, &f, LAN, 1), NF_DROP);
  spec.ip_total_len = 0;
  spec.truncate_to = 5;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_ETH);
  CHECK_EQ(test_send(psd, &f, WAN, 1), NF_DROP);
}

static int probe6(struct nf_state *psd, const char *src, uint16_t dst_port, nf_time_t now) {
  struct test_frame f;
  CHECK_EQ(test_frame_tcp6(&f, src, VICTIM6, 40000, dst_port), NF_PKT_IPV6_L4_OK);
  return test_send(psd, &f, WAN, now);
}

/* The IPv6 twin of the first tests. */
static void test_ipv6_new_ports_over_threshold_are_dropped(void) {
  struct nf_state *psd = test_create("--threshold 5 --expiry 1s");
  for (uint16_t p = 1; p <= 5; p++) CHECK_EQ(probe6(psd, SCANNER6, p, TEST_MS * p), LAN);
  CHECK_EQ(probe6(psd, SCANNER6, 6, 10 * TEST_MS), NF_DROP);
  for (uint16_t p = 1; p <= 5; p++) CHECK_EQ(probe6(psd, SCANNER6, p, 12 * TEST_MS), LAN);
  struct test_frame f;
  test_frame_udp6(&f, SCANNER6, "2001:db8:0:1::11", 1, 3);
  CHECK_EQ(test_send(psd, &f, WAN, 13 * TEST_MS), LAN);
  /* Another source (last bit differs) has its own count. */
  for (uint16_t p = 81; p <= 85; p++) CHECK_EQ(probe6(psd, SCANNER6_B, p, 15 * TEST_MS), LAN);
  CHECK_EQ(probe6(psd, SCANNER6_B, 86, 16 * TEST_MS), NF_DROP);
  test_frame_tcp6(&f, VICTIM6, SCANNER6, 9, 9999);
  CHECK_EQ(test_send(psd, &f, LAN, 17 * TEST_MS), WAN);
  /* After a quiet window the scanner may touch new ports again. */
  CHECK_EQ(probe6(psd, SCANNER6, 200, 2 * TEST_SEC), LAN);
}

/* An IPv4 scanner and its IPv4-mapped IPv6 address count apart, and each
 * family has --max-sources and --max-touched of its own. */
static void test_families_do_not_interfere(void) {
  struct nf_state *psd = test_create("--threshold 2 --max-sources 1 --max-touched 4 --expiry 1s");
  CHECK_EQ(probe(psd, SCANNER, 1, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER, 2, 0), LAN);
  CHECK_EQ(probe(psd, SCANNER, 3, 0), NF_DROP);
  CHECK_EQ(probe6(psd, "::ffff:198.51.100.7", 1, 1), LAN);
  CHECK_EQ(probe6(psd, "::ffff:198.51.100.7", 2, 1), LAN);
  CHECK_EQ(probe6(psd, "::ffff:198.51.100.7", 3, 1), NF_DROP);
  /* Each source table holds one source. */
  CHECK_EQ(probe(psd, SCANNER + 1, 1, 2), NF_DROP);
  CHECK_EQ(probe6(psd, SCANNER6, 1, 2), NF_DROP);
}

static void test_ipv6_fragments_other_protocols_and_malformed_frames(void) {
  struct nf_state *psd = test_create("--threshold 1");
  CHECK_EQ(probe6(psd, SCANNER6, 1, 0), LAN);
  CHECK_EQ(probe6(psd, SCANNER6, 2, 0), NF_DROP);
  struct nf_ipv6_addr scanner = test_ip6(SCANNER6), victim = test_ip6(VICTIM6);
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp6(scanner, victim, 1, 3);
  spec.proto = NF_IPPROTO_ICMPV6;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_OTHER);
  CHECK_EQ(test_send(psd, &f, WAN, 1), LAN);
  spec = test_spec_udp6(scanner, victim, 1, 3);
  spec.ipv6_fragment = true; /* a first fragment: ports present, not inspected */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  CHECK_EQ(test_send(psd, &f, WAN, 1), LAN);
  CHECK_EQ(test_send(psd, &f, LAN, 1), WAN);
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    spec = test_spec_udp6(scanner, victim, 1, 1);
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(psd, &f, WAN, 1), NF_DROP);
    CHECK_EQ(test_send(psd, &f, LAN, 1), NF_DROP);
  }
}

static void test_config_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("--threshold 0", err) == NULL);
  CHECK(strstr(err, "'0' for --threshold") != NULL);
  CHECK(test_parse("--max-touched 100", err) == NULL);
  CHECK(strstr(err, "'100' for --max-touched") != NULL);
  CHECK(test_parse("--expiry -1s", err) == NULL);
  CHECK(strstr(err, "'-1s' for --expiry") != NULL);
}

int main(void) {
  RUN_TEST(test_new_ports_over_threshold_are_dropped);
  RUN_TEST(test_slow_sources_are_not_blocked_and_scanners_recover);
  RUN_TEST(test_full_tables_drop_new_ports);
  RUN_TEST(test_malformed_and_non_l4_frames);
  RUN_TEST(test_ipv6_new_ports_over_threshold_are_dropped);
  RUN_TEST(test_families_do_not_interfere);
  RUN_TEST(test_ipv6_fragments_other_protocols_and_malformed_frames);
  RUN_TEST(test_config_errors);
  return test_main_result();
}
