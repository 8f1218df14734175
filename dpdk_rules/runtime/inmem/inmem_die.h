/* Fatal errors of the in-memory runtime: one line "<nf>: message" on stderr.
 * Variadic with a printf format attribute, so the compiler checks every call's
 * arguments against its format. */
#ifndef DPDK_RULES_RUNTIME_INMEM_INMEM_DIE_H
#define DPDK_RULES_RUNTIME_INMEM_INMEM_DIE_H

/* A failure at start-up or while writing results: exit status 1. */
void inmem_die(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A bad option or value: the line ends with a pointer to --help; exit status
 * RT_EXIT_USAGE (2), as the DPDK runtimes (options.h). */
void inmem_usage_die(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
