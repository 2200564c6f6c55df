/* SPDX-License-Identifier: MIT */
/*
 * SMC Calling Convention (Arm DEN 0028) function IDs and PSCI (Arm DEN 0022,
 * PSCI 1.1) IDs and return codes, plus Cellvisor's own calls in the
 * vendor-specific hypervisor service range (OEN 6). docs/hypercalls.md is
 * the ABI reference.
 */
#ifndef HV_SMCCC_H
#define HV_SMCCC_H

#include "exit.h"
#include "types.h"

/* Function ID fields (DEN 0028 2.5). */
#define SMCCC_FAST_CALL (UINT32_C(1) << 31)
#define SMCCC_SMC64 (UINT32_C(1) << 30)
#define SMCCC_OEN_SHIFT 24
#define SMCCC_OEN_MASK (UINT32_C(0x3f) << SMCCC_OEN_SHIFT)
#define SMCCC_FUNC_MASK UINT32_C(0xffff)
#define SMCCC_OEN_ARCH 0u
#define SMCCC_OEN_STD 4u /* standard secure service: PSCI */
#define SMCCC_OEN_VENDOR_HYP 6u

#define SMCCC_VERSION UINT32_C(0x80000000)
#define SMCCC_ARCH_FEATURES UINT32_C(0x80000001)
#define SMCCC_VERSION_1_1 INT64_C(0x10001)

/* Return values (DEN 0028 and DEN 0022 5.2.2). */
#define SMCCC_RET_SUCCESS INT64_C(0)
#define SMCCC_RET_NOT_SUPPORTED INT64_C(-1)
#define PSCI_RET_SUCCESS INT64_C(0)
#define PSCI_RET_NOT_SUPPORTED INT64_C(-1)
#define PSCI_RET_INVALID_PARAMETERS INT64_C(-2)
#define PSCI_RET_DENIED INT64_C(-3)
#define PSCI_RET_ALREADY_ON INT64_C(-4)
#define PSCI_RET_ON_PENDING INT64_C(-5)
#define PSCI_RET_INTERNAL_FAILURE INT64_C(-6)
#define PSCI_RET_NOT_PRESENT INT64_C(-7)
#define PSCI_RET_DISABLED INT64_C(-8)
#define PSCI_RET_INVALID_ADDRESS INT64_C(-9)

/* PSCI function IDs (DEN 0022 5.1); 64-bit variants where both exist. */
#define PSCI_VERSION UINT32_C(0x84000000)
#define PSCI_CPU_SUSPEND_32 UINT32_C(0x84000001)
#define PSCI_CPU_SUSPEND_64 UINT32_C(0xc4000001)
#define PSCI_CPU_OFF UINT32_C(0x84000002)
#define PSCI_CPU_ON_32 UINT32_C(0x84000003)
#define PSCI_CPU_ON_64 UINT32_C(0xc4000003)
#define PSCI_AFFINITY_INFO_32 UINT32_C(0x84000004)
#define PSCI_AFFINITY_INFO_64 UINT32_C(0xc4000004)
#define PSCI_MIGRATE_INFO_TYPE UINT32_C(0x84000006)
#define PSCI_SYSTEM_OFF UINT32_C(0x84000008)
#define PSCI_SYSTEM_RESET UINT32_C(0x84000009)
#define PSCI_FEATURES UINT32_C(0x8400000a)
#define PSCI_VERSION_1_1 INT64_C(0x10001)

/* Cellvisor hypercalls: SMC64 fast calls, OEN 6 (0xC6000000-0xC600FFFF). */
#define HV_CALL_BASE UINT32_C(0xc6000000)
#define HV_CALL_VERSION (HV_CALL_BASE + 0u) /* -> x0 = major<<16 | minor */
#define HV_CALL_CELL_INFO \
	(HV_CALL_BASE +   \
	 1u) /* -> x0 = 0, x1 = cell id, x2 = vCPU id, x3 = vCPU count, x4 = cell count, x5 = IPA of memory region 0, x6 = its size, x7 = boot count (1 on the first boot, +1 per SYSTEM_RESET) */
#define HV_CALL_CONSOLE_WRITE \
	(HV_CALL_BASE +       \
	 2u) /* x1 = IPA, x2 = len -> x0 = bytes written or error */
#define HV_CALL_TEST_EXIT (HV_CALL_BASE + 3u) /* x1 = status; does not return */
#define HV_CALL_DOORBELL \
	(HV_CALL_BASE +  \
	 4u) /* x1 = channel -> x0 = 0, -2 no such channel, -3 caller not on it */

#define HV_VERSION_MAJOR 0u
#define HV_VERSION_MINOR 1u
#define HV_CONSOLE_WRITE_MAX 256u /* bytes per HV_CALL_CONSOLE_WRITE */

/* HVC immediate of the pledge entry point ("NX"); #0 is SMCCC. */
#define HV_PLEDGE_HVC_IMM 0x4e58u

struct hv_vcpu;

/*
 * Handles an SMCCC call made by `vcpu` (HVC #0 or a trapped SMC #0):
 * reads the function ID and arguments from x0.., writes results to x0..x3
 * per SMCCC, and returns what the vCPU does next. Unknown IDs return
 * NOT_SUPPORTED in x0. The caller has already advanced the PC where needed.
 */
enum hv_action smccc_call(struct hv_vcpu *vcpu);

#endif /* HV_SMCCC_H */
