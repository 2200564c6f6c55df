/* SPDX-License-Identifier: MIT */
/*
 * psci: every PSCI 1.1 call of docs/hypercalls.md and its error codes, in
 * a cell of two vCPUs, through HVC #0, SMC32 and SMC64 function IDs alike:
 * PSCI_VERSION, PSCI_FEATURES (implemented and not), MIGRATE_INFO_TYPE,
 * AFFINITY_INFO (ON, OFF, unknown target, level 1), CPU_ON (unknown
 * target, ALREADY_ON, bad entry points, success with a context id, the
 * SMC32 form using the low halves only), CPU_OFF (seen through
 * AFFINITY_INFO, never returns), CPU_SUSPEND standby (returns 0) and
 * powerdown (resumes at the entry point with the context id in x0; a bad
 * entry point is refused), then SYSTEM_RESET (under Cellvisor) and, on
 * the second boot, SYSTEM_OFF, which ends the cell.
 *
 * A reset scrubs the cell's RAM and resets its devices; the guest tells its
 * second boot from its first by the boot count HV_CALL_CELL_INFO returns
 * in X7. On bare QEMU (no Cellvisor) SYSTEM_RESET is skipped.
 *
 * The same binary runs on bare QEMU at EL1 (PSCI from QEMU, no Cellvisor).
 * Where QEMU's PSCI legitimately differs from docs/hypercalls.md (level 1
 * AFFINITY_INFO, bad entry points, powerdown treated as standby) the check
 * prints "SKIP" there instead of failing; on Cellvisor every check counts.
 */
#include "gic.h"
#include "guest.h"

#define SGI_WAKE 1u
#define POWERDOWN (UINT64_C(1) << 16) /* power_state.StateType */
#define HIGH_JUNK UINT64_C(0xdead00a500000000)
#define CTX1 UINT64_C(0x1122334455667788)
#define CTX2 UINT64_C(0x0000000087654321)
#define CTX_PD64 UINT64_C(0x123456789abcdef0)
#define CTX_PD32 UINT64_C(0x00000000cafe5678)
#define WAIT_MAX \
	200000000u /* generous: a loaded host may not schedule a sibling vCPU for a while */

#define AFF_ON 0
#define AFF_OFF 1

static bool hv;

/* Written by vCPU 1 only (see smp.c for the rules). */
static struct {
	volatile uint32_t boots;  /* times secondary_main ran */
	volatile uint32_t ctx_lo; /* x0 at entry, low half */
	volatile uint32_t ctx_hi; /*   and high half */
	volatile uint32_t off_returned;
	/* Written by vCPU 0 only: vCPU 1 may turn off once release reaches
	 * its boot count (so it cannot be off again before vCPU 0 looked). */
	volatile uint32_t release;
} shared;

void secondary_main(uint64_t context)
{
	if (guest_cpu_id() != 1)
		return;
	shared_write(&shared.ctx_lo, (uint32_t)context);
	shared_write(&shared.ctx_hi, (uint32_t)(context >> 32));
	shared_write(&shared.boots, shared.boots + 1);
	for (unsigned i = 0; i < WAIT_MAX; i++)
		if (shared_read(&shared.release) >= shared.boots)
			break;
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	shared_write(&shared.off_returned, 1);
}

/*
 * Prints "PASS what -> got" or "FAIL: what: got G, want W"; a mismatch in
 * a check marked hv_only is a "SKIP" without Cellvisor.
 */
static void expect(const char *what, int64_t got, int64_t want, bool hv_only)
{
	if (got == want) {
		guest_printf("PASS %s -> %ld\n", what, (long)got);
	} else if (hv_only && !hv) {
		guest_printf("SKIP %s: got %ld, want %ld (bare QEMU's PSCI)\n",
			     what, (long)got, (long)want);
	} else {
		guest_printf("FAIL: %s: got %ld, want %ld\n", what, (long)got,
			     (long)want);
		guest_count_failure();
	}
}

/* A call whose mere attempt is unsafe without Cellvisor (QEMU's PSCI
 * would start a CPU at, or wait forever for, a bad entry point). */
static void skip_bare(const char *what)
{
	guest_printf("SKIP %s: not tried on bare QEMU\n", what);
}

static const struct {
	const char *name;
	uint32_t fid;
	int64_t want;
} features[] = {
	{"PSCI_VERSION", PSCI_VERSION, 0},
	{"CPU_SUSPEND_32", PSCI_CPU_SUSPEND_32, 0},
	{"CPU_SUSPEND_64", PSCI_CPU_SUSPEND_64, 0},
	{"CPU_OFF", PSCI_CPU_OFF, 0},
	{"CPU_ON_32", PSCI_CPU_ON_32, 0},
	{"CPU_ON_64", PSCI_CPU_ON_64, 0},
	{"AFFINITY_INFO_32", PSCI_AFFINITY_INFO_32, 0},
	{"AFFINITY_INFO_64", PSCI_AFFINITY_INFO_64, 0},
	{"MIGRATE_INFO_TYPE", PSCI_MIGRATE_INFO_TYPE, 0},
	{"SYSTEM_OFF", PSCI_SYSTEM_OFF, 0},
	{"SYSTEM_RESET", PSCI_SYSTEM_RESET, 0},
	{"PSCI_FEATURES", PSCI_FEATURES, 0},
	/* Optional PSCI 1.x functions Cellvisor does not implement. */
	{"MIGRATE_32", 0x84000005u, -1},
	{"MIGRATE_64", 0xc4000005u, -1},
	{"MIGRATE_INFO_UP_CPU_64", 0xc4000007u, -1},
	{"CPU_FREEZE", 0x8400000bu, -1},
	{"CPU_DEFAULT_SUSPEND_64", 0xc400000cu, -1},
	{"NODE_HW_STATE_64", 0xc400000du, -1},
	{"SYSTEM_SUSPEND_64", 0xc400000eu, -1},
	{"PSCI_SET_SUSPEND_MODE", 0x8400000fu, -1},
	{"PSCI_STAT_RESIDENCY_64", 0xc4000010u, -1},
	{"PSCI_STAT_COUNT_64", 0xc4000011u, -1},
	{"SYSTEM_RESET2_64", 0xc4000012u, -1},
	{"MEM_PROTECT", 0x84000013u, -1},
	{"0x8400001f (unassigned)", 0x8400001fu, -1},
};

static void check_info(void)
{
	char name[64];

	guest_printf("PSCI_VERSION: 0x%lx\n",
		     (uint64_t)psci_call(PSCI_VERSION, 0, 0, 0));
	check_eq("PSCI_VERSION is 1.1",
		 (uint64_t)psci_call(PSCI_VERSION, 0, 0, 0), 0x10001);
	for (unsigned i = 0; i < HV_ARRAY_SIZE(features); i++) {
		const char *p = "PSCI_FEATURES(", *q = features[i].name;
		unsigned n = 0;

		while (*p)
			name[n++] = *p++;
		while (*q)
			name[n++] = *q++;
		name[n++] = ')';
		name[n] = '\0';
		expect(name, psci_call(PSCI_FEATURES, features[i].fid, 0, 0),
		       features[i].want, false);
	}
	expect("MIGRATE_INFO_TYPE", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0),
	       2, false);
}

static void check_affinity(void)
{
	expect("AFFINITY_INFO_64(vCPU 0)",
	       psci_call(PSCI_AFFINITY_INFO_64, 0, 0, 0), AFF_ON, false);
	expect("AFFINITY_INFO_32(vCPU 0)",
	       psci_call(PSCI_AFFINITY_INFO_32, 0, 0, 0), AFF_ON, false);
	expect("AFFINITY_INFO_64(vCPU 1, off)",
	       psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_OFF, false);
	expect("AFFINITY_INFO_32(vCPU 1, off)",
	       psci_call(PSCI_AFFINITY_INFO_32, 1, 0, 0), AFF_OFF, false);
	expect("AFFINITY_INFO_64(MPIDR 7, no such vCPU)",
	       psci_call(PSCI_AFFINITY_INFO_64, 7, 0, 0),
	       PSCI_RET_INVALID_PARAMETERS, false);
	expect("AFFINITY_INFO_64(MPIDR Aff1 = 1)",
	       psci_call(PSCI_AFFINITY_INFO_64, 0x100, 0, 0),
	       PSCI_RET_INVALID_PARAMETERS, false);
	expect("AFFINITY_INFO_64(vCPU 0, level 1)",
	       psci_call(PSCI_AFFINITY_INFO_64, 0, 1, 0),
	       PSCI_RET_INVALID_PARAMETERS, true);
	/* SMC32: only the low halves of the arguments count. */
	expect("AFFINITY_INFO_32(junk:vCPU 1, junk:level 0)",
	       psci_call(PSCI_AFFINITY_INFO_32, HIGH_JUNK | 1, HIGH_JUNK, 0),
	       AFF_OFF, true);
}

static bool wait_boots(uint32_t n)
{
	for (unsigned i = 0; i < WAIT_MAX; i++)
		if (shared_read(&shared.boots) >= n)
			return true;
	return false;
}

static bool wait_off(unsigned k)
{
	for (unsigned i = 0; i < WAIT_MAX; i++)
		if (psci_call(PSCI_AFFINITY_INFO_64, k, 0, 0) == AFF_OFF)
			return true;
	return false;
}

static uint64_t shared_ctx(void)
{
	return (uint64_t)shared_read(&shared.ctx_hi) << 32 |
	       shared_read(&shared.ctx_lo);
}

static void check_cpu_on(void)
{
	uint64_t entry = (uint64_t)_secondary_entry;
	int64_t r;

	expect("CPU_ON_64(MPIDR 7, no such vCPU)",
	       psci_call(PSCI_CPU_ON_64, 7, entry, 0),
	       PSCI_RET_INVALID_PARAMETERS, false);
	expect("CPU_ON_64(vCPU 0, itself)",
	       psci_call(PSCI_CPU_ON_64, 0, entry, 0), PSCI_RET_ALREADY_ON,
	       false);
	expect("CPU_ON_32(vCPU 0, itself)",
	       psci_call(PSCI_CPU_ON_32, 0, entry, 0), PSCI_RET_ALREADY_ON,
	       false);
	if (hv) {
		expect("CPU_ON_64(vCPU 1, entry not 4-byte aligned)",
		       psci_call(PSCI_CPU_ON_64, 1, entry + 2, 0),
		       PSCI_RET_INVALID_ADDRESS, false);
		expect("CPU_ON_64(vCPU 1, entry outside the cell's RAM)",
		       psci_call(PSCI_CPU_ON_64, 1, 0x0a000000, 0),
		       PSCI_RET_INVALID_ADDRESS, false);
		expect("CPU_ON_64(vCPU 1, entry past the end of RAM)",
		       psci_call(PSCI_CPU_ON_64, 1, 0x41000000, 0),
		       PSCI_RET_INVALID_ADDRESS, false);
		expect("AFFINITY_INFO_64(vCPU 1) after refused CPU_ONs",
		       psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_OFF,
		       false);
	} else {
		skip_bare("CPU_ON with bad entry points");
	}

	/* SMC64: all 64 bits of the context id arrive in x0. */
	expect("CPU_ON_64(vCPU 1)", psci_call(PSCI_CPU_ON_64, 1, entry, CTX1),
	       PSCI_RET_SUCCESS, false);
	/* Right after: ON_PENDING or already ON, depending on timing. QEMU
	 * 7.2's PSCI accepts a second CPU_ON while the first is still queued
	 * (and starts the CPU twice): there, ask only once it runs. */
	if (!hv)
		wait_boots(1);
	r = psci_call(PSCI_CPU_ON_64, 1, entry, CTX1);
	if (r == PSCI_RET_ALREADY_ON || r == PSCI_RET_ON_PENDING) {
		guest_puts("PASS CPU_ON_64(vCPU 1) again -> ALREADY_ON or "
			   "ON_PENDING\n");
	} else {
		guest_printf("FAIL: CPU_ON_64(vCPU 1) again: got %ld, want -4 "
			     "or -5\n",
			     (long)r);
		guest_count_failure();
	}
	check(wait_boots(1), "vCPU 1 started");
	check_eq("vCPU 1 x0 at entry (context id)", shared_ctx(), CTX1);
	expect("AFFINITY_INFO_64(vCPU 1, running)",
	       psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_ON, false);
	shared_write(&shared.release, 1);
	check(wait_off(1), "vCPU 1 CPU_OFF: AFFINITY_INFO reads OFF");

	/* SMC32: target, entry and context are the low halves. */
	expect("CPU_ON_32(junk:vCPU 1, junk:entry, junk:context)",
	       psci_call(PSCI_CPU_ON_32, HIGH_JUNK | 1, HIGH_JUNK | entry,
			 HIGH_JUNK | CTX2),
	       PSCI_RET_SUCCESS, true);
	if (shared_read(&shared.boots) == 1 &&
	    psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0) == AFF_OFF && !hv) {
		/* QEMU took the junk as part of the MPIDR: start it plainly. */
		psci_call(PSCI_CPU_ON_32, 1, entry, CTX2);
	}
	check(wait_boots(2), "vCPU 1 started again");
	check_eq("vCPU 1 x0 at entry (SMC32 context id)", shared_ctx(), CTX2);
	expect("AFFINITY_INFO_32(vCPU 1, running)",
	       psci_call(PSCI_AFFINITY_INFO_32, 1, 0, 0), AFF_ON, false);
	shared_write(&shared.release, 2);
	check(wait_off(1), "vCPU 1 CPU_OFF again: AFFINITY_INFO reads OFF");
	check(!shared_read(&shared.off_returned), "CPU_OFF never returned");
}

/* An SGI to itself while PSTATE.I is set: the wake-up event a suspend
 * needs (WFI semantics: a pending interrupt wakes even when masked). */
static void pend_wake(void)
{
	gic_send_sgi(SGI_WAKE, guest_cpu_id());
}

static void drain_wake(const char *what)
{
	uint32_t id = gic_ack_poll();

	if (id == SGI_WAKE)
		gic_eoi(id);
	check(id == SGI_WAKE, what);
}

static void check_suspend(void)
{
	uint64_t rd;
	int64_t r;

	check(gic_dist_init(), "GIC distributor enabled");
	rd = gic_redist_find(NULL);
	check(rd != 0 && gic_redist_init(rd, 0xa0),
	      "redistributor of vCPU 0 set up");
	if (rd == 0)
		rd = GICR_BASE;
	gic_enable(rd, SGI_WAKE);
	gic_cpu_init();
	irq_mask();

	pend_wake();
	expect("CPU_SUSPEND_64(standby), SGI pending",
	       psci_call(PSCI_CPU_SUSPEND_64, 0, 0, 0), PSCI_RET_SUCCESS,
	       false);
	drain_wake("  ... the SGI is still pending afterwards");
	pend_wake();
	expect("CPU_SUSPEND_32(standby), SGI pending",
	       psci_call(PSCI_CPU_SUSPEND_32, 0, 0, 0), PSCI_RET_SUCCESS,
	       false);
	drain_wake("  ... the SGI is still pending afterwards");

	if (hv) {
		pend_wake();
		expect("CPU_SUSPEND_64(powerdown, entry not 4-byte aligned)",
		       psci_call(PSCI_CPU_SUSPEND_64, POWERDOWN,
				 (uint64_t)guest_suspend_resume + 2, 0),
		       PSCI_RET_INVALID_ADDRESS, false);
		expect("CPU_SUSPEND_64(powerdown, entry outside the cell's "
		       "RAM)",
		       psci_call(PSCI_CPU_SUSPEND_64, POWERDOWN, 0x0a000000, 0),
		       PSCI_RET_INVALID_ADDRESS, false);
		drain_wake("  ... the SGI is still pending afterwards");
	} else {
		skip_bare("CPU_SUSPEND(powerdown) with bad entry points");
	}

	/* Powerdown: resumes at the entry point, x0 = context id, with the
	 * CPU interface to set up again (its state is lost). */
	pend_wake();
	guest_resume_x0 = 0;
	r = guest_suspend_powerdown(PSCI_CPU_SUSPEND_64, POWERDOWN, 0,
				    CTX_PD64);
	gic_cpu_init();
	expect("CPU_SUSPEND_64(powerdown): resumed at the entry point (1)", r,
	       GUEST_SUSPEND_RESUMED, true);
	if (r == GUEST_SUSPEND_RESUMED)
		check_eq("  ... x0 = context id", guest_resume_x0, CTX_PD64);
	drain_wake("  ... the SGI is still pending afterwards");

	pend_wake();
	guest_resume_x0 = 0;
	r = guest_suspend_powerdown(PSCI_CPU_SUSPEND_32, POWERDOWN,
				    HIGH_JUNK | (uint64_t)guest_suspend_resume,
				    HIGH_JUNK | CTX_PD32);
	gic_cpu_init();
	expect("CPU_SUSPEND_32(powerdown, junk:entry, junk:context): "
	       "resumed (1)",
	       r, GUEST_SUSPEND_RESUMED, true);
	if (r == GUEST_SUSPEND_RESUMED)
		check_eq("  ... x0 = low half of the context id",
			 guest_resume_x0, CTX_PD32);
	drain_wake("  ... the SGI is still pending afterwards");
	expect("AFFINITY_INFO_64(vCPU 0) after suspends",
	       psci_call(PSCI_AFFINITY_INFO_64, 0, 0, 0), AFF_ON, false);
}

/*
 * SYSTEM_RESET restarts the cell from its image with scrubbed RAM, so the
 * only memory of the first boot is the boot count CELL_INFO reports (X7):
 * boot 1 runs every check and resets; boot 2 checks it really restarted
 * and powers off.
 */
static uint64_t boot_count(void)
{
	return smccc_hvc(HV_CALL_CELL_INFO, 0, 0, 0, 0, 0, 0).x[7];
}

int main(void)
{
	hv = guest_hv_present();
	if (hv && boot_count() == 2) {
		guest_puts("psci: second boot after SYSTEM_RESET\n");
		check_eq("vCPU 1 is off after the reset",
			 psci_call(PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_OFF);
		if (guest_fail_count())
			return 1;
		guest_puts("psci: all checks passed, SYSTEM_OFF\n");
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
		guest_puts("FAIL: SYSTEM_OFF returned\n");
		return 1;
	}
	guest_puts("psci: PSCI 1.1 calls and error codes, 2 vCPUs\n");
	check_eq("running on vCPU (MPIDR Aff0)", guest_cpu_id(), 0);
	check_info();
	check_affinity();
	check_cpu_on();
	check_suspend();

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	if (hv) {
		guest_puts("psci: first boot passed, SYSTEM_RESET\n");
		psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
		guest_puts("FAIL: SYSTEM_RESET returned\n");
		return 1;
	}
	guest_puts("psci: all checks passed, SYSTEM_OFF\n");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	guest_puts("FAIL: SYSTEM_OFF returned\n");
	return 1;
}
