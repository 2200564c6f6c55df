/* SPDX-License-Identifier: MIT */
/* SMCCC dispatch, PSCI (the part in place so far) and Cellvisor calls. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/hv.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fixture.h"

static struct hv *hv;

static void setup(void)
{
	hv = fixture_boot(2);
}

static void teardown(void)
{
	fixture_teardown();
}

/* Issues HVC #0 with x0..x2 on cell `c`'s vCPU 0; returns the action. */
static enum hv_action call(unsigned c, uint64_t x0, uint64_t x1, uint64_t x2)
{
	struct hv_vcpu *v = &hv->cells[c].vcpus[0];
	fx_set(v, HV_REG_X0, x0);
	fx_set(v, HV_REG_X0 + 1, x1);
	fx_set(v, HV_REG_X0 + 2, x2);
	struct hv_exit e = fixture_hvc(0);
	return hv_exit_handle(v, &e);
}

static int64_t x(unsigned c, unsigned n)
{
	return (int64_t)fx_reg(&hv->cells[c].vcpus[0],
			       (enum hv_reg)(HV_REG_X0 + n));
}

START_TEST(smccc_version_is_1_1)
{
	/* SMCCC_VERSION reports 1.1, the version whose register-preserving
	 * rules the hypervisor follows. */
	ck_assert_int_eq(call(0, SMCCC_VERSION, 0, 0), HV_ACTION_RESUME);
	ck_assert_int_eq(x(0, 0), 0x10001);
}
END_TEST

START_TEST(arch_features)
{
	/* ARCH_FEATURES admits the discovery calls and nothing else. */
	call(0, SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0);
	ck_assert_int_eq(x(0, 0), 0);
	call(0, SMCCC_ARCH_FEATURES, 0x80008000u /* ARCH_WORKAROUND_1 */, 0);
	ck_assert_int_eq(x(0, 0), -1);
}
END_TEST

START_TEST(unknown_ids_not_supported)
{
	/* Any function ID the hypervisor does not implement returns
	 * NOT_SUPPORTED and changes no state. */
	static const uint32_t ids[] = {0xc600ffffu, 0x86000000u, 0x12345678u,
				       0x84000100u, 0x8000ff00u, 0xc3000000u,
				       0x02000000u /* yielding */};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ck_assert_int_eq(call(0, ids[i], 0, 0), HV_ACTION_RESUME);
		ck_assert_int_eq(x(0, 0), -1);
	}
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(upper_half_of_x0_ignored)
{
	/* The function ID is W0: garbage in X0[63:32] does not change it. */
	call(0, UINT64_C(0xdeadbeef00000000) | PSCI_VERSION, 0, 0);
	ck_assert_int_eq(x(0, 0), 0x10001);
}
END_TEST

START_TEST(psci_version_and_features)
{
	/* PSCI_VERSION is 1.1; PSCI_FEATURES says 0 for implemented calls and
	 * SMCCC_VERSION, NOT_SUPPORTED for others. */
	call(0, PSCI_VERSION, 0, 0);
	ck_assert_int_eq(x(0, 0), 0x10001);
	static const uint32_t yes[] = {
		PSCI_VERSION,	   PSCI_FEATURES,	   PSCI_SYSTEM_OFF,
		PSCI_SYSTEM_RESET, PSCI_MIGRATE_INFO_TYPE, SMCCC_VERSION};
	for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		call(0, PSCI_FEATURES, yes[i], 0);
		ck_assert_int_eq(x(0, 0), 0);
	}
	call(0, PSCI_FEATURES, 0x8400001fu, 0);
	ck_assert_int_eq(x(0, 0), -1);
	call(0, PSCI_MIGRATE_INFO_TYPE, 0, 0);
	ck_assert_int_eq(x(0, 0), 2);
}
END_TEST

START_TEST(system_off_ends_only_that_cell)
{
	/* SYSTEM_OFF stops the calling cell with status 0; the other cell keeps
	 * running. */
	ck_assert_int_eq(call(1, PSCI_SYSTEM_OFF, 0, 0), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_EXITED);
	ck_assert_int_eq(hv->cells[1].exit_status, 0);
	ck_assert_int_eq(hv->cells[1].vcpus[0].state, HV_VCPU_STOPPED);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
	ck_assert(!hv_done(hv));
	ck_assert_ptr_nonnull(strstr(
		fake_hal_console(),
		"cellvisor: cell 'cell1' exited: system off, status 0\n"));
}
END_TEST

START_TEST(system_reset_restarts_from_image)
{
	/* SYSTEM_RESET scrubs the cell's RAM, reloads its image and restarts
	 * vCPU 0 at the entry point. */
	struct hv_vcpu *v = &hv->cells[0].vcpus[0];
	uint8_t *ram = hal_phys_map(pa_init(FIX_CELL_PA(0)), FIX_CELL_RAM);
	ck_assert_ptr_nonnull(ram);
	ram[0] = 0x55;		      /* corrupt the image */
	ram[FIX_CELL_RAM - 1] = 0x77; /* leave data behind */
	fx_set(v, HV_REG_PC, FIX_RAM_IPA + 0x100);
	uint64_t resets = fake_vcpu_reset_count(v);
	ck_assert_int_eq(call(0, PSCI_SYSTEM_RESET, 0, 0), HV_ACTION_WAIT);
	ck_assert_int_eq(v->state, HV_VCPU_ON_PENDING);
	ck_assert_uint_eq(fake_vcpu_reset_count(v), resets);
	fixture_settle(hv);
	ck_assert_uint_eq(fake_vcpu_reset_count(v), resets + 1);
	ck_assert_int_eq(v->state, HV_VCPU_RUNNING);
	call(0, HV_CALL_CELL_INFO, 0, 0);
	ck_assert_int_eq(x(0, 7), 2); /* the boot count survives the reset */
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), FIX_RAM_IPA);
	ck_assert_int_eq(memcmp(ram, fixture_image(), FIX_IMAGE_SIZE), 0);
	ck_assert_uint_eq(ram[FIX_CELL_RAM - 1], 0);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(system_reset_failure_ends_cell)
{
	/* A reset that cannot reload the image ends the cell (status 101)
	 * instead of running garbage. */
	fake_hal_remove_images();
	ck_assert_int_eq(call(0, PSCI_SYSTEM_RESET, 0, 0), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_EXITED);
	ck_assert_int_eq(hv->cells[0].exit_status, HV_STATUS_RESET_FAILED);
}
END_TEST

START_TEST(hv_version)
{
	/* HV_CALL_VERSION packs major and minor as major<<16 | minor. */
	call(0, HV_CALL_VERSION, 0, 0);
	ck_assert_int_eq(x(0, 0), (HV_VERSION_MAJOR << 16) | HV_VERSION_MINOR);
}
END_TEST

START_TEST(cell_info)
{
	/* CELL_INFO describes the calling cell: ids, counts and RAM. */
	call(1, HV_CALL_CELL_INFO, 0, 0);
	ck_assert_int_eq(x(1, 0), 0);
	ck_assert_int_eq(x(1, 1), 1);
	ck_assert_int_eq(x(1, 2), 0);
	ck_assert_int_eq(x(1, 3), 1);
	ck_assert_int_eq(x(1, 4), 2);
	ck_assert_uint_eq((uint64_t)x(1, 5), FIX_RAM_IPA);
	ck_assert_uint_eq((uint64_t)x(1, 6), FIX_CELL_RAM);
	ck_assert_int_eq(x(1, 7), 1);
}
END_TEST

START_TEST(console_write)
{
	/* CONSOLE_WRITE copies guest bytes to the cell's tagged console line
	 * and returns the count. */
	uint8_t *ram = hal_phys_map(pa_init(FIX_CELL_PA(1) + 0x1000), 16);
	memcpy(ram, "hi there\n", 9);
	fake_hal_console_clear();
	call(1, HV_CALL_CONSOLE_WRITE, FIX_RAM_IPA + 0x1000, 9);
	ck_assert_int_eq(x(1, 0), 9);
	ck_assert_str_eq(fake_hal_console(), "[cell1] hi there\n");
}
END_TEST

START_TEST(console_write_caps_length)
{
	/* A longer request writes at most HV_CONSOLE_WRITE_MAX bytes. */
	call(0, HV_CALL_CONSOLE_WRITE, FIX_RAM_IPA + 0x1000, 100000);
	ck_assert_int_eq(x(0, 0), HV_CONSOLE_WRITE_MAX);
}
END_TEST

START_TEST(console_write_bad_buffer)
{
	/* Buffers outside the cell's RAM, wrapping, or straddling its end are
	 * refused with INVALID_ADDRESS and print nothing. */
	fake_hal_console_clear();
	call(0, HV_CALL_CONSOLE_WRITE, 0x1000, 4);
	ck_assert_int_eq(x(0, 0), -9);
	call(0, HV_CALL_CONSOLE_WRITE, FIX_RAM_IPA + FIX_CELL_RAM - 2, 4);
	ck_assert_int_eq(x(0, 0), -9);
	call(0, HV_CALL_CONSOLE_WRITE, UINT64_MAX - 1, 4);
	ck_assert_int_eq(x(0, 0), -9);
	call(0, HV_CALL_CONSOLE_WRITE, FIX_UART_IPA, 4);
	ck_assert_int_eq(x(0, 0), -9);
	ck_assert_str_eq(fake_hal_console(), "");
}
END_TEST

START_TEST(test_exit_status)
{
	/* TEST_EXIT ends the cell with the guest's status, which becomes the
	 * run's status. */
	ck_assert_int_eq(call(0, HV_CALL_TEST_EXIT, 7, 0), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_EXITED);
	ck_assert_int_eq(hv->cells[0].exit_status, 7);
	call(1, HV_CALL_TEST_EXIT, 0, 0);
	ck_assert(hv_done(hv));
	ck_assert_int_eq(hv_status(hv), 7);
	ck_assert_int_eq(hv_report_end(hv), 7);
	ck_assert_ptr_nonnull(strstr(fake_hal_console(),
				     "cellvisor: all cells ended, status 7\n"));
}
END_TEST

START_TEST(pledge_and_other_immediates)
{
	/* HVC #0x4E58 (pledge, not implemented yet) and any other non-zero
	 * immediate return NOT_SUPPORTED without touching the PC. */
	struct hv_vcpu *v = &hv->cells[0].vcpus[0];
	uint16_t imms[] = {0x4e58, 1, 0xffff};
	for (unsigned i = 0; i < 3; i++) {
		fx_set(v, HV_REG_X0, PSCI_VERSION);
		fx_set(v, HV_REG_PC, 0x40000104);
		struct hv_exit e = fixture_hvc(imms[i]);
		ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
		ck_assert_int_eq((int64_t)fx_reg(v, HV_REG_X0), -1);
		ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40000104);
	}
}
END_TEST

START_TEST(smc_steps_over_itself)
{
	/* A trapped SMC #0 is an SMCCC call and the PC moves past the SMC; a
	 * non-zero SMC immediate is NOT_SUPPORTED but still stepped over. */
	struct hv_vcpu *v = &hv->cells[0].vcpus[0];
	fx_set(v, HV_REG_X0, PSCI_VERSION);
	fx_set(v, HV_REG_PC, 0x40000200);
	struct hv_exit e = fixture_smc(0);
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v, HV_REG_X0), 0x10001);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40000204);
	fx_set(v, HV_REG_X0, PSCI_VERSION);
	e = fixture_smc(3);
	hv_exit_handle(v, &e);
	ck_assert_int_eq((int64_t)fx_reg(v, HV_REG_X0), -1);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40000208);
}
END_TEST

/* --- PSCI with a 3-vCPU cell ("cell0" on pCPUs 0-2) beside "cell1" ------ */

static void setup_smp(void)
{
	struct hv_config cfg;
	fixture_config(&cfg, 2);
	cfg.cells[0].cpu_count = 3;
	cfg.cells[0].cpus[0] = 0;
	cfg.cells[0].cpus[1] = 1;
	cfg.cells[0].cpus[2] = 2;
	cfg.cells[1].cpus[0] = 3;
	hv = fixture_boot_config(&cfg);
}

/* Issues an SMCCC call with x0..x3 from vCPU `n` of cell 0. */
static enum hv_action call_on(unsigned n, uint64_t x0, uint64_t x1, uint64_t x2,
			      uint64_t x3)
{
	struct hv_vcpu *v = &hv->cells[0].vcpus[n];
	fx_set(v, HV_REG_X0, x0);
	fx_set(v, HV_REG_X0 + 1, x1);
	fx_set(v, HV_REG_X0 + 2, x2);
	fx_set(v, HV_REG_X0 + 3, x3);
	struct hv_exit e = fixture_hvc(0);
	return hv_exit_handle(v, &e);
}

static int64_t r0(unsigned n)
{
	return (int64_t)fx_reg(&hv->cells[0].vcpus[n], HV_REG_X0);
}

START_TEST(mpidr_numbering)
{
	/* vCPU n presents MPIDR Aff0 = n with the RES1 bit 31 set. */
	ck_assert_uint_eq(vcpu_mpidr(&hv->cells[0].vcpus[2]), 0x80000002u);
}
END_TEST

START_TEST(cpu_on_starts_on_target_pcpu)
{
	/* CPU_ON makes the target ON_PENDING; its own pCPU then starts it at
	 * the entry point with the context id in X0. */
	const uint64_t entry = FIX_RAM_IPA + 0x100;
	ck_assert_int_eq(call_on(0, PSCI_CPU_ON_64, 1, entry, 0xc0ffee),
			 HV_ACTION_RESUME);
	ck_assert_int_eq(r0(0), 0);
	struct hv_vcpu *t = &hv->cells[0].vcpus[1];
	ck_assert_int_eq(t->state, HV_VCPU_ON_PENDING);
	call_on(0, PSCI_AFFINITY_INFO_64, 1, 0, 0);
	ck_assert_int_eq(r0(0), 2);
	call_on(0, PSCI_CPU_ON_64, 1, entry, 0);
	ck_assert_int_eq(r0(0), -5); /* ON_PENDING */
	uint64_t resets = fake_vcpu_reset_count(t);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_RESUME);
	ck_assert_uint_eq(fake_vcpu_reset_count(t), resets + 1);
	ck_assert_int_eq(t->state, HV_VCPU_RUNNING);
	ck_assert_uint_eq(fx_reg(t, HV_REG_PC), entry);
	ck_assert_uint_eq(fx_reg(t, HV_REG_X0), 0xc0ffee);
	call_on(0, PSCI_CPU_ON_64, 1, entry, 0);
	ck_assert_int_eq(r0(0), -4); /* ALREADY_ON */
	call_on(0, PSCI_AFFINITY_INFO_64, 1, 0, 0);
	ck_assert_int_eq(r0(0), 0);
}
END_TEST

START_TEST(cpu_on_errors)
{
	/* CPU_ON refuses unknown targets (including other cells' CPUs),
	 * unaligned or non-RAM entry points, and the caller itself. */
	call_on(0, PSCI_CPU_ON_64, 3, FIX_RAM_IPA, 0);
	ck_assert_int_eq(r0(0), -2);
	call_on(0, PSCI_CPU_ON_64, 0x100 | 1, FIX_RAM_IPA, 0); /* Aff1 = 1 */
	ck_assert_int_eq(r0(0), -2);
	call_on(0, PSCI_CPU_ON_64, 1, FIX_RAM_IPA + 2, 0);
	ck_assert_int_eq(r0(0), -9);
	call_on(0, PSCI_CPU_ON_64, 1, FIX_UART_IPA, 0);
	ck_assert_int_eq(r0(0), -9);
	call_on(0, PSCI_CPU_ON_64, 1, FIX_RAM_IPA + FIX_CELL_RAM, 0);
	ck_assert_int_eq(r0(0), -9);
	call_on(0, PSCI_CPU_ON_64, 0, FIX_RAM_IPA, 0);
	ck_assert_int_eq(r0(0), -4);
	ck_assert_int_eq(hv->cells[0].vcpus[1].state, HV_VCPU_OFF);
}
END_TEST

START_TEST(cpu_on_32_truncates)
{
	/* The SMC32 form of CPU_ON uses only the low halves of its arguments. */
	call_on(0, PSCI_CPU_ON_32, UINT64_C(0xffffffff00000002),
		UINT64_C(0xffffffff00000000) | (FIX_RAM_IPA + 0x40),
		UINT64_C(0x100000007));
	ck_assert_int_eq(r0(0), 0);
	hv_pcpu_run(hv, 2);
	ck_assert_uint_eq(fx_reg(&hv->cells[0].vcpus[2], HV_REG_PC),
			  FIX_RAM_IPA + 0x40);
	ck_assert_uint_eq(fx_reg(&hv->cells[0].vcpus[2], HV_REG_X0), 7);
}
END_TEST

START_TEST(cpu_off_and_last_cpu)
{
	/* CPU_OFF parks the caller (AFFINITY_INFO says OFF and it can be
	 * started again); when the last vCPU goes off the cell has ended. */
	call_on(0, PSCI_CPU_ON_64, 1, FIX_RAM_IPA, 0);
	hv_pcpu_run(hv, 1);
	ck_assert_int_eq(call_on(1, PSCI_CPU_OFF, 0, 0, 0), HV_ACTION_WAIT);
	ck_assert_int_eq(hv->cells[0].vcpus[1].state, HV_VCPU_OFF);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_WAIT);
	call_on(0, PSCI_AFFINITY_INFO_64, 1, 0, 0);
	ck_assert_int_eq(r0(0), 1);
	call_on(0, PSCI_AFFINITY_INFO_64, 1, 1, 0);
	ck_assert_int_eq(r0(0), -2); /* level 1 not supported */
	call_on(0, PSCI_AFFINITY_INFO_64, 9, 0, 0);
	ck_assert_int_eq(r0(0), -2);
	call_on(0, PSCI_CPU_ON_64, 1, FIX_RAM_IPA, 0);
	ck_assert_int_eq(r0(0), 0);
	hv_pcpu_run(hv, 1);
	ck_assert_int_eq(call_on(1, PSCI_CPU_OFF, 0, 0, 0), HV_ACTION_WAIT);
	ck_assert_int_eq(call_on(0, PSCI_CPU_OFF, 0, 0, 0), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_EXITED);
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(cpu_suspend_standby_and_powerdown)
{
	/* A standby CPU_SUSPEND waits and returns SUCCESS; a powerdown one
	 * resumes at its entry point with the context id; a bad powerdown
	 * entry is refused without waiting. */
	struct hv_vcpu *v = &hv->cells[0].vcpus[0];
	fx_set(v, HV_REG_PC, FIX_RAM_IPA + 0x80);
	ck_assert_int_eq(call_on(0, PSCI_CPU_SUSPEND_64, 0, 0, 0),
			 HV_ACTION_WAIT);
	ck_assert_int_eq(r0(0), 0);
	ck_assert_int_eq(v->state, HV_VCPU_WAITING);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), FIX_RAM_IPA + 0x80);
	hv_pcpu_run(hv, 0); /* wakes (nothing to wait for yet) */
	ck_assert_int_eq(v->state, HV_VCPU_RUNNING);
	ck_assert_int_eq(call_on(0, PSCI_CPU_SUSPEND_64, 1u << 16,
				 FIX_RAM_IPA + 0x200, 42),
			 HV_ACTION_WAIT);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), FIX_RAM_IPA + 0x200);
	ck_assert_uint_eq(fx_reg(v, HV_REG_X0), 42);
	hv_pcpu_run(hv, 0);
	ck_assert_int_eq(call_on(0, PSCI_CPU_SUSPEND_32, 1u << 16, 0x1000, 0),
			 HV_ACTION_RESUME);
	ck_assert_int_eq(r0(0), -9);
}
END_TEST

START_TEST(psci_features_smp)
{
	/* PSCI_FEATURES advertises the SMP calls. */
	static const uint32_t ids[] = {PSCI_CPU_ON_64, PSCI_CPU_ON_32,
				       PSCI_CPU_OFF, PSCI_AFFINITY_INFO_64,
				       PSCI_CPU_SUSPEND_64};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		call_on(0, PSCI_FEATURES, ids[i], 0, 0);
		ck_assert_int_eq(r0(0), 0);
	}
}
END_TEST

static Suite *smccc_suite(void)
{
	Suite *s = suite_create("smccc");
	TCase *tc = tcase_create("calls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, smccc_version_is_1_1);
	tcase_add_test(tc, arch_features);
	tcase_add_test(tc, unknown_ids_not_supported);
	tcase_add_test(tc, upper_half_of_x0_ignored);
	tcase_add_test(tc, psci_version_and_features);
	tcase_add_test(tc, system_off_ends_only_that_cell);
	tcase_add_test(tc, system_reset_restarts_from_image);
	tcase_add_test(tc, system_reset_failure_ends_cell);
	tcase_add_test(tc, hv_version);
	tcase_add_test(tc, cell_info);
	tcase_add_test(tc, console_write);
	tcase_add_test(tc, console_write_caps_length);
	tcase_add_test(tc, console_write_bad_buffer);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, pledge_and_other_immediates);
	tcase_add_test(tc, smc_steps_over_itself);
	suite_add_tcase(s, tc);
	TCase *smp = tcase_create("psci-smp");
	tcase_add_checked_fixture(smp, setup_smp, teardown);
	tcase_add_test(smp, mpidr_numbering);
	tcase_add_test(smp, cpu_on_starts_on_target_pcpu);
	tcase_add_test(smp, cpu_on_errors);
	tcase_add_test(smp, cpu_on_32_truncates);
	tcase_add_test(smp, cpu_off_and_last_cpu);
	tcase_add_test(smp, cpu_suspend_standby_and_powerdown);
	tcase_add_test(smp, psci_features_smp);
	suite_add_tcase(s, smp);
	return s;
}

int main(void)
{
	return check_run(smccc_suite());
}
