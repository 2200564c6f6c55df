/* SPDX-License-Identifier: MIT */
/*
 * A64 decoding for HALs that must synthesize what EL2 hardware reports:
 * the data-abort ISS of a faulting load/store and the HVC/SMC/WFx forms.
 *
 * The load/store group is A64 op0 = x1x0 (bit 27 set, bit 25 clear), Arm
 * ARM C4.1 "A64 instruction set encoding", table "Loads and Stores". Which
 * of its members get a valid syndrome follows the ISV description of
 * D24.2.40 (ESR_EL2, ISS encoding for an exception from a Data Abort): a
 * single general-purpose register transfer, including acquire/release
 * forms, without writeback. Everything else in the group reports ISV = 0
 * with only WnR meaningful, as a real CPU does for a stage-2 fault.
 */
#include <hv/arm64/esr.h>
#include <hv/insn.h>

/* Fields shared by most load/store encodings (C4.1, "Loads and Stores"). */
#define LS_SIZE(insn) (((insn) >> 30) & 3u)
#define LS_V(insn) (((insn) >> 26) & 1u)
#define LS_OPC(insn) (((insn) >> 22) & 3u)
#define LS_RT(insn) ((insn)&0x1fu)

/* Class masks/values: (insn & MASK) == VALUE selects the encoding class. */
#define LS_GROUP_MASK UINT32_C(0x0a000000)
#define LS_GROUP_VAL UINT32_C(0x08000000)
#define LS_LITERAL_MASK UINT32_C(0x3b000000) /* load register (literal) */
#define LS_LITERAL_VAL UINT32_C(0x18000000)
#define LS_UIMM_MASK UINT32_C(0x3b000000) /* register (unsigned immediate) */
#define LS_UIMM_VAL UINT32_C(0x39000000)
#define LS_REG9_MASK UINT32_C(0x3b200000) /* imm9 forms, bits [11:10] pick */
#define LS_REG9_VAL UINT32_C(0x38000000)
#define LS_REGX_MASK \
	UINT32_C(0x3b200000) /* bit 21 set: reg offset, atomics, PAC */
#define LS_REGX_VAL UINT32_C(0x38200000)
#define LS_EXCL_MASK UINT32_C(0x3f000000) /* exclusive / ordered */
#define LS_EXCL_VAL UINT32_C(0x08000000)
#define LS_PAIR_MASK UINT32_C(0x38000000) /* all register-pair forms */
#define LS_PAIR_VAL UINT32_C(0x28000000)
#define LS_RCPC2_MASK UINT32_C(0x3f200c00) /* LDAPUR/STLUR (FEAT_LRCPC2) */
#define LS_RCPC2_VAL UINT32_C(0x19000000)
#define LS_LDAPR_MASK UINT32_C(0x3ffffc00) /* LDAPR (FEAT_LRCPC) */
#define LS_LDAPR_VAL UINT32_C(0x38bfc000)

/* Bits [11:10] of the imm9 forms (C4.1, "Load/store register (...)"). */
#define LS_IDX(insn) (((insn) >> 10) & 3u)
#define LS_IDX_UNSCALED 0u
#define LS_IDX_UNPRIV 2u
#define LS_IDX_REGOFF 2u /* with bit 21 set: register offset */

/* Exclusive/ordered class fields: o2 (23), L (22), o1 (21). */
#define LS_EXCL_O2 (UINT32_C(1) << 23)
#define LS_EXCL_L (UINT32_C(1) << 22)
#define LS_EXCL_O1 (UINT32_C(1) << 21)
/* Pair class: L (22). */
#define LS_PAIR_L (UINT32_C(1) << 22)

/*
 * SYS instructions (op0 = 01, L = 0), C5.2 / C6.2 "SYS": fields op1
 * [18:16], CRn [15:12], CRm [11:8], op2 [7:5]. CRn = 7 holds the data
 * cache instructions that access memory by virtual address.
 */
#define INSN_SYS_MASK UINT32_C(0xfff80000)
#define INSN_SYS_VAL UINT32_C(0xd5080000)
#define INSN_SYS_OP1(insn) (((insn) >> 16) & 7u)
#define INSN_SYS_CRN(insn) (((insn) >> 12) & 0xfu)
#define INSN_SYS_CRM(insn) (((insn) >> 8) & 0xfu)
#define INSN_SYS_OP2(insn) (((insn) >> 5) & 7u)

/* HVC/SMC #imm16 (C6.2 "HVC", "SMC"): imm16 in bits [20:5]. */
#define INSN_EXC_MASK UINT32_C(0xffe0001f)
#define INSN_HVC_VAL UINT32_C(0xd4000002)
#define INSN_SMC_VAL UINT32_C(0xd4000003)
#define INSN_EXC_IMM(insn) ((uint16_t)(((insn) >> 5) & 0xffffu))
#define INSN_WFI UINT32_C(0xd503207f)
#define INSN_WFE UINT32_C(0xd503205f)

/* The syndrome of a single-register transfer the hardware can describe. */
static uint32_t iss_single(unsigned size, bool load, bool sse, bool sf, bool ar,
			   unsigned rt)
{
	uint32_t iss = ESR_ISS_DABT_ISV;

	iss |= (uint32_t)size << ESR_ISS_DABT_SAS_SHIFT;
	iss |= (uint32_t)rt << ESR_ISS_DABT_SRT_SHIFT;
	if (sse)
		iss |= ESR_ISS_DABT_SSE;
	if (sf)
		iss |= ESR_ISS_DABT_SF;
	if (ar)
		iss |= ESR_ISS_DABT_AR;
	if (!load)
		iss |= ESR_ISS_DABT_WNR;
	return iss;
}

/*
 * The size/opc table shared by the unsigned-immediate, register-offset,
 * unscaled, unprivileged and pre/post-index GPR forms (V = 0), C4.1
 * "Load/store register (unsigned immediate)": opc 00 store, 01 load
 * (zero-extend, SF when size is 64-bit), 10 sign-extending load to X (or
 * PRFM when size = 11), 11 sign-extending load to W (size 00/01 only).
 * Returns false for PRFM (a hint: it never faults, so no abort exists to
 * describe) and for unallocated combinations, which UNDEF instead.
 */
static bool iss_gpr_opc(uint32_t insn, bool ar, uint32_t *iss)
{
	unsigned size = LS_SIZE(insn);
	unsigned rt = LS_RT(insn);

	switch (LS_OPC(insn)) {
	case 0:
		*iss = iss_single(size, false, false, size == 3, ar, rt);
		return true;
	case 1:
		*iss = iss_single(size, true, false, size == 3, ar, rt);
		return true;
	case 2:
		if (size == 3)
			return false;
		*iss = iss_single(size, true, true, true, ar, rt);
		return true;
	default:
		if (size >= 2)
			return false;
		*iss = iss_single(size, true, true, false, ar, rt);
		return true;
	}
}

/* Load register (literal): opc 00 LDR W, 01 LDR X, 10 LDRSW, 11 PRFM. */
static bool iss_literal(uint32_t insn, uint32_t *iss)
{
	unsigned rt = LS_RT(insn);

	if (LS_V(insn)) {
		*iss = 0; /* SIMD&FP literal: a load, no syndrome */
		return true;
	}
	switch (LS_SIZE(insn)) { /* opc sits where size does elsewhere */
	case 0:
		*iss = iss_single(2, true, false, false, false, rt);
		return true;
	case 1:
		*iss = iss_single(3, true, false, true, false, rt);
		return true;
	case 2:
		*iss = iss_single(2, true, true, true, false, rt);
		return true;
	default:
		return false; /* PRFM (literal) */
	}
}

/*
 * Load/store exclusive and ordered (C4.1 "Load/store exclusive", "Load/
 * store ordered"): o2 = 1, o1 = 0 are LDAR/STLR and LDLAR/STLLR, single
 * registers with AR set. o2 = 1, o1 = 1 is CAS (FEAT_LSE); o2 = 0 the
 * exclusives and CASP: ISV = 0. A CAS is an atomic read-modify-write; on a
 * translation fault it is reported as a read (WnR = 0), the read being the
 * access that faults first.
 */
static bool iss_exclusive(uint32_t insn, uint32_t *iss)
{
	bool load = (insn & LS_EXCL_L) != 0;
	bool o1 = (insn & LS_EXCL_O1) != 0;

	if ((insn & LS_EXCL_O2) && !o1) {
		*iss = iss_single(LS_SIZE(insn), load, false,
				  LS_SIZE(insn) == 3, true, LS_RT(insn));
		return true;
	}
	/* CAS (o2 set), and CASP, which shares the pair-exclusive space. */
	if (o1 && ((insn & LS_EXCL_O2) || LS_SIZE(insn) < 2))
		load = true;
	*iss = load ? 0 : ESR_ISS_DABT_WNR;
	return true;
}

/* The imm9 forms with bit 21 clear: LDUR/STUR, LDTR/STTR and writeback. */
static bool iss_imm9(uint32_t insn, uint32_t *iss)
{
	uint32_t tmp;

	if (LS_V(insn)) {
		/* SIMD&FP: opc bit 0 is L (opc<1> selects the Q size). */
		*iss = (LS_OPC(insn) & 1u) ? 0 : ESR_ISS_DABT_WNR;
		return true;
	}
	switch (LS_IDX(insn)) {
	case LS_IDX_UNSCALED:
	case LS_IDX_UNPRIV:
		/* LDUR/STUR and LDTR/STTR: no writeback, a full syndrome. */
		return iss_gpr_opc(insn, false, iss);
	default:
		/* Pre/post-index write the base register back: ISV = 0. */
		if (!iss_gpr_opc(insn, false, &tmp))
			return false;
		*iss = tmp & ESR_ISS_DABT_WNR;
		return true;
	}
}

/*
 * Bit 21 set: register offset (bits [11:10] = 10), atomic memory operations
 * ([11:10] = 00, including LDAPR) and the FEAT_PAuth LDRAA/LDRAB forms
 * ([10] = 1).
 */
static bool iss_regx(uint32_t insn, uint32_t *iss)
{
	if ((insn & LS_LDAPR_MASK) == LS_LDAPR_VAL) {
		*iss = iss_single(LS_SIZE(insn), true, false,
				  LS_SIZE(insn) == 3, true, LS_RT(insn));
		return true;
	}
	if (LS_IDX(insn) == LS_IDX_REGOFF) {
		/* option<1> must be 1 (UXTW, LSL, SXTW, SXTX), C6.2 "LDR
		 * (register)"; anything else is unallocated. */
		if (!((insn >> 13) & 2u))
			return false;
		if (LS_V(insn)) {
			*iss = (LS_OPC(insn) & 1u) ? 0 : ESR_ISS_DABT_WNR;
			return true;
		}
		return iss_gpr_opc(insn, false, iss);
	}
	if (LS_V(insn))
		return false; /* no SIMD&FP atomics or PAC loads */
	/*
	 * Atomics (LD<op>, SWP, ST<op> aliases) read then write: a stage-2
	 * translation fault is taken on the read, WnR = 0. LDRAA/LDRAB are
	 * loads that may write back and need authentication: no syndrome.
	 */
	*iss = 0;
	return true;
}

/*
 * DC instructions by VA can take a stage-2 data abort too (D24.2.40, WnR
 * and CM): DC ZVA, DC GVA and DC GZVA (op1 3, CRm 4) write memory and
 * report like a store, WnR = 1; cache maintenance by VA (op2 1: DC IVAC,
 * CVAC, CVAU, CVAP, CVADP, CIVAC and IC IVAU) reports CM = 1 and WnR = 1.
 * Neither has a syndrome. Set/way operations and AT are not accesses.
 */
static bool iss_dc(uint32_t insn, uint32_t *iss)
{
	unsigned crm = INSN_SYS_CRM(insn), op2 = INSN_SYS_OP2(insn);

	if (INSN_SYS_CRN(insn) != 7)
		return false;
	if (crm == 4 && INSN_SYS_OP1(insn) == 3 &&
	    (op2 == 1 || op2 == 3 || op2 == 4)) {
		*iss = ESR_ISS_DABT_WNR;
		return true;
	}
	if (op2 == 1 && (crm == 5 || crm == 6 || (crm >= 10 && crm <= 14))) {
		*iss = ESR_ISS_DABT_CM | ESR_ISS_DABT_WNR;
		return true;
	}
	return false;
}

bool insn_dabt_iss(uint32_t insn, uint32_t *iss)
{
	uint32_t out = 0;
	bool ok;

	if ((insn & INSN_SYS_MASK) == INSN_SYS_VAL)
		return iss_dc(insn, iss);
	if ((insn & LS_GROUP_MASK) != LS_GROUP_VAL)
		return false;

	if ((insn & LS_UIMM_MASK) == LS_UIMM_VAL) {
		if (LS_V(insn)) {
			out = (LS_OPC(insn) & 1u) ? 0 : ESR_ISS_DABT_WNR;
			ok = true;
		} else {
			ok = iss_gpr_opc(insn, false, &out);
		}
	} else if ((insn & LS_REG9_MASK) == LS_REG9_VAL) {
		ok = iss_imm9(insn, &out);
	} else if ((insn & LS_REGX_MASK) == LS_REGX_VAL) {
		ok = iss_regx(insn, &out);
	} else if ((insn & LS_LITERAL_MASK) == LS_LITERAL_VAL) {
		ok = iss_literal(insn, &out);
	} else if ((insn & LS_EXCL_MASK) == LS_EXCL_VAL) {
		ok = iss_exclusive(insn, &out);
	} else if ((insn & LS_RCPC2_MASK) == LS_RCPC2_VAL) {
		/* LDAPUR/STLUR: same opc table as LDUR/STUR, with AR. */
		ok = iss_gpr_opc(insn, true, &out);
		/* Pairs share the L-bit rule with the rest of the group below;
		 * the branch is kept to name them. */
		/* NOLINTNEXTLINE(bugprone-branch-clone) */
	} else if ((insn & LS_PAIR_MASK) == LS_PAIR_VAL) {
		/* LDP/STP/LDNP/STNP/LDPSW, GPR or SIMD&FP: L is bit 22. */
		out = (insn & LS_PAIR_L) ? 0 : ESR_ISS_DABT_WNR;
		ok = true;
	} else {
		/*
		 * The rest of the group: SIMD structure loads/stores (LD1..
		 * ST4, L at bit 22), memory tagging, LD64B and friends. None
		 * has a syndrome; bit 22 is L for the SIMD structure forms,
		 * the only ones a cell is likely to aim at a device.
		 */
		out = (insn & LS_PAIR_L) ? 0 : ESR_ISS_DABT_WNR;
		ok = true;
	}
	if (ok)
		*iss = out;
	return ok;
}

bool insn_is_hvc(uint32_t insn, uint16_t *imm)
{
	if ((insn & INSN_EXC_MASK) != INSN_HVC_VAL)
		return false;
	*imm = INSN_EXC_IMM(insn);
	return true;
}

bool insn_is_smc(uint32_t insn, uint16_t *imm)
{
	if ((insn & INSN_EXC_MASK) != INSN_SMC_VAL)
		return false;
	*imm = INSN_EXC_IMM(insn);
	return true;
}

bool insn_is_wfx(uint32_t insn, bool *is_wfe)
{
	if (insn != INSN_WFI && insn != INSN_WFE)
		return false;
	*is_wfe = insn == INSN_WFE;
	return true;
}
