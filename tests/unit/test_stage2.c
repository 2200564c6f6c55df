/* SPDX-License-Identifier: MIT */
/* Unit tests for hv/src/stage2.c against the fake HAL. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/arm64/pte.h>
#include <hv/arm64/vtcr.h>
#include <hv/stage2.h>

#include "fake_hal.h"
#include "check_run.h"

#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE (UINT64_C(16) << 20)
/* Odd page frame: the concatenated root must still be 8 KiB aligned. */
#define POOL_BASE (RAM_BASE + UINT64_C(0x1000))
#define POOL_SIZE (UINT64_C(4) << 20)

#define KIB(x) (UINT64_C(x) << 10)
#define MIB(x) (UINT64_C(x) << 20)
#define GIB(x) (UINT64_C(x) << 30)

#define CELL_IPA UINT64_C(0x40000000)
#define CELL_PA UINT64_C(0x50000000)
#define VMID 5u

static struct page_pool pool;
static struct stage2 s2;
static uint64_t used_before_init;

static void pool_setup(uint64_t pool_size)
{
	fake_hal_setup(RAM_BASE, RAM_SIZE, POOL_BASE, pool_size);
	ck_assert_int_eq(page_pool_init(&pool, pa_init(POOL_BASE), pool_size),
			 HV_OK);
}

static void tree_setup_bits(unsigned ipa_bits, unsigned pa_bits)
{
	struct stage2_geometry geo;

	ck_assert_int_eq(stage2_geometry(ipa_bits, pa_bits, &geo), HV_OK);
	used_before_init = page_pool_used(&pool);
	ck_assert_int_eq(stage2_init(&s2, &pool, &geo, VMID), HV_OK);
}

static void setup(void)
{
	pool_setup(POOL_SIZE);
	tree_setup_bits(40, 40);
}

static void teardown(void)
{
	stage2_destroy(&s2);
	memset(&s2, 0, sizeof(s2));
	fake_hal_teardown();
}

/* ---- helpers -------------------------------------------------------------- */

/*
 * The leaf descriptor for ipa read straight from table memory, walked here
 * independently of stage2_walk() so encoding mistakes cannot cancel out.
 */
static uint64_t raw_leaf(uint64_t ipa, unsigned *level_out)
{
	unsigned level = s2.geo.start_level;
	unsigned shift = 12 + 9 * (3 - level);
	uint64_t table = pa_addr(s2.root);
	uint64_t index = ipa >> shift;

	for (;;) {
		const uint64_t *t = hal_phys_map(pa_init(table +
							 (index / 512) * 4096),
						 4096);
		uint64_t d;

		ck_assert_ptr_nonnull(t);
		d = t[index % 512];
		if ((d & 1) == 0 || level == 3 || (d & 3) == 1) {
			*level_out = level;
			return d;
		}
		table = d & UINT64_C(0x0000fffffffff000);
		level++;
		shift -= 9;
		index = (ipa >> shift) & 511;
	}
}

static void assert_mapped(uint64_t ipa, uint64_t pa, unsigned flags,
			  unsigned level)
{
	struct stage2_walk w;

	ck_assert_msg(stage2_walk(&s2, ipa_init(ipa), &w),
		      "IPA %#llx not mapped", (unsigned long long)ipa);
	ck_assert_uint_eq(pa_addr(w.pa), pa);
	ck_assert_uint_eq(w.flags, flags);
	ck_assert_uint_eq(w.level, level);
}

static void assert_unmapped(uint64_t ipa)
{
	struct stage2_walk w;

	ck_assert_msg(!stage2_walk(&s2, ipa_init(ipa), &w), "IPA %#llx mapped",
		      (unsigned long long)ipa);
}

#define MAX_LEAVES 2048

struct leaf {
	uint64_t ipa, pa, size;
	unsigned flags;
};

struct leaves {
	struct leaf l[MAX_LEAVES];
	unsigned count;
	unsigned stop_after; /* 0: never stop */
};

static bool collect(void *arg, ipa_t ipa, paddr_t pa, uint64_t size,
		    unsigned flags)
{
	struct leaves *ls = arg;

	ck_assert_uint_lt(ls->count, MAX_LEAVES);
	ls->l[ls->count++] = (struct leaf){ipa_addr(ipa), pa_addr(pa), size,
					   flags};
	return ls->stop_after == 0 || ls->count < ls->stop_after;
}

static struct leaves *dump(void)
{
	struct leaves *ls = calloc(1, sizeof(*ls));

	ck_assert_ptr_nonnull(ls);
	ck_assert(stage2_for_each(&s2, collect, ls));
	return ls;
}

static void assert_same_dump(const struct leaves *a, const struct leaves *b)
{
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_int_eq(memcmp(a->l, b->l, a->count * sizeof(a->l[0])), 0);
}

/* ---- geometry ------------------------------------------------------------- */

struct geo_case {
	unsigned ipa_bits, pa_bits;
	unsigned level, root_pages, t0sz, sl0, ps;
};

/* Worked by hand from Arm ARM D8.2: level L resolves IPA bits from
 * 12 + 9 * (3 - L) up, a root may add 4 bits by concatenating 16 tables. */
static const struct geo_case geo_cases[] = {
	{32, 32, 2, 4, 32, 0, 0},  /* bits 31:21 = 11 bits: 4 tables */
	{34, 40, 2, 16, 30, 0, 2}, /* 13 bits at level 2: 16 tables */
	{35, 36, 1, 1, 29, 1, 1},  /* too many for level 2: level 1 */
	{39, 40, 1, 1, 25, 1, 2},
	{40, 40, 1, 2, 24, 1, 2},
	{42, 42, 1, 8, 22, 1, 3},
	{43, 44, 1, 16, 21, 1, 4},
	{44, 44, 0, 1, 20, 2, 4}, /* 14 bits at level 1: level 0 */
	{48, 48, 0, 1, 16, 2, 5},
	{40, 52, 1, 2, 24, 1, 5}, /* PS capped at 48 bits: no LPA2 */
};

START_TEST(test_geometry_table)
{
	/* Start level, root concatenation and VTCR fields match hand-computed values. */
	const struct geo_case *c = &geo_cases[_i];
	struct stage2_geometry g;

	ck_assert_int_eq(stage2_geometry(c->ipa_bits, c->pa_bits, &g), HV_OK);
	ck_assert_uint_eq(g.ipa_bits, c->ipa_bits);
	ck_assert_uint_eq(g.start_level, c->level);
	ck_assert_uint_eq(g.root_pages, c->root_pages);
	ck_assert_uint_eq(g.vtcr & 0x3f, c->t0sz);
	ck_assert_uint_eq((g.vtcr >> 6) & 3, c->sl0);
	ck_assert_uint_eq((g.vtcr >> 16) & 7, c->ps);
	ck_assert_uint_eq((g.vtcr >> 8) & 3, 1);  /* IRGN0 WBWA */
	ck_assert_uint_eq((g.vtcr >> 10) & 3, 1); /* ORGN0 WBWA */
	ck_assert_uint_eq((g.vtcr >> 12) & 3, 3); /* SH0 inner */
	ck_assert_uint_eq((g.vtcr >> 14) & 3, 0); /* TG0 4 KiB */
	ck_assert_uint_eq((g.vtcr >> 19) & 1, 0); /* VS: 8-bit VMIDs */
	ck_assert_uint_eq((g.vtcr >> 31) & 1, 1); /* RES1 */
}
END_TEST

START_TEST(test_geometry_vtcr_40bit)
{
	/* The whole 40-bit VTCR_EL2 value equals the one assembled by hand. */
	struct stage2_geometry g;

	ck_assert_int_eq(stage2_geometry(40, 40, &g), HV_OK);
	/* T0SZ 24 | SL0 1 | IRGN0 1 | ORGN0 1 | SH0 3 | TG0 0 | PS 2 | bit 31 */
	ck_assert_uint_eq(g.vtcr, UINT64_C(0x80023558));
}
END_TEST

START_TEST(test_geometry_rejects)
{
	/* Out-of-range sizes and an IPA larger than the PA are refused. */
	struct stage2_geometry g = {.ipa_bits = 77};

	ck_assert_int_eq(stage2_geometry(31, 40, &g), HV_ERR_RANGE);
	ck_assert_int_eq(stage2_geometry(49, 52, &g), HV_ERR_RANGE);
	ck_assert_int_eq(stage2_geometry(40, 36, &g), HV_ERR_RANGE);
	ck_assert_int_eq(stage2_geometry(36, 39, &g), HV_ERR_RANGE);
	ck_assert_int_eq(stage2_geometry(36, 0, &g), HV_ERR_RANGE);
	ck_assert_uint_eq(g.ipa_bits, 77);
}
END_TEST

/* ---- init, vttbr, destroy ------------------------------------------------- */

START_TEST(test_init_root_and_vttbr)
{
	/* The root is 2 concatenated pages, 8 KiB aligned, and VTTBR holds it and the VMID. */
	uint64_t vttbr = stage2_vttbr(&s2);

	ck_assert_uint_eq(s2.table_pages, 2);
	ck_assert_uint_eq(page_pool_used(&pool) - used_before_init, 2);
	ck_assert(hv_is_aligned(pa_addr(s2.root), KIB(8)));
	ck_assert(page_pool_contains(&pool, s2.root));
	ck_assert_uint_eq(vttbr >> 48, VMID);
	ck_assert_uint_eq(vttbr & UINT64_C(0x0000ffffffffffff),
			  pa_addr(s2.root));
}
END_TEST

START_TEST(test_init_nomem)
{
	/* A pool without room for the root gives NOMEM and leaves the pool as it was. */
	struct stage2 t;
	struct stage2_geometry g;

	pool_setup(HV_PAGE_SIZE); /* only one page: a 40-bit root needs two */
	ck_assert_int_eq(stage2_geometry(40, 40, &g), HV_OK);
	ck_assert_int_eq(stage2_init(&t, &pool, &g, 1), HV_ERR_NOMEM);
	ck_assert_uint_eq(page_pool_used(&pool), 0);
	memset(&s2, 0,
	       sizeof(s2)); /* the fixture's tree lived in the old pool */
}
END_TEST

START_TEST(test_destroy_returns_every_page)
{
	/* After a varied workload, destroy gives back every page and flushes the VMID. */
	unsigned flushes;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(16), S2_RWX),
			 HV_OK);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(0x09000000),
				    pa_init(0x09000000), KIB(4),
				    S2_READ | S2_WRITE | S2_DEVICE),
			 HV_OK);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(GIB(600)),
				    pa_init(CELL_PA + MIB(32)), MIB(3),
				    S2_READ),
			 HV_OK);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA + KIB(4)), KIB(4)),
			 HV_OK);
	ck_assert_uint_gt(page_pool_used(&pool), used_before_init + 2);
	ck_assert_uint_eq(page_pool_used(&pool) - used_before_init,
			  s2.table_pages);
	flushes = fake_hal_tlb_flushes();
	stage2_destroy(&s2);
	ck_assert_uint_eq(page_pool_used(&pool), used_before_init);
	ck_assert_uint_eq(fake_hal_tlb_flushes(), flushes + 1);
	/* A second destroy, and one on a zeroed struct, do nothing. */
	stage2_destroy(&s2);
	ck_assert_uint_eq(fake_hal_tlb_flushes(), flushes + 1);
	memset(&s2, 0, sizeof(s2));
	stage2_destroy(&s2);
	ck_assert_uint_eq(page_pool_used(&pool), used_before_init);
}
END_TEST

START_TEST(test_destroyed_tree_is_empty)
{
	/* A destroyed tree translates nothing and lists nothing. */
	struct leaves *ls;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(2), S2_RWX),
			 HV_OK);
	stage2_destroy(&s2);
	assert_unmapped(CELL_IPA);
	ls = dump();
	ck_assert_uint_eq(ls->count, 0);
	free(ls);
}
END_TEST

/* ---- map and walk --------------------------------------------------------- */

START_TEST(test_map_walk_blocks)
{
	/* A 2 MiB aligned 16 MiB range becomes level-2 blocks that translate each byte. */
	struct stage2_walk w;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(16), S2_RWX),
			 HV_OK);
	assert_mapped(CELL_IPA, CELL_PA, S2_RWX, 2);
	assert_mapped(CELL_IPA + MIB(5) + 0x123, CELL_PA + MIB(5) + 0x123,
		      S2_RWX, 2);
	assert_mapped(CELL_IPA + MIB(16) - 1, CELL_PA + MIB(16) - 1, S2_RWX, 2);
	assert_unmapped(CELL_IPA + MIB(16));
	assert_unmapped(CELL_IPA - 1);
	ck_assert(stage2_walk(&s2, ipa_init(CELL_IPA + MIB(3)), &w));
	ck_assert_uint_eq(w.leaf_size, MIB(2));
	ck_assert_uint_eq(ipa_addr(w.leaf_ipa), CELL_IPA + MIB(2));
	/* Root (2) + one level-2 table; no level-3 tables. */
	ck_assert_uint_eq(s2.table_pages, 3);
}
END_TEST

START_TEST(test_map_misaligned_pa_uses_pages)
{
	/* A PA that is not 2 MiB aligned forces level-3 pages even for an aligned IPA. */
	struct stage2_walk w;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA),
				    pa_init(CELL_PA + KIB(4)), MIB(2),
				    S2_READ | S2_WRITE),
			 HV_OK);
	assert_mapped(CELL_IPA, CELL_PA + KIB(4), S2_READ | S2_WRITE, 3);
	assert_mapped(CELL_IPA + MIB(2) - KIB(4), CELL_PA + MIB(2),
		      S2_READ | S2_WRITE, 3);
	ck_assert(stage2_walk(&s2, ipa_init(CELL_IPA + 0x10), &w));
	ck_assert_uint_eq(w.leaf_size, KIB(4));
	ck_assert_uint_eq(ipa_addr(w.leaf_ipa), CELL_IPA);
	ck_assert_uint_eq(s2.table_pages, 4);
}
END_TEST

START_TEST(test_map_mixed_blocks_and_pages)
{
	/* A range with ragged edges gets pages at the edges and blocks in the middle. */
	uint64_t ipa = CELL_IPA + MIB(2) - KIB(8);
	uint64_t pa = CELL_PA + MIB(2) - KIB(8);
	struct leaves *ls;
	uint64_t total = 0;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(ipa), pa_init(pa),
				    MIB(4) + KIB(8) + KIB(12), S2_RWX),
			 HV_OK);
	assert_mapped(ipa, pa, S2_RWX, 3);
	assert_mapped(CELL_IPA + MIB(2), CELL_PA + MIB(2), S2_RWX, 2);
	assert_mapped(CELL_IPA + MIB(4), CELL_PA + MIB(4), S2_RWX, 2);
	assert_mapped(CELL_IPA + MIB(6), CELL_PA + MIB(6), S2_RWX, 3);
	assert_mapped(CELL_IPA + MIB(6) + KIB(8), CELL_PA + MIB(6) + KIB(8),
		      S2_RWX, 3);
	assert_unmapped(CELL_IPA + MIB(6) + KIB(12));
	assert_unmapped(ipa - KIB(4));

	/* for_each sees 2 + 2 + 3 leaves, in IPA order, adding up to the size. */
	ls = dump();
	ck_assert_uint_eq(ls->count, 7);
	for (unsigned i = 0; i < ls->count; i++) {
		if (i > 0)
			ck_assert_uint_eq(ls->l[i].ipa,
					  ls->l[i - 1].ipa + ls->l[i - 1].size);
		ck_assert_uint_eq(ls->l[i].pa - ls->l[i].ipa,
				  CELL_PA - CELL_IPA);
		ck_assert_uint_eq(ls->l[i].flags, S2_RWX);
		total += ls->l[i].size;
	}
	ck_assert_uint_eq(ls->l[0].ipa, ipa);
	ck_assert_uint_eq(total, MIB(4) + KIB(20));
	free(ls);
}
END_TEST

START_TEST(test_for_each_stops_early)
{
	/* for_each stops at the first callback that returns false and reports it. */
	struct leaves *ls = calloc(1, sizeof(*ls));

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(8), S2_RWX),
			 HV_OK);
	ls->stop_after = 2;
	ck_assert(!stage2_for_each(&s2, collect, ls));
	ck_assert_uint_eq(ls->count, 2);
	free(ls);
}
END_TEST

START_TEST(test_descriptor_bits_normal)
{
	/* Normal leaves carry MemAttr WB, inner shareable, AF, S2AP and XN as asked. */
	unsigned level;
	uint64_t d;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(2), S2_READ),
			 HV_OK);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA + MIB(2)),
				    pa_init(CELL_PA + MIB(2)), KIB(4), S2_RWX),
			 HV_OK);
	d = raw_leaf(CELL_IPA, &level);
	ck_assert_uint_eq(level, 2);
	ck_assert_uint_eq(d & 3, 1);		/* block */
	ck_assert_uint_eq((d >> 2) & 0xf, 0xf); /* Normal WB */
	ck_assert_uint_eq((d >> 6) & 3, 1);	/* S2AP read only */
	ck_assert_uint_eq((d >> 8) & 3, 3);	/* inner shareable */
	ck_assert_uint_eq((d >> 10) & 1, 1);	/* AF */
	ck_assert_uint_eq((d >> 53) & 3, 2);	/* XN */
	ck_assert_uint_eq(d & UINT64_C(0x0000ffffffe00000), CELL_PA);

	d = raw_leaf(CELL_IPA + MIB(2), &level);
	ck_assert_uint_eq(level, 3);
	ck_assert_uint_eq(d & 3, 3);	     /* page */
	ck_assert_uint_eq((d >> 6) & 3, 3);  /* S2AP read/write */
	ck_assert_uint_eq((d >> 53) & 3, 0); /* executable */
	ck_assert_uint_eq(d & UINT64_C(0x0000fffffffff000), CELL_PA + MIB(2));
}
END_TEST

START_TEST(test_device_attributes)
{
	/* Device mappings are Device-nGnRE and always execute-never. */
	unsigned level;
	uint64_t d;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(0x0a000000),
				    pa_init(0x0a000000), KIB(4),
				    S2_READ | S2_WRITE | S2_DEVICE),
			 HV_OK);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(0x0a001000),
				    pa_init(0x0a001000), KIB(4),
				    S2_RWX | S2_DEVICE),
			 HV_OK);
	assert_mapped(0x0a000000, 0x0a000000, S2_READ | S2_WRITE | S2_DEVICE,
		      3);
	assert_mapped(0x0a001000, 0x0a001000, S2_READ | S2_WRITE | S2_DEVICE,
		      3);
	d = raw_leaf(0x0a000000, &level);
	ck_assert_uint_eq((d >> 2) & 0xf, 0x1); /* Device-nGnRE */
	ck_assert_uint_eq((d >> 53) & 3, 2);	/* XN */
	ck_assert_uint_eq((d >> 10) & 1, 1);	/* AF */
}
END_TEST

START_TEST(test_concatenated_root_high_ipa)
{
	/* IPAs in the second concatenated root page map and walk correctly. */
	uint64_t ipa = GIB(1023);

	ck_assert_int_eq(stage2_map(&s2, ipa_init(ipa), pa_init(CELL_PA),
				    MIB(2) + KIB(4), S2_READ),
			 HV_OK);
	assert_mapped(ipa, CELL_PA, S2_READ, 2);
	assert_mapped(ipa + MIB(2), CELL_PA + MIB(2), S2_READ, 3);
	assert_unmapped(ipa - GIB(512));
	assert_unmapped(CELL_IPA);
}
END_TEST

START_TEST(test_map_other_start_levels)
{
	/* Trees starting at level 2 (32-bit IPA) and level 0 (48-bit IPA) map and walk. */
	stage2_destroy(&s2);
	tree_setup_bits(32, 40);
	ck_assert_uint_eq(s2.table_pages, 4);
	ck_assert(hv_is_aligned(pa_addr(s2.root), KIB(16)));
	ck_assert_int_eq(stage2_map(&s2, ipa_init(GIB(4) - MIB(2)),
				    pa_init(CELL_PA), MIB(2), S2_RWX),
			 HV_OK);
	assert_mapped(GIB(4) - 1, CELL_PA + MIB(2) - 1, S2_RWX, 2);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(0), pa_init(CELL_PA + MIB(2)),
				    KIB(4), S2_RWX),
			 HV_OK);
	assert_mapped(0, CELL_PA + MIB(2), S2_RWX, 3);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(GIB(4)), pa_init(CELL_PA),
				    KIB(4), S2_RWX),
			 HV_ERR_RANGE);
	stage2_destroy(&s2);
	ck_assert_uint_eq(page_pool_used(&pool), used_before_init);

	fake_hal_set_pa_bits(48);
	tree_setup_bits(48, 48);
	ck_assert_uint_eq(s2.table_pages, 1);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(UINT64_C(0xfffffffff000)),
				    pa_init(UINT64_C(0xabcdef000)), KIB(4),
				    S2_READ),
			 HV_OK);
	assert_mapped(UINT64_C(0xffffffffffff), UINT64_C(0xabcdeffff), S2_READ,
		      3);
	ck_assert_uint_eq(s2.table_pages, 4);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(UINT64_C(0xfffffffff000)),
				      KIB(4)),
			 HV_OK);
	ck_assert_uint_eq(s2.table_pages, 1);
}
END_TEST

/* ---- argument checks ------------------------------------------------------ */

START_TEST(test_bad_arguments)
{
	/* Misaligned or unknown arguments give INVAL; outside the IPA/PA space, RANGE. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA + 1),
				    pa_init(CELL_PA), KIB(4), S2_RWX),
			 HV_ERR_INVAL);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA),
				    pa_init(CELL_PA + 8), KIB(4), S2_RWX),
			 HV_ERR_INVAL);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    100, S2_RWX),
			 HV_ERR_INVAL);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    KIB(4), 0x10),
			 HV_ERR_INVAL);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(GIB(1024) - KIB(4)),
				    pa_init(CELL_PA), KIB(8), S2_RWX),
			 HV_ERR_RANGE);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(GIB(1024)), pa_init(CELL_PA),
				    KIB(4), S2_RWX),
			 HV_ERR_RANGE);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(UINT64_C(0xfffffffffffff000)),
				    pa_init(CELL_PA), KIB(8), S2_RWX),
			 HV_ERR_RANGE);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA),
				    pa_init(GIB(1024) - KIB(4)), KIB(8),
				    S2_RWX),
			 HV_ERR_RANGE);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(GIB(1024)), KIB(4)),
			 HV_ERR_RANGE);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA + 2), KIB(4)),
			 HV_ERR_INVAL);
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(GIB(1024)), KIB(4),
					S2_READ),
			 HV_ERR_RANGE);
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA), KIB(4), 0x40),
			 HV_ERR_INVAL);
	assert_unmapped(GIB(1024));
	assert_unmapped(UINT64_MAX);
	/* Nothing above allocated a table. */
	ck_assert_uint_eq(s2.table_pages, 2);
	ck_assert_uint_eq(page_pool_used(&pool) - used_before_init, 2);
}
END_TEST

START_TEST(test_zero_size_is_noop)
{
	/* Zero-sized requests succeed without touching the tree or the TLB. */
	unsigned flushes = fake_hal_tlb_flushes();

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    0, S2_RWX),
			 HV_OK);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA), 0), HV_OK);
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA), 0, S2_READ),
			 HV_OK);
	assert_unmapped(CELL_IPA);
	ck_assert_uint_eq(s2.table_pages, 2);
	ck_assert_uint_eq(fake_hal_tlb_flushes(), flushes);
}
END_TEST

/* ---- overlap -------------------------------------------------------------- */

START_TEST(test_overlap_refused_unchanged)
{
	/* A map overlapping an existing page is refused and changes nothing. */
	struct leaves *before, *after;
	uint64_t used;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA + MIB(4) + KIB(8)),
				    pa_init(CELL_PA), KIB(4), S2_READ),
			 HV_OK);
	before = dump();
	used = page_pool_used(&pool);
	/* Starts in empty space (would need new tables), ends on the page. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA),
				    pa_init(CELL_PA + MIB(8)), MIB(4) + KIB(12),
				    S2_RWX),
			 HV_ERR_EXISTS);
	/* Exactly the same page again. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA + MIB(4) + KIB(8)),
				    pa_init(CELL_PA), KIB(4), S2_READ),
			 HV_ERR_EXISTS);
	after = dump();
	assert_same_dump(before, after);
	ck_assert_uint_eq(page_pool_used(&pool), used);
	assert_unmapped(CELL_IPA);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_overlap_with_block_refused)
{
	/* A page inside an existing 2 MiB block cannot be mapped again. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(2), S2_RWX),
			 HV_OK);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA + KIB(8)),
				    pa_init(CELL_PA), KIB(4), S2_RWX),
			 HV_ERR_EXISTS);
	assert_mapped(CELL_IPA + KIB(8), CELL_PA + KIB(8), S2_RWX, 2);
	ck_assert_uint_eq(s2.table_pages, 3);
}
END_TEST

/* ---- unmap ---------------------------------------------------------------- */

START_TEST(test_unmap_splits_block)
{
	/* Unmapping one page inside a block removes only that page, the rest stays mapped. */
	unsigned flushes;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(4), S2_READ | S2_WRITE),
			 HV_OK);
	flushes = fake_hal_tlb_flushes();
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA + MIB(1)), KIB(4)),
			 HV_OK);
	assert_unmapped(CELL_IPA + MIB(1));
	assert_mapped(CELL_IPA + MIB(1) - KIB(4), CELL_PA + MIB(1) - KIB(4),
		      S2_READ | S2_WRITE, 3);
	assert_mapped(CELL_IPA + MIB(1) + KIB(4), CELL_PA + MIB(1) + KIB(4),
		      S2_READ | S2_WRITE, 3);
	assert_mapped(CELL_IPA, CELL_PA, S2_READ | S2_WRITE, 3);
	assert_mapped(CELL_IPA + MIB(2) - 1, CELL_PA + MIB(2) - 1,
		      S2_READ | S2_WRITE, 3);
	/* The second block is untouched. */
	assert_mapped(CELL_IPA + MIB(2), CELL_PA + MIB(2), S2_READ | S2_WRITE,
		      2);
	ck_assert_uint_eq(s2.table_pages, 4);
	/* Break-before-make flush for the split, then the range flush. */
	ck_assert_uint_ge(fake_hal_tlb_flushes(), flushes + 2);
}
END_TEST

START_TEST(test_unmap_whole_block_and_ragged_range)
{
	/* A range covering one block wholly and the next partly clears exactly that range. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(6), S2_RWX),
			 HV_OK);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA + MIB(2)),
				      MIB(2) + KIB(12)),
			 HV_OK);
	assert_mapped(CELL_IPA + MIB(2) - KIB(4), CELL_PA + MIB(2) - KIB(4),
		      S2_RWX, 2);
	assert_unmapped(CELL_IPA + MIB(2));
	assert_unmapped(CELL_IPA + MIB(4) + KIB(8));
	assert_mapped(CELL_IPA + MIB(4) + KIB(12), CELL_PA + MIB(4) + KIB(12),
		      S2_RWX, 3);
}
END_TEST

START_TEST(test_unmap_unmapped_is_fine)
{
	/* Unmapping holes succeeds, allocates nothing and still flushes the range. */
	unsigned flushes = fake_hal_tlb_flushes();

	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA), MIB(64)), HV_OK);
	ck_assert_uint_eq(s2.table_pages, 2);
	ck_assert_uint_eq(page_pool_used(&pool) - used_before_init, 2);
	ck_assert_uint_eq(fake_hal_tlb_flushes(), flushes + 1);
}
END_TEST

START_TEST(test_unmap_frees_empty_tables)
{
	/* Map/unmap cycles return their intermediate tables: nothing leaks. */
	for (unsigned i = 0; i < 50; i++) {
		uint64_t ipa = CELL_IPA + (uint64_t)i * (GIB(1) + KIB(4));

		ck_assert_int_eq(stage2_map(&s2, ipa_init(ipa),
					    pa_init(CELL_PA), KIB(8), S2_RWX),
				 HV_OK);
		ck_assert_uint_eq(s2.table_pages, 4);
		ck_assert_int_eq(stage2_unmap(&s2, ipa_init(ipa), KIB(8)),
				 HV_OK);
		ck_assert_uint_eq(s2.table_pages, 2);
		ck_assert_uint_eq(page_pool_used(&pool) - used_before_init, 2);
	}
}
END_TEST

START_TEST(test_unmap_keeps_nonempty_tables)
{
	/* A table that still holds a mapping is not freed by a neighbour's unmap. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    KIB(8), S2_RWX),
			 HV_OK);
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA), KIB(4)), HV_OK);
	ck_assert_uint_eq(s2.table_pages, 4);
	assert_mapped(CELL_IPA + KIB(4), CELL_PA + KIB(4), S2_RWX, 3);
}
END_TEST

START_TEST(test_level1_block_walk_and_split)
{
	/* A 1 GiB block (made by hand) walks as a level-1 leaf and splits down to pages. */
	uint64_t *root = hal_phys_map(s2.root, HV_PAGE_SIZE);
	uint64_t attrs = PTE_S2_AF | PTE_S2_SH_INNER |
			 PTE_S2_MEMATTR_NORMAL_WB | PTE_S2_S2AP_R |
			 PTE_S2_S2AP_W;
	struct stage2_walk w;
	struct leaves *ls;

	ck_assert_ptr_nonnull(root);
	root[1] = GIB(2) | attrs | PTE_TYPE_BLOCK; /* IPA 1 GiB -> PA 2 GiB */
	ck_assert(stage2_walk(&s2, ipa_init(GIB(1) + 0x1234), &w));
	ck_assert_uint_eq(w.level, 1);
	ck_assert_uint_eq(w.leaf_size, GIB(1));
	ck_assert_uint_eq(ipa_addr(w.leaf_ipa), GIB(1));
	ck_assert_uint_eq(pa_addr(w.pa), GIB(2) + 0x1234);
	ck_assert_uint_eq(w.flags, S2_READ | S2_WRITE | S2_EXEC);

	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(GIB(1) + MIB(10)), KIB(4)),
			 HV_OK);
	assert_unmapped(GIB(1) + MIB(10));
	assert_mapped(GIB(1), GIB(2), S2_RWX, 2);
	assert_mapped(GIB(1) + MIB(10) + KIB(4), GIB(2) + MIB(10) + KIB(4),
		      S2_RWX, 3);
	assert_mapped(GIB(2) - 1, GIB(3) - 1, S2_RWX, 2);
	ck_assert_uint_eq(s2.table_pages, 4);
	ls = dump();
	ck_assert_uint_eq(ls->count, 511 + 511); /* 511 blocks + 511 pages */
	free(ls);
}
END_TEST

/* ---- protect -------------------------------------------------------------- */

START_TEST(test_protect_changes_flags)
{
	/* protect rewrites permissions in place, splitting the block at the edge. */
	unsigned flushes;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(4), S2_RWX),
			 HV_OK);
	flushes = fake_hal_tlb_flushes();
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA + MIB(2)),
					MIB(2), S2_READ),
			 HV_OK);
	assert_mapped(CELL_IPA + MIB(2), CELL_PA + MIB(2), S2_READ, 2);
	assert_mapped(CELL_IPA, CELL_PA, S2_RWX, 2);
	ck_assert_uint_eq(fake_hal_tlb_flushes(), flushes + 1);

	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA + KIB(4)),
					KIB(4), S2_READ | S2_EXEC),
			 HV_OK);
	assert_mapped(CELL_IPA + KIB(4), CELL_PA + KIB(4), S2_READ | S2_EXEC,
		      3);
	assert_mapped(CELL_IPA, CELL_PA, S2_RWX, 3);
	assert_mapped(CELL_IPA + KIB(8), CELL_PA + KIB(8), S2_RWX, 3);
	ck_assert_uint_eq(s2.table_pages, 4);

	/* Device attributes can be set too, and they bring XN. */
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA), KIB(4),
					S2_RWX | S2_DEVICE),
			 HV_OK);
	assert_mapped(CELL_IPA, CELL_PA, S2_READ | S2_WRITE | S2_DEVICE, 3);
}
END_TEST

START_TEST(test_protect_unmapped_refused_unchanged)
{
	/* protect over a hole says NOENT and leaves every existing leaf as it was. */
	struct leaves *before, *after;
	uint64_t used;

	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(2), S2_RWX),
			 HV_OK);
	before = dump();
	used = page_pool_used(&pool);
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA + MIB(1)),
					MIB(2), S2_READ),
			 HV_ERR_NOENT);
	after = dump();
	assert_same_dump(before, after);
	ck_assert_uint_eq(page_pool_used(&pool), used);
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(0), KIB(4), S2_READ),
			 HV_ERR_NOENT);
	free(before);
	free(after);
}
END_TEST

/* ---- NOMEM atomicity ------------------------------------------------------ */

START_TEST(test_map_nomem_atomic)
{
	/* With one page short, a map fails with NOMEM and nothing is allocated or mapped. */
	struct leaves *ls;

	stage2_destroy(&s2);
	pool_setup(3 *
		   HV_PAGE_SIZE); /* root (2) + one table: a page needs two */
	tree_setup_bits(40, 40);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    KIB(4), S2_RWX),
			 HV_ERR_NOMEM);
	ck_assert_uint_eq(page_pool_used(&pool), 2);
	ck_assert_uint_eq(s2.table_pages, 2);
	assert_unmapped(CELL_IPA);
	ls = dump();
	ck_assert_uint_eq(ls->count, 0);
	free(ls);
	/* A block needs only the level-2 table, which fits. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(2), S2_RWX),
			 HV_OK);
	ck_assert_uint_eq(page_pool_used(&pool), 3);
}
END_TEST

START_TEST(test_split_nomem_atomic)
{
	/* When a split cannot get its table, unmap and protect fail and the block survives. */
	unsigned flushes;

	stage2_destroy(&s2);
	pool_setup(3 * HV_PAGE_SIZE);
	tree_setup_bits(40, 40);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA), pa_init(CELL_PA),
				    MIB(4), S2_RWX),
			 HV_OK);
	flushes = fake_hal_tlb_flushes();
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA + MIB(1)), KIB(4)),
			 HV_ERR_NOMEM);
	ck_assert_int_eq(stage2_protect(&s2, ipa_init(CELL_IPA + MIB(1)),
					KIB(4), S2_READ),
			 HV_ERR_NOMEM);
	assert_mapped(CELL_IPA + MIB(1), CELL_PA + MIB(1), S2_RWX, 2);
	ck_assert_uint_eq(page_pool_used(&pool), 3);
	ck_assert_uint_eq(fake_hal_tlb_flushes(), flushes);
	/* Whole blocks need no table. */
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA + MIB(2)), MIB(2)),
			 HV_OK);
	assert_unmapped(CELL_IPA + MIB(2));
}
END_TEST

START_TEST(test_nomem_multi_table_rollback)
{
	/* A map needing many tables that runs out part way returns every reserved page. */
	stage2_destroy(&s2);
	pool_setup(10 * HV_PAGE_SIZE); /* root + 8 free pages */
	tree_setup_bits(40, 40);
	/* 9 level-3 tables + 1 level-2 table would be needed. */
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA),
				    pa_init(CELL_PA + KIB(4)), MIB(18), S2_RWX),
			 HV_ERR_NOMEM);
	ck_assert_uint_eq(page_pool_used(&pool), 2);
	assert_unmapped(CELL_IPA);
	ck_assert_int_eq(stage2_map(&s2, ipa_init(CELL_IPA),
				    pa_init(CELL_PA + KIB(4)), MIB(14), S2_RWX),
			 HV_OK);
	ck_assert_uint_eq(page_pool_used(&pool), 10);
}
END_TEST

/* ---- randomized model check ----------------------------------------------- */

#define MODEL_PAGES 2048u /* 8 MiB of IPA space at CELL_IPA */
#define MODEL_NONE 0xffu

struct model_page {
	uint64_t pa;
	unsigned flags; /* MODEL_NONE: unmapped */
};

static uint64_t lcg(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) +
		 UINT64_C(1442695040888963407);
	return *state >> 33;
}

START_TEST(test_random_against_model)
{
	/* Random maps, unmaps and protects agree page by page with a simple model. */
	static struct model_page m[MODEL_PAGES];
	static const unsigned flag_set[] = {S2_READ, S2_READ | S2_WRITE, S2_RWX,
					    S2_READ | S2_WRITE | S2_DEVICE};
	uint64_t seed = 12345;

	for (unsigned i = 0; i < MODEL_PAGES; i++)
		m[i].flags = MODEL_NONE;
	for (unsigned step = 0; step < 400; step++) {
		unsigned op = (unsigned)(lcg(&seed) % 3);
		unsigned first, count, flags;
		bool any = false, all = true;
		enum hv_err err;

		/* Ranges are often 2 MiB aligned so blocks appear too. */
		if (lcg(&seed) % 2) {
			first = (unsigned)(lcg(&seed) % 4) * 512;
			count = 512 * (1 + (unsigned)(lcg(&seed) %
						      (4 - first / 512)));
		} else {
			first = (unsigned)(lcg(&seed) % MODEL_PAGES);
			count = 1 +
				(unsigned)(lcg(&seed) % (MODEL_PAGES - first));
			if (count > 700)
				count = 700;
		}
		flags = flag_set[lcg(&seed) % HV_ARRAY_SIZE(flag_set)];
		for (unsigned i = first; i < first + count; i++) {
			any |= m[i].flags != MODEL_NONE;
			all &= m[i].flags != MODEL_NONE;
		}
		if (op == 0) {
			uint64_t pa = CELL_PA + (lcg(&seed) % 8) * MIB(2) +
				      (lcg(&seed) % 2 ? 0 : KIB(4));

			err = stage2_map(&s2,
					 ipa_init(CELL_IPA +
						  (uint64_t)first * KIB(4)),
					 pa_init(pa), count * KIB(4), flags);
			ck_assert_int_eq(err, any ? HV_ERR_EXISTS : HV_OK);
			for (unsigned i = first; !any && i < first + count; i++)
				m[i] = (struct model_page){
					pa + (uint64_t)(i - first) * KIB(4),
					flags};
		} else if (op == 1) {
			err = stage2_unmap(&s2,
					   ipa_init(CELL_IPA +
						    (uint64_t)first * KIB(4)),
					   count * KIB(4));
			ck_assert_int_eq(err, HV_OK);
			for (unsigned i = first; i < first + count; i++)
				m[i].flags = MODEL_NONE;
		} else {
			err = stage2_protect(&s2,
					     ipa_init(CELL_IPA +
						      (uint64_t)first * KIB(4)),
					     count * KIB(4), flags);
			ck_assert_int_eq(err, all ? HV_OK : HV_ERR_NOENT);
			for (unsigned i = first; all && i < first + count; i++)
				m[i].flags = flags & S2_DEVICE
						     ? flags & ~S2_EXEC
						     : flags;
		}
		for (unsigned i = 0; i < MODEL_PAGES; i++) {
			struct stage2_walk w;
			bool mapped = stage2_walk(
				&s2, ipa_init(CELL_IPA + i * KIB(4)), &w);

			ck_assert_int_eq(mapped, m[i].flags != MODEL_NONE);
			if (mapped) {
				ck_assert_uint_eq(pa_addr(w.pa), m[i].pa);
				ck_assert_uint_eq(w.flags, m[i].flags);
			}
		}
		ck_assert_uint_eq(page_pool_used(&pool) - used_before_init,
				  s2.table_pages);
	}
	ck_assert_int_eq(stage2_unmap(&s2, ipa_init(CELL_IPA),
				      MODEL_PAGES * KIB(4)),
			 HV_OK);
	ck_assert_uint_eq(s2.table_pages, 2);
}
END_TEST

/* ---- panics --------------------------------------------------------------- */

START_TEST(test_init_vmid_too_large_panics)
{
	/* VMIDs above 255 cannot be expressed with VTCR_EL2.VS clear: CHECK aborts. */
	struct stage2 t;
	struct stage2_geometry g;

	ck_assert_int_eq(stage2_geometry(40, 40, &g), HV_OK);
	if (stage2_init(&t, &pool, &g, 256) == HV_OK)
		ck_abort_msg("VMID 256 accepted");
}
END_TEST

START_TEST(test_corrupt_level0_block_panics)
{
	/* A block descriptor at level 0 can only be corruption: walk aborts. */
	uint64_t *root;
	struct stage2_walk w;

	stage2_destroy(&s2);
	fake_hal_set_pa_bits(48);
	tree_setup_bits(48, 48);
	root = hal_phys_map(s2.root, HV_PAGE_SIZE);
	root[0] = PTE_TYPE_BLOCK | PTE_S2_AF;
	(void)stage2_walk(&s2, ipa_init(0), &w);
}
END_TEST

START_TEST(test_fault_level)
{
	/* The fault level is where the walk meets the first invalid entry:
	 * L1 for an empty 1 GiB slot, L2 beside a 2 MiB block, L3 beside a
	 * page, the start level beyond the IPA size; none for mapped IPAs. */
	unsigned level = 99;
	ck_assert(stage2_map(&s2, ipa_init(0x40000000), pa_init(0x40000000),
			     0x200000, S2_RWX) == HV_OK);
	ck_assert(stage2_map(&s2, ipa_init(0x40400000), pa_init(0x40400000),
			     0x1000, S2_RWX) == HV_OK);
	ck_assert(stage2_fault_level(&s2, ipa_init(0x0a000000), &level));
	ck_assert_uint_eq(level, 1);
	ck_assert(stage2_fault_level(&s2, ipa_init(0x40200000), &level));
	ck_assert_uint_eq(level, 2);
	ck_assert(stage2_fault_level(&s2, ipa_init(0x40401000), &level));
	ck_assert_uint_eq(level, 3);
	ck_assert(stage2_fault_level(&s2, ipa_init(UINT64_C(1) << 40), &level));
	ck_assert_uint_eq(level, s2.geo.start_level);
	ck_assert(!stage2_fault_level(&s2, ipa_init(0x40001234), &level));
	ck_assert(!stage2_fault_level(&s2, ipa_init(0x40400fff), &level));
}
END_TEST

static Suite *stage2_suite(void)
{
	Suite *s = suite_create("stage2");
	TCase *tg = tcase_create("geometry");
	TCase *tc = tcase_create("tables");
	TCase *tp = tcase_create("panics");

	tcase_add_loop_test(tg, test_geometry_table, 0,
			    (int)HV_ARRAY_SIZE(geo_cases));
	tcase_add_test(tg, test_geometry_vtcr_40bit);
	tcase_add_test(tg, test_geometry_rejects);
	suite_add_tcase(s, tg);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_init_root_and_vttbr);
	tcase_add_test(tc, test_fault_level);
	tcase_add_test(tc, test_init_nomem);
	tcase_add_test(tc, test_destroy_returns_every_page);
	tcase_add_test(tc, test_destroyed_tree_is_empty);
	tcase_add_test(tc, test_map_walk_blocks);
	tcase_add_test(tc, test_map_misaligned_pa_uses_pages);
	tcase_add_test(tc, test_map_mixed_blocks_and_pages);
	tcase_add_test(tc, test_for_each_stops_early);
	tcase_add_test(tc, test_descriptor_bits_normal);
	tcase_add_test(tc, test_device_attributes);
	tcase_add_test(tc, test_concatenated_root_high_ipa);
	tcase_add_test(tc, test_map_other_start_levels);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_zero_size_is_noop);
	tcase_add_test(tc, test_overlap_refused_unchanged);
	tcase_add_test(tc, test_overlap_with_block_refused);
	tcase_add_test(tc, test_unmap_splits_block);
	tcase_add_test(tc, test_unmap_whole_block_and_ragged_range);
	tcase_add_test(tc, test_unmap_unmapped_is_fine);
	tcase_add_test(tc, test_unmap_frees_empty_tables);
	tcase_add_test(tc, test_unmap_keeps_nonempty_tables);
	tcase_add_test(tc, test_level1_block_walk_and_split);
	tcase_add_test(tc, test_protect_changes_flags);
	tcase_add_test(tc, test_protect_unmapped_refused_unchanged);
	tcase_add_test(tc, test_map_nomem_atomic);
	tcase_add_test(tc, test_split_nomem_atomic);
	tcase_add_test(tc, test_nomem_multi_table_rollback);
	tcase_add_test(tc, test_random_against_model);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_add_test_raise_signal(tp, test_init_vmid_too_large_panics,
				    SIGABRT);
	tcase_add_test_raise_signal(tp, test_corrupt_level0_block_panics,
				    SIGABRT);
	suite_add_tcase(s, tp);
	return s;
}

int main(void)
{
	return check_run(stage2_suite());
}
