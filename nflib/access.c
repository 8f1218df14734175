/* The per-thread write-intent hook (see access.h); unset by default. */
#include "nflib/access.h"

__thread struct nf_write_hook nf_current_write_hook = {0, 0};
