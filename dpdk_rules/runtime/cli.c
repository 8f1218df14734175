#include "dpdk_rules/runtime/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

static void print_help(const char *program, unsigned runtime) {
  printf("usage: %s [EAL options] -- [runtime options] [--] [NF options]\n\n", program);
  printf("EAL options (before --; '%s -h' lists them all):\n", program);
  printf("  -l CORES                 lcores, e.g. 0 or 0-3%s\n",
         runtime == RT_PARALLEL ? " (one worker per lcore, RX/TX queue k on worker k)" : "");
  printf("  -a PCI                   use this NIC (repeat: the k-th port is NF port k)\n");
  printf("  --vdev=net_pcap0,rx_pcap=IN,tx_pcap=OUT   a virtual port reading and writing pcaps\n");
  printf("  -m MB                    memory for DPDK (with --no-huge: no hugepages needed)\n\n");
  rt_options_usage(stdout, runtime);
  printf("\n");
  nf_config_usage(stdout);
}

static void usage_error(const char *program, const char *who, const char *message) {
  fprintf(stderr, "%s: %s (%s --help lists the options)\n", who, message, program);
  exit(RT_EXIT_USAGE);
}

void rt_cli_parse(int argc, char **argv, unsigned runtime, struct rt_cli *cli) {
  const char *program = base_name(argv[0]);
  if (rt_wants_help(argc, argv, 1)) {
    print_help(program, runtime);
    exit(EXIT_SUCCESS);
  }
  int separator = 1;
  while (separator < argc && strcmp(argv[separator], "--") != 0) separator++;
  /* argv[0] followed by what comes after the EAL's "--": the parsers' argv. */
  int app_argc = separator < argc ? argc - separator : 1;
  char **app_argv = calloc((size_t)app_argc + 1, sizeof(*app_argv));
  if (app_argv == NULL) {
    fprintf(stderr, "%s: out of memory\n", program);
    exit(EXIT_FAILURE);
  }
  app_argv[0] = argv[0];
  for (int i = 1; i < app_argc; i++) app_argv[i] = argv[separator + i];
  char err[512] = "";
  int nf_start = app_argc;
  if (rt_options_parse(app_argc, app_argv, runtime, &cli->opts, &nf_start, err, sizeof(err)) != 0)
    usage_error(program, program, err);
  /* The NF sees argv[0] and its own options. */
  app_argv[nf_start - 1] = argv[0];
  cli->cfg = nf_config_parse(app_argc - nf_start + 1, app_argv + nf_start - 1, err, sizeof(err));
  if (cli->cfg == NULL) usage_error(program, nf_name, err);
}
