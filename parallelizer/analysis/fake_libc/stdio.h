#ifndef NFPAR_FAKE_STDIO_H
#define NFPAR_FAKE_STDIO_H
#include "_fake_common.h"
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
int printf(const char *fmt, ...);
int fprintf(FILE *out, const char *fmt, ...);
int snprintf(char *buf, size_t len, const char *fmt, ...);
int sscanf(const char *str, const char *fmt, ...);
int fputs(const char *s, FILE *out);
int puts(const char *s);
FILE *fopen(const char *path, const char *mode);
int fclose(FILE *f);
char *fgets(char *buf, int len, FILE *f);
#endif
