/* SPDX-License-Identifier: MIT */
/*
 * uc_ref: the reference side of the simulator benchmark (bench/sim.py).
 * Runs a benchmark guest image (guests/bench_*.c) in bare Unicorn, set up
 * as hal/sim sets up a vCPU (Cortex-A72, EL1h, DAIF masked, MMU off, FP
 * enabled, RAM at the load IPA through uc_mem_map_ptr), and prints how
 * long the emulation took. No hypervisor, no core: this is what Unicorn
 * itself costs, so hvsim's figures can be put beside it.
 *
 *     uc_ref [--mode MODE] [--ram-mib N] IMAGE.bin
 *
 * MODE (default none):
 *   none      no hooks at all; the first exception (the guest's HVC in
 *             test_exit) ends the run. For compute-bound guests.
 *   trap      the floor of a trap handled inside a hook: one UC_HOOK_INTR
 *             hook answers every HVC (X0 = 0, PC written past it, as
 *             hal/sim's fast path), and the UART page is a uc_mmio_map()
 *             region whose callbacks read 0 and ignore writes. The HVC of
 *             test_exit (X0 = HV_CALL_TEST_EXIT) ends the run.
 *   stop      the floor of a trap that leaves uc_emu_start(): the HVC hook
 *             and an unmapped UART page stop emulation; the loop here
 *             steps over the instruction and starts again. With the empty
 *             memory hook (as hal/sim), without which the PC of a refused
 *             access is not exact.
 *   block     an instruction-counting UC_HOOK_BLOCK hook (insns += size/4)
 *   mem       an empty UC_HOOK_MEM_READ|WRITE hook
 *   blockmem  both: the per-block and per-access costs hal/sim had before
 *             the benchmark work, without the rest of hvsim.
 *   blockinsn block plus UC_HOOK_INSN hooks on MRS and MSR that decline
 *   hooks     every hook hal/sim installs, doing nothing (or as trap)
 *
 * Output, one line on stdout:
 *   uc_ref: mode=MODE wall=SECONDS traps=N insns=N|- end=PC status=ok|ERR
 * wall covers the emulation only (engine set up and image loaded before),
 * as hvsim's --stats wall does. insns is counted only in block modes.
 * Exit status 0 when the run ended at the guest's test_exit HVC.
 */
#define _DEFAULT_SOURCE

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <unicorn/unicorn.h>

#define REF_LOAD_IPA UINT64_C(0x40000000) /* guests/guest.ld */
#define REF_UART_IPA UINT64_C(0x09000000) /* GUEST_UART_BASE */
#define REF_PAGE UINT64_C(0x1000)
#define REF_PSTATE_EL1H_DAIF UINT64_C(0x3c5)
#define REF_SCTLR_EL1 UINT64_C(0x30d00800)
#define REF_CPACR_FPEN (UINT64_C(3) << 20)
#define REF_TEST_EXIT UINT64_C(0xc6000003) /* HV_CALL_TEST_EXIT */
#define REF_EXCP_UDEF 1u
#define REF_HVC_MASK UINT32_C(0xffe0001f)
#define REF_HVC_BITS UINT32_C(0xd4000002)
#define REF_CB(fn) ((void *)(uintptr_t)(fn))

enum ref_mode {
	MODE_NONE,
	MODE_TRAP,
	MODE_STOP,
	MODE_BLOCK,
	MODE_MEM,
	MODE_BLOCKMEM,
	MODE_BLOCKINSN,
	MODE_HOOKS
};

static const char *const mode_names[] = {"none",      "trap", "stop",
					 "block",     "mem",  "blockmem",
					 "blockinsn", "hooks"};

struct ref {
	uc_engine *uc;
	uint8_t *ram;
	uint64_t ram_size;
	enum ref_mode mode;
	uint64_t traps, insns;
	bool ended;	/* the guest's test_exit HVC was reached */
	bool step_over; /* stop mode: resume after the trapping insn */
};

static void die(const char *what, uc_err err)
{
	fprintf(stderr, "uc_ref: %s: %s\n", what, uc_strerror(err));
	exit(2);
}

static uint64_t reg_get(struct ref *r, int reg)
{
	uint64_t v = 0;
	uc_err err = uc_reg_read(r->uc, reg, &v);

	if (err != UC_ERR_OK)
		die("uc_reg_read", err);
	return v;
}

static void reg_set(struct ref *r, int reg, uint64_t v)
{
	uc_err err = uc_reg_write(r->uc, reg, &v);

	if (err != UC_ERR_OK)
		die("uc_reg_write", err);
}

static bool is_hvc_at(const struct ref *r, uint64_t pc)
{
	uint64_t off = pc - REF_LOAD_IPA;
	uint32_t insn;

	if (pc < REF_LOAD_IPA || off + 4 > r->ram_size)
		return false;
	memcpy(&insn, r->ram + off, 4);
	return (insn & REF_HVC_MASK) == REF_HVC_BITS;
}

/* UC_HOOK_INTR: HVC arrives as UNDEF with PC at the HVC. */
static void on_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
	struct ref *r = opaque;
	uint64_t pc = reg_get(r, UC_ARM64_REG_PC);

	if (intno != REF_EXCP_UDEF || !is_hvc_at(r, pc) ||
	    reg_get(r, UC_ARM64_REG_X0) == REF_TEST_EXIT) {
		r->ended = intno == REF_EXCP_UDEF && is_hvc_at(r, pc);
		uc_emu_stop(uc);
		return;
	}
	r->traps++;
	reg_set(r, UC_ARM64_REG_X0, 0); /* HV_CALL_VERSION: 0.0 */
	if (r->mode == MODE_STOP) {
		r->step_over = true;
		uc_emu_stop(uc);
		return;
	}
	reg_set(r, UC_ARM64_REG_PC, pc + 4);
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size,
			     void *opaque)
{
	struct ref *r = opaque;

	(void)uc;
	(void)offset;
	(void)size;
	r->traps++;
	return 0;
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size,
			  uint64_t value, void *opaque)
{
	struct ref *r = opaque;

	(void)uc;
	(void)offset;
	(void)size;
	(void)value;
	r->traps++;
}

/* Stop mode: an access to the (unmapped) UART page ends the run. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr,
			int size, int64_t value, void *opaque)
{
	struct ref *r = opaque;

	(void)type;
	(void)size;
	(void)value;
	if (addr - REF_UART_IPA >= REF_PAGE)
		return false;
	r->traps++;
	r->step_over = true;
	uc_emu_stop(uc);
	return false;
}

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
	struct ref *r = opaque;

	(void)uc;
	(void)addr;
	r->insns += size / 4;
}

static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		   int64_t value, void *opaque)
{
	(void)uc;
	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	(void)opaque;
}

static uint32_t on_sys(uc_engine *uc, uc_arm64_reg reg,
		       const uc_arm64_cp_reg *cp, void *opaque)
{
	(void)uc;
	(void)reg;
	(void)cp;
	(void)opaque;
	return 0; /* not served: Unicorn executes it */
}

static void hook(struct ref *r, int type, void *cb)
{
	uc_hook h;
	uc_err err = uc_hook_add(r->uc, &h, type, cb, r, 1, 0);

	if (err != UC_ERR_OK)
		die("uc_hook_add", err);
}

static void hook_insn(struct ref *r, int insn)
{
	uc_hook h;
	uc_err err = uc_hook_add(r->uc, &h, UC_HOOK_INSN, REF_CB(on_sys), r, 1,
				 0, insn);

	if (err != UC_ERR_OK)
		die("uc_hook_add(INSN)", err);
}

static bool counting(const struct ref *r)
{
	return r->mode == MODE_BLOCK || r->mode == MODE_BLOCKMEM ||
	       r->mode == MODE_BLOCKINSN || r->mode == MODE_HOOKS;
}

static void setup(struct ref *r, const char *image)
{
	uc_arm64_cp_reg sctlr = {.op0 = 3,
				 .op1 = 0,
				 .crn = 1,
				 .crm = 0,
				 .op2 = 0,
				 .val = REF_SCTLR_EL1};
	FILE *f = fopen(image, "rb");
	size_t n;
	uc_err err;

	if (f == NULL) {
		perror(image);
		exit(2);
	}
	r->ram = mmap(NULL, (size_t)r->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->ram == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	n = fread(r->ram, 1, (size_t)r->ram_size, f);
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "uc_ref: %s: empty or unreadable\n", image);
		exit(2);
	}

	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &r->uc);
	if (err != UC_ERR_OK)
		die("uc_open", err);
	err = uc_ctl_set_cpu_model(r->uc, UC_CPU_ARM64_A72);
	if (err != UC_ERR_OK)
		die("uc_ctl_set_cpu_model", err);
	err = uc_mem_map_ptr(r->uc, REF_LOAD_IPA, (size_t)r->ram_size,
			     UC_PROT_ALL, r->ram);
	if (err != UC_ERR_OK)
		die("uc_mem_map_ptr", err);
	if (r->mode == MODE_TRAP)
		err = uc_mmio_map(r->uc, REF_UART_IPA, REF_PAGE, on_mmio_read,
				  r, on_mmio_write, r);
	else if (r->mode != MODE_STOP && r->mode != MODE_HOOKS)
		err = uc_mem_map(r->uc, REF_UART_IPA, REF_PAGE,
				 UC_PROT_READ | UC_PROT_WRITE);
	if (err != UC_ERR_OK)
		die("uart map", err);

	/* Hooks before the first translation, as hal/sim does. */
	if (r->mode == MODE_TRAP || r->mode == MODE_STOP)
		hook(r, UC_HOOK_INTR, REF_CB(on_intr));
	if (r->mode == MODE_STOP)
		hook(r, UC_HOOK_MEM_UNMAPPED, REF_CB(on_unmapped));
	if (r->mode == MODE_HOOKS) {
		hook(r, UC_HOOK_INTR, REF_CB(on_intr));
		hook(r, UC_HOOK_MEM_UNMAPPED, REF_CB(on_unmapped));
		hook(r, UC_HOOK_MEM_PROT, REF_CB(on_unmapped));
	}
	if (counting(r))
		hook(r, UC_HOOK_BLOCK, REF_CB(on_block));
	/* Stop mode needs exact PCs at a refused access, as hal/sim: the
	 * empty memory hook makes Unicorn store the PC of every load/store. */
	if (r->mode == MODE_MEM || r->mode == MODE_BLOCKMEM ||
	    r->mode == MODE_HOOKS || r->mode == MODE_STOP)
		hook(r, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, REF_CB(on_mem));
	if (r->mode == MODE_BLOCKINSN || r->mode == MODE_HOOKS) {
		hook_insn(r, UC_ARM64_INS_MRS);
		hook_insn(r, UC_ARM64_INS_MSR);
	}

	reg_set(r, UC_ARM64_REG_PSTATE, REF_PSTATE_EL1H_DAIF);
	err = uc_reg_write(r->uc, UC_ARM64_REG_CP_REG, &sctlr);
	if (err != UC_ERR_OK)
		die("uc_reg_write(SCTLR_EL1)", err);
	reg_set(r, UC_ARM64_REG_CPACR_EL1, REF_CPACR_FPEN);
	reg_set(r, UC_ARM64_REG_PC, REF_LOAD_IPA);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs to the guest's end. In stop mode every trap returns here. */
static uc_err run(struct ref *r)
{
	uint64_t pc = REF_LOAD_IPA;
	uc_err err;

	for (;;) {
		r->step_over = false;
		err = uc_emu_start(r->uc, pc, UINT64_MAX, 0, 0);
		if (r->ended || !r->step_over)
			break;
		/* Stop mode: Unicorn left PC at the HVC or at the load/store
		 * that faulted; go on after it. */
		pc = reg_get(r, UC_ARM64_REG_PC) + 4;
	}
	if (r->mode != MODE_TRAP && r->mode != MODE_STOP &&
	    r->mode != MODE_HOOKS) {
		/* No interrupt hook: the HVC of test_exit ends the run with
		 * UC_ERR_EXCEPTION, PC at the HVC. */
		uint64_t at = reg_get(r, UC_ARM64_REG_PC);

		r->ended = err == UC_ERR_EXCEPTION && is_hvc_at(r, at) &&
			   reg_get(r, UC_ARM64_REG_X0) == REF_TEST_EXIT;
		if (r->ended)
			err = UC_ERR_OK;
	}
	return err;
}

int main(int argc, char **argv)
{
	struct ref r = {.mode = MODE_NONE, .ram_size = UINT64_C(16) << 20};
	const char *image = NULL;
	double t0, t1;
	uc_err err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
			const char *m = argv[++i];
			unsigned k;

			for (k = 0;
			     k < sizeof(mode_names) / sizeof(*mode_names); k++)
				if (strcmp(m, mode_names[k]) == 0)
					break;
			if (k == sizeof(mode_names) / sizeof(*mode_names)) {
				fprintf(stderr, "uc_ref: unknown mode %s\n", m);
				return 2;
			}
			r.mode = (enum ref_mode)k;
		} else if (strcmp(argv[i], "--ram-mib") == 0 && i + 1 < argc) {
			r.ram_size = strtoull(argv[++i], NULL, 0) << 20;
		} else if (argv[i][0] != '-' && image == NULL) {
			image = argv[i];
		} else {
			fprintf(stderr,
				"usage: uc_ref [--mode none|trap|stop|block|"
				"mem|blockmem] [--ram-mib N] IMAGE.bin\n");
			return 2;
		}
	}
	if (image == NULL || r.ram_size == 0) {
		fprintf(stderr, "uc_ref: no image (see the file comment)\n");
		return 2;
	}
	setup(&r, image);
	t0 = now();
	err = run(&r);
	t1 = now();
	printf("uc_ref: mode=%s wall=%.6f traps=%llu insns=",
	       mode_names[r.mode], t1 - t0, (unsigned long long)r.traps);
	if (counting(&r))
		printf("%llu", (unsigned long long)r.insns);
	else
		printf("-");
	printf(" end=0x%llx status=%s\n",
	       (unsigned long long)reg_get(&r, UC_ARM64_REG_PC),
	       r.ended ? "ok" : uc_strerror(err));
	uc_close(r.uc);
	munmap(r.ram, (size_t)r.ram_size);
	return r.ended ? 0 : 1;
}
