/* Prints nflib's per-instance share (nf_instance_resolve under an
 * NF_LAYOUT_SHARE layout, nflib/instance.h) for a grid of requested
 * capacities, instance counts and headroom percents, one a line:
 *   <requested> <instances> <percent> <disjoint>: <capacity> <index base of the last instance>
 * //tests/capacity:share_rule_test compares it with
 * parallelizer/sharding/capacity.py's share. */
#include <stdio.h>

#include "nflib/instance.h"

static const uint32_t kRequested[] = {1, 3, 7, 64, 100, 1000, 4096, 65536, 100000, 1u << 30};
static const uint16_t kPercent[] = {0, 100, 101, 150, 200, 333, 1600, 6400};

int main(void) {
  for (size_t r = 0; r < sizeof(kRequested) / sizeof(kRequested[0]); r++) {
    for (uint32_t count = 1; count <= 64; count++) {
      for (size_t p = 0; p < sizeof(kPercent) / sizeof(kPercent[0]); p++) {
        for (int disjoint = 0; disjoint <= 1; disjoint++) {
          struct nf_instance_layout layout = {
              .instance = count - 1, .instance_count = count, .object_count = 1};
          layout.objects[0].name = "t";
          layout.objects[0].mode = NF_LAYOUT_SHARE;
          layout.objects[0].disjoint_indexes = disjoint;
          layout.objects[0].headroom_percent = kPercent[p];
          uint32_t capacity;
          int32_t base;
          nf_instance_begin(&layout);
          nf_instance_resolve("t", kRequested[r], &capacity, &base);
          nf_instance_end();
          printf("%u %u %u %d: %u %d\n", kRequested[r], count, kPercent[p], disjoint, capacity,
                 base);
        }
      }
    }
  }
  return 0;
}
