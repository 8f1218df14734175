/* lookup_nf.c with an index one past the table's end: :verify must refuse it. */
#define LOOKUP_MOD 5
#include "tests/verify/lookup_nf.c"
