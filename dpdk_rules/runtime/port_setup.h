/* Port configuration shared by the sequential and parallel DPDK runtimes. */
#ifndef DPDK_RULES_RUNTIME_PORT_SETUP_H
#define DPDK_RULES_RUNTIME_PORT_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

struct port_rss_config {
  const uint8_t *key; /* NULL: no RSS */
  uint8_t key_len;
  uint64_t rss_hf;
  const uint16_t *reta; /* reta_size entries: RETA index -> queue */
  uint16_t reta_size;
};

struct port_queue_config {
  uint16_t rx_queues;
  uint16_t tx_queues;
  struct rte_mempool *pool;
  const struct port_rss_config *rss; /* NULL: no RSS (single queue) */
  uint32_t mtu;                      /* 0: the device's default (--mtu) */
};

/* What holds mbufs of the pool at the same time: every RX and TX descriptor of
 * every port, each lcore's mempool cache, and each lcore's own mbufs between
 * RX and TX (a burst being processed, TX buffers, flood copies). */
struct port_pool_demand {
  uint16_t ports;
  uint16_t queues; /* RX and TX queues per port (one per worker) */
  uint16_t lcores;
  uint32_t per_lcore; /* mbufs an lcore holds outside the rings and its cache */
};

/* Mbufs for demand, with each port's descriptor counts as its driver adjusts
 * them (the counts port_setup uses). */
unsigned port_pool_mbufs(const struct port_pool_demand *demand);

/* Creates the packet mbuf pool sized by port_pool_mbufs. Returns NULL with a
 * message in err naming the mbufs and bytes it needed and the EAL option (-m)
 * or hugepages that give DPDK that memory. */
struct rte_mempool *port_pool_create(const struct port_pool_demand *demand, char *err,
                                     size_t err_len);

/* Checks that a device with `info` can take `config` (queue counts, RSS key
 * length, hash fields, RETA size). Returns 0, or -1 with a message in err that
 * names the port and driver, what it supports, what the plan needs and what to do. */
int port_check_capabilities(uint16_t port, const struct rte_eth_dev_info *info,
                            const struct port_queue_config *config, char *err, size_t err_len);

/* Configures and starts port. Returns 0, or -1 with a message in err that names
 * the port, what it supports and what was asked. */
int port_setup(uint16_t port, const struct port_queue_config *config, char *err, size_t err_len);

#endif
