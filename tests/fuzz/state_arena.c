/* See state_arena.h. */
#include "tests/fuzz/state_arena.h"

#include <malloc.h>
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tests/fuzz/oracle.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
void __real_free(void *p);

enum { REDZONE = 64, ALIGN = 64 }; /* 64: the largest alignment nflib asks for */

static uint8_t *arena;
static size_t arena_size, used;
static bool on, packet_path;

void arena_init(size_t size) {
  if (arena != NULL) return;
  arena =
      mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (arena == MAP_FAILED) {
    fprintf(stderr, "state_arena: cannot reserve %zu bytes\n", size);
    exit(2);
  }
  arena_size = size;
  ASAN_POISON_MEMORY_REGION(arena, arena_size);
}

void arena_reset(void) {
  ASAN_POISON_MEMORY_REGION(arena, used);
  used = 0;
}

void arena_on(bool enable) {
  on = enable;
}

void arena_packet_path(bool enable) {
  packet_path = enable;
}

static bool in_arena(const void *p) {
  return arena != NULL && (const uint8_t *)p >= arena && (const uint8_t *)p < arena + arena_size;
}

/* A chunk: [redzone, holding the size in its last 8 bytes][data][redzone]. */
static void *take(size_t size) {
  size_t data = (size + ALIGN - 1) / ALIGN * ALIGN;
  size_t need = REDZONE + data + REDZONE;
  if (size > arena_size || need > arena_size - used) {
    fprintf(stderr,
            "state_arena: the NF's state needs more than %zu bytes; lower its capacities in "
            "the fuzz options or raise -arena_mb\n",
            arena_size);
    abort();
  }
  uint8_t *chunk = arena + used + REDZONE;
  used += need;
  /* The size goes into the redzone, which stays poisoned for the NF. */
  ASAN_UNPOISON_MEMORY_REGION(chunk - sizeof(size_t), sizeof(size_t) + size);
  memcpy(chunk - sizeof(size_t), &size, sizeof(size_t));
  ASAN_POISON_MEMORY_REGION(chunk - sizeof(size_t), sizeof(size_t));
  return chunk;
}

static void check_packet_path(const char *what, size_t size) {
  ORACLE(!packet_path, "no-allocation", "nf_process called %s(%zu) on the packet path", what, size);
}

void *__wrap_malloc(size_t size) {
  check_packet_path("malloc", size);
  return on ? take(size) : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size) {
  check_packet_path("calloc", n * size);
  if (!on) return __real_calloc(n, size);
  if (size != 0 && n > SIZE_MAX / size) return NULL;
  void *p = take(n * size);
  memset(p, 0, n * size);
  return p;
}

void *__wrap_aligned_alloc(size_t align, size_t size) {
  check_packet_path("aligned_alloc", size);
  if (!on) return __real_aligned_alloc(align, size);
  return align <= ALIGN ? take(size) : NULL;
}

void *__wrap_realloc(void *p, size_t size) {
  check_packet_path("realloc", size);
  if (!in_arena(p) && !on) return __real_realloc(p, size);
  void *q = on ? take(size) : __real_malloc(size);
  if (p != NULL && q != NULL) {
    size_t old = 0;
    if (in_arena(p)) {
      ASAN_UNPOISON_MEMORY_REGION((uint8_t *)p - sizeof(size_t), sizeof(size_t));
      memcpy(&old, (uint8_t *)p - sizeof(size_t), sizeof(size_t));
      ASAN_POISON_MEMORY_REGION((uint8_t *)p - sizeof(size_t), sizeof(size_t));
    } else {
      old = malloc_usable_size(p);
    }
    memcpy(q, p, old < size ? old : size);
    if (!in_arena(p)) __real_free(p);
  }
  return q;
}

void __wrap_free(void *p) {
  if (in_arena(p)) return; /* released all at once by arena_reset */
  __real_free(p);
}
