/* SPDX-License-Identifier: MIT */
/*
 * A virtual CPU: the core's view. Its architectural register state lives
 * with the HAL (saved context on bare metal, the Unicorn engine in the
 * simulator) and is reached through hal_vcpu_reg_read/write, so an exit
 * moves only the registers the handler actually touches.
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include "exit.h"
#include "types.h"

struct vgic_cpu;

/* Registers the core may read or write through the HAL. */
enum hv_reg {
	HV_REG_X0 = 0, /* X0..X30 are HV_REG_X0 + n */
	HV_REG_X30 = 30,
	HV_REG_PC = 31, /* ELR_EL2 on bare metal: where the guest resumes */
	HV_REG_PSTATE,	/* SPSR_EL2: the guest's PSTATE at the exit */
	HV_REG_SP_EL1,
	HV_REG_ELR_EL1,
	HV_REG_SPSR_EL1,
	HV_REG_ESR_EL1,
	HV_REG_FAR_EL1,
	HV_REG_VBAR_EL1,
	HV_REG_COUNT,
};

enum hv_vcpu_state {
	HV_VCPU_OFF,	    /* not started, or PSCI CPU_OFF */
	HV_VCPU_ON_PENDING, /* CPU_ON accepted; its pCPU starts it next */
	HV_VCPU_RUNNING,    /* runnable */
	HV_VCPU_WAITING,    /* in WFI / CPU_SUSPEND until a wake-up event */
	HV_VCPU_STOPPED,    /* its cell ended or was terminated */
};

struct hv_cell;

struct hv_vcpu {
	struct hv_cell *cell;
	unsigned id;   /* index within the cell */
	unsigned pcpu; /* physical CPU it is pinned to (static partitioning) */
	enum hv_vcpu_state state;
	uint64_t exits[HV_EXCLASS_COUNT]; /* exits handled, by class */
	ipa_t on_entry;	     /* ON_PENDING: where CPU_ON starts it */
	uint64_t on_context; /* ON_PENDING: its X0 (PSCI context_id) */
	void *hal; /* HAL-private state, owned by hal_vcpu_create/destroy */
	/* Its state in the cell's vGIC (NULL without one): saves the exit
	 * fast path finding it (hv_exit_inplace). */
	struct vgic_cpu *vgic;
};

/*
 * Moves vcpu from state `from` to `to` atomically; false (and nothing
 * changed) if it is no longer in `from`. Another pCPU may stop a vCPU at
 * any time (its cell ended): a vCPU's own transitions go through this so
 * they can never overwrite HV_VCPU_STOPPED.
 */
bool vcpu_state_move(struct hv_vcpu *vcpu, enum hv_vcpu_state from,
		     enum hv_vcpu_state to);

/* Reads general-purpose register n (0..30) or, for n == 31, XZR (zero):
 * the encoding shared by SRT/Rt fields in syndromes. */
uint64_t vcpu_gpr_read(struct hv_vcpu *vcpu, unsigned n);

/* Writes general-purpose register n (0..30); n == 31 (XZR) is discarded. */
void vcpu_gpr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val);

/*
 * The MPIDR_EL1 value the guest reads on this vCPU: Aff0 = vCPU id, other
 * affinity levels 0, bit 31 RES1 (Arm ARM D24.2.126). HALs present it
 * (VMPIDR_EL2 on bare metal); PSCI and the vGIC use the same numbering.
 */
uint64_t vcpu_mpidr(const struct hv_vcpu *vcpu);

/* Exception types, in vector-table order (Arm ARM D1.10.2). */
enum vcpu_exception {
	VCPU_EXC_SYNC = 0,
	VCPU_EXC_IRQ = 1,
	VCPU_EXC_FIQ = 2,
	VCPU_EXC_SERROR = 3,
};

/*
 * Makes the vCPU take an exception to EL1 as hardware would (Arm ARM
 * D1.10): ELR_EL1 = the current PC, SPSR_EL1 = PSTATE, PSTATE = EL1h with
 * D, A, I, F masked, PC = VBAR_EL1 + the vector for the current mode
 * (current EL with SP0 0x000, with SPx 0x200, lower EL AArch64 0x400) +
 * 0x80 * type. For VCPU_EXC_SYNC, ESR_EL1 = esr and FAR_EL1 = far; the
 * other types leave them alone. Used for injected aborts and, by HALs that
 * model the CPU interface, for IRQ delivery.
 */
void vcpu_take_exception(struct hv_vcpu *vcpu, enum vcpu_exception type,
			 uint64_t esr, uint64_t far);

/* Advances the guest PC past the trapped 32-bit instruction. */
void vcpu_skip_insn(struct hv_vcpu *vcpu);

#endif /* HV_VCPU_H */
