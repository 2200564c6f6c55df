/* SPDX-License-Identifier: MIT */
/* Management (mgmt.c): listing, stop/start/restart/destroy, permissions,
 * and the restart-loop leak check. */
#include <check.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/mgmt.h>
#include <hv/pledge.h>
#include <hv/smccc.h>
#include <hv/vgic.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fake_vgic.h"
#include "fixture.h"

#define BUF_IPA (FIX_RAM_IPA + 0x100000)

static struct hv *hv;

/* cell0 manages; cell1 (with a vGIC and a channel to cell0) and cell2
 * are managed; cell2 has no management class. */
static void setup(void)
{
	struct hv_config cfg;
	fixture_config(&cfg, 3);
	for (unsigned i = 0; i < 2; i++) {
		cfg.cells[i].has_gic = true;
		cfg.cells[i].gicd_ipa = ipa_init(0x08000000);
		cfg.cells[i].gicr_ipa = ipa_init(0x080a0000);
	}
	cfg.cells[2].caps = HV_CAP_CONSOLE;
	/* cell1 owns a passthrough device, so restarts route its SPI. */
	struct hv_device_config *d = &cfg.cells[1].devices[0];
	cfg.cells[1].device_count = 1;
	strcpy(d->name, "disk");
	strcpy(d->compatible, "virtio,mmio");
	d->pa = pa_init(0x0a003e00);
	d->size = 0x200;
	d->irq_count = 1;
	d->irqs[0] = 79;
	d->cap = HV_CAP_BLOCK;
	cfg.channel_count = 1;
	struct hv_channel_config *ch = &cfg.channels[0];
	strcpy(ch->name, "ring0");
	ch->pa = pa_init(0x42000000);
	ch->size = 0x10000;
	ch->ipa = ipa_init(0x20000000);
	ch->cell[0] = 0;
	ch->cell[1] = 1;
	ch->flags[0] = ch->flags[1] = HV_MEM_READ | HV_MEM_WRITE;
	ch->doorbell[0] = ch->doorbell[1] = 40;
	fake_vgic_reset();
	hv = fixture_boot_config(&cfg);
}

static void teardown(void)
{
	fixture_teardown();
}

static struct hv_vcpu *vc(unsigned cell)
{
	return &hv->cells[cell].vcpus[0];
}

static int64_t call(unsigned cell, uint32_t fid, uint64_t x1, uint64_t x2,
		    uint64_t x3)
{
	fx_set(vc(cell), HV_REG_X0, fid);
	fx_set(vc(cell), HV_REG_X0 + 1, x1);
	fx_set(vc(cell), HV_REG_X0 + 2, x2);
	fx_set(vc(cell), HV_REG_X0 + 3, x3);
	struct hv_exit e = fixture_hvc(0);
	ck_assert_int_eq(hv_exit_handle(vc(cell), &e), HV_ACTION_RESUME);
	return (int64_t)fx_reg(vc(cell), HV_REG_X0);
}

static struct hv_mgmt_info info(unsigned id)
{
	struct hv_mgmt_info i;
	ck_assert_int_eq(call(0, HV_CALL_MGMT_INFO, id, BUF_IPA, sizeof(i)), 0);
	ck_assert_uint_eq(fx_reg(vc(0), HV_REG_X0 + 1), 3);
	memcpy(&i,
	       hal_phys_map(pa_init(FIX_CELL_PA(0) + (BUF_IPA - FIX_RAM_IPA)),
			    sizeof(i)),
	       sizeof(i));
	return i;
}

static struct hv_mgmt_stats stats(void)
{
	struct hv_mgmt_stats s;
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STATS, 0, 0, 0), 0);
	s.pool_pages_used = fx_reg(vc(0), HV_REG_X0 + 1);
	s.vmids_used = fx_reg(vc(0), HV_REG_X0 + 2);
	s.irqs_routed = fx_reg(vc(0), HV_REG_X0 + 3);
	s.lrs_used = fx_reg(vc(0), HV_REG_X0 + 4);
	s.vcpus = fx_reg(vc(0), HV_REG_X0 + 5);
	return s;
}

static void isolated(void)
{
	char why[160];
	ck_assert_msg(isolation_check(hv, why, sizeof(why)) == HV_OK, "%s",
		      why);
}

START_TEST(info_lists_every_cell)
{
	struct hv_mgmt_info i = info(2);
	ck_assert_uint_eq(i.id, 2);
	ck_assert_str_eq(i.name, "cell2");
	ck_assert_uint_eq(i.state, HV_MGMT_RUNNING);
	ck_assert_uint_eq(i.cpus, 1u << 2);
	ck_assert_uint_eq(i.mem_bytes, FIX_CELL_RAM);
	ck_assert_uint_eq(i.caps, HV_CAP_CONSOLE);
	ck_assert_uint_eq(i.boot_count, 1);
	ck_assert_str_eq(i.reason, "");
	ck_assert_str_eq(mgmt_state_name(HV_MGMT_STOPPED), "stopped");
	ck_assert_str_eq(mgmt_state_name((enum hv_mgmt_state)99), "?");
}
END_TEST

START_TEST(errors_and_permissions)
{
	/* The caller itself, a bad id, a bad or short buffer: invalid. A
	 * cell without the class: denied, whatever it asks. Starting a
	 * running cell: wrong state. */
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 0, 0, 0),
			 HV_MGMT_RET_INVALID);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 3, 0, 0),
			 HV_MGMT_RET_INVALID);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_INFO, 1, 0x1000, 208),
			 HV_MGMT_RET_INVALID);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_INFO, 1, BUF_IPA, 8),
			 HV_MGMT_RET_INVALID);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_START, 1, 0, 0),
			 HV_MGMT_RET_STATE);
	ck_assert_int_eq(call(2, HV_CALL_MGMT_STOP, 0, 0, 0),
			 HV_MGMT_RET_DENIED);
	ck_assert_int_eq(call(2, HV_CALL_MGMT_STATS, 0, 0, 0),
			 HV_MGMT_RET_DENIED);
	/* A trace snapshot: this HAL does not record; denied without the
	 * class. */
	ck_assert_int_eq(call(0, HV_CALL_MGMT_TRACE, 0, 0, 0), -1);
	ck_assert_int_eq(call(2, HV_CALL_MGMT_TRACE, 0, 0, 0),
			 HV_MGMT_RET_DENIED);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
	/* A manager that pledged the class away is denied too. */
	fx_set(vc(0), HV_REG_X0, HV_PLEDGE_KEEP);
	fx_set(vc(0), HV_REG_X0 + 1, HV_CAP_ALL & ~HV_CAP_MGMT);
	struct hv_exit e = fixture_hvc(HV_PLEDGE_HVC_IMM);
	ck_assert_int_eq(hv_exit_handle(vc(0), &e), HV_ACTION_RESUME);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 1, 0, 0),
			 HV_MGMT_RET_DENIED);
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(stop_releases_and_start_rebuilds)
{
	struct hv_mgmt_stats before = stats();
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 1, 0, 0), 0);
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_STOPPED);
	ck_assert_ptr_null(hv->pcpu_vcpu[1]);
	struct hv_mgmt_stats st = stats();
	ck_assert_uint_lt(st.pool_pages_used, before.pool_pages_used);
	ck_assert_uint_eq(st.vmids_used, before.vmids_used - 1);
	ck_assert_uint_eq(st.vcpus, before.vcpus - 1);
	ck_assert_uint_eq(st.irqs_routed, before.irqs_routed - 1);
	ck_assert_int_eq(fake_hal_irq_cpu(79), -1);
	struct hv_mgmt_info i = info(1);
	ck_assert_uint_eq(i.state, HV_MGMT_STOPPED);
	ck_assert_str_eq(i.reason, "stopped by management");
	ck_assert_uint_eq(i.caps, 0);
	isolated();
	/* Its memory was scrubbed; stopping twice is a state error; the
	 * peer's doorbell into the stopped cell is harmless. */
	const uint8_t *ram = hal_phys_map(pa_init(FIX_CELL_PA(1)), 64);
	for (unsigned k = 0; k < 64; k++)
		ck_assert_uint_eq(ram[k], 0);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 1, 0, 0),
			 HV_MGMT_RET_STATE);
	ck_assert_int_eq(call(0, HV_CALL_DOORBELL, 0, 0, 0), 0);
	ck_assert(!hv_done(hv));

	ck_assert_int_eq(call(0, HV_CALL_MGMT_START, 1, 0, 0), 0);
	fixture_settle(hv);
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_RUNNING);
	ck_assert_ptr_eq(hv->pcpu_vcpu[1], &hv->cells[1].vcpus[0]);
	ck_assert_int_eq(hv->cells[1].vcpus[0].state, HV_VCPU_RUNNING);
	ck_assert_mem_eq(hal_phys_map(pa_init(FIX_CELL_PA(1)), FIX_IMAGE_SIZE),
			 fixture_image(), FIX_IMAGE_SIZE);
	i = info(1);
	ck_assert_uint_eq(i.boot_count, 2);
	ck_assert_uint_eq(i.caps, HV_CAP_ALL);
	st = stats();
	ck_assert_mem_eq(&st, &before, sizeof(st));
	isolated();
}
END_TEST

START_TEST(restart_loop_leaks_nothing)
{
	/* 100 restarts of a running cell: every counter ends where it
	 * started, and the boot count advanced by 100. */
	struct hv_mgmt_stats before = stats();
	uint64_t boots = hv->cells[1].boot_count;
	ck_assert_uint_eq(before.irqs_routed, 1);
	ck_assert_int_eq(fake_hal_irq_cpu(79), 1);
	for (int k = 0; k < 100; k++) {
		ck_assert_int_eq(call(0, HV_CALL_MGMT_RESTART, 1, 0, 0), 0);
		fixture_settle(hv);
		isolated();
	}
	struct hv_mgmt_stats after = stats();
	ck_assert_mem_eq(&after, &before, sizeof(after));
	ck_assert_uint_eq(hv->cells[1].boot_count, boots + 100);
	/* Restart of an exited or stopped cell works too. */
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 2, 0, 0), 0);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_RESTART, 2, 0, 0), 0);
	ck_assert_int_eq(hv->cells[2].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(destroy_is_final)
{
	struct hv_mgmt_stats before = stats();
	ck_assert_int_eq(call(0, HV_CALL_MGMT_DESTROY, 2, 0, 0), 0);
	ck_assert_int_eq(hv->cells[2].state, HV_CELL_FREE);
	struct hv_mgmt_info i = info(2);
	ck_assert_uint_eq(i.state, HV_MGMT_DESTROYED);
	ck_assert_str_eq(i.name, "cell2");
	ck_assert_int_eq(call(0, HV_CALL_MGMT_START, 2, 0, 0),
			 HV_MGMT_RET_STATE);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_DESTROY, 2, 0, 0),
			 HV_MGMT_RET_STATE);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_RESTART, 2, 0, 0),
			 HV_MGMT_RET_STATE);
	struct hv_mgmt_stats st = stats();
	ck_assert_uint_eq(st.vmids_used, before.vmids_used - 1);
	ck_assert_ptr_eq(hv_cell_by_name(hv, "cell2"), &hv->cells[2]);
	isolated();
	/* Destroying a stopped cell works; then only the manager runs, and
	 * its own exit ends the run. */
	ck_assert_int_eq(call(0, HV_CALL_MGMT_STOP, 1, 0, 0), 0);
	ck_assert_int_eq(call(0, HV_CALL_MGMT_DESTROY, 1, 0, 0), 0);
	ck_assert(!hv_done(hv));
	cell_exit(&hv->cells[0], 0, "test");
	ck_assert(hv_done(hv));
	ck_assert_int_eq(hv_status(hv), 0);
}
END_TEST

START_TEST(host_operations)
{
	/* hvsim's user acts as nobody's cell. */
	ck_assert_int_eq(mgmt_stop(&hv->cells[0], NULL), HV_OK);
	ck_assert_int_eq(mgmt_start(&hv->cells[0], NULL), HV_OK);
	ck_assert_int_eq(mgmt_stop(&hv->cells[1], &hv->cells[1]), HV_ERR_INVAL);
	ck_assert_int_eq(mgmt_restart(&hv->cells[1], NULL), HV_OK);
	ck_assert_int_eq(mgmt_destroy(&hv->cells[1], NULL), HV_OK);
	ck_assert_int_eq(mgmt_stop(&hv->cells[1], NULL), HV_ERR_STATE);
}
END_TEST

static Suite *mgmt_suite(void)
{
	Suite *s = suite_create("mgmt");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, info_lists_every_cell);
	tcase_add_test(tc, errors_and_permissions);
	tcase_add_test(tc, stop_releases_and_start_rebuilds);
	tcase_add_test(tc, restart_loop_leaks_nothing);
	tcase_add_test(tc, destroy_is_final);
	tcase_add_test(tc, host_operations);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(mgmt_suite());
}
