/* SPDX-License-Identifier: MIT */
/* HCR_EL2 bits the hypervisor sets (Arm ARM D24.2.48). */
#ifndef HV_ARM64_HCR_H
#define HV_ARM64_HCR_H

#include <stdint.h>

#define HCR_EL2_VM (UINT64_C(1) << 0)	/* stage-2 translation enabled */
#define HCR_EL2_SWIO (UINT64_C(1) << 1) /* set/way invalidate override */
#define HCR_EL2_FMO (UINT64_C(1) << 3)	/* FIQs routed to EL2, vFIQ enabled */
#define HCR_EL2_IMO (UINT64_C(1) << 4)	/* IRQs routed to EL2, vIRQ enabled */
#define HCR_EL2_AMO (UINT64_C(1) << 5)	/* SErrors routed to EL2 */
#define HCR_EL2_VSE (UINT64_C(1) << 8)	/* virtual SError pending */
#define HCR_EL2_FB (UINT64_C(1) << 9) /* force broadcast of TLB/cache maint. */
#define HCR_EL2_BSU_IS (UINT64_C(1) << 10) /* barrier shareability: inner */
#define HCR_EL2_TWI (UINT64_C(1) << 13)	   /* trap WFI */
#define HCR_EL2_TWE (UINT64_C(1) << 14)	   /* trap WFE */
#define HCR_EL2_TSC (UINT64_C(1) << 19)	   /* trap SMC */
#define HCR_EL2_TACR (UINT64_C(1) << 21)
#define HCR_EL2_TSW (UINT64_C(1) << 22) /* trap data cache set/way ops */
#define HCR_EL2_PTW (UINT64_C(1) << 24)
#define HCR_EL2_TVM (UINT64_C(1) << 26)
#define HCR_EL2_RW (UINT64_C(1) << 31) /* EL1 is AArch64 */
#define HCR_EL2_E2H (UINT64_C(1) << 34)
#define HCR_EL2_APK (UINT64_C(1) << 40) /* don't trap pointer-auth key regs */
#define HCR_EL2_API (UINT64_C(1) << 41) /* don't trap pointer-auth insns */

#endif /* HV_ARM64_HCR_H */
