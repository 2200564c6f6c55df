/* SPDX-License-Identifier: MIT */
/* Pledges (pledge.c): one-way capability drops and what they take away. */
#include <check.h>
#include <string.h>

#include <hv/arm64/esr.h>
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/pledge.h>
#include <hv/pl011.h>
#include <hv/smccc.h>
#include <hv/vgic.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fake_vgic.h"
#include "fixture.h"

#define CH_PA UINT64_C(0x42000000)
#define CH_IPA UINT64_C(0x20000000)

static struct hv *hv;

/* cell0 and cell1 share channel 0; both have a vGIC and a console. */
static void setup(void)
{
	struct hv_config cfg;
	fixture_config(&cfg, 2);
	for (unsigned i = 0; i < 2; i++) {
		cfg.cells[i].has_gic = true;
		cfg.cells[i].gicd_ipa = ipa_init(0x08000000);
		cfg.cells[i].gicr_ipa = ipa_init(0x080a0000);
	}
	cfg.channel_count = 1;
	struct hv_channel_config *ch = &cfg.channels[0];
	strcpy(ch->name, "ring0");
	ch->pa = pa_init(CH_PA);
	ch->size = 0x10000;
	ch->ipa = ipa_init(CH_IPA);
	ch->cell[1] = 1;
	ch->flags[0] = ch->flags[1] = HV_MEM_READ | HV_MEM_WRITE;
	ch->doorbell[0] = ch->doorbell[1] = 40;
	fake_vgic_reset();
	hv = fixture_boot_config(&cfg);
	fake_hal_console_clear();
}

static void teardown(void)
{
	fixture_teardown();
}

static struct hv_vcpu *vc(unsigned cell)
{
	return &hv->cells[cell].vcpus[0];
}

/* hvc #0x4E58 with x0, x1 from `cell`; returns x0 and sets *mask = x1. */
static int64_t pledge(unsigned cell, uint64_t op, uint64_t keep, uint64_t *mask)
{
	fx_set(vc(cell), HV_REG_X0, op);
	fx_set(vc(cell), HV_REG_X0 + 1, keep);
	struct hv_exit e = fixture_hvc(HV_PLEDGE_HVC_IMM);
	ck_assert_int_eq(hv_exit_handle(vc(cell), &e), HV_ACTION_RESUME);
	if (mask)
		*mask = fx_reg(vc(cell), HV_REG_X0 + 1);
	return (int64_t)fx_reg(vc(cell), HV_REG_X0);
}

static int64_t hcall(unsigned cell, uint64_t fid, uint64_t x1, uint64_t x2)
{
	fx_set(vc(cell), HV_REG_X0, fid);
	fx_set(vc(cell), HV_REG_X0 + 1, x1);
	fx_set(vc(cell), HV_REG_X0 + 2, x2);
	struct hv_exit e = fixture_hvc(0);
	hv_exit_handle(vc(cell), &e);
	return (int64_t)fx_reg(vc(cell), HV_REG_X0);
}

static struct hv_exit uart_store(void)
{
	return fixture_dabt(FIX_UART_IPA + PL011_DR,
			    ESR_ISS_DABT_ISV | (1u << ESR_ISS_DABT_SRT_SHIFT) |
				    ESR_ISS_DABT_WNR | ESR_FSC_TRANS_L(3));
}

START_TEST(query_reports_grant)
{
	/* A query returns the configured classes and changes nothing. */
	uint64_t mask;
	ck_assert_int_eq(pledge(0, HV_PLEDGE_QUERY, 0, &mask), 0);
	ck_assert_uint_eq(mask, HV_CAP_ALL);
	ck_assert_int_eq(pledge(0, 9, 0, NULL), -1);
}
END_TEST

START_TEST(drop_ipc_unmaps_and_silences)
{
	/* Dropping IPC unmaps the channel window (TLB invalidated), refuses the
	 * cell's doorbells and stops the peer's from reaching it; the peer keeps
	 * its own window. */
	struct stage2_walk w;
	unsigned flushes = fake_hal_tlb_flushes();
	uint64_t mask;
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, HV_CAP_ALL & ~HV_CAP_IPC,
				&mask),
			 0);
	ck_assert_uint_eq(mask, HV_CAP_ALL & ~HV_CAP_IPC);
	ck_assert(!stage2_walk(&hv->cells[0].s2, ipa_init(CH_IPA), &w));
	ck_assert_uint_gt(fake_hal_tlb_flushes(), flushes);
	ck_assert(stage2_walk(&hv->cells[1].s2, ipa_init(CH_IPA), &w));
	ck_assert_int_eq(hcall(0, HV_CALL_DOORBELL, 0, 0), -3);
	ck_assert_int_eq(hcall(1, HV_CALL_DOORBELL, 0, 0), 0);
	ck_assert(!(vgic_irq_peek(&hv->cells[0].vgic, 0, 40)->flags &
		    VGIC_IRQ_LATCH));
	char why[160];
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_OK);
}
END_TEST

START_TEST(loosening_refused)
{
	/* A pledge can only shrink the set: asking for a dropped class back is
	 * DENIED, unknown bits are INVALID_PARAMETERS, and neither changes
	 * anything. */
	uint64_t mask;
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, HV_CAP_CONSOLE, &mask), 0);
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, HV_CAP_CONSOLE | HV_CAP_IPC,
				&mask),
			 -3);
	ck_assert_uint_eq(mask, HV_CAP_CONSOLE);
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, HV_CAP_CONSOLE | 0x100,
				&mask),
			 -2);
	ck_assert_uint_eq(mask, HV_CAP_CONSOLE);
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, HV_CAP_CONSOLE, &mask),
			 0); /* same: fine */
}
END_TEST

START_TEST(console_after_pledge_terminates)
{
	/* After dropping the console, the console hypercall is DENIED and a
	 * UART access terminates the cell even under inject-abort. */
	hv->config.cells[0].fault_policy = HV_FAULT_INJECT;
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, HV_CAP_IPC, NULL), 0);
	ck_assert_int_eq(hcall(0, HV_CALL_CONSOLE_WRITE, FIX_RAM_IPA, 4), -3);
	struct hv_exit e = uart_store();
	ck_assert_int_eq(hv_exit_handle(vc(0), &e), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_TERMINATED);
	ck_assert_ptr_nonnull(
		strstr(fake_hal_console(),
		       "access to console after pledging it away"));
	/* The other cell's console still works. */
	e = uart_store();
	fx_set(vc(1), HV_REG_X0 + 1, 'k');
	ck_assert_int_eq(hv_exit_handle(vc(1), &e), HV_ACTION_RESUME);
}
END_TEST

START_TEST(channel_after_pledge_terminates)
{
	/* Touching the channel window after dropping IPC ends the cell. */
	ck_assert_int_eq(pledge(1, HV_PLEDGE_KEEP, HV_CAP_CONSOLE, NULL), 0);
	struct hv_exit e = fixture_dabt(CH_IPA + 0x40,
					ESR_ISS_DABT_ISV | ESR_FSC_TRANS_L(3));
	ck_assert_int_eq(hv_exit_handle(vc(1), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(strstr(fake_hal_console(),
				     "access to ipc after pledging it away"));
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(restart_restores_grant)
{
	/* SYSTEM_RESET boots the pristine image with the configured classes and
	 * everything they reach. */
	struct stage2_walk w;
	uint64_t mask;
	ck_assert_int_eq(pledge(0, HV_PLEDGE_KEEP, 0, &mask), 0);
	ck_assert_uint_eq(mask, 0);
	fx_set(vc(0), HV_REG_X0, PSCI_SYSTEM_RESET);
	struct hv_exit e = fixture_hvc(0);
	ck_assert_int_eq(hv_exit_handle(vc(0), &e), HV_ACTION_WAIT);
	fixture_settle(hv);
	ck_assert_int_eq(pledge(0, HV_PLEDGE_QUERY, 0, &mask), 0);
	ck_assert_uint_eq(mask, HV_CAP_ALL);
	ck_assert(stage2_walk(&hv->cells[0].s2, ipa_init(CH_IPA), &w));
	e = uart_store();
	ck_assert_int_eq(hv_exit_handle(vc(0), &e), HV_ACTION_RESUME);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pledge");
	TCase *tc = tcase_create("pledge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, query_reports_grant);
	tcase_add_test(tc, drop_ipc_unmaps_and_silences);
	tcase_add_test(tc, loosening_refused);
	tcase_add_test(tc, console_after_pledge_terminates);
	tcase_add_test(tc, channel_after_pledge_terminates);
	tcase_add_test(tc, restart_restores_grant);
	suite_add_tcase(s, tc);
	return check_run(s);
}
