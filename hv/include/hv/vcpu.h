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

/* Registers the core may read or write through the HAL. */
enum hv_reg {
	HV_REG_X0 = 0, /* X0..X30 are HV_REG_X0 + n */
	HV_REG_X30 = 30,
	HV_REG_PC = 31,    /* ELR_EL2 on bare metal: where the guest resumes */
	HV_REG_PSTATE,     /* SPSR_EL2: the guest's PSTATE at the exit */
	HV_REG_SP_EL1,
	HV_REG_ELR_EL1,
	HV_REG_SPSR_EL1,
	HV_REG_ESR_EL1,
	HV_REG_FAR_EL1,
	HV_REG_VBAR_EL1,
	HV_REG_COUNT,
};

enum hv_vcpu_state {
	HV_VCPU_OFF,        /* not started, or PSCI CPU_OFF */
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
	ipa_t on_entry;      /* ON_PENDING: where CPU_ON starts it */
	uint64_t on_context; /* ON_PENDING: its X0 (PSCI context_id) */
	void *hal; /* HAL-private state, owned by hal_vcpu_create/destroy */
};

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

/* Advances the guest PC past the trapped 32-bit instruction. */
void vcpu_skip_insn(struct hv_vcpu *vcpu);

#endif /* HV_VCPU_H */
