/* SPDX-License-Identifier: MIT */
/*
 * The isolation invariant: what every cell's stage-2 maps is its own and
 * nobody else's. Checked from the live translation tables, not from the
 * config, so it catches bugs in stage-2 code, in cell management and in
 * config validation alike. Tests run it after boot and after management
 * operations; the fuzzing harnesses use it as their oracle; hv_start()
 * checks it once before any guest runs.
 */
#ifndef HV_ISOLATION_H
#define HV_ISOLATION_H

#include "types.h"

struct hv;
struct hv_cell;

/*
 * Walks every live cell's stage-2 and verifies, for every leaf mapping:
 *  - it lies inside one of that cell's configured memory regions, with the
 *    region's IPA-to-PA offset (nothing else is mapped, nothing is mapped
 *    to the wrong place);
 *  - it overlaps no memory region of any other live cell (no page in two
 *    cells; declared shared regions will be the only exception);
 *  - it overlaps neither the hypervisor's memory nor its page pool.
 * Returns HV_OK, or HV_ERR_DENIED with a one-line description of the first
 * violation in why[0..why_size).
 */
HV_MUST_CHECK enum hv_err isolation_check(const struct hv *hv, char *why,
					  size_t why_size);

/*
 * The test isolation_check() applies to each leaf, for one leaf of live
 * cell `cell`'s stage-2 (IPA `ipa` -> PA `pa`, `size` bytes, S2_* `flags`
 * as the descriptor says). For checkers that know which leaves changed
 * since the tables were last found isolated and that the set of live
 * cells did not grow: the fuzzing oracle (fuzz/fuzz_world.c), which
 * still runs the full walk periodically. Not used at EL2 (the linker
 * drops it). Same result and message as the walk for that leaf.
 */
HV_MUST_CHECK enum hv_err isolation_check_leaf(const struct hv *hv,
					       const struct hv_cell *cell,
					       ipa_t ipa, paddr_t pa,
					       uint64_t size, unsigned flags,
					       char *why, size_t why_size);

#endif /* HV_ISOLATION_H */
