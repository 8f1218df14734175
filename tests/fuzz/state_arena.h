/* nf_state_create per fuzz input without leaking: NFs have no destroy
 * function (nflib/nf.h), so while the arena is on, the NF's and nflib's
 * malloc/calloc/aligned_alloc (linked with -Wl,--wrap, fuzz.bzl) come from a
 * bump arena that the next input resets. Every chunk sits between
 * ASan-poisoned redzones and a reset poisons the whole arena, so overflows
 * inside the state and uses of an earlier input's state are still caught.
 *
 * While the packet path runs (arena_packet_path), any allocation is an oracle
 * failure: nf_process must not allocate (docs/NFLIB.md). */
#ifndef TESTS_FUZZ_STATE_ARENA_H
#define TESTS_FUZZ_STATE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Reserves the arena (once); size in bytes. */
void arena_init(size_t size);
/* Frees everything the arena handed out and poisons it. */
void arena_reset(void);
/* Routes allocations to the arena (true) or to the C library (false). */
void arena_on(bool on);
/* Marks the packet path: allocations there abort with an oracle line. */
void arena_packet_path(bool on);

#endif
