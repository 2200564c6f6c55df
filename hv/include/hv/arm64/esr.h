/* SPDX-License-Identifier: MIT */
/*
 * ESR_EL2 layout: exception classes and the ISS encodings the core decodes.
 * Arm ARM (DDI 0487) D24.2.40 "ESR_EL2, Exception Syndrome Register (EL2)".
 */
#ifndef HV_ARM64_ESR_H
#define HV_ARM64_ESR_H

#include <stdint.h>

#define ESR_EL2_EC_SHIFT 26
#define ESR_EL2_EC_MASK (UINT64_C(0x3f) << ESR_EL2_EC_SHIFT)
#define ESR_EL2_IL (UINT64_C(1) << 25) /* 32-bit instruction trapped */
#define ESR_EL2_ISS_MASK UINT64_C(0x1ffffff)

#define ESR_EL2_EC(esr) \
	((unsigned)(((esr)&ESR_EL2_EC_MASK) >> ESR_EL2_EC_SHIFT))
#define ESR_EL2_ISS(esr) ((uint32_t)((esr)&ESR_EL2_ISS_MASK))

/* Exception classes (D24.2.40, table "ESR_ELx.EC"). */
#define ESR_EC_UNKNOWN 0x00u
#define ESR_EC_WFX 0x01u
#define ESR_EC_FP_ASIMD 0x07u
#define ESR_EC_ILLEGAL 0x0eu
#define ESR_EC_SVC64 0x15u
#define ESR_EC_HVC64 0x16u
#define ESR_EC_SMC64 0x17u
#define ESR_EC_SYS64 0x18u /* MSR, MRS or system instruction */
#define ESR_EC_IABT_LOW 0x20u
#define ESR_EC_IABT_CUR 0x21u
#define ESR_EC_PC_ALIGN 0x22u
#define ESR_EC_DABT_LOW 0x24u
#define ESR_EC_DABT_CUR 0x25u
#define ESR_EC_SP_ALIGN 0x26u
#define ESR_EC_SERROR 0x2fu
#define ESR_EC_BRK64 0x3cu

/* HVC/SMC: ISS[15:0] is the immediate. */
#define ESR_ISS_HVC_IMM16_MASK UINT32_C(0xffff)

/* WFx: ISS[1:0] TI (0 = WFI, 1 = WFE). */
#define ESR_ISS_WFX_TI_MASK UINT32_C(0x3)
#define ESR_ISS_WFX_TI_WFE UINT32_C(0x1)

/* Data abort ISS (D24.2.40, "ISS encoding for an exception from a Data Abort"). */
#define ESR_ISS_DABT_ISV (UINT32_C(1) << 24)
#define ESR_ISS_DABT_SAS_SHIFT 22
#define ESR_ISS_DABT_SAS_MASK (UINT32_C(3) << ESR_ISS_DABT_SAS_SHIFT)
#define ESR_ISS_DABT_SSE (UINT32_C(1) << 21)
#define ESR_ISS_DABT_SRT_SHIFT 16
#define ESR_ISS_DABT_SRT_MASK (UINT32_C(0x1f) << ESR_ISS_DABT_SRT_SHIFT)
#define ESR_ISS_DABT_SF (UINT32_C(1) << 15)
#define ESR_ISS_DABT_AR (UINT32_C(1) << 14)
#define ESR_ISS_DABT_VNCR (UINT32_C(1) << 13)
#define ESR_ISS_DABT_FNV (UINT32_C(1) << 10)
#define ESR_ISS_DABT_EA (UINT32_C(1) << 9)
#define ESR_ISS_DABT_CM (UINT32_C(1) << 8)
#define ESR_ISS_DABT_S1PTW (UINT32_C(1) << 7)
#define ESR_ISS_DABT_WNR (UINT32_C(1) << 6)
#define ESR_ISS_DABT_DFSC_MASK UINT32_C(0x3f)

/* Fault status codes shared by DFSC and IFSC (table "DFSC"). */
#define ESR_FSC_ADDR_SIZE_L(n) (0x00u + (unsigned)(n))
#define ESR_FSC_TRANS_L(n) \
	(0x04u + (unsigned)(n)) /* translation fault, level n */
#define ESR_FSC_ACCESS_L(n) (0x08u + (unsigned)(n))
#define ESR_FSC_PERM_L(n) \
	(0x0cu + (unsigned)(n)) /* permission fault, level n */
#define ESR_FSC_SYNC_EXT 0x10u
#define ESR_FSC_ALIGN 0x21u
#define ESR_FSC_TYPE_MASK 0x3cu /* FSC without its level bits */

/*
 * MSR/MRS/system instruction ISS (EC 0x18):
 * Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0]
 * Direction = 1 for a read (MRS).
 */
#define ESR_ISS_SYS_OP0_SHIFT 20
#define ESR_ISS_SYS_OP2_SHIFT 17
#define ESR_ISS_SYS_OP1_SHIFT 14
#define ESR_ISS_SYS_CRN_SHIFT 10
#define ESR_ISS_SYS_RT_SHIFT 5
#define ESR_ISS_SYS_CRM_SHIFT 1
#define ESR_ISS_SYS_READ UINT32_C(1)
#define ESR_ISS_SYS_RT_MASK (UINT32_C(0x1f) << ESR_ISS_SYS_RT_SHIFT)
/* Everything but Rt and Direction: identifies the register. */
#define ESR_ISS_SYS_REG_MASK UINT32_C(0x3ffc1e)

/* Builds the ISS_SYS "register identity" bits for op0,op1,CRn,CRm,op2. */
#define ESR_ISS_SYS_REG(op0, op1, crn, crm, op2)    \
	((UINT32_C(op0) << ESR_ISS_SYS_OP0_SHIFT) | \
	 (UINT32_C(op2) << ESR_ISS_SYS_OP2_SHIFT) | \
	 (UINT32_C(op1) << ESR_ISS_SYS_OP1_SHIFT) | \
	 (UINT32_C(crn) << ESR_ISS_SYS_CRN_SHIFT) | \
	 (UINT32_C(crm) << ESR_ISS_SYS_CRM_SHIFT))

/* Builds an ESR value from an EC, the IL bit and an ISS. */
#define ESR_EL2_MAKE(ec, il, iss)                                           \
	((((uint64_t)(ec)) << ESR_EL2_EC_SHIFT) | ((il) ? ESR_EL2_IL : 0) | \
	 ((uint64_t)(iss)&ESR_EL2_ISS_MASK))

/* HPFAR_EL2.FIPA holds IPA[51:12] in bits [43:4] (D24.2.71). */
#define HPFAR_EL2_FIPA_SHIFT 4
#define HPFAR_EL2_FIPA_MASK (UINT64_C(0xffffffffff) << HPFAR_EL2_FIPA_SHIFT)
#define HPFAR_EL2_FROM_IPA(ipa) \
	((((uint64_t)(ipa)) >> 12) << HPFAR_EL2_FIPA_SHIFT)
#define HPFAR_EL2_TO_IPA(hpfar) \
	((((hpfar)&HPFAR_EL2_FIPA_MASK) >> HPFAR_EL2_FIPA_SHIFT) << 12)

#endif /* HV_ARM64_ESR_H */
