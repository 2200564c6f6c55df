/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation tables: 4 KiB granule, configurable IPA size (40 bits
 * by default), 2 MiB blocks where both addresses and the size allow and
 * 4 KiB pages otherwise. One table tree per cell, tagged with its VMID.
 *
 * Mechanism only: policy (which ranges a cell may have) is checked by the
 * caller (cell.c). Updates are prepare-then-commit: any table pages an update
 * needs are allocated before the first descriptor is written, so an update
 * either happens completely or not at all.
 *
 * Arm ARM D8.2 "Translation process", D8.3 descriptors, D8.2.4 for the
 * initial lookup level and concatenated tables.
 */
#ifndef HV_STAGE2_H
#define HV_STAGE2_H

#include "page_pool.h"
#include "types.h"

/* Permission/attribute flags for a mapping. */
#define S2_READ 0x1u
#define S2_WRITE 0x2u
#define S2_EXEC 0x4u
#define S2_DEVICE 0x8u /* Device-nGnRE instead of Normal write-back */
#define S2_RWX (S2_READ | S2_WRITE | S2_EXEC)

/* Translation geometry derived from the IPA and PA sizes. */
struct stage2_geometry {
	unsigned ipa_bits;    /* input size, 32..48 */
	unsigned start_level; /* 0..2 */
	unsigned root_pages; /* concatenated tables at the start level (1..16) */
	uint64_t vtcr; /* VTCR_EL2 value (T0SZ, SL0, TG0, SH0, ORGN0, IRGN0, PS) */
};

/*
 * Computes the geometry for `ipa_bits` (32..48) on a CPU whose physical
 * address size is `pa_bits` (32, 36, 40, 42, 44, 48 or 52). The start level
 * is the deepest one that needs at most 16 concatenated tables, as KVM and
 * the Arm ARM recommend. HV_ERR_RANGE when ipa_bits exceeds pa_bits or the
 * sizes are out of range.
 */
HV_MUST_CHECK enum hv_err stage2_geometry(unsigned ipa_bits, unsigned pa_bits,
					  struct stage2_geometry *out);

struct stage2 {
	struct page_pool *pool;
	struct stage2_geometry geo;
	paddr_t root; /* first page of the root table(s) */
	uint16_t vmid;
	uint64_t table_pages; /* pages this tree holds, including the root */
};

/* Creates an empty tree. HV_ERR_NOMEM if the root cannot be allocated. */
HV_MUST_CHECK enum hv_err stage2_init(struct stage2 *s2, struct page_pool *pool,
				      const struct stage2_geometry *geo,
				      uint16_t vmid);

/* Frees every table page back to the pool and invalidates the VMID's TLB
 * entries through the HAL. Safe on a zeroed or already destroyed struct. */
void stage2_destroy(struct stage2 *s2);

/*
 * Maps [ipa, ipa+size) to [pa, pa+size) with `flags` (S2_*). Addresses and
 * size must be page aligned and the range inside the IPA space
 * (HV_ERR_INVAL / HV_ERR_RANGE). Refuses (HV_ERR_EXISTS) if any page of the
 * range is already mapped; nothing is changed then.
 */
HV_MUST_CHECK enum hv_err stage2_map(struct stage2 *s2, ipa_t ipa, paddr_t pa,
				     uint64_t size, unsigned flags);

/*
 * Unmaps [ipa, ipa+size), splitting blocks that straddle the edges, then
 * invalidates the TLB for the range. Pages that were not mapped are
 * ignored. HV_ERR_NOMEM only if a block split needs a table page (nothing
 * changed then).
 */
HV_MUST_CHECK enum hv_err stage2_unmap(struct stage2 *s2, ipa_t ipa,
				       uint64_t size);

/*
 * Changes the permissions of every mapped page in [ipa, ipa+size) to
 * `flags`, splitting blocks at the edges, then invalidates the TLB.
 * HV_ERR_NOENT if any page in the range is unmapped (nothing changed then).
 */
HV_MUST_CHECK enum hv_err stage2_protect(struct stage2 *s2, ipa_t ipa,
					 uint64_t size, unsigned flags);

struct stage2_walk {
	paddr_t pa;	    /* output address of `ipa` itself */
	unsigned flags;	    /* S2_* */
	unsigned level;	    /* level of the leaf descriptor (1..3) */
	uint64_t leaf_size; /* bytes covered by the leaf (4 KiB, 2 MiB, 1 GiB) */
	ipa_t leaf_ipa;	    /* first IPA the leaf covers */
};

/* Translates `ipa`. false (and *out untouched) when it is not mapped. */
bool stage2_walk(const struct stage2 *s2, ipa_t ipa, struct stage2_walk *out);

/*
 * For an unmapped `ipa`, stores the level of the first invalid descriptor
 * the hardware walk meets (the level a translation fault reports in DFSC,
 * Arm ARM D8.2) and returns true; returns false when `ipa` is mapped. A
 * synthesizing HAL uses this to report faults exactly as hardware does.
 */
bool stage2_fault_level(const struct stage2 *s2, ipa_t ipa, unsigned *level);

/* Value for VTTBR_EL2: VMID and root table address. */
uint64_t stage2_vttbr(const struct stage2 *s2);

/*
 * Calls fn(arg, ipa, pa, size, flags) for every leaf mapping in IPA order.
 * Used by the isolation invariant and by tests. Stops early and returns
 * false if fn returns false.
 */
bool stage2_for_each(const struct stage2 *s2,
		     bool (*fn)(void *arg, ipa_t ipa, paddr_t pa, uint64_t size,
				unsigned flags),
		     void *arg);

#endif /* HV_STAGE2_H */
