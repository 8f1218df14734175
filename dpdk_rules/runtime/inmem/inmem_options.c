#include "dpdk_rules/runtime/inmem/inmem_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/parallel/config_util.h"
#include "nflib/nf.h"

static void usage(FILE *out) {
  fprintf(out, "usage: %s_inmem [runtime options] -- [NF options]\n\n", nf_name);
  rt_options_usage(out, RT_INMEM);
  fprintf(out, "(docs/RUNTIMES.md, \"In-memory runtime\", describes them)\n\n");
  nf_config_usage(out);
}

/* --strategy: the parallel config's names, and the sequential reference. An
 * old spelling passes here so that inmem_options_parse refuses it naming its
 * replacement, instead of the generic list of choices. */
static bool strategy_known(const char *text) {
  enum nf_par_strategy strategy;
  return strcmp(text, "sequential") == 0 || nf_par_parse_strategy(text, &strategy) ||
         nf_par_strategy_renamed(text) != NULL;
}

int inmem_options_parse(int argc, char **argv, struct inmem_options *opts) {
  memset(opts, 0, sizeof(*opts));
  if (rt_wants_help(argc, argv, 1)) {
    usage(stdout);
    exit(EXIT_SUCCESS);
  }
  char err[512] = "";
  rt_options_check_value("strategy", strategy_known);
  int nf_start = argc;
  if (rt_options_parse(argc, argv, RT_INMEM, &opts->rt, &nf_start, err, sizeof(err)) != 0)
    inmem_usage_die("%s", err);
  const struct rt_options *rt = &opts->rt;
  opts->strategy = nf_parallel_config.strategy;
  if (rt->strategy != NULL && strcmp(rt->strategy, "sequential") == 0) {
    opts->sequential = true;
  } else if (rt->strategy != NULL && nf_par_strategy_renamed(rt->strategy) != NULL) {
    const char *now = nf_par_strategy_renamed(rt->strategy);
    inmem_usage_die("--strategy=%s is the old spelling of %s: write --strategy=%s", rt->strategy,
                    now, now);
  } else if (rt->strategy != NULL) {
    nf_par_parse_strategy(rt->strategy, &opts->strategy); /* checked while parsing */
  }
  /* Rules between options, checked once all are read (any order on the line). */
  if (opts->sequential && rt->workers != 1)
    inmem_usage_die("--strategy=sequential runs on 1 worker: drop --workers");
  if (rt->window_ns >= 0 && rt->bench)
    inmem_usage_die("--window-ns paces a replay; --bench runs unpaced");
  if (rt->order != NULL && (!opts->sequential || rt->bench)) {
    inmem_usage_die(
        "--order replays a serialization on the sequential NF: use it with "
        "--strategy=sequential and without --bench");
  }
  return nf_start - 1;
}

const char *inmem_strategy_text(const struct inmem_options *opts) {
  return opts->sequential ? "sequential" : nf_par_strategy_name(opts->strategy);
}
