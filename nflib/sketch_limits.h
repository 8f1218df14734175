/* Published limits of nflib/sketch.h: nf_sketch_create returns NULL beyond
 * them. A header of its own because sketch.c's representation invariant, which
 * precedes its include of sketch.h, states them too. */
#ifndef NFLIB_SKETCH_LIMITS_H
#define NFLIB_SKETCH_LIMITS_H

/* The widest sketch (counters per row). */
#define NF_SKETCH_WIDTH_MAX (1u << 28)
/* The deepest sketch (rows, one hash each). */
#define NF_SKETCH_DEPTH_MAX 16u

#endif /* NFLIB_SKETCH_LIMITS_H */
