/* SPDX-License-Identifier: MIT */
/*
 * hypercall: the SMCCC surface a cell sees (Arm DEN 0028, PSCI DEN 0022)
 * through both conduits, HVC #0 and SMC #0: unknown function IDs, the
 * SMCCC and PSCI versions, PSCI_FEATURES, the pledge entry and HVC
 * immediates that are not SMCCC, register preservation, and finally
 * SYSTEM_OFF, which ends the cell with status 0.
 */
#include "guest.h"

/* SMC32 results are defined in W0 only (DEN 0028 2.6): compare 32 bits
 * for them and all 64 bits for SMC64 calls. */
static uint64_t result_bits(uint64_t fid, uint64_t x0)
{
	return (fid & SMCCC_SMC64) ? x0 : (x0 & 0xffffffffu);
}

static uint64_t want_bits(uint64_t fid, int64_t v)
{
	return result_bits(fid, (uint64_t)v);
}

#define HV_VERSION ((int64_t)(HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR))

static uint64_t call(bool smc, uint64_t fid, uint64_t a1)
{
	return smc ? smc0(fid, a1, 0) : hvc0(fid, a1, 0);
}

/* Checks that `fid` via `smc`/HVC (with x1 = a1) returns `want`. */
static void expect(bool smc, const char *name, uint64_t fid, uint64_t a1,
		   int64_t want)
{
	uint64_t got = result_bits(fid, call(smc, fid, a1));
	uint64_t w = want_bits(fid, want);

	if (got == w) {
		/* Error codes read best in decimal, versions in hex. */
		guest_printf(want < 0 ? "PASS %s %s -> %ld\n"
				      : "PASS %s %s -> 0x%lx\n",
			     smc ? "smc" : "hvc", name, (long)want);
	} else {
		guest_printf("FAIL: %s %s: got 0x%lx, want 0x%lx\n",
			     smc ? "smc" : "hvc", name, got, w);
		guest_count_failure();
	}
}

static const struct {
	const char *name;
	uint32_t fid;
} unknown_ids[] = {
	{"0xc600ffff (hv range, unused)", 0xc600ffffu},
	{"0x86000000 (hv range, SMC32)", 0x86000000u},
	{"0x12345678 (yielding call)", 0x12345678u},
	{"0x8600ffff (SMC32 convention)", 0x8600ffffu},
	{"0xc400ffff (PSCI range, unused)", 0xc400ffffu},
};

static const struct {
	const char *name;
	uint32_t fid;
} psci_implemented[] = {
	{"PSCI_VERSION", PSCI_VERSION},
	{"PSCI_FEATURES", PSCI_FEATURES},
	{"SYSTEM_OFF", PSCI_SYSTEM_OFF},
	{"SYSTEM_RESET", PSCI_SYSTEM_RESET},
};

static void check_conduit(bool smc)
{
	char name[48];
	unsigned i;

	for (i = 0; i < HV_ARRAY_SIZE(unknown_ids); i++)
		expect(smc, unknown_ids[i].name, unknown_ids[i].fid, 0,
		       SMCCC_RET_NOT_SUPPORTED);
	expect(smc, "SMCCC_VERSION", SMCCC_VERSION, 0, SMCCC_VERSION_1_1);
	expect(smc, "PSCI_VERSION", PSCI_VERSION, 0, PSCI_VERSION_1_1);
	for (i = 0; i < HV_ARRAY_SIZE(psci_implemented); i++) {
		/* "PSCI_FEATURES(" + name + ")" without snprintf. */
		const char *p = "PSCI_FEATURES(", *q = psci_implemented[i].name;
		unsigned n = 0;

		while (*p)
			name[n++] = *p++;
		while (*q)
			name[n++] = *q++;
		name[n++] = ')';
		name[n] = '\0';
		expect(smc, name, PSCI_FEATURES, psci_implemented[i].fid,
		       PSCI_RET_SUCCESS);
	}
	expect(smc, "PSCI_FEATURES(0x8400ffff)", PSCI_FEATURES, 0x8400ffffu,
	       PSCI_RET_NOT_SUPPORTED);
	expect(smc, "PSCI_FEATURES(SMCCC_VERSION)", PSCI_FEATURES,
	       SMCCC_VERSION, PSCI_RET_SUCCESS);
	expect(smc, "SMCCC_ARCH_FEATURES(SMCCC_VERSION)", SMCCC_ARCH_FEATURES,
	       SMCCC_VERSION, SMCCC_RET_SUCCESS);
	expect(smc, "SMCCC_ARCH_FEATURES(0x8000ffff)", SMCCC_ARCH_FEATURES,
	       0x8000ffffu, SMCCC_RET_NOT_SUPPORTED);
	/* 2: no Trusted OS, so nothing to migrate (DEN 0022 5.9). */
	expect(smc, "MIGRATE_INFO_TYPE", PSCI_MIGRATE_INFO_TYPE, 0, 2);
	expect(smc, "HV_CALL_VERSION", HV_CALL_VERSION, 0, HV_VERSION);
	/* The function ID is W0 (DEN 0028 2.6): bits 63:32 are ignored. */
	expect(smc, "HV_CALL_VERSION, x0[63:32] set",
	       UINT64_C(0xffffffff00000000) | HV_CALL_VERSION, 0, HV_VERSION);
}

static void check_preserved(bool smc, uint32_t fid, const char *name)
{
	uint64_t x0;
	unsigned bad = smccc_preserve_check(smc, fid, &x0);

	guest_printf("%s %s: x0 = 0x%lx\n", smc ? "smc" : "hvc", name, x0);
	if (bad) {
		guest_printf("FAIL: %u of x4-x17 changed\n", bad);
		guest_count_failure();
	} else {
		guest_puts("PASS x4-x17 preserved\n");
	}
}

int main(void)
{
	uint64_t r;

	guest_puts("hypercall: SMCCC and PSCI through HVC and SMC\n");
	check_conduit(false);
	check_conduit(true);

	/* The pledge entry: x0 = 0 queries (succeeds; the pledge guest checks
	 * the mask), an unknown operation is NOT_SUPPORTED. */
	r = hvc_pledge(0, 0, 0);
	check_eq("hvc #0x4e58 query", r, 0);
	r = hvc_pledge(7, 0, 0);
	check_eq("hvc #0x4e58 with x0=7", r, (uint64_t)SMCCC_RET_NOT_SUPPORTED);
	/* Only #0 (SMCCC) and the pledge immediate are entry points. */
	r = hvc_imm1(HV_CALL_VERSION);
	check_eq("hvc #1 HV_CALL_VERSION", r,
		 (uint64_t)SMCCC_RET_NOT_SUPPORTED);

	check_preserved(false, HV_CALL_VERSION, "HV_CALL_VERSION");
	check_preserved(true, PSCI_VERSION, "PSCI_VERSION");
	check_preserved(false, 0xc600ffffu, "0xc600ffff");

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("hypercall: all checks passed, SYSTEM_OFF\n");
	hvc0(PSCI_SYSTEM_OFF, 0, 0);
	guest_puts("FAIL: SYSTEM_OFF returned\n");
	return 1;
}
