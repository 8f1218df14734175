/* The per-thread write-intent (plain and object-aware) and refresh hooks (see access.h); unset by
 * default. */
#include "nflib/access.h"

__thread struct nf_write_hook nf_current_write_hook = {0, 0};
__thread struct nf_refresh_hook nf_current_refresh_hook = {0, 0};
__thread struct nf_object_write_hook nf_current_object_write_hook = {0, 0};
