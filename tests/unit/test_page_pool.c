/* SPDX-License-Identifier: MIT */
/* Unit tests for hv/src/page_pool.c against the fake HAL. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/page_pool.h>

#include "fake_hal.h"
#include "check_run.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(8) << 20)
/* An odd page frame, so aligned runs are not aligned by accident. */
#define POOL_BASE (RAM_BASE + UINT64_C(0x101000))
#define POOL_PAGES 64u
#define POOL_SIZE (POOL_PAGES * HV_PAGE_SIZE)

static struct page_pool pool;

static void setup(void)
{
	fake_hal_setup(RAM_BASE, RAM_SIZE, POOL_BASE, POOL_SIZE);
	ck_assert_int_eq(page_pool_init(&pool, pa_init(POOL_BASE), POOL_SIZE),
			 HV_OK);
}

static void teardown(void)
{
	fake_hal_teardown();
}

static uint64_t page_index(paddr_t pa)
{
	return (pa_addr(pa) - POOL_BASE) / HV_PAGE_SIZE;
}

START_TEST(test_init_rejects_bad_ranges)
{
	/* A misaligned base or a range without a whole page is refused. */
	struct page_pool p;

	ck_assert_int_eq(page_pool_init(&p, pa_init(POOL_BASE + 8), POOL_SIZE),
			 HV_ERR_INVAL);
	ck_assert_int_eq(page_pool_init(&p, pa_init(POOL_BASE), 0),
			 HV_ERR_INVAL);
	ck_assert_int_eq(page_pool_init(&p, pa_init(POOL_BASE),
					HV_PAGE_SIZE - 1),
			 HV_ERR_INVAL);
	ck_assert_int_eq(page_pool_init(&p,
					pa_init(UINT64_C(0xfffffffffffff000)),
					2 * HV_PAGE_SIZE),
			 HV_ERR_INVAL);
}
END_TEST

START_TEST(test_init_rounds_and_caps)
{
	/* Sizes are rounded down to whole pages and capped at the bitmap size. */
	struct page_pool p;

	ck_assert_int_eq(page_pool_init(&p, pa_init(POOL_BASE),
					3 * HV_PAGE_SIZE + 100),
			 HV_OK);
	ck_assert_uint_eq(p.page_count, 3);
	ck_assert_uint_eq(page_pool_used(&p), 0);
	ck_assert_int_eq(page_pool_init(&p, pa_init(0), UINT64_C(1) << 40),
			 HV_OK);
	ck_assert_uint_eq(p.page_count, PAGE_POOL_MAX_PAGES);
}
END_TEST

START_TEST(test_alloc_single_pages)
{
	/* Single pages are distinct, page aligned, inside the pool, and counted. */
	paddr_t a, b;

	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &a), HV_OK);
	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &b), HV_OK);
	ck_assert_uint_ne(pa_addr(a), pa_addr(b));
	ck_assert(hv_is_aligned(pa_addr(a), HV_PAGE_SIZE));
	ck_assert(page_pool_contains(&pool, a));
	ck_assert(page_pool_contains(&pool, b));
	ck_assert_uint_eq(page_pool_used(&pool), 2);
}
END_TEST

START_TEST(test_alloc_alignment)
{
	/* Runs honour the requested physical alignment even from an odd base. */
	paddr_t a;

	ck_assert_int_eq(page_pool_alloc(&pool, 2, 2, &a), HV_OK);
	ck_assert(hv_is_aligned(pa_addr(a), 2 * HV_PAGE_SIZE));
	ck_assert_int_eq(page_pool_alloc(&pool, 16, 16, &a), HV_OK);
	ck_assert(hv_is_aligned(pa_addr(a), 16 * HV_PAGE_SIZE));
	ck_assert_int_eq(page_pool_alloc(&pool, 1, 8, &a), HV_OK);
	ck_assert(hv_is_aligned(pa_addr(a), 8 * HV_PAGE_SIZE));
	ck_assert_uint_eq(page_pool_used(&pool), 19);
}
END_TEST

START_TEST(test_alloc_contiguous_run_is_exclusive)
{
	/* A run's pages are all taken: no later allocation lands inside it. */
	paddr_t run, p;
	uint64_t first;

	ck_assert_int_eq(page_pool_alloc(&pool, 5, 1, &run), HV_OK);
	first = page_index(run);
	ck_assert_uint_le(first + 5, POOL_PAGES);
	while (page_pool_alloc(&pool, 1, 1, &p) == HV_OK) {
		uint64_t i = page_index(p);
		ck_assert(i < first || i >= first + 5);
	}
	ck_assert_uint_eq(page_pool_used(&pool), POOL_PAGES);
}
END_TEST

START_TEST(test_exhaustion)
{
	/* A full pool says NOMEM and leaves *out untouched. */
	paddr_t p, out = pa_init(0x1234000);

	for (unsigned i = 0; i < POOL_PAGES; i++)
		ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &p), HV_OK);
	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &out), HV_ERR_NOMEM);
	ck_assert_uint_eq(pa_addr(out), 0x1234000);
	ck_assert_uint_eq(page_pool_used(&pool), POOL_PAGES);
}
END_TEST

START_TEST(test_whole_pool_run)
{
	/* One run can take the whole pool, and a second one then fails. */
	paddr_t a, b;

	ck_assert_int_eq(page_pool_alloc(&pool, POOL_PAGES, 1, &a), HV_OK);
	ck_assert_uint_eq(pa_addr(a), POOL_BASE);
	ck_assert_uint_eq(page_pool_used(&pool), POOL_PAGES);
	page_pool_free(&pool, a, POOL_PAGES);
	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &b), HV_OK);
	ck_assert_int_eq(page_pool_alloc(&pool, POOL_PAGES, 1, &a),
			 HV_ERR_NOMEM);
	ck_assert_int_eq(page_pool_alloc(&pool, POOL_PAGES - 1, 1, &a), HV_OK);
	ck_assert_uint_eq(pa_addr(a), POOL_BASE + HV_PAGE_SIZE);
}
END_TEST

START_TEST(test_too_large_request)
{
	/* A run larger than the pool fails without changing the counters. */
	paddr_t p;

	ck_assert_int_eq(page_pool_alloc(&pool, POOL_PAGES + 1, 1, &p),
			 HV_ERR_NOMEM);
	ck_assert_int_eq(page_pool_alloc(&pool, POOL_PAGES, 64, &p),
			 HV_ERR_NOMEM);
	ck_assert_uint_eq(page_pool_used(&pool), 0);
}
END_TEST

START_TEST(test_fragmentation)
{
	/* Enough free pages but no contiguous run gives NOMEM. */
	paddr_t pages[POOL_PAGES], p;

	for (unsigned i = 0; i < POOL_PAGES; i++)
		ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &pages[i]),
				 HV_OK);
	for (unsigned i = 0; i < POOL_PAGES; i += 2)
		page_pool_free(&pool, pages[i], 1);
	ck_assert_uint_eq(page_pool_used(&pool), POOL_PAGES / 2);
	ck_assert_int_eq(page_pool_alloc(&pool, 2, 1, &p), HV_ERR_NOMEM);
	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &p), HV_OK);
	ck_assert_uint_eq(pa_addr(p), pa_addr(pages[0]));
}
END_TEST

START_TEST(test_free_and_reuse)
{
	/* A freed run is handed out again and the counters return exactly. */
	paddr_t a, b, c;

	ck_assert_int_eq(page_pool_alloc(&pool, 4, 4, &a), HV_OK);
	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &b), HV_OK);
	ck_assert_uint_eq(page_pool_used(&pool), 5);
	page_pool_free(&pool, a, 4);
	ck_assert_uint_eq(page_pool_used(&pool), 1);
	ck_assert_int_eq(page_pool_alloc(&pool, 4, 4, &c), HV_OK);
	ck_assert_uint_eq(pa_addr(c), pa_addr(a));
	page_pool_free(&pool, b, 1);
	page_pool_free(&pool, c, 4);
	ck_assert_uint_eq(page_pool_used(&pool), 0);
}
END_TEST

START_TEST(test_alloc_zeroes)
{
	/* Pages come back zeroed even if the previous owner left data. */
	paddr_t a, b;
	uint8_t *p;

	ck_assert_int_eq(page_pool_alloc(&pool, 2, 1, &a), HV_OK);
	p = hal_phys_map(a, 2 * HV_PAGE_SIZE);
	ck_assert_ptr_nonnull(p);
	memset(p, 0xa5, 2 * HV_PAGE_SIZE);
	page_pool_free(&pool, a, 2);
	ck_assert_int_eq(page_pool_alloc(&pool, 2, 1, &b), HV_OK);
	ck_assert_uint_eq(pa_addr(b), pa_addr(a));
	for (size_t i = 0; i < 2 * HV_PAGE_SIZE; i++)
		ck_assert_uint_eq(p[i], 0);
}
END_TEST

START_TEST(test_contains)
{
	/* contains() is true exactly for the pool's pages. */
	ck_assert(page_pool_contains(&pool, pa_init(POOL_BASE)));
	ck_assert(
		page_pool_contains(&pool, pa_init(POOL_BASE + POOL_SIZE - 1)));
	ck_assert(!page_pool_contains(&pool, pa_init(POOL_BASE + POOL_SIZE)));
	ck_assert(!page_pool_contains(&pool, pa_init(POOL_BASE - 1)));
	ck_assert(!page_pool_contains(&pool, pa_init(0)));
}
END_TEST

START_TEST(test_double_free_panics)
{
	/* Freeing a page twice is a hypervisor bug: CHECK aborts. */
	paddr_t a;

	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &a), HV_OK);
	page_pool_free(&pool, a, 1);
	page_pool_free(&pool, a, 1);
}
END_TEST

START_TEST(test_free_unallocated_panics)
{
	/* Freeing a run one page longer than allocated aborts. */
	paddr_t a;

	ck_assert_int_eq(page_pool_alloc(&pool, 2, 1, &a), HV_OK);
	page_pool_free(&pool, a, 3);
}
END_TEST

START_TEST(test_free_outside_pool_panics)
{
	/* Freeing an address outside the pool aborts. */
	page_pool_free(&pool, pa_init(POOL_BASE + POOL_SIZE), 1);
}
END_TEST

START_TEST(test_free_misaligned_panics)
{
	/* Freeing an address that is not a page start aborts. */
	paddr_t a;

	ck_assert_int_eq(page_pool_alloc(&pool, 1, 1, &a), HV_OK);
	page_pool_free(&pool, pa_add(a, 8), 1);
}
END_TEST

START_TEST(test_bad_alignment_panics)
{
	/* An alignment that is not a power of two is a caller bug: abort. */
	paddr_t a;

	if (page_pool_alloc(&pool, 1, 3, &a) == HV_OK)
		ck_abort_msg("alignment 3 accepted");
}
END_TEST

static Suite *page_pool_suite(void)
{
	Suite *s = suite_create("page_pool");
	TCase *tc = tcase_create("core");
	TCase *tp = tcase_create("panics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_rejects_bad_ranges);
	tcase_add_test(tc, test_init_rounds_and_caps);
	tcase_add_test(tc, test_alloc_single_pages);
	tcase_add_test(tc, test_alloc_alignment);
	tcase_add_test(tc, test_alloc_contiguous_run_is_exclusive);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_whole_pool_run);
	tcase_add_test(tc, test_too_large_request);
	tcase_add_test(tc, test_fragmentation);
	tcase_add_test(tc, test_free_and_reuse);
	tcase_add_test(tc, test_alloc_zeroes);
	tcase_add_test(tc, test_contains);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_add_test_raise_signal(tp, test_double_free_panics, SIGABRT);
	tcase_add_test_raise_signal(tp, test_free_unallocated_panics, SIGABRT);
	tcase_add_test_raise_signal(tp, test_free_outside_pool_panics, SIGABRT);
	tcase_add_test_raise_signal(tp, test_free_misaligned_panics, SIGABRT);
	tcase_add_test_raise_signal(tp, test_bad_alignment_panics, SIGABRT);
	suite_add_tcase(s, tp);
	return s;
}

int main(void)
{
	return check_run(page_pool_suite());
}
