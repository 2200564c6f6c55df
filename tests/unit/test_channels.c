/* SPDX-License-Identifier: MIT */
/* Shared-memory channels: mapping into both cells, isolation, doorbells. */
#include <check.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/smccc.h>
#include <hv/vgic.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fake_vgic.h"
#include "fixture.h"

#define CH_PA UINT64_C(0x42000000)
#define CH_IPA UINT64_C(0x20000000)
#define CH_SIZE UINT64_C(0x10000)

static struct hv *hv;

/* cell0 and cell1 (with vGICs) share a channel; cell2 is not on it. */
static void setup(void)
{
	struct hv_config cfg;
	fixture_config(&cfg, 3);
	for (unsigned i = 0; i < 2; i++) {
		cfg.cells[i].has_gic = true;
		cfg.cells[i].gicd_ipa = ipa_init(0x08000000);
		cfg.cells[i].gicr_ipa = ipa_init(0x080a0000);
	}
	cfg.cells[1].boot_arg = 0x1234;
	cfg.channel_count = 1;
	struct hv_channel_config *ch = &cfg.channels[0];
	strcpy(ch->name, "ring0");
	ch->pa = pa_init(CH_PA);
	ch->size = CH_SIZE;
	ch->ipa = ipa_init(CH_IPA);
	ch->cell[0] = 0;
	ch->cell[1] = 1;
	ch->flags[0] = HV_MEM_READ | HV_MEM_WRITE;
	ch->flags[1] = HV_MEM_READ;
	ch->doorbell[0] = 40;
	ch->doorbell[1] = 41;
	fake_vgic_reset();
	hv = fixture_boot_config(&cfg);
}

static void teardown(void)
{
	fixture_teardown();
}

static int64_t call(unsigned cell, uint64_t fid, uint64_t x1)
{
	struct hv_vcpu *v = &hv->cells[cell].vcpus[0];
	fx_set(v, HV_REG_X0, fid);
	fx_set(v, HV_REG_X0 + 1, x1);
	struct hv_exit e = fixture_hvc(0);
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	return (int64_t)fx_reg(v, HV_REG_X0);
}

START_TEST(both_sides_map_the_same_pages)
{
	/* Both cells see the channel at its IPA backed by the same physical
	 * pages, each with its own rights and never executable; the cell not
	 * on it sees nothing there. */
	struct stage2_walk w0, w1, w2;
	ck_assert(
		stage2_walk(&hv->cells[0].s2, ipa_init(CH_IPA + 0x1008), &w0));
	ck_assert(
		stage2_walk(&hv->cells[1].s2, ipa_init(CH_IPA + 0x1008), &w1));
	ck_assert_uint_eq(pa_addr(w0.pa), CH_PA + 0x1008);
	ck_assert_uint_eq(pa_addr(w1.pa), CH_PA + 0x1008);
	ck_assert_uint_eq(w0.flags & S2_RWX, S2_READ | S2_WRITE);
	ck_assert_uint_eq(w1.flags & S2_RWX, S2_READ);
	ck_assert(!stage2_walk(&hv->cells[2].s2, ipa_init(CH_IPA), &w2));
	ck_assert(!stage2_walk(&hv->cells[0].s2, ipa_init(CH_IPA + CH_SIZE),
			       &w2));
}
END_TEST

START_TEST(channel_is_the_only_sharing)
{
	/* The isolation invariant accepts the declared channel but not the
	 * same pages mapped into a cell that is not on it. */
	char why[160];
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_OK);
	ck_assert_int_eq(stage2_map(&hv->cells[2].s2, ipa_init(CH_IPA),
				    pa_init(CH_PA), HV_PAGE_SIZE, S2_READ),
			 HV_OK);
	ck_assert_int_eq(isolation_check(hv, why, sizeof(why)), HV_ERR_DENIED);
	ck_assert_ptr_nonnull(strstr(why, "cell 'cell2'"));
}
END_TEST

START_TEST(doorbell_raises_peer_spi)
{
	/* A doorbell from one side makes the other side's doorbell SPI
	 * pending in the other cell's vGIC (not its own) and kicks it. */
	fake_hal_kicks_take();
	ck_assert_int_eq(call(0, HV_CALL_DOORBELL, 0), 0);
	const struct vgic_irq *p1 = vgic_irq_peek(&hv->cells[1].vgic, 0, 41);
	const struct vgic_irq *p0 = vgic_irq_peek(&hv->cells[0].vgic, 0, 40);
	ck_assert(p1->flags & VGIC_IRQ_LATCH);
	ck_assert(!(p0->flags & VGIC_IRQ_LATCH));
	ck_assert_int_eq(call(1, HV_CALL_DOORBELL, 0), 0);
	ck_assert(vgic_irq_peek(&hv->cells[0].vgic, 0, 40)->flags &
		  VGIC_IRQ_LATCH);
}
END_TEST

START_TEST(doorbell_errors)
{
	/* Unknown channels are INVALID_PARAMETERS; a cell not on the channel
	 * is DENIED and rings nothing. */
	ck_assert_int_eq(call(0, HV_CALL_DOORBELL, 1), -2);
	ck_assert_int_eq(call(0, HV_CALL_DOORBELL, UINT64_MAX), -2);
	ck_assert_int_eq(call(2, HV_CALL_DOORBELL, 0), -3);
	ck_assert(!(vgic_irq_peek(&hv->cells[1].vgic, 0, 41)->flags &
		    VGIC_IRQ_LATCH));
}
END_TEST

START_TEST(data_crosses_and_boot_arg)
{
	/* Bytes one side writes are the bytes the other side reads (one set
	 * of pages), the region starts zeroed, and boot-arg reaches X0. */
	uint8_t *pa = hal_phys_map(pa_init(CH_PA), CH_SIZE);
	ck_assert_uint_eq(pa[0], 0);
	void *a = cell_guest_ptr(&hv->cells[0], ipa_init(CH_IPA), 16, S2_WRITE);
	const void *b = cell_guest_ptr(&hv->cells[1], ipa_init(CH_IPA), 16,
				       S2_READ);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_null(
		cell_guest_ptr(&hv->cells[1], ipa_init(CH_IPA), 16, S2_WRITE));
	ck_assert_uint_eq(fx_reg(&hv->cells[1].vcpus[0], HV_REG_X0), 0x1234);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("channels");
	TCase *tc = tcase_create("channels");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, both_sides_map_the_same_pages);
	tcase_add_test(tc, channel_is_the_only_sharing);
	tcase_add_test(tc, doorbell_raises_peer_spi);
	tcase_add_test(tc, doorbell_errors);
	tcase_add_test(tc, data_crosses_and_boot_arg);
	suite_add_tcase(s, tc);
	return check_run(s);
}
