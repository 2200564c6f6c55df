/* SPDX-License-Identifier: MIT */
/*
 * Physical page pool: one bit per 4 KiB page of the range the HAL hands
 * over. A bitmap (rather than a free list threaded through the pages) keeps
 * the allocator's own state out of the memory it manages, gives exact
 * used counters for leak checks, and makes "free of a page that is not
 * allocated" detectable, which a free list cannot do.
 *
 * First fit is good enough: the pool serves stage-2 tables, which are
 * allocated at cell creation and freed at cell destruction, and the largest
 * run requested is a concatenated stage-2 root (at most 16 pages).
 */
#include <hv/check.h>
#include <hv/page_pool.h>

#include <hal/mem.h>

#define BITS_PER_WORD 64u

static bool bit_test(const struct page_pool *pool, uint64_t i)
{
	return (pool->bitmap[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1u;
}

static void bit_set(struct page_pool *pool, uint64_t i)
{
	pool->bitmap[i / BITS_PER_WORD] |= UINT64_C(1) << (i % BITS_PER_WORD);
}

static void bit_clear(struct page_pool *pool, uint64_t i)
{
	pool->bitmap[i / BITS_PER_WORD] &= ~(UINT64_C(1)
					     << (i % BITS_PER_WORD));
}

enum hv_err page_pool_init(struct page_pool *pool, paddr_t base, uint64_t size)
{
	uint64_t pages = size >> HV_PAGE_SHIFT;

	if (!hv_is_aligned(pa_addr(base), HV_PAGE_SIZE) || pages == 0 ||
	    hv_range_wraps(pa_addr(base), size))
		return HV_ERR_INVAL;
	if (pages > PAGE_POOL_MAX_PAGES)
		pages = PAGE_POOL_MAX_PAGES;

	pool->base = base;
	pool->page_count = pages;
	pool->used_count = 0;
	for (size_t w = 0; w < HV_ARRAY_SIZE(pool->bitmap); w++)
		pool->bitmap[w] = 0;
	return HV_OK;
}

/*
 * Index of the first used page in [first, first+count), or first+count when
 * all of them are free. Whole words are skipped when they are full or empty
 * so that a scan of a mostly full pool stays cheap.
 */
static uint64_t first_used(const struct page_pool *pool, uint64_t first,
			   uint64_t count)
{
	uint64_t end = first + count;
	uint64_t i = first;

	while (i < end) {
		if (i % BITS_PER_WORD == 0 && end - i >= BITS_PER_WORD &&
		    pool->bitmap[i / BITS_PER_WORD] == 0) {
			i += BITS_PER_WORD;
			continue;
		}
		if (bit_test(pool, i))
			return i;
		i++;
	}
	return end;
}

/* Smallest i >= from with (base page frame + i) a multiple of align. */
static uint64_t align_index(const struct page_pool *pool, uint64_t from,
			    uint64_t align)
{
	uint64_t pfn = (pa_addr(pool->base) >> HV_PAGE_SHIFT) + from;
	uint64_t aligned = (pfn + align - 1) & ~(align - 1);

	return from + (aligned - pfn);
}

enum hv_err page_pool_alloc(struct page_pool *pool, unsigned count,
			    unsigned align_pages, paddr_t *out)
{
	uint64_t i;

	/* Both come from core code, never from a guest: a bad value is a bug. */
	CHECK(count > 0);
	CHECK(align_pages > 0 && (align_pages & (align_pages - 1)) == 0);

	if (count > pool->page_count - pool->used_count)
		return HV_ERR_NOMEM;

	i = align_index(pool, 0, align_pages);
	while (i < pool->page_count && pool->page_count - i >= count) {
		uint64_t used = first_used(pool, i, count);

		if (used == i + count) {
			paddr_t pa = pa_add(pool->base, i << HV_PAGE_SHIFT);
			uint64_t size = (uint64_t)count << HV_PAGE_SHIFT;
			void *p = hal_phys_map(pa, size);

			/* The HAL promised the pool lies in RAM. */
			CHECK(p != NULL);
			/* Tables must start empty, and nothing of a previous
			 * user (another cell's tables) may remain. */
			__builtin_memset(p, 0, (size_t)size);
			for (uint64_t j = i; j < i + count; j++)
				bit_set(pool, j);
			pool->used_count += count;
			*out = pa;
			return HV_OK;
		}
		/* No aligned run can include page `used`: restart after it. */
		i = align_index(pool, used + 1, align_pages);
	}
	return HV_ERR_NOMEM;
}

void page_pool_free(struct page_pool *pool, paddr_t pa, unsigned count)
{
	uint64_t off = pa_addr(pa) - pa_addr(pool->base);
	uint64_t first = off >> HV_PAGE_SHIFT;

	CHECK(count > 0);
	CHECK(page_pool_contains(pool, pa));
	CHECK(hv_is_aligned(off, HV_PAGE_SIZE));
	CHECK(pool->page_count - first >= count);
	for (uint64_t i = first; i < first + count; i++) {
		/* Double free or free of a page never handed out. */
		CHECK(bit_test(pool, i));
		bit_clear(pool, i);
	}
	pool->used_count -= count;
}

uint64_t page_pool_used(const struct page_pool *pool)
{
	return pool->used_count;
}

bool page_pool_contains(const struct page_pool *pool, paddr_t pa)
{
	uint64_t a = pa_addr(pa);
	uint64_t b = pa_addr(pool->base);

	return a >= b && (a - b) >> HV_PAGE_SHIFT < pool->page_count;
}
