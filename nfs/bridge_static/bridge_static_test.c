/* Behaviour of the static bridge: table lookups, flooding, no hairpinning,
 * malformed frames, and table files with errors reported by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/testing/check.h"
#include "nfs/testing/nf_harness.h"
#include "nfs/testing/packets.h"

static const struct nf_mac BROADCAST = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

/* Writes contents to a fresh file under $TEST_TMPDIR and returns its path. */
static const char *write_table(const char *contents) {
  static char path[512];
  static int counter = 0;
  const char *dir = getenv("TEST_TMPDIR");
  snprintf(path, sizeof(path), "%s/table%d.txt", dir != NULL ? dir : "/tmp", counter++);
  FILE *file = fopen(path, "w");
  if (file == NULL) abort();
  fputs(contents, file);
  fclose(file);
  return path;
}

static struct nf_config *parse_with_table(const char *options, const char *contents, char *err) {
  char args[1024];
  snprintf(args, sizeof(args), "%s --table %s", options, write_table(contents));
  return test_parse(args, err);
}

static struct nf_state *create_with_table(const char *options, const char *contents) {
  char args[1024];
  snprintf(args, sizeof(args), "%s --table %s", options, write_table(contents));
  return test_create(args);
}

static int send_to(struct nf_state *br, struct nf_mac dst, uint16_t in_port) {
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(TEST_IP(10, 0, 0, 1), TEST_IP(10, 0, 0, 2), 1, 2);
  spec.src_mac = test_mac(0x99);
  spec.dst_mac = dst;
  test_frame_build(&f, &spec);
  return test_send(br, &f, in_port, 0);
}

static void test_table_decides_the_output_port(void) {
  struct nf_state *br = create_with_table("--ports 3",
                                          "# station table\n"
                                          "02:00:00:00:00:0a 0\n"
                                          "\n"
                                          "  02:00:00:00:00:0B\t2   # uppercase hex, tab\n"
                                          "02:00:00:00:00:0c 1\n");
  CHECK_EQ(send_to(br, test_mac(0xa), 1), 0);
  CHECK_EQ(send_to(br, test_mac(0xb), 0), 2);
  CHECK_EQ(send_to(br, test_mac(0xc), 2), 1);
  CHECK_EQ(send_to(br, test_mac(0xd), 0), NF_FLOOD);
  CHECK_EQ(send_to(br, BROADCAST, 0), NF_FLOOD);
  CHECK_EQ(send_to(br, test_mac(0xa), 0), NF_DROP); /* would go back out of port 0 */
  /* Nothing is learned from sources. */
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(1, 2, 3, 4);
  spec.src_mac = test_mac(0xd);
  test_frame_build(&f, &spec);
  test_send(br, &f, 2, 0);
  CHECK_EQ(send_to(br, test_mac(0xd), 0), NF_FLOOD);
}

static void test_empty_table_floods_everything(void) {
  struct nf_state *br = create_with_table("", "# nothing\n");
  CHECK_EQ(send_to(br, test_mac(0xa), 0), NF_FLOOD);
  CHECK_EQ(send_to(br, test_mac(0xa), 1), NF_FLOOD);
}

static void test_malformed_frames(void) {
  struct nf_state *br = create_with_table("", "02:00:00:00:00:0a 1\n");
  struct test_frame f;
  struct test_frame_spec spec = test_spec_udp(1, 2, 3, 4);
  spec.dst_mac = test_mac(0xa);
  spec.ether_type = 0x88b5; /* neither IPv4 nor IPv6 */
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_NOT_IPV4);
  CHECK_EQ(test_send(br, &f, 0, 0), 1);
  /* IPv6 is bridged unchanged, malformed IPv6 too (only Ethernet is read). */
  struct test_frame_spec spec6 =
      test_spec_tcp6(test_ip6("2001:db8::1"), test_ip6("2001:db8::2"), 1, 2, 0x02);
  spec6.dst_mac = test_mac(0xa);
  CHECK_EQ(test_frame_build(&f, &spec6), NF_PKT_IPV6_L4_OK);
  uint8_t before[TEST_FRAME_MAX];
  memcpy(before, f.data, f.len);
  CHECK_EQ(test_send(br, &f, 0, 0), 1);
  CHECK(memcmp(before, f.data, f.len) == 0);
  for (int want = TEST_IPV6_MALFORMED_FIRST; want <= TEST_IPV6_MALFORMED_LAST; want++) {
    CHECK_EQ(test_frame_malformed6(&f, &spec6, (enum nf_parse_status)want), want);
    CHECK_EQ(test_send(br, &f, 0, 0), 1);
  }
  spec.ether_type = NF_ETHERTYPE_IPV4;
  spec.truncate_to = 30;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_IPV4);
  CHECK_EQ(test_send(br, &f, 0, 0), 1);
  spec.truncate_to = 12;
  CHECK_EQ(test_frame_build(&f, &spec), NF_PKT_TRUNCATED_ETH);
  CHECK_EQ(test_send(br, &f, 0, 0), NF_DROP);
}

static void test_bad_table_files_name_the_line(void) {
  char err[TEST_ERR_LEN];
  CHECK(parse_with_table("", "02:00:00:00:00:0a 1\n02:00:00:00:00:zz 0\n", err) == NULL);
  CHECK(strstr(err, ":2: bad MAC address '02:00:00:00:00:zz'") != NULL);
  CHECK(parse_with_table("", "# a\n\n02:00:00:00:00:0a 2\n", err) == NULL);
  CHECK(strstr(err, ":3: bad port '2': expected 0..1 (--ports 2)") != NULL);
  CHECK(parse_with_table("--ports 4", "02:00:00:00:00:0a 2\n", err) != NULL);
  CHECK(parse_with_table("", "02:00:00:00:00:0a\n", err) == NULL);
  CHECK(strstr(err, ":1: expected 'MAC PORT'") != NULL);
  CHECK(parse_with_table("", "02:00:00:00:00:0a 1 extra\n", err) == NULL);
  CHECK(strstr(err, ":1: expected 'MAC PORT'") != NULL);
  CHECK(parse_with_table("", "02:00:00:00:00:0a 1\n02:00:00:00:00:0b 1\n02:00:00:00:00:0A 0\n",
                         err) == NULL);
  CHECK(strstr(err, ":3: MAC address listed twice (first on line 1)") != NULL);
  CHECK(parse_with_table("", "02:00:00:00:00:0a -1\n", err) == NULL);
  CHECK(strstr(err, ":1: bad port '-1'") != NULL);
  /* The file name is in the message too. */
  const char *path = write_table("nonsense\n");
  char args[600];
  snprintf(args, sizeof(args), "--table %s", path);
  CHECK(test_parse(args, err) == NULL);
  char expected[600];
  snprintf(expected, sizeof(expected), "%s:1: expected 'MAC PORT'", path);
  CHECK(strncmp(err, expected, strlen(expected)) == 0);
}

static void test_option_errors(void) {
  char err[TEST_ERR_LEN];
  CHECK(test_parse("", err) == NULL);
  CHECK(strstr(err, "missing --table") != NULL);
  CHECK(test_parse("--table /nonexistent/table.txt", err) == NULL);
  CHECK(strstr(err, "cannot open --table file '/nonexistent/table.txt'") != NULL);
  CHECK(parse_with_table("--ports 40", "", err) == NULL);
  CHECK(strstr(err, "'40' for --ports") != NULL);
}

/* A NUL byte would end the line early for fgets/strlen and hide the rest of it:
 * refused, naming the line. Negative control: the same table without the NUL. */
static void test_nul_bytes_and_directories_are_refused(void) {
  static const char table[] = "02:00:00:00:00:01 1\n02:00:00:00:00:02 0\0junk\n";
  char path[512];
  const char *dir = getenv("TEST_TMPDIR");
  snprintf(path, sizeof(path), "%s/nul_table.txt", dir != NULL ? dir : "/tmp");
  FILE *file = fopen(path, "wb");
  REQUIRE(file != NULL);
  fwrite(table, 1, sizeof(table) - 1, file);
  fclose(file);
  char args[1024], err[256] = "";
  snprintf(args, sizeof(args), "--table %s", path);
  CHECK(test_parse(args, err) == NULL);
  CHECK(strstr(err, "nul_table.txt:2: NUL byte in the table") != NULL);
  CHECK(parse_with_table("", "02:00:00:00:00:01 1\n02:00:00:00:00:02 0\n", err) != NULL);
  snprintf(args, sizeof(args), "--table %s", dir != NULL ? dir : "/tmp");
  CHECK(test_parse(args, err) == NULL);
  CHECK(strstr(err, "Is a directory") != NULL);
}

static void test_many_entries(void) {
  static char contents[200 * 32];
  size_t used = 0;
  for (int i = 0; i < 200; i++) {
    used += (size_t)snprintf(contents + used, sizeof(contents) - used, "02:00:00:00:%02x:%02x %d\n",
                             i / 256, i % 256, i % 4);
  }
  struct nf_state *br = create_with_table("--ports 5", contents);
  for (int i = 0; i < 200; i++) {
    struct nf_mac mac = {{0x02, 0, 0, 0, (uint8_t)(i / 256), (uint8_t)(i % 256)}};
    CHECK_EQ(send_to(br, mac, 4), i % 4);
  }
}

int main(void) {
  RUN_TEST(test_table_decides_the_output_port);
  RUN_TEST(test_empty_table_floods_everything);
  RUN_TEST(test_malformed_frames);
  RUN_TEST(test_bad_table_files_name_the_line);
  RUN_TEST(test_option_errors);
  RUN_TEST(test_nul_bytes_and_directories_are_refused);
  RUN_TEST(test_many_entries);
  return test_main_result();
}
