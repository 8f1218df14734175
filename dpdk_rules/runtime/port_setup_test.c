/* Capability checks of port_setup against device descriptions shaped like real
 * NICs (no EAL needed: struct rte_eth_dev_info is plain data). Virtual devices
 * cannot stand in here: net_pcap has no RSS and net_null takes any key length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/port_setup.h"

static int failures;

#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                         \
    }                                                                     \
  } while (0)

#define IPV4_TCP_UDP \
  (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)

/* Key sizes, RETA sizes and hash offloads as the ixgbe (82599: 40-byte key,
 * 128-entry RETA) and i40e (52-byte key, 512-entry RETA) drivers report them. */
static struct rte_eth_dev_info nic(const char *driver, uint8_t key_size, uint16_t reta_size,
                                   uint64_t offloads) {
  struct rte_eth_dev_info info;
  memset(&info, 0, sizeof(info));
  info.driver_name = driver;
  info.hash_key_size = key_size;
  info.reta_size = reta_size;
  info.flow_type_rss_offloads = offloads;
  info.max_rx_queues = 64;
  info.max_tx_queues = 64;
  return info;
}

static const uint8_t key52[52];
static const uint16_t reta[512];

static struct port_queue_config with_rss(struct port_rss_config *rss, uint8_t key_len,
                                         uint16_t reta_size, uint64_t rss_hf) {
  rss->key = key52;
  rss->key_len = key_len;
  rss->rss_hf = rss_hf;
  rss->reta = reta;
  rss->reta_size = reta_size;
  struct port_queue_config config = {.rx_queues = 4, .tx_queues = 4, .pool = NULL, .rss = rss};
  return config;
}

static int check(const struct rte_eth_dev_info *info, const struct port_queue_config *config,
                 char *err) {
  err[0] = '\0';
  return port_check_capabilities(3, info, config, err, 512);
}

int main(void) {
  char err[512];
  struct port_rss_config rss;
  struct rte_eth_dev_info ixgbe = nic("net_ixgbe", 40, 128, IPV4_TCP_UDP | RTE_ETH_RSS_IPV6);
  struct rte_eth_dev_info i40e = nic("net_i40e", 52, 512, IPV4_TCP_UDP | RTE_ETH_RSS_L2_PAYLOAD);

  /* Matching key lengths and RETA sizes that divide the port's are accepted. */
  struct port_queue_config ok40 = with_rss(&rss, 40, 128, IPV4_TCP_UDP);
  EXPECT(check(&ixgbe, &ok40, err) == 0);
  struct port_queue_config ok52 = with_rss(&rss, 52, 64, IPV4_TCP_UDP);
  EXPECT(check(&i40e, &ok52, err) == 0);

  /* A 52-byte plan on a 40-byte NIC: the message names port, driver, both sizes, the fix. */
  struct port_queue_config long_key = with_rss(&rss, 52, 128, IPV4_TCP_UDP);
  EXPECT(check(&ixgbe, &long_key, err) == -1);
  EXPECT(strstr(err, "port 3 (net_ixgbe) takes 40-byte RSS keys") != NULL);
  EXPECT(strstr(err, "52-byte key") != NULL && strstr(err, "--key_length=40") != NULL);

  /* Hash fields the NIC cannot hash are named, with what it supports. */
  struct rte_eth_dev_info no_udp =
      nic("net_e1000", 40, 128, RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP);
  struct port_queue_config fields = with_rss(&rss, 40, 128, IPV4_TCP_UDP);
  EXPECT(check(&no_udp, &fields, err) == -1);
  EXPECT(strstr(err, "cannot hash the fields") != NULL);
  EXPECT(strstr(err, "missing 0x20") != NULL); /* RTE_ETH_RSS_NONFRAG_IPV4_UDP */

  /* A dual-stack plan on a NIC without IPv6 hashing: the missing types are
   * named, with why the plan has them. */
  struct rte_eth_dev_info v4_only = nic("net_e1000", 40, 128, IPV4_TCP_UDP);
  struct port_queue_config dual =
      with_rss(&rss, 40, 128,
               IPV4_TCP_UDP | RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP |
                   RTE_ETH_RSS_NONFRAG_IPV6_UDP);
  EXPECT(check(&v4_only, &dual, err) == -1);
  EXPECT(strstr(err, "port 3 (net_e1000) cannot hash the fields") != NULL);
  EXPECT(strstr(err,
                "missing 0xd00: RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP | "
                "RTE_ETH_RSS_NONFRAG_IPV6_UDP)") != NULL);
  EXPECT(strstr(err, "the NF's paths handle IPv6 packets") != NULL);
  /* Negative control: the same plan on a NIC with IPv6 hashing passes, and an
   * IPv4-only miss does not blame IPv6. */
  struct rte_eth_dev_info v6 = nic("net_i40e", 40, 128,
                                   IPV4_TCP_UDP | RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP |
                                       RTE_ETH_RSS_NONFRAG_IPV6_UDP);
  EXPECT(check(&v6, &dual, err) == 0);
  fields = with_rss(&rss, 40, 128, IPV4_TCP_UDP); /* rss is shared: set it again */
  EXPECT(check(&no_udp, &fields, err) == -1);
  EXPECT(strstr(err, "missing 0x20: RTE_ETH_RSS_NONFRAG_IPV4_UDP)") != NULL);
  EXPECT(strstr(err, "IPv6") == NULL);

  /* A plan RETA larger than the port's (512 on a 128-entry NIC) cannot be replicated. */
  struct port_queue_config big_reta = with_rss(&rss, 40, 512, IPV4_TCP_UDP);
  EXPECT(check(&ixgbe, &big_reta, err) == -1);
  EXPECT(strstr(err, "RETA size 128 is not a multiple of the plan's RETA size 512") != NULL);
  EXPECT(strstr(err, "--reta_size=128") != NULL);

  /* No redirection table at all. */
  struct rte_eth_dev_info no_reta = nic("net_virtio", 40, 0, IPV4_TCP_UDP);
  struct port_queue_config any = with_rss(&rss, 40, 64, IPV4_TCP_UDP);
  EXPECT(check(&no_reta, &any, err) == -1);
  EXPECT(strstr(err, "no RSS redirection table") != NULL);

  /* Too many workers for the queues the device has. */
  struct rte_eth_dev_info small = nic("net_ixgbe", 40, 128, IPV4_TCP_UDP);
  small.max_rx_queues = 2;
  EXPECT(check(&small, &ok40, err) == -1);
  EXPECT(strstr(err, "supports 2 RX / 64 TX queues; 4 RX / 4 TX are needed") != NULL);

  /* Without RSS only the queue counts matter. */
  struct port_queue_config plain = {.rx_queues = 1, .tx_queues = 1, .pool = NULL, .rss = NULL};
  EXPECT(check(&no_reta, &plain, err) == 0);

  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("port_setup_test: all checks passed\n");
  return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
