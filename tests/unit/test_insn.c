/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for insn.c: data-abort syndromes built from real A64
 * encodings (assembled with aarch64-linux-gnu-as, words read back with
 * objdump) and the HVC/SMC/WFx recognisers.
 */
#include <check.h>
#include <stdlib.h>

#include <hv/arm64/esr.h>
#include <hv/insn.h>
#include "check_run.h"

/* The ISS an ISV = 1 access reports; s = SAS (log2 bytes). */
#define ISS1(s, sse, srt, sf, ar, wnr)                                  \
	(ESR_ISS_DABT_ISV | ((uint32_t)(s) << ESR_ISS_DABT_SAS_SHIFT) | \
	 ((sse) ? ESR_ISS_DABT_SSE : 0) |                               \
	 ((uint32_t)(srt) << ESR_ISS_DABT_SRT_SHIFT) |                  \
	 ((sf) ? ESR_ISS_DABT_SF : 0) | ((ar) ? ESR_ISS_DABT_AR : 0) |  \
	 ((wnr) ? ESR_ISS_DABT_WNR : 0))
/* ISV = 0: only WnR (and CM for cache maintenance) is meaningful. */
#define ISS_LOAD0 UINT32_C(0)
#define ISS_STORE0 ESR_ISS_DABT_WNR

struct iss_case {
	uint32_t insn;
	const char *text;
	uint32_t iss;
};

/* ISV = 1: single GPR transfers without writeback. */
static const struct iss_case isv1_cases[] = {
	/* unsigned immediate, every size, loads and stores */
	{0x39400041, "ldrb w1, [x2]", ISS1(0, 0, 1, 0, 0, 0)},
	{0x79400483, "ldrh w3, [x4, #2]", ISS1(1, 0, 3, 0, 0, 0)},
	{0xb94004c5, "ldr w5, [x6, #4]", ISS1(2, 0, 5, 0, 0, 0)},
	{0xf9400507, "ldr x7, [x8, #8]", ISS1(3, 0, 7, 1, 0, 0)},
	{0x39000149, "strb w9, [x10]", ISS1(0, 0, 9, 0, 0, 1)},
	{0x7900018b, "strh w11, [x12]", ISS1(1, 0, 11, 0, 0, 1)},
	{0xb90001cd, "str w13, [x14]", ISS1(2, 0, 13, 0, 0, 1)},
	{0xf900020f, "str x15, [x16]", ISS1(3, 0, 15, 1, 0, 1)},
	/* sign-extending loads to W and to X */
	{0x39c00251, "ldrsb w17, [x18]", ISS1(0, 1, 17, 0, 0, 0)},
	{0x39800293, "ldrsb x19, [x20]", ISS1(0, 1, 19, 1, 0, 0)},
	{0x79c002d5, "ldrsh w21, [x22]", ISS1(1, 1, 21, 0, 0, 0)},
	{0x79800317, "ldrsh x23, [x24]", ISS1(1, 1, 23, 1, 0, 0)},
	{0xb9800359, "ldrsw x25, [x26]", ISS1(2, 1, 25, 1, 0, 0)},
	/* XZR as the transfer register */
	{0xb940001f, "ldr wzr, [x0]", ISS1(2, 0, 31, 0, 0, 0)},
	{0xf900003f, "str xzr, [x1]", ISS1(3, 0, 31, 1, 0, 1)},
	{0xb900003f, "str wzr, [x1]", ISS1(2, 0, 31, 0, 0, 1)},
	/* register offset */
	{0xf8626820, "ldr x0, [x1, x2]", ISS1(3, 0, 0, 1, 0, 0)},
	{0xb8655883, "ldr w3, [x4, w5, uxtw #2]", ISS1(2, 0, 3, 0, 0, 0)},
	{0x382868e6, "strb w6, [x7, x8]", ISS1(0, 0, 6, 0, 0, 1)},
	{0x78ab7949, "ldrsh x9, [x10, x11, lsl #1]", ISS1(1, 1, 9, 1, 0, 0)},
	/* unscaled immediate */
	{0xf85f8041, "ldur x1, [x2, #-8]", ISS1(3, 0, 1, 1, 0, 0)},
	{0xb8003083, "stur w3, [x4, #3]", ISS1(2, 0, 3, 0, 0, 1)},
	{0x38dff0c5, "ldursb w5, [x6, #-1]", ISS1(0, 1, 5, 0, 0, 0)},
	{0x78001107, "sturh w7, [x8, #1]", ISS1(1, 0, 7, 0, 0, 1)},
	/* load-acquire / store-release: AR = 1 */
	{0x88dffc41, "ldar w1, [x2]", ISS1(2, 0, 1, 0, 1, 0)},
	{0xc8dffc83, "ldar x3, [x4]", ISS1(3, 0, 3, 1, 1, 0)},
	{0x889ffcc5, "stlr w5, [x6]", ISS1(2, 0, 5, 0, 1, 1)},
	{0xc89ffd07, "stlr x7, [x8]", ISS1(3, 0, 7, 1, 1, 1)},
	{0x08dffd49, "ldarb w9, [x10]", ISS1(0, 0, 9, 0, 1, 0)},
	{0x489ffd8b, "stlrh w11, [x12]", ISS1(1, 0, 11, 0, 1, 1)},
	{0xf8bfc1cd, "ldapr x13, [x14]", ISS1(3, 0, 13, 1, 1, 0)},
	{0xb8bfc20f, "ldapr w15, [x16]", ISS1(2, 0, 15, 0, 1, 0)},
	{0x38bfc251, "ldaprb w17, [x18]", ISS1(0, 0, 17, 0, 1, 0)},
	{0x99404041, "ldapur w1, [x2, #4]", ISS1(2, 0, 1, 0, 1, 0)},
	{0xd91f8083, "stlur x3, [x4, #-8]", ISS1(3, 0, 3, 1, 1, 1)},
	{0x198000c5, "ldapursb x5, [x6]", ISS1(0, 1, 5, 1, 1, 0)},
	/* unprivileged */
	{0xf8400841, "ldtr x1, [x2]", ISS1(3, 0, 1, 1, 0, 0)},
	{0x38000883, "sttrb w3, [x4]", ISS1(0, 0, 3, 0, 0, 1)},
	{0xb88008c5, "ldtrsw x5, [x6]", ISS1(2, 1, 5, 1, 0, 0)},
	/* literal */
	{0x580004e1, "ldr x1, lit", ISS1(3, 0, 1, 1, 0, 0)},
	{0x180004c2, "ldr w2, lit", ISS1(2, 0, 2, 0, 0, 0)},
	{0x980004a3, "ldrsw x3, lit", ISS1(2, 1, 3, 1, 0, 0)},
};

/* ISV = 0: the CPU cannot describe these; WnR still says the direction. */
static const struct iss_case isv0_cases[] = {
	{0xa9400861, "ldp x1, x2, [x3]", ISS_LOAD0},
	{0x29000861, "stp w1, w2, [x3]", ISS_STORE0},
	{0xf8008441, "str x1, [x2], #8", ISS_STORE0},
	{0xf8408c41, "ldr x1, [x2, #8]!", ISS_LOAD0},
	{0x38401441, "ldrb w1, [x2], #1", ISS_LOAD0},
	{0xc85f7c41, "ldxr x1, [x2]", ISS_LOAD0},
	{0xc8037ca4, "stxr w3, x4, [x5]", ISS_STORE0},
	{0x885ffc41, "ldaxr w1, [x2]", ISS_LOAD0},
	{0x8801fc62, "stlxr w1, w2, [x3]", ISS_STORE0},
	{0xc87f0861, "ldxp x1, x2, [x3]", ISS_LOAD0},
	{0xc8210c82, "stxp w1, x2, x3, [x4]", ISS_STORE0},
	/* atomics fault on their read first (translation fault): WnR = 0 */
	{0xf8210062, "ldadd x1, x2, [x3]", ISS_LOAD0},
	{0xb8218062, "swp w1, w2, [x3]", ISS_LOAD0},
	{0xc8a17c62, "cas x1, x2, [x3]", ISS_LOAD0},
	{0xb821005f, "stadd w1, [x2]", ISS_LOAD0},
	/* SIMD&FP */
	{0x3dc00020, "ldr q0, [x1]", ISS_LOAD0},
	{0x3d800020, "str q0, [x1]", ISS_STORE0},
	{0xfd400441, "ldr d1, [x2, #8]", ISS_LOAD0},
	{0xbc246862, "str s2, [x3, x4]", ISS_STORE0},
	{0x3c401083, "ldur b3, [x4, #1]", ISS_LOAD0},
	{0x4c407820, "ld1 {v0.4s}, [x1]", ISS_LOAD0},
	{0x4c007820, "st1 {v0.4s}, [x1]", ISS_STORE0},
	{0x9c000100, "ldr q0, lit", ISS_LOAD0},
	/* CASP compares then writes: reported as a read */
	{0x48207c82, "casp x0, x1, x2, x3, [x4]", ISS_LOAD0},
	/* DC ZVA / DC GVA write memory like a store */
	{0xd50b7421, "dc zva, x1", ISS_STORE0},
	{0xd50b7461, "dc gva, x1", ISS_STORE0},
	/* cache maintenance by VA: CM = 1, WnR = 1 */
	{0xd50b7e21, "dc civac, x1", ESR_ISS_DABT_CM | ESR_ISS_DABT_WNR},
	{0xd5087623, "dc ivac, x3", ESR_ISS_DABT_CM | ESR_ISS_DABT_WNR},
	{0xd50b7522, "ic ivau, x2", ESR_ISS_DABT_CM | ESR_ISS_DABT_WNR},
};

/* Not memory accesses (or hints that never fault). */
static const uint32_t not_ls[] = {
	0xd503201f, /* nop */
	0x8b030041, /* add x1, x2, x3 */
	0x14000000, /* b . */
	0xd4000002, /* hvc #0 */
	0xd503207f, /* wfi */
	0xf9800020, /* prfm pldl1keep, [x1] */
	0xd5087e41, /* dc cisw, x1 (set/way: no address) */
	0xd5033f9f, /* dsb sy */
	0xd80000e0, /* prfm pldl1keep, lit */
	0xd508871f, /* tlbi vmalle1 */
	0xd508751f, /* ic iallu (no address) */
};

/* Every single-register GPR access without writeback yields exactly the
 * ISV = 1 syndrome (SAS, SSE, SRT, SF, AR, WnR) the CPU would report. */
START_TEST(test_isv1_table)
{
	const struct iss_case *c = &isv1_cases[_i];
	uint32_t iss = 0xdeadbeef;

	ck_assert_msg(insn_dabt_iss(c->insn, &iss), "%s not a load/store",
		      c->text);
	ck_assert_msg(iss == c->iss, "%s: iss 0x%x, want 0x%x", c->text,
		      (unsigned)iss, (unsigned)c->iss);
}
END_TEST

/* Pairs, writeback, exclusives, atomics, SIMD&FP and DC ZVA report ISV = 0
 * with only the direction (WnR, CM) set. */
START_TEST(test_isv0_table)
{
	const struct iss_case *c = &isv0_cases[_i];
	uint32_t iss = 0xdeadbeef;

	ck_assert_msg(insn_dabt_iss(c->insn, &iss), "%s not a load/store",
		      c->text);
	ck_assert_msg(iss == c->iss, "%s: iss 0x%x, want 0x%x", c->text,
		      (unsigned)iss, (unsigned)c->iss);
	ck_assert(!(iss & ESR_ISS_DABT_ISV));
}
END_TEST

/* Instructions that do not access memory return false and leave *iss. */
START_TEST(test_not_load_store)
{
	uint32_t iss = 0x1234;

	ck_assert_msg(!insn_dabt_iss(not_ls[_i], &iss), "0x%08x accepted",
		      (unsigned)not_ls[_i]);
	ck_assert_uint_eq(iss, 0x1234);
}
END_TEST

/* Unallocated load/store encodings (they UNDEF, never abort) are refused:
 * LDR register offset with option<1> = 0, opc = 11 with size = 10. */
START_TEST(test_unallocated)
{
	uint32_t iss = 0;

	/* ldr x0, [x1, x2] with option 011 -> 001 (0xf8626820 & ~0x4000) */
	ck_assert(!insn_dabt_iss(0xf8622820, &iss));
	/* ldrsw-style opc 11, size 10, unsigned immediate */
	ck_assert(!insn_dabt_iss(0xb9c00020, &iss));
	/* size 11 opc 10 with writeback: no PRFM form, unallocated */
	ck_assert(!insn_dabt_iss(0xf8808c41, &iss));
	/* SIMD&FP in the atomic space */
	ck_assert(!insn_dabt_iss(0xfc210062, &iss));
}
END_TEST

/* HVC and SMC are recognised with their 16-bit immediate, and not each
 * other or anything else. */
START_TEST(test_hvc_smc)
{
	uint16_t imm = 0;

	ck_assert(insn_is_hvc(0xd4000002, &imm));
	ck_assert_uint_eq(imm, 0);
	ck_assert(insn_is_hvc(0xd409cb02, &imm));
	ck_assert_uint_eq(imm, 0x4e58);
	ck_assert(!insn_is_hvc(0xd4000003, &imm));
	ck_assert(!insn_is_hvc(0xd4000001, &imm)); /* svc #0 */
	ck_assert(!insn_is_hvc(0xd503201f, &imm));

	imm = 1;
	ck_assert(insn_is_smc(0xd4000003, &imm));
	ck_assert_uint_eq(imm, 0);
	ck_assert(insn_is_smc(0xd41fffe3, &imm));
	ck_assert_uint_eq(imm, 0xffff);
	ck_assert(!insn_is_smc(0xd4000002, &imm));
	ck_assert(!insn_is_smc(0xd4200003, &imm)); /* brk-space bits */
}
END_TEST

/* WFI and WFE are recognised and told apart; NOP, YIELD and SEV are not
 * WFx. */
START_TEST(test_wfx)
{
	bool wfe = true;

	ck_assert(insn_is_wfx(0xd503207f, &wfe));
	ck_assert(!wfe);
	ck_assert(insn_is_wfx(0xd503205f, &wfe));
	ck_assert(wfe);
	ck_assert(!insn_is_wfx(0xd503201f, &wfe)); /* nop */
	ck_assert(!insn_is_wfx(0xd503203f, &wfe)); /* yield */
	ck_assert(!insn_is_wfx(0xd503209f, &wfe)); /* sev */
}
END_TEST

static Suite *insn_suite(void)
{
	Suite *s = suite_create("insn");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_isv1_table, 0,
			    (int)(sizeof(isv1_cases) / sizeof(isv1_cases[0])));
	tcase_add_loop_test(tc, test_isv0_table, 0,
			    (int)(sizeof(isv0_cases) / sizeof(isv0_cases[0])));
	tcase_add_loop_test(tc, test_not_load_store, 0,
			    (int)(sizeof(not_ls) / sizeof(not_ls[0])));
	tcase_add_test(tc, test_unallocated);
	tcase_add_test(tc, test_hvc_smc);
	tcase_add_test(tc, test_wfx);
	suite_add_tcase(s, tc);
	return s;
}

int main(void);

int main(void)
{
	return check_run(insn_suite());
}
