/* SPDX-License-Identifier: MIT */
/*
 * EL2 control registers the bare-metal HAL programs at boot, the EL2
 * stage-1 descriptor bits of its identity map, and the ID register fields
 * it reads. Arm ARM (DDI 0487) chapter D24 for each register, D8.3 for the
 * descriptor formats. Only what hal/baremetal uses; values are for the
 * non-VHE EL2 translation regime (HCR_EL2.E2H == 0).
 */
#ifndef HV_ARM64_EL2_H
#define HV_ARM64_EL2_H

#include <stdint.h>

/* CurrentEL.EL in bits [3:2] (D24.1 "CurrentEL"). */
#define CURRENTEL_EL_SHIFT 2
#define CURRENTEL_EL_MASK (UINT64_C(3) << CURRENTEL_EL_SHIFT)

/*
 * SCTLR_EL2 (D24.2.118), E2H == 0. RES1 bits are 4, 5, 11, 16, 18, 22, 23,
 * 28 and 29 in that configuration; writing them as 0 is CONSTRAINED
 * UNPREDICTABLE on some cores, so every write includes them.
 */
#define SCTLR_EL2_M (UINT64_C(1) << 0)	/* stage-1 MMU enable */
#define SCTLR_EL2_A (UINT64_C(1) << 1)	/* alignment check */
#define SCTLR_EL2_C (UINT64_C(1) << 2)	/* data cacheability */
#define SCTLR_EL2_SA (UINT64_C(1) << 3) /* SP alignment check */
#define SCTLR_EL2_I (UINT64_C(1) << 12) /* instruction cacheability */
#define SCTLR_EL2_WXN (UINT64_C(1) << 19)
#define SCTLR_EL2_EE (UINT64_C(1) << 25) /* big-endian EL2 data */
#define SCTLR_EL2_RES1                                                     \
	((UINT64_C(1) << 4) | (UINT64_C(1) << 5) | (UINT64_C(1) << 11) |   \
	 (UINT64_C(1) << 16) | (UINT64_C(1) << 18) | (UINT64_C(1) << 22) | \
	 (UINT64_C(1) << 23) | (UINT64_C(1) << 28) | (UINT64_C(1) << 29))

/*
 * SCTLR_EL1 (D24.2.117) as a guest finds it after reset: MMU, caches and
 * alignment checks off, little-endian, and the bits that are RES1 without
 * the corresponding features (EOS 11, TSCXT 20, EIS 22, SPAN 23,
 * nTLSMD 28, LSMAOE 29) set, which is also their architectural meaning
 * of "behave like ARMv8.0".
 */
#define SCTLR_EL1_RES1                                                     \
	((UINT64_C(1) << 11) | (UINT64_C(1) << 20) | (UINT64_C(1) << 22) | \
	 (UINT64_C(1) << 23) | (UINT64_C(1) << 28) | (UINT64_C(1) << 29))
#define SCTLR_EL1_RESET SCTLR_EL1_RES1

/* TCR_EL2 (D24.2.175), E2H == 0: one translation range, TTBR0_EL2. */
#define TCR_EL2_T0SZ_SHIFT 0
#define TCR_EL2_IRGN0_SHIFT 8
#define TCR_EL2_ORGN0_SHIFT 10
#define TCR_EL2_RGN_WBWA UINT64_C(1)
#define TCR_EL2_SH0_SHIFT 12
#define TCR_EL2_SH_INNER UINT64_C(3)
#define TCR_EL2_TG0_4K (UINT64_C(0) << 14)
#define TCR_EL2_PS_SHIFT 16
#define TCR_EL2_RES1 ((UINT64_C(1) << 31) | (UINT64_C(1) << 23))

/* MAIR_EL2 attribute encodings (D24.2.100). */
#define MAIR_ATTR_DEVICE_nGnRE UINT64_C(0x04)
#define MAIR_ATTR_NORMAL_WB UINT64_C(0xff) /* inner/outer WB, RA, WA */
#define MAIR_ATTR_SHIFT(idx) ((idx)*8)

/*
 * EL2 stage-1 block/page descriptor bits (D8.3.2). In the EL2 regime
 * AP[1] (bit 6) is RES1 because there is no unprivileged level, and the
 * execute-never bit is bit 54 (XN); bit 53 is RES0.
 */
#define PTE_S1_ATTRINDX_SHIFT 2
#define PTE_S1_AP1_RES1 (UINT64_C(1) << 6)
#define PTE_S1_AP_RO (UINT64_C(1) << 7) /* AP[2]: read-only */
#define PTE_S1_SH_INNER (UINT64_C(3) << 8)
#define PTE_S1_AF (UINT64_C(1) << 10)
#define PTE_S1_XN (UINT64_C(1) << 54)

/*
 * CPTR_EL2 (D24.2.32), E2H == 0. Bits 13, 12 (TSM without SME), 9 and
 * 7:0 are RES1; TFP (10) and TZ (8) trap FP/SIMD and SVE when set.
 */
#define CPTR_EL2_RES1 UINT64_C(0x32ff)
#define CPTR_EL2_TZ (UINT64_C(1) << 8)
#define CPTR_EL2_TFP (UINT64_C(1) << 10)
#define CPTR_EL2_TCPAC (UINT64_C(1) << 31)

/* CNTHCTL_EL2 (D24.2.26), E2H == 0: EL1/EL0 access to the physical
 * counter and timer. */
#define CNTHCTL_EL2_EL1PCTEN (UINT64_C(1) << 0)
#define CNTHCTL_EL2_EL1PCEN (UINT64_C(1) << 1)

/* MDCR_EL2 (D24.2.104): HPMN[4:0], event counters left to EL1/EL0. */
#define MDCR_EL2_HPMN_MASK UINT64_C(0x1f)
/* PMCR_EL0.N[15:11]: event counters implemented (D24.3.18). */
#define PMCR_EL0_N_SHIFT 11
#define PMCR_EL0_N_MASK (UINT64_C(0x1f) << PMCR_EL0_N_SHIFT)

/* VMPIDR_EL2 (D24.2.186): bit 31 is RES1 in MPIDR_EL1. */
#define MPIDR_RES1 (UINT64_C(1) << 31)
#define MPIDR_AFF_MASK UINT64_C(0xff00ffffff)

/* CPACR_EL1.FPEN[21:20] = 0b11: EL1/EL0 FP/SIMD not trapped. */
#define CPACR_EL1_FPEN_ALL (UINT64_C(3) << 20)

/* ID_AA64MMFR0_EL1.PARange[3:0] (D24.2.77). */
#define ID_AA64MMFR0_PARANGE_MASK UINT64_C(0xf)
/* ID_AA64PFR0_EL1.SVE[35:32] (D24.2.84). */
#define ID_AA64PFR0_SVE_SHIFT 32
/* ID_AA64ISAR1_EL1 APA[7:4], API[11:8]; ID_AA64ISAR2_EL1 APA3[15:12]. */
#define ID_AA64ISAR1_APA_API_MASK UINT64_C(0xff0)
#define ID_AA64ISAR2_APA3_MASK UINT64_C(0xf000)

/* ZCR_EL2.LEN[3:0]: the largest SVE vector length the CPU allows. */
#define ZCR_EL2_LEN_MAX UINT64_C(0xf)

/* ID_AA64PFR0_EL1.GIC[27:24]: non-zero when the GICv3 system-register
 * CPU interface is implemented (and, on QEMU, connected). */
#define ID_AA64PFR0_GIC_SHIFT 24
#define ID_AA64PFR0_GIC_MASK (UINT64_C(0xf) << ID_AA64PFR0_GIC_SHIFT)

/* MDCR_EL2.HPMD (PMUv3p1): event counting prohibited at EL2 when set. */
#define MDCR_EL2_HPMD (UINT64_C(1) << 17)

/* DCZID_EL0 (Arm ARM D19.2.x): DC ZVA block size and permission. */
#define DCZID_EL0_BS_MASK UINT64_C(0xf)	 /* log2(block size in 4-byte words) */
#define DCZID_EL0_DZP (UINT64_C(1) << 4) /* DC ZVA prohibited */

#endif /* HV_ARM64_EL2_H */
