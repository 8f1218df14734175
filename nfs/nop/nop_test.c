/* Behaviour of NOP: every frame, IPv4, IPv6 or malformed, goes from port 0 to
 * port 1 and back, byte for byte unchanged. */
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

static void check_forwarded_unchanged(struct nf_state *nop, struct test_frame *f) {
  uint8_t before[TEST_FRAME_MAX];
  memcpy(before, f->data, f->len);
  uint32_t len = f->len;
  CHECK_EQ(test_send(nop, f, 0, 1), 1);
  CHECK_EQ(test_send(nop, f, 1, 2), 0);
  CHECK_EQ(f->len, len);
  CHECK(memcmp(before, f->data, len) == 0);
}

static void test_ipv4_and_ipv6_pass_unchanged(void) {
  struct nf_state *nop = test_create("");
  struct test_frame f;
  CHECK_EQ(test_frame_udp(&f, TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2), NF_PKT_L4_OK);
  check_forwarded_unchanged(nop, &f);
  CHECK_EQ(test_frame_tcp6(&f, "2001:db8::1", "2001:db8::2", 1, 2), NF_PKT_IPV6_L4_OK);
  check_forwarded_unchanged(nop, &f);
  struct test_frame_spec spec =
      test_spec_udp6(test_ip6("2001:db8::1"), test_ip6("2001:db8::2"), 1, 2);
  spec.ext_headers[0] = TEST_IPV6_HOP_BY_HOP;
  spec.ext_count = 1;
  spec.ipv6_fragment = true;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_IPV6_FRAGMENT);
  check_forwarded_unchanged(nop, &f);
}

static void test_malformed_ipv6_passes_unchanged(void) {
  struct nf_state *nop = test_create("");
  struct test_frame f;
  struct test_frame_spec spec =
      test_spec_udp6(test_ip6("2001:db8::1"), test_ip6("2001:db8::2"), 1, 2);
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    CHECK_EQ(test_frame_malformed6(&f, &spec, (enum nf_parse_status)want), want);
    check_forwarded_unchanged(nop, &f);
  }
}

int main(void) {
  RUN_TEST(test_ipv4_and_ipv6_pass_unchanged);
  RUN_TEST(test_malformed_ipv6_passes_unchanged);
  return test_main_result();
}
