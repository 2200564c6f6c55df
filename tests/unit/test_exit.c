/* SPDX-License-Identifier: MIT */
/*
 * Exit dispatch (exit.c), cell lifecycle (cell.c) and the top level
 * (hv.c): what each exit class does, fault policies, reports, and that
 * building and destroying cells leaks nothing.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hv/arm64/esr.h>
#include <hv/arm64/sysreg.h>
#include <hv/hv.h>
#include <hv/pl011.h>
#include <hv/smccc.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fixture.h"

static struct hv *hv;

static void setup(void)
{
	hv = fixture_boot(2);
	fake_hal_console_clear();
}

static void teardown(void)
{
	fixture_teardown();
}

static struct hv_vcpu *vcpu0(unsigned cell)
{
	return &hv->cells[cell].vcpus[0];
}

/* ISS of a store of register `rt` with access size 2^sas bytes. */
static uint32_t iss_store(unsigned sas, unsigned rt)
{
	return ESR_ISS_DABT_ISV | ((uint32_t)sas << ESR_ISS_DABT_SAS_SHIFT) |
	       ((uint32_t)rt << ESR_ISS_DABT_SRT_SHIFT) | ESR_ISS_DABT_WNR |
	       ESR_FSC_TRANS_L(3);
}

START_TEST(uart_write_reaches_console)
{
	/* A byte store to the emulated PL011's DR is emulated, advances the
	 * PC, and appears on the console tagged with the cell name. */
	struct hv_vcpu *v = vcpu0(1);
	const char *msg = "ok\n";
	for (const char *c = msg; *c; c++) {
		fx_set(v, HV_REG_X0 + 3, (uint8_t)*c);
		fx_set(v, HV_REG_PC, 0x40000010);
		struct hv_exit e = fixture_dabt(FIX_UART_IPA + PL011_DR,
						iss_store(0, 3));
		ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
		ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40000014);
	}
	ck_assert_str_eq(fake_hal_console(), "[cell1] ok\n");
	ck_assert_uint_eq(v->exits[HV_EXCLASS_DABT], 3);
}
END_TEST

START_TEST(unowned_address_terminates_with_report)
{
	/* A store to an address the cell does not own terminates that cell
	 * only, with a report naming cell, vCPU, PC, ESR and FAR. */
	struct hv_vcpu *v = vcpu0(0);
	fx_set(v, HV_REG_PC, 0x40000abc);
	struct hv_exit e = fixture_dabt(0x0a000000, iss_store(2, 1));
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_TERMINATED);
	ck_assert_int_eq(v->state, HV_VCPU_STOPPED);
	ck_assert_int_eq(hv->cells[1].state, HV_CELL_RUNNING);
	ck_assert_ptr_nonnull(strstr(
		fake_hal_console(),
		"cellvisor: cell 'cell0' terminated: vcpu 0 "
		"pc=0x0000000040000abc "
		"esr=0x93810047 far=0x000000000a000000: stage-2 fault: IPA "
		"0xa000000 is not the cell's\n"));
	ck_assert_int_eq(hv_status(hv), HV_STATUS_TERMINATED);
	/* Later exits of a stopped vCPU change nothing. */
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_STOP);
}
END_TEST

START_TEST(fault_on_mapped_ipa_is_retried)
{
	/* A translation fault on an IPA the cell's stage-2 does map (a racing
	 * table update) resumes the guest at the same instruction. */
	struct hv_vcpu *v = vcpu0(0);
	fx_set(v, HV_REG_PC, 0x40000020);
	struct hv_exit e = fixture_dabt(FIX_RAM_IPA + 0x1234, iss_store(2, 1));
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40000020);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
}
END_TEST

START_TEST(no_syndrome_terminates)
{
	/* An MMIO access without a valid syndrome (ISV=0) cannot be emulated:
	 * the cell is terminated and the reason says so. */
	struct hv_exit e = fixture_dabt(FIX_UART_IPA, ESR_ISS_DABT_WNR);
	ck_assert_int_eq(hv_exit_handle(vcpu0(0), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(strstr(fake_hal_console(), "(ISV=0)"));
}
END_TEST

START_TEST(device_refusal_terminates)
{
	/* A 64-bit access the PL011 refuses terminates the cell. */
	struct hv_exit e = fixture_dabt(FIX_UART_IPA, iss_store(3, 1));
	ck_assert_int_eq(hv_exit_handle(vcpu0(0), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(
		strstr(fake_hal_console(), "device refused 8-byte access"));
}
END_TEST

START_TEST(permission_fault_terminates)
{
	/* A permission fault on the cell's own RAM is never treated as MMIO. */
	struct hv_exit e = fixture_dabt(FIX_RAM_IPA, ESR_ISS_DABT_ISV |
							     ESR_ISS_DABT_WNR |
							     ESR_FSC_PERM_L(3));
	ck_assert_int_eq(hv_exit_handle(vcpu0(0), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(
		strstr(fake_hal_console(), "permission fault (write)"));
}
END_TEST

START_TEST(inject_abort_policy_from_el1)
{
	/* With fault-policy inject-abort, a bad access from EL1h becomes a
	 * synchronous external abort at VBAR_EL1+0x200 with the EL1 syndrome
	 * registers set and the cell still running. */
	hv->config.cells[0].fault_policy = HV_FAULT_INJECT;
	struct hv_vcpu *v = vcpu0(0);
	fx_set(v, HV_REG_PC, 0x40000100);
	fx_set(v, HV_REG_PSTATE, 0x3c5);
	fx_set(v, HV_REG_VBAR_EL1, 0x40001000);
	struct hv_exit e = fixture_dabt(0x0a000008, iss_store(2, 1));
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_RUNNING);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40001200);
	ck_assert_uint_eq(fx_reg(v, HV_REG_ELR_EL1), 0x40000100);
	ck_assert_uint_eq(fx_reg(v, HV_REG_SPSR_EL1), 0x3c5);
	ck_assert_uint_eq(fx_reg(v, HV_REG_FAR_EL1), 0x0a000008);
	ck_assert_uint_eq(fx_reg(v, HV_REG_ESR_EL1),
			  ESR_EL2_MAKE(ESR_EC_DABT_CUR, 1,
				       ESR_FSC_SYNC_EXT | ESR_ISS_DABT_WNR));
	ck_assert_uint_eq(fx_reg(v, HV_REG_PSTATE), PSR_MODE_EL1H | PSR_DAIF);
}
END_TEST

START_TEST(inject_abort_policy_from_el0)
{
	/* From EL0 the abort goes to the lower-EL vector (+0x400) with the
	 * lower-EL exception class; instruction aborts keep their class. */
	hv->config.cells[0].fault_policy = HV_FAULT_INJECT;
	struct hv_vcpu *v = vcpu0(0);
	fx_set(v, HV_REG_PSTATE, 0x0);
	fx_set(v, HV_REG_VBAR_EL1, 0x40002000);
	struct hv_exit e = {
		.kind = HV_EXIT_SYNC,
		.esr = ESR_EL2_MAKE(ESR_EC_IABT_LOW, 1, ESR_FSC_TRANS_L(2)),
		.far = 0x123000,
		.hpfar = HPFAR_EL2_FROM_IPA(0x123000),
	};
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40002400);
	ck_assert_uint_eq(fx_reg(v, HV_REG_ESR_EL1),
			  ESR_EL2_MAKE(ESR_EC_IABT_LOW, 1, ESR_FSC_SYNC_EXT));
	/* From EL1t the current-EL SP0 vector is used. */
	fx_set(v, HV_REG_PSTATE, 0x4);
	e.esr = ESR_EL2_MAKE(ESR_EC_IABT_LOW, 1, ESR_FSC_TRANS_L(2));
	hv_exit_handle(v, &e);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40002000);
}
END_TEST

START_TEST(instruction_abort_terminates)
{
	/* Executing outside the cell's memory terminates it. */
	struct hv_exit e = {
		.kind = HV_EXIT_SYNC,
		.esr = ESR_EL2_MAKE(ESR_EC_IABT_LOW, 1, ESR_FSC_TRANS_L(1)),
		.far = 0x80000000,
		.hpfar = HPFAR_EL2_FROM_IPA(0x80000000),
	};
	ck_assert_int_eq(hv_exit_handle(vcpu0(0), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(strstr(fake_hal_console(), "instruction fetch"));
	ck_assert_uint_eq(vcpu0(0)->exits[HV_EXCLASS_IABT], 1);
}
END_TEST

START_TEST(wfi_steps_over)
{
	/* A trapped WFI resumes after the instruction. */
	struct hv_vcpu *v = vcpu0(0);
	fx_set(v, HV_REG_PC, 0x40000040);
	struct hv_exit e = {.kind = HV_EXIT_SYNC,
			    .esr = ESR_EL2_MAKE(ESR_EC_WFX, 1, 0)};
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v, HV_REG_PC), 0x40000044);
	ck_assert_uint_eq(v->exits[HV_EXCLASS_WFX], 1);
}
END_TEST

START_TEST(sysreg_and_unknown_terminate)
{
	/* Exits the core cannot handle (an untrapped-by-design system register,
	 * BRK, an unknown class) end the cell with a report, not the machine. */
	struct hv_exit e = {.kind = HV_EXIT_SYNC,
			    .esr = ESR_EL2_MAKE(ESR_EC_SYS64, 1,
						SYSREG_CNTV_CTL_EL0)};
	ck_assert_int_eq(hv_exit_handle(vcpu0(0), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(strstr(fake_hal_console(), "system register"));
	e.esr = ESR_EL2_MAKE(ESR_EC_BRK64, 1, 0);
	ck_assert_int_eq(hv_exit_handle(vcpu0(1), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(
		strstr(fake_hal_console(), "unhandled exception class 0x3c"));
	ck_assert(hv_done(hv));
}
END_TEST

START_TEST(budget_and_irq_resume)
{
	/* Budget ends and interrupts resume the guest; only IRQs are counted. */
	struct hv_vcpu *v = vcpu0(0);
	struct hv_exit e = {.kind = HV_EXIT_BUDGET};
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	e.kind = HV_EXIT_IRQ;
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(v->exits[HV_EXCLASS_IRQ], 1);
	e = (struct hv_exit){.kind = HV_EXIT_HANDLED, .action = HV_ACTION_WAIT};
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_WAIT);
	e.kind = (enum hv_exit_kind)42;
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_STOP);
	ck_assert_int_eq(hv->cells[0].state, HV_CELL_TERMINATED);
}
END_TEST

START_TEST(pcpu_run_loop)
{
	/* hv_pcpu_run runs the vCPU pinned to a pCPU exit by exit and says
	 * STOP once it ended, or when no vCPU is pinned there. */
	struct hv_exit e = fixture_hvc(0);
	struct hv_vcpu *v = vcpu0(1);
	fx_set(v, HV_REG_X0, PSCI_VERSION);
	fake_hal_push_exit(&e);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v, HV_REG_X0), 0x10001);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_RESUME); /* budget */
	fx_set(v, HV_REG_X0, PSCI_SYSTEM_OFF);
	fake_hal_push_exit(&e);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_STOP);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_STOP);
	ck_assert_int_eq(hv_pcpu_run(hv, 3), HV_ACTION_STOP);
	ck_assert_int_eq(hv_pcpu_run(hv, 1000), HV_ACTION_STOP);
	/* A HAL that handled the exit itself passes the action through. */
	e = (struct hv_exit){.kind = HV_EXIT_HANDLED, .action = HV_ACTION_WAIT};
	fake_hal_push_exit(&e);
	ck_assert_int_eq(hv_pcpu_run(hv, 0), HV_ACTION_WAIT);
}
END_TEST

START_TEST(exit_inplace_for_fast_paths)
{
	/* hv_exit_inplace decides an exit for a HAL's fast path: true (enter
	 * the guest again at once) for a call that resumes a running vCPU,
	 * false with the action when the call stops it. */
	struct hv_exit e = fixture_hvc(0);
	struct hv_vcpu *v = vcpu0(1);
	enum hv_action a = HV_ACTION_STOP;
	fx_set(v, HV_REG_X0, PSCI_VERSION);
	ck_assert(hv_exit_inplace(v, &e, &a));
	ck_assert_int_eq(a, HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v, HV_REG_X0), 0x10001);
	fx_set(v, HV_REG_X0, PSCI_SYSTEM_OFF);
	ck_assert(!hv_exit_inplace(v, &e, &a));
	ck_assert_int_eq(a, HV_ACTION_STOP);
}
END_TEST

START_TEST(cells_isolated_in_memory)
{
	/* Each cell's stage-2 maps its RAM IPA to its own physical pages, with
	 * its own VMID, and the image was loaded into each. */
	struct stage2_walk w0, w1;
	ck_assert(stage2_walk(&hv->cells[0].s2, ipa_init(FIX_RAM_IPA), &w0));
	ck_assert(stage2_walk(&hv->cells[1].s2, ipa_init(FIX_RAM_IPA), &w1));
	ck_assert_uint_eq(pa_addr(w0.pa), FIX_CELL_PA(0));
	ck_assert_uint_eq(pa_addr(w1.pa), FIX_CELL_PA(1));
	ck_assert_uint_ne(hv->cells[0].s2.vmid, hv->cells[1].s2.vmid);
	ck_assert(!stage2_walk(&hv->cells[0].s2, ipa_init(FIX_UART_IPA), &w0));
	ck_assert(!stage2_walk(&hv->cells[0].s2,
			       ipa_init(FIX_RAM_IPA + FIX_CELL_RAM), &w0));
	uint8_t *ram = hal_phys_map(pa_init(FIX_CELL_PA(1)), FIX_IMAGE_SIZE);
	ck_assert_int_eq(memcmp(ram, fixture_image(), FIX_IMAGE_SIZE), 0);
	ck_assert_ptr_eq(hv_cell_by_name(hv, "cell1"), &hv->cells[1]);
	ck_assert_ptr_null(hv_cell_by_name(hv, "nope"));
}
END_TEST

START_TEST(guest_ptr_checks)
{
	/* cell_guest_ptr gives a pointer only for mapped, permitted RAM. */
	struct hv_cell *c = &hv->cells[0];
	ck_assert_ptr_nonnull(cell_guest_ptr(c, ipa_init(FIX_RAM_IPA),
					     FIX_CELL_RAM, S2_READ));
	ck_assert_ptr_nonnull(cell_guest_ptr(c, ipa_init(FIX_RAM_IPA + 0xffe),
					     4, S2_READ | S2_WRITE));
	ck_assert_ptr_null(cell_guest_ptr(c, ipa_init(FIX_RAM_IPA),
					  FIX_CELL_RAM + 1, S2_READ));
	ck_assert_ptr_null(
		cell_guest_ptr(c, ipa_init(FIX_UART_IPA), 4, S2_READ));
	ck_assert_ptr_null(cell_guest_ptr(c, ipa_init(UINT64_MAX), 2, S2_READ));
}
END_TEST

START_TEST(shutdown_releases_everything)
{
	/* Destroying every cell returns every page-pool page and VMID. */
	ck_assert_uint_gt(page_pool_used(&hv->pool), 0);
	hv_shutdown(hv);
	ck_assert_uint_eq(page_pool_used(&hv->pool), 0);
	for (unsigned i = 0; i < HV_ARRAY_SIZE(hv->vmid_used); i++)
		ck_assert_uint_eq(hv->vmid_used[i], 0);
	ck_assert_ptr_null(hv->pcpu_vcpu[0]);
}
END_TEST

START_TEST(create_failure_is_all_or_nothing)
{
	/* When the page pool runs out while building the second cell, nothing
	 * built so far survives: no pages, VMIDs or pinned vCPUs remain. */
	fixture_teardown();
	struct hv_config cfg;
	fixture_config(&cfg, 3);
	static struct hv h;
	struct hv_config_error err;
	/* 5 pages: enough for one cell's tables (2 root + 1 L2), not two. */
	cfg.platform.hv_size = 5 * HV_PAGE_SIZE;
	fake_hal_add_image("guest.bin", fixture_image(), FIX_IMAGE_SIZE);
	ck_assert_int_eq(hv_init_config(&h, &cfg, &err), HV_ERR_NOMEM);
	ck_assert_ptr_nonnull(
		strstr(err.msg, "/cells/cell1: cannot create the cell"));
	ck_assert_uint_eq(page_pool_used(&h.pool), 0);
	for (unsigned i = 0; i < HV_ARRAY_SIZE(h.vmid_used); i++)
		ck_assert_uint_eq(h.vmid_used[i], 0);
	for (unsigned i = 0; i < HV_MAX_CPUS; i++)
		ck_assert_ptr_null(h.pcpu_vcpu[i]);
	ck_assert_uint_eq(h.cell_count, 0);
	hv = fixture_boot(1); /* for teardown */
}
END_TEST

START_TEST(missing_image_is_a_config_error)
{
	/* An image the HAL cannot find is reported by node and property
	 * before any cell is built. */
	fixture_teardown();
	struct hv_config cfg;
	fixture_config(&cfg, 1);
	strcpy(cfg.cells[0].image, "nope.bin");
	static struct hv h;
	struct hv_config_error err;
	ck_assert_int_ne(hv_init_config(&h, &cfg, &err), HV_OK);
	ck_assert_ptr_nonnull(strstr(err.msg, "/cells/cell0: image"));
	ck_assert_uint_eq(h.cell_count, 0);
	hv = fixture_boot(1);
}
END_TEST

START_TEST(ipa_bits_beyond_pa_refused)
{
	/* A config asking for more IPA bits than the CPUs' PA size fails with
	 * a message naming /platform ipa-bits. */
	fixture_teardown();
	struct hv_config cfg;
	fixture_config(&cfg, 1);
	cfg.platform.ipa_bits = 48;
	fake_hal_set_pa_bits(40);
	static struct hv h;
	struct hv_config_error err;
	ck_assert_int_ne(hv_init_config(&h, &cfg, &err), HV_OK);
	ck_assert_ptr_nonnull(strstr(err.msg, "/platform: ipa-bits"));
	hv = fixture_boot(1);
}
END_TEST

START_TEST(banner_and_start_lines)
{
	/* Boot prints one banner and one line per started cell. */
	fixture_teardown();
	fake_hal_console_clear();
	hv = fixture_boot(2);
	const char *out = fake_hal_console();
	ck_assert_ptr_nonnull(strstr(out, "cellvisor: 0.1: 2 cells on 4 CPUs, "
					  "IPA 40 bits, PA 40 bits\n"));
	ck_assert_ptr_nonnull(
		strstr(out, "cellvisor: cell 'cell1' started: vcpu 0 on CPU 1, "
			    "entry 0x40000000\n"));
}
END_TEST

static Suite *exit_suite(void)
{
	Suite *s = suite_create("exit");
	TCase *tc = tcase_create("dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, uart_write_reaches_console);
	tcase_add_test(tc, unowned_address_terminates_with_report);
	tcase_add_test(tc, fault_on_mapped_ipa_is_retried);
	tcase_add_test(tc, no_syndrome_terminates);
	tcase_add_test(tc, device_refusal_terminates);
	tcase_add_test(tc, permission_fault_terminates);
	tcase_add_test(tc, inject_abort_policy_from_el1);
	tcase_add_test(tc, inject_abort_policy_from_el0);
	tcase_add_test(tc, instruction_abort_terminates);
	tcase_add_test(tc, wfi_steps_over);
	tcase_add_test(tc, sysreg_and_unknown_terminate);
	tcase_add_test(tc, budget_and_irq_resume);
	tcase_add_test(tc, pcpu_run_loop);
	tcase_add_test(tc, exit_inplace_for_fast_paths);
	suite_add_tcase(s, tc);
	TCase *tl = tcase_create("lifecycle");
	tcase_add_checked_fixture(tl, setup, teardown);
	tcase_add_test(tl, cells_isolated_in_memory);
	tcase_add_test(tl, guest_ptr_checks);
	tcase_add_test(tl, shutdown_releases_everything);
	tcase_add_test(tl, create_failure_is_all_or_nothing);
	tcase_add_test(tl, missing_image_is_a_config_error);
	tcase_add_test(tl, ipa_bits_beyond_pa_refused);
	tcase_add_test(tl, banner_and_start_lines);
	suite_add_tcase(s, tl);
	return s;
}

int main(void)
{
	return check_run(exit_suite());
}
