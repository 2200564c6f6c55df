/* SPDX-License-Identifier: MIT */
/*
 * Generic Timer arithmetic (Arm ARM D11 "The Generic Timer in AArch64
 * state"): the rules that relate CNTV_CTL, CNTV_CVAL, CNTV_TVAL and the
 * counter. On bare metal the hardware applies them; a HAL that models the
 * timer (the simulator) uses these functions so the architecture knowledge
 * stays in the core, and the tests pin it down.
 */
#ifndef HV_VTIMER_H
#define HV_VTIMER_H

#include "types.h"

/* CNTV_CTL_EL0 / CNTP_CTL_EL0 bits (D19.11.x). */
#define CNT_CTL_ENABLE (UINT64_C(1) << 0)
#define CNT_CTL_IMASK (UINT64_C(1) << 1)
#define CNT_CTL_ISTATUS (UINT64_C(1) << 2) /* read-only */

/* Timer PPIs as INTIDs (Arm BSA / SBSA recommended, QEMU virt). */
#define VTIMER_PPI_HYP 26
#define VTIMER_PPI_VIRT 27
#define VTIMER_PPI_SEC_PHYS 29
#define VTIMER_PPI_PHYS 30

/* One EL1 timer as the guest programs it. */
struct vtimer {
	uint64_t ctl;  /* ENABLE and IMASK; ISTATUS is derived, never stored */
	uint64_t cval; /* compare value */
};

/* Resets to the architectural reset state: disabled, CVAL 0. */
void vtimer_reset(struct vtimer *t);

/* True when the timer condition is met: enabled and now >= CVAL
 * (unsigned 64-bit comparison, D11.2.4). */
bool vtimer_condition(const struct vtimer *t, uint64_t now);

/* CTL as the guest reads it: stored bits plus ISTATUS. */
uint64_t vtimer_ctl_read(const struct vtimer *t, uint64_t now);

/* Writes CTL: only ENABLE and IMASK are writable. */
void vtimer_ctl_write(struct vtimer *t, uint64_t val);

/* TVAL as the guest reads it: the low 32 bits of CVAL - now, a signed
 * 32-bit down-counter (D11.2.4). */
uint64_t vtimer_tval_read(const struct vtimer *t, uint64_t now);

/* Writes TVAL: CVAL = now + sign-extended TVAL[31:0]. */
void vtimer_tval_write(struct vtimer *t, uint64_t now, uint64_t val);

/* The interrupt output: condition met and not masked. */
bool vtimer_irq_level(const struct vtimer *t, uint64_t now);

/*
 * The counter value at which the output will next rise, if it is low now
 * and nothing is written: CVAL when enabled and unmasked, else UINT64_MAX
 * (never). A modelling HAL sleeps a waiting vCPU until then.
 */
uint64_t vtimer_deadline(const struct vtimer *t);

#endif /* HV_VTIMER_H */
