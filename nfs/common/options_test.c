/* Value parsers accept the documented forms and name option and value otherwise. */
#include <string.h>

#include "nfs/common/options.h"
#include "nfs/testing/check.h"

static char err[256];

static void test_integers(void) {
  uint64_t v = 0;
  CHECK(nf_opt_parse_u64("--n", "42", 1, 100, &v, err, sizeof(err)));
  CHECK_EQ(v, 42);
  CHECK(!nf_opt_parse_u64("--n", "101", 1, 100, &v, err, sizeof(err)));
  CHECK(strcmp(err, "invalid value '101' for --n: expected an integer in [1, 100]") == 0);
  CHECK(!nf_opt_parse_u64("--n", "-1", 0, 100, &v, err, sizeof(err)));
  CHECK(!nf_opt_parse_u64("--n", "", 0, 100, &v, err, sizeof(err)));
  CHECK(!nf_opt_parse_u64("--n", "12x", 0, 100, &v, err, sizeof(err)));
  CHECK(!nf_opt_parse_u64("--n", "99999999999999999999999", 0, UINT64_MAX, &v, err, sizeof(err)));
  CHECK(nf_opt_parse_scaled_u64("--rate", "10M", 1, UINT64_MAX, &v, err, sizeof(err)));
  CHECK_EQ(v, 10000000);
  CHECK(nf_opt_parse_scaled_u64("--rate", "3k", 1, UINT64_MAX, &v, err, sizeof(err)));
  CHECK_EQ(v, 3000);
  CHECK(!nf_opt_parse_scaled_u64("--rate", "3T", 1, UINT64_MAX, &v, err, sizeof(err)));
  CHECK(strstr(err, "'3T' for --rate") != NULL);
  CHECK(nf_opt_parse_pow2("--max", "1024", 1, 1 << 20, &v, err, sizeof(err)));
  CHECK_EQ(v, 1024);
  CHECK(!nf_opt_parse_pow2("--max", "1000", 1, 1 << 20, &v, err, sizeof(err)));
  CHECK(strstr(err, "power of two") != NULL);
}

static void test_durations(void) {
  nf_time_t t = 0;
  CHECK(nf_opt_parse_duration("--expiry", "250ms", &t, err, sizeof(err)));
  CHECK_EQ(t, 250000000LL);
  CHECK(nf_opt_parse_duration("--expiry", "10", &t, err, sizeof(err)));
  CHECK_EQ(t, 10000000000LL);
  CHECK(nf_opt_parse_duration("--expiry", "7us", &t, err, sizeof(err)));
  CHECK_EQ(t, 7000);
  CHECK(nf_opt_parse_duration("--expiry", "3ns", &t, err, sizeof(err)));
  CHECK_EQ(t, 3);
  CHECK(!nf_opt_parse_duration("--expiry", "0s", &t, err, sizeof(err)));
  CHECK(!nf_opt_parse_duration("--expiry", "5min", &t, err, sizeof(err)));
  CHECK(strstr(err, "'5min' for --expiry") != NULL);
}

static void test_addresses(void) {
  uint32_t ip = 0;
  CHECK(nf_opt_parse_ipv4("--ip", "192.168.1.200", &ip, err, sizeof(err)));
  CHECK_EQ(ip, 0xc0a801c8u);
  CHECK(!nf_opt_parse_ipv4("--ip", "1.2.3", &ip, err, sizeof(err)));
  CHECK(!nf_opt_parse_ipv4("--ip", "1.2.3.256", &ip, err, sizeof(err)));
  CHECK(!nf_opt_parse_ipv4("--ip", "1.2.3.4.5", &ip, err, sizeof(err)));
  CHECK(strcmp(err, "invalid value '1.2.3.4.5' for --ip: expected an IPv4 address like 10.0.0.1") ==
        0);
  struct nf_ipv6_addr ip6;
  CHECK(nf_opt_parse_ipv6("--ip6", "2001:db8::1", &ip6, err, sizeof(err)));
  CHECK_EQ(ip6.bytes[0], 0x20);
  CHECK_EQ(ip6.bytes[1], 0x01);
  CHECK_EQ(ip6.bytes[3], 0xb8);
  CHECK_EQ(ip6.bytes[14], 0);
  CHECK_EQ(ip6.bytes[15], 1);
  CHECK(nf_opt_parse_ipv6("--ip6", "::ffff:10.0.0.1", &ip6, err, sizeof(err)));
  CHECK_EQ(ip6.bytes[10], 0xff);
  CHECK_EQ(ip6.bytes[12], 10);
  CHECK(!nf_opt_parse_ipv6("--ip6", "2001:db8::1::2", &ip6, err, sizeof(err)));
  CHECK(!nf_opt_parse_ipv6("--ip6", "10.0.0.1", &ip6, err, sizeof(err)));
  CHECK(strcmp(err,
               "invalid value '10.0.0.1' for --ip6: expected an IPv6 address like "
               "2001:db8::1") == 0);
  struct nf_mac mac;
  CHECK(nf_opt_parse_mac("--mac", "0a:Bb:00:11:22:ff", &mac, err, sizeof(err)));
  CHECK_EQ(mac.bytes[0], 0x0a);
  CHECK_EQ(mac.bytes[1], 0xbb);
  CHECK_EQ(mac.bytes[5], 0xff);
  CHECK(!nf_opt_parse_mac("--mac", "0a:bb:00:11:22", &mac, err, sizeof(err)));
  CHECK(!nf_opt_parse_mac("--mac", "0a-bb-00-11-22-33", &mac, err, sizeof(err)));
  CHECK(!nf_opt_parse_mac("--mac", "0g:bb:00:11:22:33", &mac, err, sizeof(err)));
}

int main(void) {
  RUN_TEST(test_integers);
  RUN_TEST(test_durations);
  RUN_TEST(test_addresses);
  return test_main_result();
}
