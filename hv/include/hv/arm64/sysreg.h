/* SPDX-License-Identifier: MIT */
/*
 * System register identities as (op0, op1, CRn, CRm, op2), packed the way
 * the ESR_EL2 ISS for EC 0x18 packs them (see esr.h ESR_ISS_SYS_REG), so a
 * trapped access compares against these with one mask.
 * Arm ARM D23 "AArch64 System Register Encoding".
 */
#ifndef HV_ARM64_SYSREG_H
#define HV_ARM64_SYSREG_H

#include "esr.h"

#define SYSREG_CNTFRQ_EL0 ESR_ISS_SYS_REG(3, 3, 14, 0, 0)
#define SYSREG_CNTVCT_EL0 ESR_ISS_SYS_REG(3, 3, 14, 0, 2)
#define SYSREG_CNTV_TVAL_EL0 ESR_ISS_SYS_REG(3, 3, 14, 3, 0)
#define SYSREG_CNTV_CTL_EL0 ESR_ISS_SYS_REG(3, 3, 14, 3, 1)
#define SYSREG_CNTV_CVAL_EL0 ESR_ISS_SYS_REG(3, 3, 14, 3, 2)
#define SYSREG_CNTP_TVAL_EL0 ESR_ISS_SYS_REG(3, 3, 14, 2, 0)
#define SYSREG_CNTP_CTL_EL0 ESR_ISS_SYS_REG(3, 3, 14, 2, 1)
#define SYSREG_CNTP_CVAL_EL0 ESR_ISS_SYS_REG(3, 3, 14, 2, 2)
#define SYSREG_CNTPCT_EL0 ESR_ISS_SYS_REG(3, 3, 14, 0, 1)

/* SPSR_EL2 / PSTATE bits used when entering or injecting into EL1. */
#define PSR_MODE_EL1H UINT64_C(0x5)
#define PSR_MODE_MASK UINT64_C(0xf)
#define PSR_F (UINT64_C(1) << 6)
#define PSR_I (UINT64_C(1) << 7)
#define PSR_A (UINT64_C(1) << 8)
#define PSR_D (UINT64_C(1) << 9)
#define PSR_DAIF (PSR_D | PSR_A | PSR_I | PSR_F)

#endif /* HV_ARM64_SYSREG_H */
