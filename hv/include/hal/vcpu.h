/* SPDX-License-Identifier: MIT */
/*
 * HAL contract: virtual CPUs.
 *
 * Every program links the core with exactly one HAL (bare metal, simulator,
 * unit-test fake, fuzz). Each function below must be provided; a missing one
 * is a link error. docs/hal.md explains the contract as a whole.
 */
#ifndef HAL_VCPU_H
#define HAL_VCPU_H

#include <hv/exit.h>
#include <hv/types.h>
#include <hv/vcpu.h>

/*
 * Creates the HAL state for `vcpu` (cell, id and pcpu already set) and
 * stores it in vcpu->hal. Called once per vCPU when its cell is created,
 * on the boot CPU. HV_ERR_NOMEM if the HAL has no room.
 */
HV_MUST_CHECK enum hv_err hal_vcpu_create(struct hv_vcpu *vcpu);

/* Releases what hal_vcpu_create() took; vcpu->hal becomes NULL. The vCPU
 * is not running. Safe to call when vcpu->hal is already NULL. */
void hal_vcpu_destroy(struct hv_vcpu *vcpu);

/*
 * Puts the vCPU in the architectural state of a CPU entering EL1h from a
 * reset or PSCI CPU_ON: PC = entry, X0 = x0, other GPRs 0, PSTATE = EL1h
 * with D, A, I and F masked, EL1 MMU and caches off (SCTLR_EL1 reset
 * value), the stage-2 of vcpu->cell in force on the next hal_vcpu_run(),
 * MPIDR_EL1 as the guest reads it = vcpu_mpidr(vcpu) (VMPIDR_EL2), and
 * WFI/WFE trapping per vcpu->cell->cfg->wfi (HCR_EL2.TWI/TWE). The
 * virtual counter of the cell starts at 0 on its first reset and keeps
 * counting across resets (CNTVOFF_EL2 fixed per cell).
 */
void hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0);

/*
 * Enters the guest on the calling physical CPU and returns at the next exit,
 * filled in as EL2 hardware would report it (ESR_EL2, FAR_EL2, HPFAR_EL2),
 * with the guest PC (HV_REG_PC) as ELR_EL2 would hold it: the instruction
 * after an HVC, the trapped instruction itself for SMC, WFx, MSR/MRS and
 * aborts.
 *
 * A HAL may handle exits in place (for speed) by calling hv_exit_handle()
 * itself and continuing the guest while that returns HV_ACTION_RESUME; it
 * then returns kind HV_EXIT_HANDLED with the first other action. A HAL
 * with a run budget (the simulator's quantum) returns HV_EXIT_BUDGET when
 * it is spent.
 */
void hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit);

/* Reads / writes a register of a vCPU that is not running (between exits,
 * or from inside hv_exit_handle() for the vCPU that exited). */
uint64_t hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg);
void hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg, uint64_t val);

/*
 * Called on vcpu's physical CPU when the vCPU waits (trapped WFI,
 * CPU_SUSPEND) and the core has no virtual interrupt to give it. Returns
 * when something may have changed:
 *  - HV_EXIT_IRQ with a physical interrupt for this CPU, acknowledged as
 *    for hal_vcpu_run() (bare metal: after a WFI at EL2 with interrupts
 *    masked, which still wakes on a pending interrupt; the simulator:
 *    when virtual time reaches this vCPU's next timer deadline);
 *  - HV_EXIT_BUDGET when nothing arrived within the HAL's slice (the
 *    simulator, which must let other vCPUs run, or a kick).
 * The vCPU's registers are not touched. `vcpu` is NULL when the pCPU has
 * no vCPU (its cell was stopped or destroyed): bare metal only, where
 * hv_pcpu_idle() sleeps until a kick.
 */
void hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit);

/*
 * Makes physical CPU `pcpu` leave its guest (or its idle wait) soon so the
 * core re-evaluates its vCPU: new virtual interrupts were queued for it by
 * another CPU. Bare metal: a physical SGI to that CPU. The simulator, which
 * flushes before every run: nothing. Callable from any CPU, any context.
 */
void hal_cpu_kick(unsigned pcpu);

/* Guest instructions this vCPU has retired so far (virtual time on the
 * simulator; 0 where the HAL cannot count). For statistics and traces. */
uint64_t hal_vcpu_insn_count(struct hv_vcpu *vcpu);

#endif /* HAL_VCPU_H */
