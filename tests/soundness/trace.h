/* Access recording of the soundness driver (trace.c). */
#ifndef TESTS_SOUNDNESS_TRACE_H
#define TESTS_SOUNDNESS_TRACE_H

#include <stdint.h>
#include <stdio.h>

/* Records go to out (buffered by the caller) from now on. */
void nf_trace_open(FILE *out);

/* Accesses from now on belong to input packet `index` (-1: initialisation). */
void nf_trace_packet(int64_t index);

#endif /* TESTS_SOUNDNESS_TRACE_H */
