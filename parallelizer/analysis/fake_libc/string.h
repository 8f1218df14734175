#ifndef NFPAR_FAKE_STRING_H
#define NFPAR_FAKE_STRING_H
#include "_fake_common.h"
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strncpy(char *dst, const char *src, size_t n);
char *strdup(const char *s);
char *strtok(char *s, const char *delim);
#endif
