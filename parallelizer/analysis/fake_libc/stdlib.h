#ifndef NFPAR_FAKE_STDLIB_H
#define NFPAR_FAKE_STDLIB_H
#include "_fake_common.h"
void *malloc(size_t n);
void *calloc(size_t count, size_t n);
void *realloc(void *p, size_t n);
void free(void *p);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int atoi(const char *s);
void exit(int status);
void abort(void);
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#endif
