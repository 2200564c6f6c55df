/* SPDX-License-Identifier: MIT */
/*
 * HAL contract: physical memory and stage-2 TLBs. The core never turns a
 * physical address into a pointer by itself; it asks here.
 */
#ifndef HAL_MEM_H
#define HAL_MEM_H

#include <hv/types.h>

/*
 * Returns a hypervisor pointer to [pa, pa+size), valid until the program
 * ends, or NULL when the range is not wholly inside RAM. Bare metal: the
 * identity map. Simulator: the host buffer backing simulated RAM.
 */
void *hal_phys_map(paddr_t pa, uint64_t size);

/*
 * Zeroes [pa, pa+size) (page aligned) before it is given to a cell, or
 * after a cell releases it, so no data crosses between cells or between
 * two runs of one cell. The simulator may drop the host pages instead.
 */
void hal_mem_scrub(paddr_t pa, uint64_t size);

/*
 * Makes [pa, pa+size), just written by the hypervisor (an image load), visible
 * to a guest that reads or executes it with its caches and MMU off: clean
 * the data cache to the point of coherency and invalidate the instruction
 * cache. The simulator has no caches: a no-op there.
 */
void hal_dcache_clean(paddr_t pa, uint64_t size);

/*
 * The physical range the core may use for its page pool (stage-2 tables):
 * page aligned, inside the platform's hypervisor memory, used by nothing
 * else. Valid after hal_platform_init().
 */
void hal_mem_pool(paddr_t *base, uint64_t *size);

/* Invalidates all stage-2 (and combined) TLB entries tagged with `vmid`
 * on every physical CPU and waits for completion (TLBI VMALLS12E1IS;
 * DSB ISH). The simulator drops its Unicorn mappings for that VMID. */
void hal_tlb_flush_vmid(uint16_t vmid);

/* Same, limited to IPAs [ipa, ipa+size) (TLBI IPAS2E1IS per page, then
 * VMALLE1IS for stage-1 entries built on them). */
void hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size);

#endif /* HAL_MEM_H */
