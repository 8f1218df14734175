/* Negative control (rejects_test.py): lookup_nf.c, which :verify accepts, but
 * including nflib's private internal.h. There nf_bytes_readable means valid
 * bytes, which contradicts an NF's ghost byte assumptions in WP's typed model
 * (nflib/types.h), so verify_test.py must refuse the file before proving. */
#include "nflib/internal.h"
#include "tests/verify/lookup_nf.c"
