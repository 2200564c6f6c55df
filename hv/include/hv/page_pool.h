/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator for hypervisor-owned memory (stage-2 tables and
 * other per-cell metadata). The pool is one contiguous physical range the
 * HAL hands over (hal_mem_pool); pages are tracked in a bitmap, so
 * used/free counters are exact and leak checks can compare them.
 */
#ifndef HV_PAGE_POOL_H
#define HV_PAGE_POOL_H

#include "types.h"

#define PAGE_POOL_MAX_PAGES 32768u /* 128 MiB of 4 KiB pages */

struct page_pool {
	paddr_t base;
	uint64_t page_count;
	uint64_t used_count;
	uint64_t bitmap[PAGE_POOL_MAX_PAGES / 64];
};

/*
 * Takes over [base, base+size). base must be page aligned; size is rounded
 * down to pages and capped at PAGE_POOL_MAX_PAGES. Returns HV_ERR_INVAL for
 * a misaligned base or an empty range.
 */
HV_MUST_CHECK enum hv_err page_pool_init(struct page_pool *pool, paddr_t base,
					 uint64_t size);

/*
 * Allocates `count` contiguous pages aligned to `align_pages` (a power of
 * two, 1 for none) and zeroes them through hal_phys_map(). HV_ERR_NOMEM when
 * no such run is free; *out is untouched then.
 */
HV_MUST_CHECK enum hv_err page_pool_alloc(struct page_pool *pool,
					  unsigned count, unsigned align_pages,
					  paddr_t *out);

/* Returns pages from page_pool_alloc(). Freeing a page that is not
 * allocated, or outside the pool, is a hypervisor bug: CHECK fails. */
void page_pool_free(struct page_pool *pool, paddr_t pa, unsigned count);

/* Pages currently allocated. */
uint64_t page_pool_used(const struct page_pool *pool);

/* True when pa lies inside the pool's range. */
bool page_pool_contains(const struct page_pool *pool, paddr_t pa);

#endif /* HV_PAGE_POOL_H */
