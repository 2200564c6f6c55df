/* SPDX-License-Identifier: MIT */
/*
 * The simulator HAL, vCPU half: one Unicorn engine per vCPU runs the guest
 * at EL1/EL0, and the hooks below turn what the guest does into the exits
 * EL2 hardware would take (docs/simulator.md has the full table).
 *
 * Unicorn's "physical" address space stands for the cell's IPA space.
 * Nothing is mapped up front: the first access to a page faults into
 * on_unmapped(), which walks the cell's real stage-2 tables and maps the
 * whole leaf (pointing into simulated RAM) or synthesizes the stage-2
 * abort. TLB invalidation unmaps again, so later accesses re-walk.
 *
 * Unicorn quirks this file depends on (Unicorn 2.0.1, measured; see
 * docs/simulator.md):
 *  - PC is stale inside memory hooks unless a UC_HOOK_MEM_READ/WRITE hook
 *    exists when the code is translated; then every load/store first
 *    stores its own PC. We install such a hook (empty) for exact abort PCs.
 *  - Writing PC from a hook makes Unicorn leave the translation block and
 *    continue; that restart clears a uc_emu_stop() made in the same
 *    hook. So a hook that stops never writes PC: the PC the core chose is
 *    kept in sim_vcpu.pc and written after uc_emu_start() returns.
 *  - The block hook runs before the block's exit-request check, so
 *    uc_emu_stop() there stops *before* the block executes.
 *
 * Host code, single-threaded: hvsim runs one vCPU at a time.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>
#include <hv/arm64/esr.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/sysreg.h>
#include <hv/cell.h>
#include <hv/hv.h>
#include <hv/insn.h>
#include <hv/stage2.h>
#include <hv/vcpuif.h>
#include <hv/vtimer.h>

/* PSTATE on reset: EL1h, D, A, I and F masked (Arm ARM D1.6). */
#define SIM_PSTATE_RESET UINT64_C(0x3c5)
#define SIM_PSTATE_M_MASK UINT64_C(0xf)
#define SIM_PSTATE_EL1H UINT64_C(0x5)
/* SCTLR_EL1 after reset: the Armv8.0 RES1 bits, MMU and caches off. */
#define SIM_SCTLR_EL1_RESET UINT64_C(0x30d00800)
/* CPACR_EL1.FPEN = 0b11: FP/SIMD usable (the reset value is UNKNOWN;
 * Unicorn cannot deliver the trap to the guest anyway). */
#define SIM_CPACR_EL1_RESET (UINT64_C(3) << 20)
/* Never a translation-block start (odd), so uc_emu_start() has no "until". */
#define SIM_NO_UNTIL UINT64_MAX

/* uc_hook_add() takes callbacks as void *; going through an integer keeps
 * -Wpedantic quiet about the function-to-object pointer conversion. */
#define SIM_CB(fn) ((void *)(uintptr_t)(fn))

/* Unicorn exception numbers (QEMU's EXCP_*) reaching UC_HOOK_INTR. */
#define SIM_EXCP_UDEF 1u
#define SIM_EXCP_SMC 13u

/* MPIDR_EL1 by encoding (Unicorn has no register constant for it). */
#define SIM_SYSREG_MPIDR_EL1 ESR_ISS_SYS_REG(3, 0, 0, 0, 5)

/* The two EL1 timers of each vCPU and their PPIs on its pCPU. */
enum { SIM_TIMER_VIRT, SIM_TIMER_PHYS, SIM_TIMER_COUNT };
static const uint32_t sim_timer_ppi[SIM_TIMER_COUNT] = {VTIMER_PPI_VIRT,
							VTIMER_PPI_PHYS};

/*
 * Virtual time (docs/simulator.md, "Virtual time"). Times are counted in
 * guest instructions; the physical counter is SIM_TICKS_PER_INSN ticks per
 * instruction. `now` is the global clock at the start of the current
 * scheduling round, round_end its end: hvsim runs every pCPU until its
 * vCPU's local time reaches round_end, then advances the clock.
 */
struct sim_clock {
	uint64_t round_start, round_end;
	bool cntvoff_set[HV_MAX_CELLS];
	uint64_t cntvoff[HV_MAX_CELLS]; /* per cell, in counter ticks */
};

/* A range this engine has mapped with uc_mem_map_ptr(): one stage-2 leaf. */
struct sim_map {
	uint64_t ipa;
	uint64_t pa;
	uint64_t size;
};

struct sim_vcpu {
	struct hv_vcpu *vcpu;
	uc_engine *uc;
	struct sim_vcpu *next; /* every live sim_vcpu, for TLB flushes */

	struct sim_map *maps;
	unsigned map_count, map_cap;
	/* The mapping fetch_insn() last read an instruction from (host view
	 * of [fetch_ipa, fetch_ipa + fetch_size)); size 0 when none. Dropped
	 * with the mapping, so it never outlives a stage-2 change. */
	uint64_t fetch_ipa, fetch_size;
	const uint8_t *fetch_host;

	/* Retired guest instructions. The block hook adds a whole block on
	 * entry; an exit in the middle of a block takes back the part that
	 * did not run (see count_exit()). */
	uint64_t insns;
	uint64_t blk_start, blk_end; /* the block being executed */
	uint64_t run_start;	     /* insns when hal_vcpu_run() began */
	uint64_t budget_end;	     /* stop before a block crossing this */
	/* The block hook looks at interrupts once insns reaches this: 0 while
	 * a line is up, else the count at fire_at. One compare per block. */
	uint64_t attn_at;

	bool running;	 /* inside uc_emu_start() */
	bool budget_hit; /* the block hook stopped for the quantum */
	bool have_exit;	 /* a hook filled `exit` and stopped */
	bool force_stop; /* the core changed this engine from inside a hook */
	bool unmap_pending; /* drop every mapping once emulation stopped */
	uint64_t pc;	    /* the PC while running (see file comment) */
	struct hv_exit exit;

	/* Interrupts (docs/simulator.md, "Interrupts and timers"). */
	struct vcpuif cpuif; /* the virtual CPU interface, LRs included */
	bool virq, vfiq;     /* its IRQ / FIQ lines (cached) */
	bool maint;	     /* its maintenance interrupt (UIE, underflow) */
	struct vtimer timer[SIM_TIMER_COUNT]; /* CNTV_*, CNTP_* */
	uint32_t hw_active; /* bit k: timer k's PPI active in the pCPU's GIC */
	uint64_t fire_at;   /* local time a timer PPI rises, UINT64_MAX never */

	/* Local time = insns + time_off: idling and waiting for the round
	 * to start move it forward without retiring instructions. */
	uint64_t time_off;
	uint64_t wake_at;    /* a kick: do not resume before this time */
	uint64_t irqs_taken; /* virtual IRQ/FIQ exceptions delivered */
};

/* Live engines (file scope, emptied by hal_vcpu_destroy()). */
static struct sim_vcpu *sim_vcpus;
static uint64_t sim_quantum_insns = SIM_QUANTUM_DEFAULT;
static struct sim_clock clk = {.round_start = 0, .round_end = UINT64_MAX};
/* The vCPU whose pCPU the core is acting on (set on every entry into the
 * HAL for a vCPU): hal_vgic_hw_deactivate() names no CPU. */
static struct sim_vcpu *sim_cur;

void sim_set_quantum(uint64_t insns)
{
	sim_quantum_insns = insns ? insns : SIM_QUANTUM_DEFAULT;
}

uint64_t sim_quantum(void)
{
	return sim_quantum_insns;
}

static void sim_fail(const char *what, uc_err err)
{
	char msg[160];

	(void)snprintf(msg, sizeof(msg), "sim: %s: %s", what,
		       uc_strerror(err)); /* a cut message is fine */
	hal_panic(msg);
}

/* ---- registers ----------------------------------------------------------- */

static int uc_gpr(unsigned n)
{
	if (n == 29)
		return UC_ARM64_REG_X29;
	if (n == 30)
		return UC_ARM64_REG_X30;
	return UC_ARM64_REG_X0 + (int)n;
}

static uint64_t uc_get(struct sim_vcpu *sv, int reg)
{
	uint64_t v = 0;
	uc_err err = uc_reg_read(sv->uc, reg, &v);

	if (err != UC_ERR_OK)
		sim_fail("uc_reg_read", err);
	return v;
}

static void uc_set(struct sim_vcpu *sv, int reg, uint64_t v)
{
	uc_err err = uc_reg_write(sv->uc, reg, &v);

	if (err != UC_ERR_OK)
		sim_fail("uc_reg_write", err);
}

/* System registers without a Unicorn constant go through UC_ARM64_REG_CP_REG
 * by encoding (op0, op1, CRn, CRm, op2). */
static uint64_t cp_get(struct sim_vcpu *sv, uint32_t op0, uint32_t op1,
		       uint32_t crn, uint32_t crm, uint32_t op2)
{
	uc_arm64_cp_reg cp = {.crn = crn,
			      .crm = crm,
			      .op0 = op0,
			      .op1 = op1,
			      .op2 = op2,
			      .val = 0};
	uc_err err = uc_reg_read(sv->uc, UC_ARM64_REG_CP_REG, &cp);

	if (err != UC_ERR_OK)
		sim_fail("uc_reg_read(CP_REG)", err);
	return cp.val;
}

static void cp_set(struct sim_vcpu *sv, uint32_t op0, uint32_t op1,
		   uint32_t crn, uint32_t crm, uint32_t op2, uint64_t val)
{
	uc_arm64_cp_reg cp = {.crn = crn,
			      .crm = crm,
			      .op0 = op0,
			      .op1 = op1,
			      .op2 = op2,
			      .val = val};
	uc_err err = uc_reg_write(sv->uc, UC_ARM64_REG_CP_REG, &cp);

	if (err != UC_ERR_OK)
		sim_fail("uc_reg_write(CP_REG)", err);
}

#define SIM_SPSR_EL1 3, 0, 4, 0, 0
#define SIM_SCTLR_EL1 3, 0, 1, 0, 0

/* QEMU keeps the current stack pointer in SP and banks the others; SP_EL1
 * is only up to date in Unicorn while the guest is not on it. */
static bool on_sp_el1(struct sim_vcpu *sv)
{
	return (uc_get(sv, UC_ARM64_REG_PSTATE) & SIM_PSTATE_M_MASK) ==
	       SIM_PSTATE_EL1H;
}

static uint64_t pc_get(struct sim_vcpu *sv)
{
	return sv->running ? sv->pc : uc_get(sv, UC_ARM64_REG_PC);
}

static void pc_set(struct sim_vcpu *sv, uint64_t pc)
{
	if (sv->running)
		sv->pc = pc;
	else
		uc_set(sv, UC_ARM64_REG_PC, pc);
}

uint64_t hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg)
{
	struct sim_vcpu *sv = vcpu->hal;

	if ((unsigned)reg <= 30)
		return uc_get(sv, uc_gpr((unsigned)reg));
	switch (reg) {
	case HV_REG_PC:
		return pc_get(sv);
	case HV_REG_PSTATE:
		return uc_get(sv, UC_ARM64_REG_PSTATE);
	case HV_REG_SP_EL1:
		return uc_get(sv, on_sp_el1(sv) ? UC_ARM64_REG_SP
						: UC_ARM64_REG_SP_EL1);
	case HV_REG_ELR_EL1:
		return uc_get(sv, UC_ARM64_REG_ELR_EL1);
	case HV_REG_SPSR_EL1:
		return cp_get(sv, SIM_SPSR_EL1);
	case HV_REG_ESR_EL1:
		return uc_get(sv, UC_ARM64_REG_ESR_EL1);
	case HV_REG_FAR_EL1:
		return uc_get(sv, UC_ARM64_REG_FAR_EL1);
	case HV_REG_VBAR_EL1:
		return uc_get(sv, UC_ARM64_REG_VBAR_EL1);
	default:
		hal_panic("hal_vcpu_reg_read: bad register");
	}
}

void hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg, uint64_t val)
{
	struct sim_vcpu *sv = vcpu->hal;

	if ((unsigned)reg <= 30) {
		uc_set(sv, uc_gpr((unsigned)reg), val);
		return;
	}
	switch (reg) {
	case HV_REG_PC:
		pc_set(sv, val);
		break;
	case HV_REG_PSTATE: {
		/* QEMU keeps the selected stack pointer in SP and does not
		 * switch banks on a raw PSTATE write: do it here, so an
		 * exception injected at EL0/EL1t lands on SP_EL1. */
		uint64_t old = uc_get(sv, UC_ARM64_REG_PSTATE);
		bool old_h = (old & 1) != 0, new_h = (val & 1) != 0;

		if (old_h != new_h) {
			uc_set(sv,
			       old_h ? UC_ARM64_REG_SP_EL1
				     : UC_ARM64_REG_SP_EL0,
			       uc_get(sv, UC_ARM64_REG_SP));
			uc_set(sv, UC_ARM64_REG_PSTATE, val);
			uc_set(sv, UC_ARM64_REG_SP,
			       uc_get(sv, new_h ? UC_ARM64_REG_SP_EL1
						: UC_ARM64_REG_SP_EL0));
		} else {
			uc_set(sv, UC_ARM64_REG_PSTATE, val);
		}
		break;
	}
	case HV_REG_SP_EL1:
		uc_set(sv,
		       on_sp_el1(sv) ? UC_ARM64_REG_SP : UC_ARM64_REG_SP_EL1,
		       val);
		break;
	case HV_REG_ELR_EL1:
		uc_set(sv, UC_ARM64_REG_ELR_EL1, val);
		break;
	case HV_REG_SPSR_EL1:
		cp_set(sv, SIM_SPSR_EL1, val);
		break;
	case HV_REG_ESR_EL1:
		uc_set(sv, UC_ARM64_REG_ESR_EL1, val);
		break;
	case HV_REG_FAR_EL1:
		uc_set(sv, UC_ARM64_REG_FAR_EL1, val);
		break;
	case HV_REG_VBAR_EL1:
		uc_set(sv, UC_ARM64_REG_VBAR_EL1, val);
		break;
	default:
		hal_panic("hal_vcpu_reg_write: bad register");
	}
}

uint64_t hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	const struct sim_vcpu *sv = vcpu->hal;

	return sv ? sv->insns : 0;
}

/* ---- mappings ------------------------------------------------------------ */

static void map_record(struct sim_vcpu *sv, uint64_t ipa, uint64_t pa,
		       uint64_t size)
{
	if (sv->map_count == sv->map_cap) {
		unsigned ncap = sv->map_cap ? sv->map_cap * 2 : 16;
		struct sim_map *n = realloc(sv->maps, ncap * sizeof(*n));

		if (n == NULL)
			hal_panic("sim: out of host memory for mappings");
		sv->maps = n;
		sv->map_cap = ncap;
	}
	sv->maps[sv->map_count++] = (struct sim_map){ipa, pa, size};
}

/* Unmaps mapping i and forgets translated code from it: the bytes behind
 * an IPA may differ when it is mapped again (a reloaded image). Translated
 * code is only ever dropped by range: UC_CTL_TB_FLUSH makes Unicorn 2.0.1
 * touch its whole 1 GiB code buffer (1 GiB of host RSS per engine). */
static void map_drop(struct sim_vcpu *sv, unsigned i)
{
	struct sim_map m = sv->maps[i];
	uc_err err = uc_mem_unmap(sv->uc, m.ipa, (size_t)m.size);

	if (err != UC_ERR_OK)
		sim_fail("uc_mem_unmap", err);
	err = uc_ctl_remove_cache(sv->uc, m.ipa, m.ipa + m.size);
	if (err != UC_ERR_OK)
		sim_fail("uc_ctl_remove_cache", err);
	sv->maps[i] = sv->maps[--sv->map_count];
	sv->fetch_size = 0;
}

static void unmap_all(struct sim_vcpu *sv)
{
	while (sv->map_count != 0)
		map_drop(sv, sv->map_count - 1);
}

/* Drops the mappings of sv that overlap [ipa, ipa+size) (all when size is
 * 0). An engine inside uc_emu_start() only notes it and stops after the
 * current hook: unmapping under a running block is asking for trouble. */
static void unmap_range(struct sim_vcpu *sv, uint64_t ipa, uint64_t size)
{
	if (sv->running) {
		sv->unmap_pending = true;
		sv->force_stop = true;
		return;
	}
	for (unsigned i = sv->map_count; i-- > 0;) {
		if (size == 0 || hv_ranges_overlap(sv->maps[i].ipa,
						   sv->maps[i].size, ipa, size))
			map_drop(sv, i);
	}
}

static void flush_vmid(uint16_t vmid, uint64_t ipa, uint64_t size)
{
	for (struct sim_vcpu *sv = sim_vcpus; sv != NULL; sv = sv->next) {
		if (sv->vcpu->cell != NULL && sv->vcpu->cell->s2.vmid == vmid)
			unmap_range(sv, ipa, size);
	}
}

void hal_tlb_flush_vmid(uint16_t vmid)
{
	flush_vmid(vmid, 0, 0);
}

void hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	if (size != 0)
		flush_vmid(vmid, ipa_addr(ipa), size);
}

void hal_dcache_clean(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);

	/* No caches, but Unicorn keeps translated code, and the hypervisor
	 * just wrote memory behind its back (an image load): drop the
	 * translations of every engine that maps those bytes. */
	if (size == 0)
		return;
	for (struct sim_vcpu *sv = sim_vcpus; sv != NULL; sv = sv->next) {
		for (unsigned i = 0; i < sv->map_count; i++) {
			const struct sim_map *m = &sv->maps[i];
			uint64_t lo, hi;
			uc_err err;

			if (!hv_ranges_overlap(m->pa, m->size, a, size))
				continue;
			if (sv->running) {
				/* Not under a running block: later. */
				sv->unmap_pending = true;
				sv->force_stop = true;
				break;
			}
			lo = a > m->pa ? a : m->pa;
			hi = a + size < m->pa + m->size ? a + size
							: m->pa + m->size;
			err = uc_ctl_remove_cache(sv->uc, m->ipa + (lo - m->pa),
						  m->ipa + (hi - m->pa));
			if (err != UC_ERR_OK)
				sim_fail("uc_ctl_remove_cache", err);
		}
	}
}

static uint32_t s2_uc_prot(unsigned s2_flags)
{
	uint32_t prot = UC_PROT_NONE;

	if (s2_flags & S2_READ)
		prot |= UC_PROT_READ;
	if (s2_flags & S2_WRITE)
		prot |= UC_PROT_WRITE;
	if (s2_flags & S2_EXEC)
		prot |= UC_PROT_EXEC;
	return prot;
}

/* Reads the instruction at guest address pc. The guest runs with its MMU
 * off (docs/simulator.md), so pc is an IPA. */
static bool fetch_insn(struct sim_vcpu *sv, uint64_t pc, uint32_t *insn)
{
	struct stage2_walk w;
	const uint8_t *p = NULL;

	if (!hv_is_aligned(pc, 4))
		return false;
	/* A trapped instruction was just executed, so its page is one of
	 * this engine's mappings (a stage-2 leaf): look there first, and
	 * remember it (every HVC of a loop, no walk). */
	if (pc - sv->fetch_ipa >= sv->fetch_size) {
		for (unsigned i = 0; i < sv->map_count; i++) {
			const struct sim_map *m = &sv->maps[i];

			if (pc - m->ipa < m->size) {
				sv->fetch_host = hal_phys_map(pa_init(m->pa),
							      m->size);
				sv->fetch_ipa = m->ipa;
				sv->fetch_size = sv->fetch_host != NULL
							 ? m->size
							 : 0;
				break;
			}
		}
	}
	if (pc - sv->fetch_ipa < sv->fetch_size) {
		p = sv->fetch_host + (pc - sv->fetch_ipa);
	} else if (stage2_walk(&sv->vcpu->cell->s2, ipa_init(pc), &w)) {
		p = hal_phys_map(w.pa, 4);
	}
	if (p == NULL)
		return false;
	*insn = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
	return true;
}

/* ---- exits ---------------------------------------------------------------- */

/*
 * Makes sv->insns exact for an exit at the instruction `pc` of the current
 * block: the block hook counted the whole block, so take back `pc` and
 * what follows it, then count `pc` itself if it retired (HVC, SMC).
 */
static void count_exit(struct sim_vcpu *sv, uint64_t pc, bool retired)
{
	if (pc >= sv->blk_start && pc < sv->blk_end) {
		sv->insns -= (sv->blk_end - pc) / 4;
		sv->blk_end = pc;
	}
	if (retired) {
		sv->insns++;
		sv->blk_end = pc + 4;
	}
}

/* Records a synchronous exit for hal_vcpu_run() to return, with the guest
 * PC (ELR_EL2) it implies, and stops emulation. */
static void exit_sync(struct sim_vcpu *sv, uint64_t esr, uint64_t far,
		      uint64_t hpfar, uint64_t pc)
{
	sv->exit = (struct hv_exit){.kind = HV_EXIT_SYNC,
				    .esr = esr,
				    .far = far,
				    .hpfar = hpfar};
	sv->pc = pc;
	sv->have_exit = true;
	uc_emu_stop(sv->uc);
}

/*
 * A stage-2 abort at `addr` for an access of `type`. fsc is the full fault
 * status code. Data aborts are reported at the load/store (exact thanks to
 * the PC-sync hook), instruction aborts at the address fetched.
 */
static void exit_abort(struct sim_vcpu *sv, uc_mem_type type, uint64_t addr,
		       uint32_t fsc)
{
	uint64_t far = addr, hpfar = HPFAR_EL2_FROM_IPA(addr);
	bool fetch = type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT;
	bool write = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT;
	uint32_t iss = 0, insn;
	uint64_t pc;

	if (fetch) {
		exit_sync(sv, ESR_EL2_MAKE(ESR_EC_IABT_LOW, 1, fsc), far, hpfar,
			  addr);
		return;
	}
	pc = uc_get(sv, UC_ARM64_REG_PC);
	if (!fetch_insn(sv, pc, &insn) || !insn_dabt_iss(insn, &iss))
		iss = 0; /* not a plain load/store (e.g. DC ZVA): ISV = 0 */
	iss &= ~(ESR_ISS_DABT_WNR | ESR_ISS_DABT_DFSC_MASK);
	if (write)
		iss |= ESR_ISS_DABT_WNR;
	iss |= fsc;
	count_exit(sv, pc, false);
	exit_sync(sv, ESR_EL2_MAKE(ESR_EC_DABT_LOW, 1, iss), far, hpfar, pc);
}

/* UC_HOOK_MEM_*_UNMAPPED: first touch of a page since it was last flushed. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr,
			int size, int64_t value, void *opaque)
{
	struct sim_vcpu *sv = opaque;
	struct stage2_walk w;
	uint64_t leaf, pa;
	void *host;
	uc_err err;

	(void)size;
	(void)value;
	if (!stage2_walk(&sv->vcpu->cell->s2, ipa_init(addr), &w)) {
		/* Report the level at which the hardware's walk of the same
		 * tables would stop, so the syndrome matches bare metal. */
		unsigned level = 3;
		if (!stage2_fault_level(&sv->vcpu->cell->s2, ipa_init(addr),
					&level))
			level = 3; /* unreachable: the walk just failed */
		exit_abort(sv, type, addr, ESR_FSC_TRANS_L(level));
		return false;
	}
	leaf = ipa_addr(w.leaf_ipa);
	pa = pa_addr(w.pa) - (addr - leaf);
	host = hal_phys_map(pa_init(pa), w.leaf_size);
	if (host == NULL) {
		/* Mapped to something that is not RAM (a passthrough device):
		 * nothing answers in the simulator. */
		exit_abort(sv, type, addr, ESR_FSC_SYNC_EXT);
		return false;
	}
	err = uc_mem_map_ptr(uc, leaf, (size_t)w.leaf_size, s2_uc_prot(w.flags),
			     host);
	if (err != UC_ERR_OK)
		sim_fail(
			"uc_mem_map_ptr (stage-2 changed without a TLB flush?)",
			err);
	map_record(sv, leaf, pa, w.leaf_size);
	return true; /* Unicorn retries the access */
}

/* UC_HOOK_MEM_*_PROT: the leaf is mapped but forbids this access. */
static bool on_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		    int64_t value, void *opaque)
{
	struct sim_vcpu *sv = opaque;
	struct stage2_walk w;
	unsigned level = 3;

	(void)uc;
	(void)size;
	(void)value;
	if (stage2_walk(&sv->vcpu->cell->s2, ipa_init(addr), &w))
		level = w.level;
	exit_abort(sv, type, addr, ESR_FSC_PERM_L(level));
	return false;
}

/* UC_HOOK_MEM_READ/WRITE: empty. Its existence makes Unicorn store the PC
 * before every load/store, which exit_abort() needs. */
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

/* ---- virtual time, timers and interrupts --------------------------------- */

/* The vCPU's local time: retired instructions plus time spent idle. */
static uint64_t time_now(const struct sim_vcpu *sv)
{
	return sv->insns + sv->time_off;
}

/* Local time at instruction `pc` of the running block: the block hook
 * counted the whole block on entry, the instructions from pc on have not
 * retired yet. */
static uint64_t time_at(const struct sim_vcpu *sv, uint64_t pc)
{
	uint64_t t = time_now(sv);

	if (sv->running && pc >= sv->blk_start && pc < sv->blk_end)
		t -= (sv->blk_end - pc) / 4;
	return t;
}

static void attn_update(struct sim_vcpu *sv)
{
	if (sv->virq || sv->vfiq || sv->maint)
		sv->attn_at = 0;
	else if (sv->fire_at == UINT64_MAX)
		sv->attn_at = UINT64_MAX;
	else
		sv->attn_at = sv->fire_at > sv->time_off
				      ? sv->fire_at - sv->time_off
				      : 0;
}

/* Moves local time forward to `t` (never back). */
static void time_advance(struct sim_vcpu *sv, uint64_t t)
{
	uint64_t now = time_now(sv);

	if (t > now && t != UINT64_MAX)
		sv->time_off += t - now;
	attn_update(sv);
}

/* A vCPU that did not run (waiting, off, or its turn ended by an exit)
 * joins the current round, and never runs before a kick that woke it. */
static void time_catch_up(struct sim_vcpu *sv)
{
	time_advance(sv, clk.round_start);
	time_advance(sv, sv->wake_at);
	sv->wake_at = 0;
}

static unsigned cell_index(const struct sim_vcpu *sv)
{
	return sv->vcpu->cell != NULL ? sv->vcpu->cell->id % HV_MAX_CELLS : 0;
}

/* CNTVOFF_EL2 of the vCPU's cell, in ticks. */
static uint64_t cntvoff(const struct sim_vcpu *sv)
{
	return clk.cntvoff[cell_index(sv)];
}

/* The local time at which timer k's output rises, if nothing is written
 * and its PPI is not active: UINT64_MAX for never. */
static uint64_t timer_fire_time(const struct sim_vcpu *sv, unsigned k)
{
	uint64_t d = vtimer_deadline(&sv->timer[k]), off;

	if ((sv->hw_active & (1u << k)) || d == UINT64_MAX)
		return UINT64_MAX;
	if (k == SIM_TIMER_VIRT) {
		off = cntvoff(sv);
		if (d > UINT64_MAX - off)
			return UINT64_MAX;
		d += off; /* CNTPCT value at which CNTVCT reaches CVAL */
	}
	/* The first instruction boundary at which the counter >= d. */
	return d / SIM_TICKS_PER_INSN + (d % SIM_TICKS_PER_INSN != 0);
}

static void timers_update(struct sim_vcpu *sv)
{
	uint64_t a = timer_fire_time(sv, SIM_TIMER_VIRT);
	uint64_t b = timer_fire_time(sv, SIM_TIMER_PHYS);

	sv->fire_at = a < b ? a : b;
	attn_update(sv);
}

static void cpuif_update(struct sim_vcpu *sv)
{
	sv->virq = vcpuif_irq_pending(&sv->cpuif);
	sv->vfiq = vcpuif_fiq_pending(&sv->cpuif);
	sv->maint = vcpuif_maintenance(&sv->cpuif);
	attn_update(sv);
}

/* The modelled physical GIC of sv's pCPU deactivates `pintid`. Only the
 * timer PPIs exist there; other INTIDs have nothing to deactivate. */
static void phys_deactivate(struct sim_vcpu *sv, uint32_t pintid)
{
	for (unsigned k = 0; k < SIM_TIMER_COUNT; k++)
		if (pintid == sim_timer_ppi[k])
			sv->hw_active &= ~(1u << k);
	timers_update(sv);
}

/* A timer PPI rose by local time `now` and is not active: it becomes
 * active (acknowledged, priority dropped) and its INTID is the exit's. */
static bool timer_take(struct sim_vcpu *sv, uint64_t now, uint32_t *intid)
{
	for (unsigned k = 0; k < SIM_TIMER_COUNT; k++) {
		if (timer_fire_time(sv, k) <= now) {
			sv->hw_active |= 1u << k;
			*intid = sim_timer_ppi[k];
			timers_update(sv);
			return true;
		}
	}
	return false;
}

/*
 * Interrupts at the start of a block at `addr` (the only place they are
 * taken, so they arrive at the same instruction on every run; every
 * instruction that can change the outcome ends its block). Physical ones
 * (a timer PPI, the maintenance interrupt) go to EL2 whatever PSTATE says:
 * the run ends with HV_EXIT_IRQ. Virtual ones are taken by the guest's
 * EL1 vectors when PSTATE.I (F) allows. Returns true when the block must
 * not run.
 */
static bool irq_check(struct sim_vcpu *sv, uint64_t addr)
{
	enum vcpu_exception type;
	uint64_t pstate;
	uint32_t intid = 0;

	if (timer_take(sv, time_now(sv), &intid) ||
	    (sv->maint && (intid = GIC_PPI_MAINTENANCE) != 0)) {
		sv->exit = (struct hv_exit){.kind = HV_EXIT_IRQ,
					    .intid = intid};
		sv->pc = addr;
		sv->have_exit = true;
		sv->blk_start = sv->blk_end = 0;
		uc_emu_stop(sv->uc);
		return true;
	}
	if (!sv->virq && !sv->vfiq)
		return false;
	pstate = uc_get(sv, UC_ARM64_REG_PSTATE);
	if (sv->vfiq && !(pstate & PSR_F))
		type = VCPU_EXC_FIQ;
	else if (sv->virq && !(pstate & PSR_I))
		type = VCPU_EXC_IRQ;
	else
		return false;
	/* ELR_EL1 = this block's first instruction, which has not run. */
	sv->pc = addr;
	vcpu_take_exception(sv->vcpu, type, 0, 0);
	uc_set(sv, UC_ARM64_REG_PC, sv->pc); /* abandons this block */
	sv->blk_start = sv->blk_end = 0;
	sv->irqs_taken++;
	return true;
}

/* Builds the ISS register identity from its fields (ESR_ISS_SYS_REG needs
 * constants). */
static uint32_t sysreg_id(uint32_t op0, uint32_t op1, uint32_t crn,
			  uint32_t crm, uint32_t op2)
{
	return op0 << ESR_ISS_SYS_OP0_SHIFT | op2 << ESR_ISS_SYS_OP2_SHIFT |
	       op1 << ESR_ISS_SYS_OP1_SHIFT | crn << ESR_ISS_SYS_CRN_SHIFT |
	       crm << ESR_ISS_SYS_CRM_SHIFT;
}

/*
 * The generic timer and MPIDR_EL1 as the guest sees them at local time t:
 * CNTPCT = t * SIM_TICKS_PER_INSN, CNTVCT = CNTPCT - CNTVOFF. Returns
 * false for any other register (Unicorn executes it).
 */
static bool timer_access(struct sim_vcpu *sv, uint32_t id, bool read,
			 uint64_t t, uint64_t in, uint64_t *out)
{
	uint64_t pct = t * SIM_TICKS_PER_INSN, vct = pct - cntvoff(sv);
	struct vtimer *vt = &sv->timer[SIM_TIMER_VIRT];
	struct vtimer *pt = &sv->timer[SIM_TIMER_PHYS];

	switch (id) {
	case SIM_SYSREG_MPIDR_EL1:
		if (read)
			*out = vcpu_mpidr(sv->vcpu);
		return read;
	case SYSREG_CNTFRQ_EL0:
		if (read)
			*out = SIM_CNTFRQ_HZ;
		return true; /* writable from EL1 only at EL3: ignore */
	case SYSREG_CNTVCT_EL0:
		*out = vct;
		return read;
	case SYSREG_CNTPCT_EL0:
		*out = pct;
		return read;
	case SYSREG_CNTV_CTL_EL0:
		if (read)
			*out = vtimer_ctl_read(vt, vct);
		else
			vtimer_ctl_write(vt, in);
		break;
	case SYSREG_CNTV_CVAL_EL0:
		if (read)
			*out = vt->cval;
		else
			vt->cval = in;
		break;
	case SYSREG_CNTV_TVAL_EL0:
		if (read)
			*out = vtimer_tval_read(vt, vct);
		else
			vtimer_tval_write(vt, vct, in);
		break;
	case SYSREG_CNTP_CTL_EL0:
		if (read)
			*out = vtimer_ctl_read(pt, pct);
		else
			vtimer_ctl_write(pt, in);
		break;
	case SYSREG_CNTP_CVAL_EL0:
		if (read)
			*out = pt->cval;
		else
			pt->cval = in;
		break;
	case SYSREG_CNTP_TVAL_EL0:
		if (read)
			*out = vtimer_tval_read(pt, pct);
		else
			vtimer_tval_write(pt, pct, in);
		break;
	default:
		return false;
	}
	if (!read)
		timers_update(sv);
	return true;
}

/* UC_HOOK_INSN for MRS/MSR: registers Unicorn knows (the timer, MPIDR).
 * Returning true skips the instruction; a write ends the block, so the
 * block hook sees a timer that fires at once. Registers Unicorn does not
 * know (ICC_*) must not be skipped here: Unicorn 2.0.1 then re-runs the
 * block forever. They raise UNDEF and reach on_intr(). */
static uint32_t on_sys(struct sim_vcpu *sv, uc_arm64_reg reg,
		       const uc_arm64_cp_reg *cp, bool read)
{
	uint32_t id = sysreg_id(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
	uint64_t out = 0;

	if (!((cp->op0 == 3 && cp->op1 == 3 && cp->crn == 14) ||
	      id == SIM_SYSREG_MPIDR_EL1))
		return 0;
	/* PC is exact here: Unicorn syncs it before the hook. */
	if (!timer_access(sv, id, read,
			  time_at(sv, uc_get(sv, UC_ARM64_REG_PC)), cp->val,
			  &out))
		return 0;
	if (read && reg != UC_ARM64_REG_XZR)
		uc_set(sv, (int)reg, out);
	return 1;
}

static uint32_t on_mrs(uc_engine *uc, uc_arm64_reg reg,
		       const uc_arm64_cp_reg *cp, void *opaque)
{
	(void)uc;
	return on_sys(opaque, reg, cp, true);
}

static uint32_t on_msr(uc_engine *uc, uc_arm64_reg reg,
		       const uc_arm64_cp_reg *cp, void *opaque)
{
	(void)uc;
	return on_sys(opaque, reg, cp, false);
}

/*
 * An MRS/MSR of a register Unicorn does not implement, reported as UNDEF
 * at `pc`: the GIC CPU interface. SGI generation writes trap to EL2 as
 * with HCR_EL2.IMO = 1 (EC 0x18, PC at the MSR, the core steps over it);
 * the rest is served by the virtual CPU interface model and the guest
 * continues at the next instruction, in a new block so that an interrupt
 * the access unmasked is taken right there. False: not such an access.
 */
static bool icc_access(struct sim_vcpu *sv, uint64_t pc, uint32_t insn)
{
	bool read = (insn & (UINT32_C(1) << 21)) != 0;
	unsigned rt = insn & 0x1fu;
	uint32_t id = sysreg_id(2 + ((insn >> 19) & 1), (insn >> 16) & 7,
				(insn >> 12) & 0xf, (insn >> 8) & 0xf,
				(insn >> 5) & 7);
	uint32_t deact = VCPUIF_NO_PINTID;
	uint64_t v = 0;

	/* MRS/MSR (register) with op0 = 2 or 3: 1101010100 L 1 ... (bit 21,
	 * L, is outside the mask). */
	if ((insn & UINT32_C(0xffd00000)) != UINT32_C(0xd5100000))
		return false;
	if (!read &&
	    (id == SYSREG_ICC_SGI1R_EL1 || id == SYSREG_ICC_ASGI1R_EL1 ||
	     id == SYSREG_ICC_SGI0R_EL1)) {
		/* Not the fast path: the core must sync and flush the LRs
		 * (a self-IPI) before the guest goes on. */
		count_exit(sv, pc, true);
		exit_sync(sv,
			  ESR_EL2_MAKE(ESR_EC_SYS64, 1,
				       id | (uint32_t)rt
						       << ESR_ISS_SYS_RT_SHIFT),
			  0, 0, pc);
		return true;
	}
	if (read) {
		if (!vcpuif_read(&sv->cpuif, id, &v))
			return false;
		if (rt != 31)
			uc_set(sv, uc_gpr(rt), v);
	} else {
		if (rt != 31)
			v = uc_get(sv, uc_gpr(rt));
		if (!vcpuif_write(&sv->cpuif, id, v, &deact))
			return false;
		if (deact != VCPUIF_NO_PINTID)
			phys_deactivate(sv, deact);
	}
	cpuif_update(sv);
	count_exit(sv, pc, true);
	sv->pc = pc + 4;
	uc_set(sv, UC_ARM64_REG_PC, pc + 4);
	return true;
}

/* Counts the block [addr, addr + size) as retired on entry. */
static inline void block_count(struct sim_vcpu *sv, uint64_t addr,
			       uint32_t size)
{
	sv->insns += size / 4;
	sv->blk_start = addr;
	sv->blk_end = addr + size;
}

/* The rare half of on_block(): an interrupt may be due, or the block
 * would cross the end of the quantum. Kept out of line, and reached by a
 * tail call, so that the common path of on_block() needs no stack frame
 * (docs/performance.md, "Simulator"). */
static __attribute__((noinline)) void block_slow(struct sim_vcpu *sv,
						 uint64_t addr, uint32_t size)
{
	if (sv->insns >= sv->attn_at && irq_check(sv, addr))
		return;
	if (sv->insns + size / 4 > sv->budget_end &&
	    sv->insns > sv->run_start) {
		/* Stopping here skips the block: it has not started. */
		sv->budget_hit = true;
		uc_emu_stop(sv->uc);
		return;
	}
	block_count(sv, addr, size);
}

/* UC_HOOK_BLOCK: takes interrupts, counts instructions and ends the
 * quantum. Runs once per translation block executed: keep it lean. */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
	struct sim_vcpu *sv = opaque;

	(void)uc;
	if (__builtin_expect(sv->insns < sv->attn_at &&
				     sv->insns + size / 4 <= sv->budget_end,
			     1)) {
		block_count(sv, addr, size);
		return;
	}
	block_slow(sv, addr, size);
}

/*
 * The fast path: HVC and SMC are handed to the core without leaving
 * Unicorn, and the guest continues while the core says RESUME.
 */
static void fast_exit(struct sim_vcpu *sv, const struct hv_exit *exit,
		      uint64_t ret_pc, uint64_t uc_pc)
{
	enum hv_action action;

	sv->pc = ret_pc;
	action = hv_exit_handle(sv->vcpu, exit);
	if (action == HV_ACTION_RESUME && !sv->force_stop) {
		/* Writing PC restarts the block loop; skip it when Unicorn
		 * already resumes there (an SMC the core stepped over). */
		if (sv->pc != uc_pc)
			uc_set(sv, UC_ARM64_REG_PC, sv->pc);
		return;
	}
	sv->exit = (struct hv_exit){.kind = HV_EXIT_HANDLED, .action = action};
	sv->have_exit = true;
	uc_emu_stop(sv->uc);
}

/* UC_HOOK_INTR: every exception the guest raises. Without EL2 in the CPU
 * model, HVC is UNDEF (reported at the HVC) and SMC is EXCP_SMC
 * (reported after it). */
static void on_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
	struct sim_vcpu *sv = opaque;
	uint64_t pc = uc_get(sv, UC_ARM64_REG_PC);
	struct hv_exit exit = {.kind = HV_EXIT_SYNC};
	uint32_t insn = 0;
	uint16_t imm;
	bool have_insn;

	(void)uc;
	/* One fetch (a stage-2 walk) serves both decodings below. */
	have_insn = intno == SIM_EXCP_UDEF && fetch_insn(sv, pc, &insn);
	if (have_insn && insn_is_hvc(insn, &imm)) {
		count_exit(sv, pc, true);
		exit.esr = ESR_EL2_MAKE(ESR_EC_HVC64, 1, imm);
		fast_exit(sv, &exit, pc + 4, pc);
		return;
	}
	if (have_insn && icc_access(sv, pc, insn))
		return;
	if (intno == SIM_EXCP_SMC && fetch_insn(sv, pc - 4, &insn) &&
	    insn_is_smc(insn, &imm)) {
		count_exit(sv, pc - 4, true);
		exit.esr = ESR_EL2_MAKE(ESR_EC_SMC64, 1, imm);
		fast_exit(sv, &exit, pc - 4, pc);
		return;
	}
	/* Anything else (an undefined instruction, or an exception that
	 * would be taken to EL1, which Unicorn cannot deliver): report it
	 * as EC "unknown" at the instruction so the core can end the cell. */
	if (intno == SIM_EXCP_UDEF) {
		count_exit(sv, pc, false);
		exit_sync(sv, ESR_EL2_MAKE(ESR_EC_UNKNOWN, 1, 0), 0, 0, pc);
	} else {
		exit_sync(sv, ESR_EL2_MAKE(ESR_EC_UNKNOWN, 1, 0), 0, 0, pc);
	}
}

/* ---- lifecycle ------------------------------------------------------------ */

enum hv_err hal_vcpu_create(struct hv_vcpu *vcpu)
{
	struct sim_vcpu *sv = calloc(1, sizeof(*sv));
	uc_hook h;
	uc_err err;

	if (sv == NULL)
		return HV_ERR_NOMEM;
	sv->vcpu = vcpu;
	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &sv->uc);
	if (err != UC_ERR_OK) {
		free(sv);
		return HV_ERR_NOMEM;
	}
	/* The closest model to the Neoverse/Cortex-A cores we target. */
	err = uc_ctl_set_cpu_model(sv->uc, UC_CPU_ARM64_A72);
	/* Hooks cover every address (begin > end). They must exist before
	 * the first translation: the PC-sync depends on on_mem. */
	if (!err)
		err = uc_hook_add(sv->uc, &h, UC_HOOK_INTR, SIM_CB(on_intr), sv,
				  1, 0);
	if (!err)
		err = uc_hook_add(sv->uc, &h, UC_HOOK_MEM_UNMAPPED,
				  SIM_CB(on_unmapped), sv, 1, 0);
	if (!err)
		err = uc_hook_add(sv->uc, &h, UC_HOOK_MEM_PROT, SIM_CB(on_prot),
				  sv, 1, 0);
	if (!err)
		err = uc_hook_add(sv->uc, &h,
				  UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				  SIM_CB(on_mem), sv, 1, 0);
	if (!err)
		err = uc_hook_add(sv->uc, &h, UC_HOOK_BLOCK, SIM_CB(on_block),
				  sv, 1, 0);
	if (!err)
		err = uc_hook_add(sv->uc, &h, UC_HOOK_INSN, SIM_CB(on_mrs), sv,
				  1, 0, UC_ARM64_INS_MRS);
	if (!err)
		err = uc_hook_add(sv->uc, &h, UC_HOOK_INSN, SIM_CB(on_msr), sv,
				  1, 0, UC_ARM64_INS_MSR);
	if (err != UC_ERR_OK) {
		uc_close(sv->uc);
		free(sv);
		return HV_ERR_NOMEM;
	}
	vcpuif_reset(&sv->cpuif, SIM_LR_COUNT);
	cpuif_update(sv);
	for (unsigned k = 0; k < SIM_TIMER_COUNT; k++)
		vtimer_reset(&sv->timer[k]);
	sv->fire_at = UINT64_MAX;
	/* A new cell's virtual counter starts at 0 on its first reset. */
	if (vcpu->id == 0)
		clk.cntvoff_set[cell_index(sv)] = false;
	sv->next = sim_vcpus;
	sim_vcpus = sv;
	vcpu->hal = sv;
	return HV_OK;
}

void hal_vcpu_destroy(struct hv_vcpu *vcpu)
{
	struct sim_vcpu *sv = vcpu->hal;

	if (sv == NULL)
		return;
	if (sim_cur == sv)
		sim_cur = NULL;
	for (struct sim_vcpu **pp = &sim_vcpus; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == sv) {
			*pp = sv->next;
			break;
		}
	}
	uc_close(sv->uc);
	free(sv->maps);
	free(sv);
	vcpu->hal = NULL;
}

void hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	struct sim_vcpu *sv = vcpu->hal;
	uint8_t zero128[16] = {0};

	for (unsigned n = 0; n <= 30; n++)
		uc_set(sv, uc_gpr(n), n == 0 ? x0 : 0);
	for (int q = UC_ARM64_REG_Q0; q <= UC_ARM64_REG_Q31; q++) {
		uc_err err = uc_reg_write(sv->uc, q, zero128);

		if (err != UC_ERR_OK)
			sim_fail("uc_reg_write(Q)", err);
	}
	uc_set(sv, UC_ARM64_REG_FPCR, 0);
	uc_set(sv, UC_ARM64_REG_FPSR, 0);
	/* PSTATE first: the SP writes below then land in the right bank. */
	uc_set(sv, UC_ARM64_REG_PSTATE, SIM_PSTATE_RESET);
	uc_set(sv, UC_ARM64_REG_SP, 0);
	uc_set(sv, UC_ARM64_REG_SP_EL0, 0);
	uc_set(sv, UC_ARM64_REG_ELR_EL1, 0);
	cp_set(sv, SIM_SPSR_EL1, 0);
	uc_set(sv, UC_ARM64_REG_ESR_EL1, 0);
	uc_set(sv, UC_ARM64_REG_FAR_EL1, 0);
	uc_set(sv, UC_ARM64_REG_VBAR_EL1, 0);
	uc_set(sv, UC_ARM64_REG_TTBR0_EL1, 0);
	uc_set(sv, UC_ARM64_REG_TTBR1_EL1, 0);
	cp_set(sv, SIM_SCTLR_EL1, SIM_SCTLR_EL1_RESET);
	uc_set(sv, UC_ARM64_REG_CPACR_EL1, SIM_CPACR_EL1_RESET);
	pc_set(sv, ipa_addr(entry));

	/* Time: the counter keeps running (never reset); a vCPU started by
	 * CPU_ON does not start before the caller asked (the kick). The
	 * cell's CNTVOFF is fixed at its first reset, so CNTVCT reads 0
	 * there and counts on across SYSTEM_RESET. */
	sim_cur = sv;
	time_catch_up(sv);
	if (!clk.cntvoff_set[cell_index(sv)]) {
		clk.cntvoff[cell_index(sv)] = time_now(sv) * SIM_TICKS_PER_INSN;
		clk.cntvoff_set[cell_index(sv)] = true;
	}
	/* Timers reset disabled. The pCPU's timer PPIs are deactivated: the
	 * vGIC drops what it forwarded on a reset, and hal_vgic_hw_deactivate()
	 * cannot say on which pCPU. */
	for (unsigned k = 0; k < SIM_TIMER_COUNT; k++)
		vtimer_reset(&sv->timer[k]);
	sv->hw_active = 0;
	timers_update(sv);
	/* The guest's view of the CPU interface resets; the LRs and
	 * ICH_HCR_EL2 are the hypervisor's and stay. */
	{
		struct vcpuif keep = sv->cpuif;

		vcpuif_reset(&sv->cpuif, keep.lr_count);
		for (unsigned n = 0; n < VGIC_MAX_LRS; n++)
			sv->cpuif.lr[n] = keep.lr[n];
		sv->cpuif.hcr = keep.hcr;
	}
	cpuif_update(sv);

	/* The cell's memory may have been scrubbed and reloaded behind
	 * Unicorn's back: forget mappings and the code translated from them
	 * (all of it: code is only translated from mapped ranges). */
	unmap_range(sv, 0, 0);
}

/* Work the core asked for from inside a hook, done once Unicorn stopped. */
static void after_stop(struct sim_vcpu *sv)
{
	if (sv->unmap_pending)
		unmap_all(sv);
	sv->unmap_pending = false;
	sv->force_stop = false;
}

/* Instructions the vCPU may still run in this round (and this call). */
static uint64_t budget_left(const struct sim_vcpu *sv)
{
	uint64_t now = time_now(sv);
	uint64_t left = clk.round_end > now ? clk.round_end - now : 0;

	return left < sim_quantum_insns ? left : sim_quantum_insns;
}

/*
 * WFI with the cell's wfi = "passthrough": the hardware would execute it
 * without trapping, sleeping until an interrupt. A pending LR (masked or
 * not) makes it complete at once; else the vCPU sleeps in virtual time to
 * its next timer event. `pc` is the WFI. Returns true to continue running
 * after it, false when the round ends first (the vCPU stays on the WFI).
 */
static bool wfi_passthrough(struct sim_vcpu *sv, uint64_t pc)
{
	if (vcpuif_any_pending(&sv->cpuif))
		return true;
	timers_update(sv);
	if (sv->fire_at <= clk.round_end) {
		time_advance(sv, sv->fire_at);
		sv->budget_end = sv->insns + budget_left(sv);
		return true; /* the next block hook takes the timer PPI */
	}
	count_exit(sv, pc, false); /* not completed: it runs again */
	time_advance(sv, clk.round_end);
	uc_set(sv, UC_ARM64_REG_PC, pc);
	return false;
}

void hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct sim_vcpu *sv = vcpu->hal;
	uint64_t pc = uc_get(sv, UC_ARM64_REG_PC);
	uint32_t insn;
	bool is_wfe;
	uc_err err;

	memset(exit, 0, sizeof(*exit));
	after_stop(sv);
	sim_cur = sv;
	time_catch_up(sv);
	timers_update(sv);
	cpuif_update(sv);
	sv->run_start = sv->insns;
	sv->budget_end = sv->insns + budget_left(sv);
	for (;;) {
		sv->have_exit = false;
		sv->budget_hit = false;
		sv->blk_start = sv->blk_end = 0;
		sv->pc = pc;
		sv->running = true;
		err = uc_emu_start(sv->uc, pc, SIM_NO_UNTIL, 0, 0);
		sv->running = false;
		if (sv->have_exit || sv->budget_hit || sv->force_stop ||
		    err != UC_ERR_OK)
			break;
		pc = uc_get(sv, UC_ARM64_REG_PC);
		if (vcpu->cell->cfg->wfi != HV_WFI_PASSTHROUGH ||
		    !fetch_insn(sv, pc - 4, &insn) ||
		    !insn_is_wfx(insn, &is_wfe) || is_wfe)
			break;
		if (!wfi_passthrough(sv, pc - 4)) {
			exit->kind = HV_EXIT_BUDGET;
			after_stop(sv);
			return;
		}
	}

	if (sv->have_exit) {
		/* Emulation stopped in a hook that did not write PC: write the
		 * ELR_EL2 value (or the core's choice) now. */
		uc_set(sv, UC_ARM64_REG_PC, sv->pc);
		*exit = sv->exit;
	} else if (sv->budget_hit) {
		exit->kind = HV_EXIT_BUDGET;
	} else if (sv->force_stop) {
		/* A hook resumed but changed this engine (reset, flush):
		 * nothing left for the core to decide. */
		uc_set(sv, UC_ARM64_REG_PC, sv->pc);
		exit->kind = HV_EXIT_HANDLED;
		exit->action = HV_ACTION_RESUME;
	} else {
		/* WFI ends uc_emu_start() with PC after it (WFE is a NOP in
		 * Unicorn). ELR_EL2 holds the WFx itself. */
		pc = uc_get(sv, UC_ARM64_REG_PC);
		if (err == UC_ERR_OK && fetch_insn(sv, pc - 4, &insn) &&
		    insn_is_wfx(insn, &is_wfe)) {
			exit->esr = ESR_EL2_MAKE(ESR_EC_WFX, 1,
						 is_wfe ? ESR_ISS_WFX_TI_WFE
							: 0);
			pc -= 4;
		} else {
			/* Unicorn stopped for a reason we do not model: let
			 * the core end the cell rather than spin. */
			exit->esr = ESR_EL2_MAKE(ESR_EC_UNKNOWN, 1, 0);
		}
		exit->kind = HV_EXIT_SYNC;
		uc_set(sv, UC_ARM64_REG_PC, pc);
	}
	after_stop(sv);
}

/*
 * The vCPU waits (trapped WFI, CPU_SUSPEND). Nothing else can happen on
 * its pCPU but its timers: if one fires within this round, local time
 * jumps to it and its PPI is the IRQ exit; otherwise the vCPU idles to
 * the end of the round (HV_EXIT_BUDGET) so the other vCPUs run. hvsim
 * moves the clock to the earliest deadline when every vCPU idles.
 */
void hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct sim_vcpu *sv = vcpu->hal;
	uint32_t intid;

	memset(exit, 0, sizeof(*exit));
	sim_cur = sv;
	time_catch_up(sv);
	timers_update(sv);
	if (sv->fire_at <= clk.round_end) {
		time_advance(sv, sv->fire_at);
		if (timer_take(sv, time_now(sv), &intid)) {
			exit->kind = HV_EXIT_IRQ;
			exit->intid = intid;
			return;
		}
	}
	time_advance(sv, clk.round_end);
	exit->kind = HV_EXIT_BUDGET;
}

/*
 * Another vCPU queued interrupts for the one on `pcpu`. The simulator
 * runs one vCPU at a time and the core flushes LRs before every run, so
 * nothing has to be interrupted; the kick only records the sender's time:
 * the woken vCPU does not resume at a local time before it (causality in
 * virtual time).
 */
void hal_cpu_kick(unsigned pcpu)
{
	if (sim_cur == NULL)
		return;
	for (struct sim_vcpu *sv = sim_vcpus; sv != NULL; sv = sv->next) {
		if (sv != sim_cur && sv->vcpu->pcpu == pcpu) {
			uint64_t t = time_now(sim_cur);

			if (t > sv->wake_at)
				sv->wake_at = t;
		}
	}
}

/* ---- list registers (hal/vgic.h) ----------------------------------------- */

unsigned hal_vgic_lr_count(void)
{
	return SIM_LR_COUNT;
}

uint64_t hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	struct sim_vcpu *sv = vcpu->hal;

	if (n >= SIM_LR_COUNT)
		hal_panic("hal_vgic_lr_read: no such list register");
	return sv->cpuif.lr[n];
}

void hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	struct sim_vcpu *sv = vcpu->hal;

	if (n >= SIM_LR_COUNT)
		hal_panic("hal_vgic_lr_write: no such list register");
	sv->cpuif.lr[n] = val;
	cpuif_update(sv);
}

void hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on)
{
	struct sim_vcpu *sv = vcpu->hal;

	if (on)
		sv->cpuif.hcr |= ICH_HCR_EL2_UIE;
	else
		sv->cpuif.hcr &= ~ICH_HCR_EL2_UIE;
	cpuif_update(sv);
}

void hal_vgic_hw_deactivate(uint32_t pintid)
{
	/* PPIs are per pCPU: the one the core is acting on. SPIs: the
	 * simulator has no physical SPIs. */
	if (sim_cur != NULL && pintid < GIC_SPI_FIRST)
		phys_deactivate(sim_cur, pintid);
}

/* ---- the scheduler's view of time (sim.h) -------------------------------- */

void sim_round_begin(uint64_t start, uint64_t length)
{
	clk.round_start = start;
	clk.round_end = length > UINT64_MAX - start ? UINT64_MAX
						    : start + length;
}

uint64_t sim_round_end(void)
{
	return clk.round_end;
}

bool sim_pcpu_state(unsigned pcpu, uint64_t *time, uint64_t *events)
{
	for (struct sim_vcpu *sv = sim_vcpus; sv != NULL; sv = sv->next) {
		const struct hv_vcpu *v = sv->vcpu;
		uint64_t e = sv->insns;

		if (v->pcpu != pcpu)
			continue;
		for (unsigned k = 0; k < HV_EXCLASS_COUNT; k++)
			e += v->exits[k];
		*time = time_now(sv);
		*events = e + sv->irqs_taken + (uint64_t)v->state;
		return true;
	}
	return false;
}

uint64_t sim_next_deadline(void)
{
	uint64_t best = UINT64_MAX;

	for (struct sim_vcpu *sv = sim_vcpus; sv != NULL; sv = sv->next) {
		enum hv_vcpu_state st = sv->vcpu->state;

		if (st != HV_VCPU_RUNNING && st != HV_VCPU_WAITING)
			continue;
		timers_update(sv);
		if (sv->fire_at < best)
			best = sv->fire_at;
	}
	return best;
}

uint64_t sim_vcpu_irqs(const struct hv_vcpu *vcpu)
{
	const struct sim_vcpu *sv = vcpu->hal;

	return sv != NULL ? sv->irqs_taken : 0;
}
