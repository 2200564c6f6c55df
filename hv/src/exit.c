/* SPDX-License-Identifier: MIT */
/*
 * Exit dispatch: the one place that decides what a guest exit means.
 * Decoding follows ESR_EL2 (Arm ARM D24.2.40); whatever the guest did, the
 * outcome is a register result, an injected abort, or the end of that cell,
 * never a hypervisor failure.
 */
#include <hal/vcpu.h>
#include <hal/vgic.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/esr.h>
#include <hv/arm64/sysreg.h>
#include <hv/boot.h>
#include <hv/cell.h>
#include <hv/check.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/mmio.h>
#include <hv/pledge.h>
#include <hv/print.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

/*
 * Delivers a synchronous external abort to the guest's EL1, as if its
 * access had hit an external abort (DFSC/IFSC 0x10): the "inject-abort"
 * fault policy. The class is the current-EL or lower-EL abort class
 * depending on where the guest was (Arm ARM D24.2.40).
 */
static void inject_abort(struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	bool from_el0 = (hal_vcpu_reg_read(vcpu, HV_REG_PSTATE) &
			 PSR_MODE_MASK) == 0;
	uint32_t iss = ESR_FSC_SYNC_EXT;
	unsigned ec;

	if (ESR_EL2_EC(exit->esr) == ESR_EC_IABT_LOW) {
		ec = from_el0 ? ESR_EC_IABT_LOW : ESR_EC_IABT_CUR;
	} else {
		ec = from_el0 ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
		iss |= ESR_EL2_ISS(exit->esr) & ESR_ISS_DABT_WNR;
	}
	vcpu_take_exception(vcpu, VCPU_EXC_SYNC, ESR_EL2_MAKE(ec, 1, iss),
			    exit->far);
}

/* Applies the cell's fault policy to an access the hypervisor refuses. */
static __attribute__((noinline)) enum hv_action guest_fault(
	struct hv_vcpu *vcpu, const struct hv_exit *exit, const char *reason)
{
	if (vcpu->cell->cfg->fault_policy == HV_FAULT_INJECT) {
		inject_abort(vcpu, exit);
		return HV_ACTION_RESUME;
	}
	cell_terminate(vcpu, exit, reason);
	return HV_ACTION_STOP;
}

/* The IPA a stage-2 data abort faulted on: page from HPFAR_EL2, offset
 * from FAR_EL2. */
static ipa_t dabt_ipa(const struct hv_exit *exit)
{
	return ipa_init(HPFAR_EL2_TO_IPA(exit->hpfar) |
			(exit->far & HV_PAGE_MASK));
}

/*
 * A data abort no device emulated (or one it refused): a racing stage-2
 * update to retry, or the cell's fault policy with a report. Out of line
 * and cold, so the emulated-access path does not carry its frame.
 */
static __attribute__((noinline, cold)) enum hv_action dabt_refused(
	struct hv_vcpu *vcpu, const struct hv_exit *exit, enum mmio_result r)
{
	ipa_t ipa = dabt_ipa(exit);
	struct hv_cell *cell = vcpu->cell;
	uint32_t iss = ESR_EL2_ISS(exit->esr);
	uint32_t fsc = iss & ESR_ISS_DABT_DFSC_MASK;
	char reason[96];

	/* A translation fault on an IPA the tables do map is a stage-2
	 * update racing with the access (a block being split,
	 * break-before-make on another CPU): the access is legal, so let the
	 * guest retry it. (A device window is never mapped: a refusal is
	 * the device's.) */
	struct stage2_walk w;
	if (r != MMIO_REJECTED &&
	    (fsc & ESR_FSC_TYPE_MASK) == ESR_FSC_TRANS_L(0) &&
	    stage2_walk(&cell->s2, ipa, &w))
		return HV_ACTION_RESUME;
	switch (r) {
	case MMIO_NO_SYNDROME:
		hv_snprintf(
			reason, sizeof(reason),
			"MMIO access without syndrome (ISV=0) at IPA 0x%llx",
			(unsigned long long)ipa_addr(ipa));
		break;
	case MMIO_REJECTED:
		hv_snprintf(reason, sizeof(reason),
			    "device refused %u-byte access at IPA 0x%llx",
			    1u << ((iss & ESR_ISS_DABT_SAS_MASK) >>
				   ESR_ISS_DABT_SAS_SHIFT),
			    (unsigned long long)ipa_addr(ipa));
		break;
	case MMIO_UNOWNED:
	default: {
		/* Touching what it pledged away ends the cell, whatever its
		 * fault policy: the pledge is a promise it just broke. */
		const char *cls = pledge_forfeited(cell, ipa);
		if (cls != NULL) {
			hv_snprintf(reason, sizeof(reason),
				    "access to %s after pledging it away", cls);
			cell_terminate(vcpu, exit, reason);
			return HV_ACTION_STOP;
		}
		hv_snprintf(reason, sizeof(reason),
			    "stage-2 fault: IPA 0x%llx is not the cell's",
			    (unsigned long long)ipa_addr(ipa));
		break;
	}
	}
	return guest_fault(vcpu, exit, reason);
}

static __attribute__((noinline)) enum hv_action data_abort(
	struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	uint32_t iss = ESR_EL2_ISS(exit->esr);
	uint32_t fsc = iss & ESR_ISS_DABT_DFSC_MASK;

	/* A permission fault means the page is the cell's but not writable
	 * (or readable) by it: never MMIO. */
	if ((fsc & ESR_FSC_TYPE_MASK) == ESR_FSC_PERM_L(0)) {
		return guest_fault(vcpu, exit,
				   (iss & ESR_ISS_DABT_WNR)
					   ? "stage-2 permission fault (write)"
					   : "stage-2 permission fault (read)");
	}
	/* Emulated devices are shared by the cell's vCPUs. Their windows
	 * are never mapped at stage 2, so the common case, an emulated
	 * access, needs no table walk (see dabt_refused()). */
	struct hv_cell *cell = vcpu->cell;
	hv_spin_lock(&cell->lock);
	enum mmio_result r = mmio_emulate_dabt(vcpu, &cell->bus, exit);
	/* The console's interrupt line follows every access to it that can
	 * move it (Linux drives the PL011 by interrupts once its tty is
	 * open; its FR polls cannot); no other device changes it. */
	if (r == MMIO_DONE && cell->uart.irq_dirty && cell->cfg->has_gic &&
	    cell->cfg->has_console &&
	    ipa_addr(dabt_ipa(exit)) - ipa_addr(cell->cfg->console_ipa) <
		    PL011_MMIO_SIZE) {
		cell->uart.irq_dirty = false;
		/* A fixed, valid SPI: only a hypervisor bug can fail this. */
		enum hv_err lvl = vgic_set_level(&cell->vgic, vcpu->id,
						 BOOT_CONSOLE_INTID,
						 pl011_irq_pending(
							 &cell->uart));
		CHECK(lvl == HV_OK);
	}
	hv_spin_unlock(&cell->lock);
	if (r == MMIO_DONE)
		return HV_ACTION_RESUME;
	return dabt_refused(vcpu, exit, r);
}

static enum hv_action hvc(struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	/* The hardware already points the PC past an HVC (ELR_EL2 is the
	 * preferred return address, D1.10.1). */
	uint32_t imm = ESR_EL2_ISS(exit->esr) & ESR_ISS_HVC_IMM16_MASK;
	if (imm == 0)
		return smccc_call(vcpu);
	if (imm == HV_PLEDGE_HVC_IMM)
		return hypercall_pledge(vcpu);
	vcpu_gpr_write(vcpu, 0, (uint64_t)SMCCC_RET_NOT_SUPPORTED);
	return HV_ACTION_RESUME;
}

static __attribute__((noinline)) enum hv_action smc(struct hv_vcpu *vcpu,
						    const struct hv_exit *exit)
{
	/* A trapped SMC reports the SMC itself as ELR_EL2 (D1.10.1 on
	 * HCR_EL2.TSC): step over it, then treat it as an SMCCC call. */
	vcpu_skip_insn(vcpu);
	if ((ESR_EL2_ISS(exit->esr) & ESR_ISS_HVC_IMM16_MASK) != 0) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)SMCCC_RET_NOT_SUPPORTED);
		return HV_ACTION_RESUME;
	}
	return smccc_call(vcpu);
}

/*
 * A trapped MSR/MRS (EC 0x18). With HCR_EL2.IMO set, writes to the SGI
 * generation registers trap (IHI 0069, "ICC_SGI1R_EL1" traps); the rest of
 * the CPU interface is the hardware's (or the HAL's model of it).
 */
/* A trapped system register access nothing here handles: ends the cell
 * with a report naming the register (cold: out of the SGI path). */
static __attribute__((noinline, cold)) enum hv_action sysreg_unhandled(
	struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	uint32_t iss = ESR_EL2_ISS(exit->esr);
	uint32_t reg = iss & ESR_ISS_SYS_REG_MASK;
	bool read = (iss & ESR_ISS_SYS_READ) != 0;
	char reason[96];

	hv_snprintf(reason, sizeof(reason),
		    "unhandled system register %s S%u_%u_C%u_C%u_%u",
		    read ? "read" : "write", (reg >> ESR_ISS_SYS_OP0_SHIFT) & 3,
		    (reg >> ESR_ISS_SYS_OP1_SHIFT) & 7,
		    (reg >> ESR_ISS_SYS_CRN_SHIFT) & 15,
		    (reg >> ESR_ISS_SYS_CRM_SHIFT) & 15,
		    (reg >> ESR_ISS_SYS_OP2_SHIFT) & 7);
	cell_terminate(vcpu, exit, reason);
	return HV_ACTION_STOP;
}

static __attribute__((noinline)) enum hv_action sysreg(
	struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_cell *cell = vcpu->cell;
	uint32_t iss = ESR_EL2_ISS(exit->esr);
	uint32_t reg = iss & ESR_ISS_SYS_REG_MASK;
	unsigned rt = (iss & ESR_ISS_SYS_RT_MASK) >> ESR_ISS_SYS_RT_SHIFT;
	bool read = (iss & ESR_ISS_SYS_READ) != 0;

	if (cell->cfg->has_gic &&
	    (reg == SYSREG_ICC_SGI1R_EL1 || reg == SYSREG_ICC_ASGI1R_EL1 ||
	     reg == SYSREG_ICC_SGI0R_EL1)) {
		if (read) {
			/* Write-only registers: reads are RAZ rather than a
			 * reason to end the cell. */
			vcpu_gpr_write(vcpu, rt, 0);
		} else {
			uint64_t val = vcpu_gpr_read(vcpu, rt);
			unsigned group = reg == SYSREG_ICC_SGI0R_EL1 ? 0 : 1;
			hv_spin_lock(&cell->lock);
			(void)vgic_sgi_write(&cell->vgic, vcpu->id, val, group);
			hv_spin_unlock(&cell->lock);
		}
		vcpu_skip_insn(vcpu);
		return HV_ACTION_RESUME;
	}
	return sysreg_unhandled(vcpu, exit);
}

/*
 * Trapped WFI: the vCPU waits until its vGIC has an interrupt for it. WFE
 * is a hint (guests spin on it with SEV wake-ups the hypervisor cannot
 * see), so it only yields. Without a vGIC nothing could wake a wait.
 */
static __attribute__((noinline)) enum hv_action wfx(struct hv_vcpu *vcpu,
						    const struct hv_exit *exit)
{
	vcpu_skip_insn(vcpu);
	if ((ESR_EL2_ISS(exit->esr) & ESR_ISS_WFX_TI_MASK) ==
		    ESR_ISS_WFX_TI_WFE ||
	    cell_vcpu_wakeable(vcpu))
		return HV_ACTION_RESUME;
	if (!vcpu_state_move(vcpu, HV_VCPU_RUNNING, HV_VCPU_WAITING))
		return HV_ACTION_STOP; /* stopped meanwhile by another pCPU */
	return HV_ACTION_WAIT;
}

enum hv_action exit_irq(struct hv_vcpu *vcpu, uint32_t intid)
{
	struct hv_cell *cell = vcpu->cell;

	vcpu->exits[HV_EXCLASS_IRQ]++;
	if (intid >= GIC_INTID_SPURIOUS - 3 || intid < GIC_SGI_COUNT ||
	    intid == GIC_PPI_MAINTENANCE)
		return HV_ACTION_RESUME;
	if (cell->cfg->has_gic) {
		hv_spin_lock(&cell->lock);
		enum hv_err err = vgic_hw_inject(&cell->vgic, vcpu->id, intid);
		hv_spin_unlock(&cell->lock);
		if (err == HV_OK)
			return HV_ACTION_RESUME;
	}
	/* Not the cell's: never leave a physical interrupt active. */
	hal_vgic_hw_deactivate(intid);
	return HV_ACTION_RESUME;
}

/* An exception class nothing here handles: ends the cell. */
static __attribute__((noinline, cold)) enum hv_action ec_unhandled(
	struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	char reason[64];

	hv_snprintf(reason, sizeof(reason), "unhandled exception class 0x%02x",
		    (unsigned)ESR_EL2_EC(exit->esr));
	cell_terminate(vcpu, exit, reason);
	return HV_ACTION_STOP;
}

/*
 * The dispatch on the exception class. Every handler is reached by a tail
 * call, and the ones that need a stack frame stay out of line (noinline),
 * so the path to the hypercall handler builds no frame of its
 * own (docs/performance.md, "EL2").
 */
enum hv_action hv_exit_sync(struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	uint64_t *exits = vcpu->exits;

	/* Another pCPU may have ended the cell meanwhile (and kicked us). */
	if (__atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE) != HV_VCPU_RUNNING)
		return HV_ACTION_STOP;
	/* Each case counts its own class: a constant index, no table. The
	 * commonest exits are tested first: hypercalls (a paravirtual
	 * guest's) and data aborts (MMIO, everybody's). */
	unsigned ec = ESR_EL2_EC(exit->esr);
	if (ec == ESR_EC_HVC64) {
		exits[HV_EXCLASS_HVC]++;
		return hvc(vcpu, exit);
	}
	if (ec == ESR_EC_DABT_LOW) {
		exits[HV_EXCLASS_DABT]++;
		return data_abort(vcpu, exit);
	}
	switch (ec) {
	case ESR_EC_SMC64:
		exits[HV_EXCLASS_SMC]++;
		return smc(vcpu, exit);
	case ESR_EC_IABT_LOW:
		exits[HV_EXCLASS_IABT]++;
		return guest_fault(vcpu, exit,
				   "stage-2 fault on instruction fetch");
	case ESR_EC_WFX:
		exits[HV_EXCLASS_WFX]++;
		return wfx(vcpu, exit);
	case ESR_EC_SYS64:
		exits[HV_EXCLASS_SYSREG]++;
		return sysreg(vcpu, exit);
	default:
		exits[HV_EXCLASS_OTHER]++;
		return ec_unhandled(vcpu, exit);
	}
}

enum hv_action hv_exit_handle(struct hv_vcpu *vcpu, const struct hv_exit *exit)
{
	if (exit->kind == HV_EXIT_SYNC)
		return hv_exit_sync(vcpu, exit);
	/* Another pCPU may have ended the cell meanwhile (and kicked us). */
	if (__atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE) != HV_VCPU_RUNNING)
		return HV_ACTION_STOP;

	switch (exit->kind) {
	case HV_EXIT_IRQ:
		return exit_irq(vcpu, exit->intid);
	case HV_EXIT_BUDGET:
		return HV_ACTION_RESUME;
	case HV_EXIT_HANDLED:
		return exit->action;
	default:
		cell_terminate(vcpu, exit, "HAL reported an unknown exit kind");
		return HV_ACTION_STOP;
	}
}
