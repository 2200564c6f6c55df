/* SPDX-License-Identifier: MIT */
/*
 * What a HAL hands the core when a vCPU leaves the guest, and what the core
 * answers. Exits are expressed in ESR_EL2 terms on every HAL, so the same
 * dispatch code decides on bare metal, in the simulator and in tests.
 */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include "types.h"

enum hv_exit_kind {
	/* Synchronous exception taken to EL2: esr, far and hpfar are valid
	 * exactly as the hardware would set ESR_EL2, FAR_EL2, HPFAR_EL2. */
	HV_EXIT_SYNC,
	/* A physical interrupt arrived while the guest ran (IRQ to EL2). */
	HV_EXIT_IRQ,
	/* The HAL's run budget ended (simulator quantum); nothing to decide. */
	HV_EXIT_BUDGET,
	/* The HAL already passed an exit through hv_exit_handle() itself (a
	 * fast path inside the HAL); `action` holds the result. */
	HV_EXIT_HANDLED,
};

/* What the core wants done with the vCPU after an exit. */
enum hv_action {
	HV_ACTION_RESUME, /* re-enter the guest */
	HV_ACTION_WAIT,	  /* vCPU idles until a virtual interrupt is pending */
	HV_ACTION_STOP, /* vCPU no longer runs (cell ended, terminated, CPU off) */
};

struct hv_exit {
	enum hv_exit_kind kind;
	uint64_t esr;	       /* ESR_EL2 (HV_EXIT_SYNC) */
	uint64_t far;	       /* FAR_EL2 (aborts) */
	uint64_t hpfar;	       /* HPFAR_EL2 (stage-2 aborts) */
	enum hv_action action; /* HV_EXIT_HANDLED only */
	/* HV_EXIT_IRQ: the physical INTID the HAL acknowledged. Its priority
	 * has been dropped but it is NOT deactivated: the core either links
	 * it to a virtual interrupt (deactivated when the guest ends it) or
	 * calls hal_vgic_hw_deactivate(). 1023 = spurious (nothing to do). */
	uint32_t intid;
};

/* Exit classes counted per vCPU for `hvsim --stats`. */
enum hv_exit_class {
	HV_EXCLASS_HVC,
	HV_EXCLASS_SMC,
	HV_EXCLASS_DABT,
	HV_EXCLASS_IABT,
	HV_EXCLASS_SYSREG,
	HV_EXCLASS_WFX,
	HV_EXCLASS_IRQ,
	HV_EXCLASS_OTHER,
	HV_EXCLASS_COUNT,
};

struct hv_vcpu;

/*
 * Handles physical interrupt `intid`, taken on vcpu's pCPU and acknowledged
 * by the HAL: forwards it to the vCPU's cell when linked there (the timer
 * PPIs), otherwise deactivates it (hal_vgic_hw_deactivate). The HAL's own
 * interrupts (SGIs it uses for kicks, the maintenance PPI) and spurious
 * INTIDs are left alone: the HAL has dealt with them.
 */
enum hv_action exit_irq(struct hv_vcpu *vcpu, uint32_t intid);

struct hv_exit;

/*
 * hv_exit_handle() for an HV_EXIT_SYNC exit (ESR_EL2, FAR_EL2, HPFAR_EL2
 * set): the entry of the exit fast path (hv_exit_inplace), which skips
 * the dispatch on the exit's kind.
 */
enum hv_action hv_exit_sync(struct hv_vcpu *vcpu, const struct hv_exit *exit);

/* Lower-case name of an exit class ("hvc", "dabt", ...). */
const char *hv_exit_class_name(enum hv_exit_class c);

#endif /* HV_EXIT_H */
