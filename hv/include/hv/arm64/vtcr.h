/* SPDX-License-Identifier: MIT */
/* VTCR_EL2 fields (Arm ARM D24.2.187). Values are computed by stage2.c. */
#ifndef HV_ARM64_VTCR_H
#define HV_ARM64_VTCR_H

#include <stdint.h>

#define VTCR_EL2_T0SZ_SHIFT 0
#define VTCR_EL2_T0SZ_MASK (UINT64_C(0x3f) << VTCR_EL2_T0SZ_SHIFT)
#define VTCR_EL2_SL0_SHIFT 6
#define VTCR_EL2_SL0_MASK (UINT64_C(0x3) << VTCR_EL2_SL0_SHIFT)
#define VTCR_EL2_IRGN0_SHIFT 8
#define VTCR_EL2_ORGN0_SHIFT 10
#define VTCR_EL2_RGN_WBWA UINT64_C(1) /* normal, write-back write-allocate */
#define VTCR_EL2_SH0_SHIFT 12
#define VTCR_EL2_SH_INNER UINT64_C(3)
#define VTCR_EL2_TG0_SHIFT 14
#define VTCR_EL2_TG0_4K UINT64_C(0)
#define VTCR_EL2_PS_SHIFT 16
#define VTCR_EL2_PS_MASK (UINT64_C(0x7) << VTCR_EL2_PS_SHIFT)
#define VTCR_EL2_VS (UINT64_C(1) << 19) /* 16-bit VMID */
#define VTCR_EL2_RES1 (UINT64_C(1) << 31)

/* VTTBR_EL2: VMID in [63:48] (16-bit VMIDs) or [55:48], BADDR below. */
#define VTTBR_EL2_VMID_SHIFT 48
#define VTTBR_EL2_BADDR_MASK UINT64_C(0x0000fffffffffffe)

#endif /* HV_ARM64_VTCR_H */
