/* --order: a replay of a recorded serialization (inmem_queue.h). The locks and
 * tm strategies record, per packet, the write it was or observed and the time
 * it ran at (--outcomes); the equivalence tests feed that order back to the
 * sequential NF, which must then give every packet the same result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpdk_rules/runtime/inmem/inmem_die.h"
#include "dpdk_rules/runtime/inmem/inmem_queue.h"

static void order_fail(const char *path, uint32_t line, const char *what) __attribute__((noreturn));

static void order_fail(const char *path, uint32_t line, const char *what) {
  inmem_die("--order file '%s' line %u: %s", path, line, what);
}

void inmem_order_load(const char *path, uint32_t count, struct inmem_queue *queue) {
  FILE *in = fopen(path, "r");
  if (in == NULL) inmem_die("cannot read --order file '%s': %s", path, strerror(errno));
  uint32_t *order = malloc(sizeof(uint32_t) * (count ? count : 1));
  int64_t *times = malloc(sizeof(int64_t) * (count ? count : 1));
  uint32_t *seen_at = calloc(count ? count : 1, sizeof(uint32_t)); /* line, 0: not seen */
  if (order == NULL || times == NULL || seen_at == NULL) inmem_die("out of memory");
  char text[128], what[256];
  uint32_t line = 0, n = 0;
  while (fgets(text, sizeof(text), in) != NULL) {
    line++;
    if (strchr(text, '\n') == NULL && !feof(in)) order_fail(path, line, "line too long");
    if (line == 1 && strncmp(text, "index", 5) == 0) continue; /* header */
    if (text[0] == '\n' || text[0] == '\0') continue;
    char *end = NULL;
    errno = 0;
    unsigned long long index = strtoull(text, &end, 10);
    if (end == text || *end != ',' || errno != 0)
      order_fail(path, line, "expected 'index,now_ns' (two integers)");
    const char *time_text = end + 1;
    errno = 0;
    long long now = strtoll(time_text, &end, 10);
    if (end == time_text || (*end != '\n' && *end != '\r' && *end != '\0') || errno != 0)
      order_fail(path, line, "expected 'index,now_ns' (two integers)");
    if (index >= count) {
      snprintf(what, sizeof(what), "index %llu is not an input packet (the input has %u)", index,
               count);
      order_fail(path, line, what);
    }
    if (seen_at[index] != 0) {
      snprintf(what, sizeof(what), "index %llu already appears on line %u", index, seen_at[index]);
      order_fail(path, line, what);
    }
    seen_at[index] = line;
    order[n] = (uint32_t)index;
    times[n++] = now;
  }
  fclose(in);
  if (n != count) {
    for (uint32_t i = 0; i < count; i++) {
      if (seen_at[i] == 0) {
        snprintf(what, sizeof(what), "has %u packets of the input's %u: index %u is missing", n,
                 count, i);
        order_fail(path, line, what);
      }
    }
  }
  free(seen_at);
  free(queue->index);
  queue->index = order;
  queue->len = n;
  queue->times = times;
}
