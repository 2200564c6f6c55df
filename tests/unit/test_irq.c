/* SPDX-License-Identifier: MIT */
/*
 * Interrupt wiring of the core (exit.c, hv.c, cell.c with vgic.c): trapped
 * SGI generation, forwarding of the timer PPIs, WFI waits, cross-vCPU
 * kicks and the vGIC's MMIO windows reached through data aborts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hv/arm64/esr.h>
#include <hv/arm64/gic.h>
#include <hv/hv.h>
#include <hv/smccc.h>
#include <hv/vgic.h>
#include <hv/vtimer.h>

#include "check_run.h"
#include "fake_hal.h"
#include "fake_vgic.h"
#include "fixture.h"

#define GICD_IPA UINT64_C(0x08000000)
#define GICR_IPA UINT64_C(0x080a0000)

static struct hv *hv;

/* cell0: 2 vCPUs on pCPUs 0 and 1 with a vGIC; cell1 on pCPU 2 without. */
static void setup(void)
{
	struct hv_config cfg;
	fixture_config(&cfg, 2);
	cfg.cells[0].cpu_count = 2;
	cfg.cells[0].cpus[1] = 1;
	cfg.cells[0].has_gic = true;
	cfg.cells[0].gicd_ipa = ipa_init(GICD_IPA);
	cfg.cells[0].gicr_ipa = ipa_init(GICR_IPA);
	cfg.cells[1].cpus[0] = 2;
	fake_vgic_reset();
	hv = fixture_boot_config(&cfg);
	/* Start vCPU 1 so both run. */
	struct hv_vcpu *v0 = &hv->cells[0].vcpus[0];
	fx_set(v0, HV_REG_X0, PSCI_CPU_ON_64);
	fx_set(v0, HV_REG_X0 + 1, 1);
	fx_set(v0, HV_REG_X0 + 2, FIX_RAM_IPA);
	struct hv_exit e = fixture_hvc(0);
	ck_assert_int_eq(hv_exit_handle(v0, &e), HV_ACTION_RESUME);
	fixture_settle(hv);
	fake_hal_kicks_take();
	fake_hal_console_clear();
}

static void teardown(void)
{
	fixture_teardown();
}

static struct hv_vcpu *vc(unsigned cell, unsigned n)
{
	return &hv->cells[cell].vcpus[n];
}

static struct hv_exit sysreg_exit(uint32_t reg, unsigned rt, bool read)
{
	uint32_t iss = reg | ((uint32_t)rt << ESR_ISS_SYS_RT_SHIFT) |
		       (read ? ESR_ISS_SYS_READ : 0);
	return (struct hv_exit){.kind = HV_EXIT_SYNC,
				.esr = ESR_EL2_MAKE(ESR_EC_SYS64, 1, iss)};
}

static bool irq_pending(unsigned vcpu, uint32_t intid)
{
	const struct vgic_irq *irq = vgic_irq_peek(&hv->cells[0].vgic, vcpu,
						   intid);
	return irq != NULL &&
	       (irq->flags & (VGIC_IRQ_LATCH | VGIC_IRQ_LINE)) != 0;
}

/* Enables `intid` (an SGI/PPI) for vCPU n through its redistributor. */
static void enable_private(unsigned n, uint32_t intid)
{
	uint64_t ipa = GICR_IPA + n * HV_GICR_SIZE_PER_VCPU + 0x10000 +
		       0x100; /* ISENABLER0 */
	struct hv_vcpu *v = vc(0, n);
	fx_set(v, HV_REG_X0 + 2, UINT64_C(1) << intid);
	struct hv_exit e = fixture_dabt(ipa,
					ESR_ISS_DABT_ISV |
						(2u << ESR_ISS_DABT_SAS_SHIFT) |
						(2u << ESR_ISS_DABT_SRT_SHIFT) |
						ESR_ISS_DABT_WNR |
						ESR_FSC_TRANS_L(3));
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
}

/* GICD_CTLR = ARE | EnableGrp1, as a guest's GIC driver does first. */
static void enable_dist(void)
{
	struct hv_vcpu *v = vc(0, 0);
	fx_set(v, HV_REG_X0 + 2, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	struct hv_exit e = fixture_dabt(GICD_IPA + GICD_CTLR,
					ESR_ISS_DABT_ISV |
						(2u << ESR_ISS_DABT_SAS_SHIFT) |
						(2u << ESR_ISS_DABT_SRT_SHIFT) |
						ESR_ISS_DABT_WNR |
						ESR_FSC_TRANS_L(3));
	ck_assert_int_eq(hv_exit_handle(v, &e), HV_ACTION_RESUME);
}

START_TEST(sgi_write_targets_other_vcpu_and_kicks)
{
	/* A trapped ICC_SGI1R_EL1 write makes the SGI pending on the target
	 * vCPU only, steps over the MSR, and kicks the target's pCPU. */
	struct hv_vcpu *v0 = vc(0, 0);
	enable_dist();
	enable_private(1, 3);
	fx_set(v0, HV_REG_PC, 0x40000100);
	fx_set(v0, HV_REG_X0 + 5,
	       (UINT64_C(3) << ICC_SGI1R_INTID_SHIFT) |
		       0x2); /* SGI 3 -> Aff0 1 */
	struct hv_exit e = sysreg_exit(SYSREG_ICC_SGI1R_EL1, 5, false);
	fake_hal_push_exit(&e);
	ck_assert_int_eq(hv_pcpu_run(hv, 0), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v0, HV_REG_PC), 0x40000104);
	ck_assert(irq_pending(1, 3));
	ck_assert(!irq_pending(0, 3));
	ck_assert_uint_eq(fake_hal_kicks_take(), UINT64_C(1) << 1);
	ck_assert_uint_eq(v0->exits[HV_EXCLASS_SYSREG], 1);
}
END_TEST

START_TEST(sgi_register_read_is_raz)
{
	/* Reading the write-only SGI register gives 0 instead of ending the
	 * cell. */
	struct hv_vcpu *v0 = vc(0, 0);
	fx_set(v0, HV_REG_X0 + 7, 0x1234);
	struct hv_exit e = sysreg_exit(SYSREG_ICC_SGI1R_EL1, 7, true);
	ck_assert_int_eq(hv_exit_handle(v0, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v0, HV_REG_X0 + 7), 0);
}
END_TEST

START_TEST(unknown_sysreg_named_in_report)
{
	/* Any other trapped system register ends the cell, naming it. */
	struct hv_exit e = sysreg_exit(ESR_ISS_SYS_REG(3, 0, 15, 2, 1), 1,
				       true);
	ck_assert_int_eq(hv_exit_handle(vc(0, 0), &e), HV_ACTION_STOP);
	ck_assert_ptr_nonnull(
		strstr(fake_hal_console(),
		       "unhandled system register read S3_0_C15_C2_1"));
	/* In a cell without a vGIC even the SGI register is unhandled. */
	e = sysreg_exit(SYSREG_ICC_SGI1R_EL1, 1, false);
	ck_assert_int_eq(hv_exit_handle(vc(1, 0), &e), HV_ACTION_STOP);
}
END_TEST

START_TEST(timer_ppi_forwarded_hw_linked)
{
	/* A physical PPI 27 on a vCPU's pCPU becomes that vCPU's virtual PPI
	 * 27, hardware-linked, and is not deactivated by the core. */
	struct hv_exit e = {.kind = HV_EXIT_IRQ, .intid = VTIMER_PPI_VIRT};
	unsigned deact = fake_vgic_deact_count();
	ck_assert_int_eq(hv_exit_handle(vc(0, 1), &e), HV_ACTION_RESUME);
	ck_assert(irq_pending(1, VTIMER_PPI_VIRT));
	ck_assert(!irq_pending(0, VTIMER_PPI_VIRT));
	const struct vgic_irq *irq = vgic_irq_peek(&hv->cells[0].vgic, 1,
						   VTIMER_PPI_VIRT);
	ck_assert(irq->flags & VGIC_IRQ_HW);
	ck_assert_uint_eq(irq->hw_intid, VTIMER_PPI_VIRT);
	ck_assert_uint_eq(fake_vgic_deact_count(), deact);
	ck_assert_uint_eq(vc(0, 1)->exits[HV_EXCLASS_IRQ], 1);
}
END_TEST

START_TEST(foreign_irq_deactivated)
{
	/* An interrupt nothing in the cell is linked to is deactivated at once;
	 * in a cell without a vGIC even the timer PPI is; the HAL's own SGIs,
	 * the maintenance PPI and spurious INTIDs are left to the HAL. */
	unsigned deact = fake_vgic_deact_count();
	struct hv_exit e = {.kind = HV_EXIT_IRQ, .intid = 40};
	hv_exit_handle(vc(0, 0), &e);
	ck_assert_uint_eq(fake_vgic_deact_count(), deact + 1);
	ck_assert_uint_eq(fake_vgic_deact(deact), 40);
	e.intid = VTIMER_PPI_VIRT;
	hv_exit_handle(vc(1, 0), &e);
	ck_assert_uint_eq(fake_vgic_deact_count(), deact + 2);
	const uint32_t hal_own[] = {8, GIC_PPI_MAINTENANCE, GIC_INTID_SPURIOUS,
				    1020};
	for (unsigned i = 0; i < 4; i++) {
		e.intid = hal_own[i];
		hv_exit_handle(vc(0, 0), &e);
	}
	ck_assert_uint_eq(fake_vgic_deact_count(), deact + 2);
}
END_TEST

START_TEST(wfi_waits_for_interrupt)
{
	/* A trapped WFI with nothing pending makes the vCPU wait; the pCPU idles
	 * through the HAL until an interrupt for it arrives, then runs again. */
	struct hv_vcpu *v1 = vc(0, 1);
	enable_dist();
	enable_private(1, VTIMER_PPI_VIRT);
	fx_set(v1, HV_REG_PC, 0x40000200);
	struct hv_exit e = {.kind = HV_EXIT_SYNC,
			    .esr = ESR_EL2_MAKE(ESR_EC_WFX, 1, 0)};
	ck_assert_int_eq(hv_exit_handle(v1, &e), HV_ACTION_WAIT);
	ck_assert_int_eq(v1->state, HV_VCPU_WAITING);
	ck_assert_uint_eq(fx_reg(v1, HV_REG_PC), 0x40000204);
	ck_assert_int_eq(hv_pcpu_run(hv, 1),
			 HV_ACTION_WAIT); /* idle: nothing */
	ck_assert_int_eq(v1->state, HV_VCPU_WAITING);
	/* The timer fires while it idles: the idle returns the IRQ. */
	struct hv_exit irq = {.kind = HV_EXIT_IRQ, .intid = VTIMER_PPI_VIRT};
	fake_hal_push_exit(&irq);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_RESUME);
	ck_assert_int_eq(v1->state, HV_VCPU_RUNNING);
}
END_TEST

START_TEST(wfi_with_pending_or_wfe_resumes)
{
	/* WFI with an interrupt already pending, and any WFE, resume at once. */
	struct hv_vcpu *v0 = vc(0, 0);
	enable_dist();
	enable_private(0, 5);
	struct hv_exit s = sysreg_exit(SYSREG_ICC_SGI1R_EL1, 6, false);
	fx_set(v0, HV_REG_X0 + 6,
	       (UINT64_C(5) << ICC_SGI1R_INTID_SHIFT) |
		       0x1); /* SGI 5 to self */
	ck_assert_int_eq(hv_exit_handle(v0, &s), HV_ACTION_RESUME);
	struct hv_exit e = {.kind = HV_EXIT_SYNC,
			    .esr = ESR_EL2_MAKE(ESR_EC_WFX, 1, 0)};
	ck_assert_int_eq(hv_exit_handle(v0, &e), HV_ACTION_RESUME);
	e.esr = ESR_EL2_MAKE(ESR_EC_WFX, 1, ESR_ISS_WFX_TI_WFE);
	ck_assert_int_eq(hv_exit_handle(vc(0, 1), &e), HV_ACTION_RESUME);
	/* A cell without a vGIC never waits. */
	e.esr = ESR_EL2_MAKE(ESR_EC_WFX, 1, 0);
	ck_assert_int_eq(hv_exit_handle(vc(1, 0), &e), HV_ACTION_RESUME);
}
END_TEST

START_TEST(gic_mmio_through_data_aborts)
{
	/* The distributor answers loads through the normal MMIO path:
	 * GICD_TYPER reports 96 SPIs (ITLinesNumber 3). */
	struct hv_vcpu *v0 = vc(0, 0);
	struct hv_exit e = fixture_dabt(GICD_IPA + GICD_TYPER,
					ESR_ISS_DABT_ISV |
						(2u << ESR_ISS_DABT_SAS_SHIFT) |
						(4u << ESR_ISS_DABT_SRT_SHIFT) |
						ESR_FSC_TRANS_L(3));
	ck_assert_int_eq(hv_exit_handle(v0, &e), HV_ACTION_RESUME);
	ck_assert_uint_eq(fx_reg(v0, HV_REG_X0 + 4) & 0x1f, 3);
}
END_TEST

START_TEST(flush_before_run)
{
	/* A pending enabled interrupt reaches the vCPU's list registers before
	 * it enters the guest. */
	enable_dist();
	enable_private(0, VTIMER_PPI_VIRT);
	struct hv_exit irq = {.kind = HV_EXIT_IRQ, .intid = VTIMER_PPI_VIRT};
	hv_exit_handle(vc(0, 0), &irq);
	ck_assert_int_eq(hv_pcpu_run(hv, 0), HV_ACTION_RESUME);
	uint64_t lr = fake_vgic_lr(vc(0, 0), 0);
	ck_assert_uint_eq(lr & 0xffffffffu, VTIMER_PPI_VIRT);
}
END_TEST

START_TEST(termination_kicks_other_vcpus)
{
	/* Ending a cell from one vCPU stops the others and kicks their pCPUs. */
	struct hv_exit e = fixture_dabt(0x0a000000,
					ESR_ISS_DABT_ISV | ESR_FSC_TRANS_L(1));
	ck_assert_int_eq(hv_exit_handle(vc(0, 0), &e), HV_ACTION_STOP);
	ck_assert_uint_eq(fake_hal_kicks_take(), UINT64_C(1) << 1);
	ck_assert_int_eq(hv_pcpu_run(hv, 1), HV_ACTION_STOP);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("irq");
	TCase *tc = tcase_create("wiring");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sgi_write_targets_other_vcpu_and_kicks);
	tcase_add_test(tc, sgi_register_read_is_raz);
	tcase_add_test(tc, unknown_sysreg_named_in_report);
	tcase_add_test(tc, timer_ppi_forwarded_hw_linked);
	tcase_add_test(tc, foreign_irq_deactivated);
	tcase_add_test(tc, wfi_waits_for_interrupt);
	tcase_add_test(tc, wfi_with_pending_or_wfe_resumes);
	tcase_add_test(tc, gic_mmio_through_data_aborts);
	tcase_add_test(tc, flush_before_run);
	tcase_add_test(tc, termination_kicks_other_vcpus);
	suite_add_tcase(s, tc);
	return check_run(s);
}
