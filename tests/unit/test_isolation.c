/* SPDX-License-Identifier: MIT */
/* The isolation invariant (isolation.c), provoked by deliberate damage. */
#include <check.h>
#include <signal.h>
#include <string.h>

#include <hv/hv.h>
#include <hv/isolation.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fixture.h"

static struct hv *hv;
static char why[160];

static void setup(void)
{
	hv = fixture_boot(3);
}

static void teardown(void)
{
	fixture_teardown();
}

START_TEST(booted_cells_are_isolated)
{
	/* Cells built from a valid config pass the check with no message. */
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_OK);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(mapping_outside_config_detected)
{
	/* A page mapped at an IPA the cell's config does not have is found
	 * and named, even though it points at the cell's own memory. */
	ck_assert_int_eq(stage2_map(&hv->cells[1].s2,
				    ipa_init(FIX_RAM_IPA + 0x400000),
				    pa_init(FIX_CELL_PA(1)), HV_PAGE_SIZE,
				    S2_RWX),
			 HV_OK);
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(why, "cell 'cell1' maps IPA 0x40400000"));
	ck_assert_ptr_nonnull(strstr(why, "outside its configured memory"));
}
END_TEST

START_TEST(wrong_offset_detected)
{
	/* A configured IPA mapped to another cell's page is caught. */
	ck_assert_int_eq(stage2_unmap(&hv->cells[2].s2, ipa_init(FIX_RAM_IPA),
				      HV_PAGE_SIZE),
			 HV_OK);
	ck_assert_int_eq(stage2_map(&hv->cells[2].s2, ipa_init(FIX_RAM_IPA),
				    pa_init(FIX_CELL_PA(0)), HV_PAGE_SIZE,
				    S2_RWX),
			 HV_OK);
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(why, "cell 'cell2'"));
}
END_TEST

START_TEST(hypervisor_memory_detected)
{
	/* A cell whose tables (and, by a bug, whose region) point into the
	 * hypervisor's memory is caught. */
	struct hv_mem_region *r = &hv->config.cells[0].regions[0];
	ck_assert_int_eq(stage2_unmap(&hv->cells[0].s2, r->ipa, r->size),
			 HV_OK);
	r->pa = pa_init(FIX_RAM_BASE + 0x200000);
	ck_assert_int_eq(stage2_map(&hv->cells[0].s2, r->ipa, r->pa, r->size,
				    S2_RWX),
			 HV_OK);
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_ERR_DENIED);
	ck_assert_ptr_nonnull(
		strstr(why, "maps hypervisor memory at PA 0x40200000"));
}
END_TEST

START_TEST(freed_cells_ignored)
{
	/* A destroyed cell's slot is not checked (and does not count as an
	 * owner of its old memory). */
	cell_destroy(&hv->cells[1]);
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_OK);
}
END_TEST

/* Overlapping regions given straight to hv_init_config (which trusts its
 * caller): the check names the two cells before anything runs. */
static void overlapping_config(struct hv_config *cfg)
{
	fixture_config(cfg, 2);
	cfg->cells[1].regions[0].pa = pa_init(FIX_CELL_PA(0) + 0x100000);
}

START_TEST(overlap_between_cells_detected)
{
	/* Two cells mapping the same physical page are reported. */
	static struct hv h;
	struct hv_config cfg;
	struct hv_config_error err;
	fixture_teardown();
	overlapping_config(&cfg);
	fake_hal_add_image("guest.bin", fixture_image(), FIX_IMAGE_SIZE);
	ck_assert_int_eq(hv_init_config(&h, &cfg, &err), HV_OK);
	ck_assert_int_eq(isolation_check(&h, why, sizeof(why)), HV_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(why, "which belongs to cell 'cell"));
	hv_shutdown(&h);
	hv = fixture_boot(1);
}
END_TEST

START_TEST(start_refuses_overlap)
{
	/* hv_start() panics rather than run cells whose tables overlap. */
	static struct hv h;
	struct hv_config cfg;
	struct hv_config_error err;
	fixture_teardown();
	overlapping_config(&cfg);
	fake_hal_add_image("guest.bin", fixture_image(), FIX_IMAGE_SIZE);
	ck_assert_int_eq(hv_init_config(&h, &cfg, &err), HV_OK);
	ck_assert_int_eq(hv_start(&h, &err), HV_OK); /* not reached */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("invariant");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, booted_cells_are_isolated);
	tcase_add_test(tc, mapping_outside_config_detected);
	tcase_add_test(tc, wrong_offset_detected);
	tcase_add_test(tc, hypervisor_memory_detected);
	tcase_add_test(tc, freed_cells_ignored);
	tcase_add_test(tc, overlap_between_cells_detected);
	tcase_add_test_raise_signal(tc, start_refuses_overlap, SIGABRT);
	suite_add_tcase(s, tc);
	return check_run(s);
}
