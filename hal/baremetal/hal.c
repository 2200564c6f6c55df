/* SPDX-License-Identifier: MIT */
/*
 * The HAL contract (the headers in hv/include/hal/) on real EL2 hardware: vCPU
 * contexts and guest entry, stage-2 TLB maintenance, physical memory and
 * the platform checks.
 *
 * Static partitioning makes the vCPU model simple: exactly one vCPU is
 * ever pinned to a physical CPU, so its EL1 system registers, FP/SIMD
 * registers, SP_EL0 and timer registers stay live in that CPU across
 * exits and are never switched. Only x0-x30, ELR_EL2 and SPSR_EL2, which
 * EL2 code itself uses, are saved on each exit (vectors.S).
 */
#include <stddef.h>

#include <hv/arm64/el2.h>
#include <hv/arm64/esr.h>
#include <hv/arm64/gic.h>
#include <hv/arm64/hcr.h>
#include <hv/arm64/sysreg.h>
#include <hv/arm64/vtcr.h>
#include <hv/cell.h>
#include <hv/hv.h>
#include <hv/check.h>
#include <hv/lib.h>
#include <hv/print.h>

#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>

#include "bm.h"

/* The offsets vectors.S uses (the Hafnium offsets.c idea). */
_Static_assert(offsetof(struct bm_vcpu, x) == BM_CTX_X0, "BM_CTX_X0");
_Static_assert(offsetof(struct bm_vcpu, elr_el2) == BM_CTX_ELR_EL2,
	       "BM_CTX_ELR_EL2");
_Static_assert(offsetof(struct bm_vcpu, spsr_el2) == BM_CTX_SPSR_EL2,
	       "BM_CTX_SPSR_EL2");
_Static_assert(offsetof(struct bm_vcpu, el1_reset) == BM_CTX_EL1_RESET,
	       "BM_CTX_EL1_RESET");
_Static_assert(BM_CTX_SPSR_EL2 == BM_CTX_ELR_EL2 + 8,
	       "ELR/SPSR loaded as a pair");

/*
 * HCR_EL2 while a guest runs (Arm ARM D24.2.48):
 *   VM      stage-2 translation on;
 *   RW      EL1 is AArch64;
 *   IMO/FMO physical IRQ/FIQ go to EL2 (and virtual ones are enabled),
 *   AMO     SErrors go to EL2: the hypervisor, not a guest, owns the machine;
 *           With the GICv3 system-register interface (ICC_SRE_EL2.SRE)
 *           IMO/FMO also make the guest's ICC_* accesses go to the
 *           virtual interface, and ICC_SGI*R_EL1 writes trap (EC 0x18);
 *   TSC     SMC traps (EC 0x17) so a guest's PSCI calls reach the core,
 *           not firmware;
 *   TWI     (per vCPU, added at reset when the cell's wfi is "trap")
 *           WFI traps so the core sees an idle vCPU. WFE is never
 *           trapped: on a pCPU nobody shares, a trapped WFE could only
 *           resume the same spinning vCPU after a round trip;
 *   SWIO    set/way invalidates become clean+invalidate, and
 *   TSW     set/way operations trap, because set/way maintenance of one
 *           guest would otherwise act on caches shared with others;
 *   BSU_IS  barriers are at least inner shareable;
 *   (not FB) a guest's local TLB and cache maintenance stays local: with
 *           static partitioning a vCPU never moves to another pCPU, so
 *           what it invalidated on its own pCPU is all it can have
 *           cached. Forcing broadcast would make every local TLBI a
 *           system-wide one (and on QEMU a synchronisation of all CPU
 *           threads) for nothing;
 *   APK/API (only with pointer authentication) guests' PAuth keys and
 *           instructions do not trap: the keys are live per pCPU like
 *           every other EL1 register.
 * E2H stays 0: this is an nVHE hypervisor.
 */
#define BM_HCR_GUEST                                                         \
	(HCR_EL2_VM | HCR_EL2_RW | HCR_EL2_IMO | HCR_EL2_FMO | HCR_EL2_AMO | \
	 HCR_EL2_TSC | HCR_EL2_SWIO | HCR_EL2_BSU_IS | HCR_EL2_TSW)

static uint64_t hcr_guest;

/* One context per possible vCPU; static partitioning caps them at the
 * number of physical CPUs. */
static struct bm_vcpu vcpu_slots[HV_MAX_CPUS];

/* The validated platform, kept from hal_platform_init(). */
static struct hv_platform_config platform;
static bool platform_ready;

/*
 * The stage-2 controls each pCPU holds now. Written only when they change:
 * one vCPU per pCPU means almost never. On QEMU a write of HCR_EL2 takes
 * the big emulator lock and, when VM flips, flushes the whole software TLB;
 * toggling it on every exit and entry cost a Linux cell ~20% of its boot
 * time (docs/performance.md).
 */
static uint64_t live_hcr[BM_MAX_PCPUS], live_vtcr[BM_MAX_PCPUS],
	live_vttbr[BM_MAX_PCPUS];

extern char bm_pool_start[], bm_pool_end[];

unsigned bm_this_pcpu(void)
{
	const struct bm_pcpu *p = (const struct bm_pcpu *)READ_SYSREG(
		tpidr_el2);

	return (unsigned)p->index;
}

void bm_el2_cpu_init(void)
{
	uint64_t isar1 = READ_SYSREG(id_aa64isar1_el1);
	uint64_t isar2 = READ_SYSREG(s3_0_c0_c6_2); /* ID_AA64ISAR2_EL1 */
	uint64_t pfr0 = READ_SYSREG(id_aa64pfr0_el1);
	uint64_t cptr = CPTR_EL2_RES1;

	hcr_guest = BM_HCR_GUEST;
	if ((isar1 & ID_AA64ISAR1_APA_API_MASK) != 0 ||
	    (isar2 & ID_AA64ISAR2_APA3_MASK) != 0)
		hcr_guest |= HCR_EL2_APK | HCR_EL2_API;

	/* Until a guest runs, HCR_EL2 keeps EL1 AArch64 and nothing else:
	 * no stage 2 and no routing that could surprise EL2 code. */
	WRITE_SYSREG(hcr_el2, HCR_EL2_RW);
	live_hcr[bm_this_pcpu()] = HCR_EL2_RW;
	live_vtcr[bm_this_pcpu()] = ~UINT64_C(0);
	live_vttbr[bm_this_pcpu()] = ~UINT64_C(0);

	/*
	 * FP/SIMD and SVE are not trapped (CPTR_EL2.TFP = TZ = 0): guests use
	 * them freely and, with one vCPU per pCPU, nothing needs switching.
	 * EL2 C code is built with -mgeneral-regs-only; only libfdt (during
	 * hv_init, before any guest runs) touches SIMD registers. SME stays
	 * trapped (TSM, a RES1 bit without SME).
	 */
	WRITE_SYSREG(cptr_el2, cptr);
	__asm__ volatile("isb");
	if (((pfr0 >> ID_AA64PFR0_SVE_SHIFT) & 0xf) != 0)
		WRITE_SYSREG(s3_4_c1_c2_0, ZCR_EL2_LEN_MAX); /* ZCR_EL2 */

	/* EL1 may read the physical counter and use the physical timer.
	 * Guests use the virtual timer directly; CNTVOFF_EL2 is set per cell
	 * at each vCPU's first entry after a reset (hal_vcpu_reset). */
	WRITE_SYSREG(cnthctl_el2, CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN);
	WRITE_SYSREG(cntvoff_el2, 0);

	/* Debug and PMU registers: not trapped, all event counters for EL1
	 * (HPMN = PMCR_EL0.N). HPMD stays 0, so a guest's counters that
	 * select EL2 (PMEVTYPER.NSH) also count the hypervisor's work: this
	 * is how exit costs are measured (docs/baremetal.md). */
	WRITE_SYSREG(mdcr_el2, (READ_SYSREG(pmcr_el0) & PMCR_EL0_N_MASK) >>
				       PMCR_EL0_N_SHIFT);

	/* Guests see the real MIDR; MPIDR is virtualised per vCPU. */
	WRITE_SYSREG(vpidr_el2, READ_SYSREG(midr_el1));
	WRITE_SYSREG(vttbr_el2, 0);
	__asm__ volatile("isb");
}

/* ---- platform ------------------------------------------------------------ */

unsigned hal_cpu_pa_bits(void)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	uint64_t r = READ_SYSREG(id_aa64mmfr0_el1) & ID_AA64MMFR0_PARANGE_MASK;

	return r < HV_ARRAY_SIZE(bits) ? bits[r] : 48;
}

static bool in_range(uint64_t outer, uint64_t osize, uint64_t inner,
		     uint64_t isize)
{
	return !hv_range_wraps(inner, isize) &&
	       hv_range_contains(outer, osize, inner, isize);
}

bool hal_trace_snapshot(void)
{
	return bm_trace_snapshot();
}

bool hal_device_assignable(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);

	if (hv_range_wraps(a, size) ||
	    hv_ranges_overlap(bm_machine.ram_base, bm_machine.ram_size, a,
			      size) ||
	    hv_ranges_overlap(BM_UART_BASE, HV_PAGE_SIZE, a, size))
		return false;
	if (bm_gic.present && hv_ranges_overlap(bm_gic.gicd, 0x10000, a, size))
		return false;
	for (unsigned i = 0; bm_gic.present && i < bm_gic.gicr_count; i++)
		if (hv_ranges_overlap(bm_gic.gicr[i], bm_gic.gicr_size[i], a,
				      size))
			return false;
	return true;
}

enum hv_err hal_platform_init(const struct hv_platform_config *p)
{
	uint64_t hv_base = pa_addr(p->hv_base);
	uint64_t image = (uintptr_t)__image_start;
	uint64_t image_size = (uintptr_t)__image_end - image;

	/* The cells' RAM must be RAM the firmware told us about. */
	if (hv_range_wraps(pa_addr(p->ram_base), p->ram_size) ||
	    !in_range(bm_machine.ram_base, bm_machine.ram_size,
		      pa_addr(p->ram_base), p->ram_size)) {
		hv_printf("cellvisor: config RAM 0x%llx+0x%llx is not inside "
			  "the machine's RAM 0x%llx+0x%llx\n",
			  (unsigned long long)pa_addr(p->ram_base),
			  (unsigned long long)p->ram_size,
			  (unsigned long long)bm_machine.ram_base,
			  (unsigned long long)bm_machine.ram_size);
		return HV_ERR_RANGE;
	}
	/* What this image occupies, the DTB and the bundle (images are used
	 * in place) must all be in the hypervisor's reservation, or a cell
	 * could be given them. */
	if (!in_range(bm_machine.ram_base, bm_machine.ram_size, hv_base,
		      p->hv_size) ||
	    !in_range(hv_base, p->hv_size, image, image_size) ||
	    !in_range(hv_base, p->hv_size, bm_machine.dtb_pa,
		      bm_machine.dtb_size) ||
	    !in_range(hv_base, p->hv_size, bm_machine.initrd_start,
		      bm_machine.initrd_end - bm_machine.initrd_start)) {
		hv_printf(
			"cellvisor: hypervisor memory 0x%llx+0x%llx must hold "
			"the image 0x%llx+0x%llx, the DTB and the bundle\n",
			(unsigned long long)hv_base,
			(unsigned long long)p->hv_size,
			(unsigned long long)image,
			(unsigned long long)image_size);
		return HV_ERR_RANGE;
	}
	if (pa_addr(p->uart_base) != BM_UART_BASE) {
		hv_printf("cellvisor: config console UART 0x%llx is not the "
			  "PL011 at 0x%llx this image prints on\n",
			  (unsigned long long)pa_addr(p->uart_base),
			  (unsigned long long)BM_UART_BASE);
		return HV_ERR_INVAL;
	}
	if (p->cpu_count == 0 || p->cpu_count > bm_machine.cpu_count ||
	    p->cpu_count > BM_MAX_PCPUS) {
		hv_printf("cellvisor: config has %u CPUs; the machine has %u "
			  "and this image supports %u\n",
			  p->cpu_count, bm_machine.cpu_count, BM_MAX_PCPUS);
		return HV_ERR_RANGE;
	}
	platform = *p;
	platform_ready = true;
	return HV_OK;
}

enum hv_err hal_image_get(const char *name, const void **data, size_t *size)
{
	enum hv_err err = bm_bundle_find(name, data, size);

	/* A malformed bundle reads as "not there" to the core; say why. */
	if (err == HV_ERR_INVAL) {
		hv_printf("cellvisor: boot bundle is not a valid cpio newc "
			  "archive\n");
		return HV_ERR_NOENT;
	}
	return err;
}

void hal_panic(const char *msg)
{
	hv_printf("cellvisor: PANIC: %s\n", msg);
	bm_trace_panic();
	bm_system_off();
}

/* ---- memory -------------------------------------------------------------- */

void *hal_phys_map(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);

	if (hv_range_wraps(a, size))
		return NULL;
	if (platform_ready) {
		if (in_range(pa_addr(platform.ram_base), platform.ram_size, a,
			     size) ||
		    in_range(pa_addr(platform.hv_base), platform.hv_size, a,
			     size))
			return (void *)(uintptr_t)a;
		return NULL;
	}
	if (in_range(bm_machine.ram_base, bm_machine.ram_size, a, size))
		return (void *)(uintptr_t)a;
	return NULL;
}

void hal_mem_scrub(paddr_t pa, uint64_t size)
{
	void *p = hal_phys_map(pa, size);

	CHECK(p != NULL);
	/* A guest running with its MMU off reads non-cacheable (Arm ARM
	 * D8.2.10): the zeroes must reach memory, or it would see whatever
	 * the previous owner left there behind our cached zeroes. */
	bm_zero_poc(p, (size_t)size);
}

void hal_dcache_clean(paddr_t pa, uint64_t size)
{
	void *p = hal_phys_map(pa, size);

	CHECK(p != NULL);
	bm_dcache_clean_inval_poc(p, (size_t)size);
	/* The guest may execute what was written: drop stale instructions
	 * from every CPU's instruction cache (IC IALLUIS, D7.4.x). */
	__asm__ volatile("ic ialluis\n\tdsb ish\n\tisb" : : : "memory");
}

void hal_mem_pool(paddr_t *base, uint64_t *size)
{
	*base = pa_init((uintptr_t)bm_pool_start);
	*size = (uint64_t)(bm_pool_end - bm_pool_start);
}

/* Runs `flush` with VTTBR_EL2 holding `vmid`: TLBI by VMID acts on the
 * VMID currently in VTTBR_EL2 (D8.13 "TLB maintenance instructions"). */
static uint64_t vmid_switch(uint16_t vmid)
{
	uint64_t old = READ_SYSREG(vttbr_el2);

	WRITE_SYSREG(vttbr_el2, (uint64_t)vmid << VTTBR_EL2_VMID_SHIFT);
	__asm__ volatile("isb");
	return old;
}

static void vmid_restore(uint64_t old)
{
	WRITE_SYSREG(vttbr_el2, old);
	__asm__ volatile("isb");
}

void hal_tlb_flush_vmid(uint16_t vmid)
{
	uint64_t old = vmid_switch(vmid);

	__asm__ volatile("dsb ishst\n\ttlbi vmalls12e1is\n\tdsb ish\n\tisb"
			 :
			 :
			 : "memory");
	vmid_restore(old);
}

/* Beyond this many pages one VMID-wide flush is cheaper than a loop. */
#define TLB_RANGE_MAX_PAGES 512u

void hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	uint64_t first = ipa_addr(ipa) >> HV_PAGE_SHIFT;
	uint64_t pages = (size + HV_PAGE_MASK +
			  (ipa_addr(ipa) & HV_PAGE_MASK)) >>
			 HV_PAGE_SHIFT;
	uint64_t old;

	if (pages > TLB_RANGE_MAX_PAGES) {
		hal_tlb_flush_vmid(vmid);
		return;
	}
	old = vmid_switch(vmid);
	__asm__ volatile("dsb ishst" : : : "memory");
	/* TLBI IPAS2E1IS takes IPA[51:12] in bits [39:0] (D8.13.6); stage-1
	 * entries built on the old stage-2 mapping go with VMALLE1IS. */
	for (uint64_t i = 0; i < pages; i++)
		__asm__ volatile("tlbi ipas2e1is, %0"
				 :
				 : "r"(first + i)
				 : "memory");
	__asm__ volatile("dsb ish\n\ttlbi vmalle1is\n\tdsb ish\n\tisb"
			 :
			 :
			 : "memory");
	vmid_restore(old);
}

/* ---- vCPUs --------------------------------------------------------------- */

enum hv_err hal_vcpu_create(struct hv_vcpu *vcpu)
{
	for (unsigned i = 0; i < HV_ARRAY_SIZE(vcpu_slots); i++) {
		struct bm_vcpu *ctx = &vcpu_slots[i];

		if (!ctx->in_use) {
			memset(ctx, 0, sizeof(*ctx));
			ctx->in_use = true;
			ctx->vcpu = vcpu;
			vcpu->hal = ctx;
			return HV_OK;
		}
	}
	return HV_ERR_NOMEM;
}

void hal_vcpu_destroy(struct hv_vcpu *vcpu)
{
	struct bm_vcpu *ctx = vcpu->hal;

	if (ctx == NULL)
		return;
	memset(ctx, 0, sizeof(*ctx));
	vcpu->hal = NULL;
}

void hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	struct bm_vcpu *ctx = vcpu->hal;
	struct bm_vcpu *first = vcpu->cell->vcpus[0].hal;

	CHECK(ctx != NULL && first != NULL);
	memset(ctx->x, 0, sizeof(ctx->x));
	ctx->x[0] = x0;
	ctx->elr_el2 = ipa_addr(entry);
	ctx->spsr_el2 = PSR_MODE_EL1H | PSR_DAIF;
	memset(ctx->el1, 0, sizeof(ctx->el1));
	ctx->hcr = hcr_guest |
		   (vcpu->cell->cfg->wfi == HV_WFI_TRAP ? HCR_EL2_TWI : 0);
	ctx->vmpidr = vcpu_mpidr(vcpu);
	/*
	 * One virtual counter per cell, near 0 at its first boot and running
	 * on across resets: vCPU 0 (always reset first, by cell_start) picks
	 * the offset once; the others take it at their CPU_ON.
	 */
	if (!first->cntvoff_valid) {
		__asm__ volatile("isb");
		first->cntvoff = READ_SYSREG(cntpct_el0);
		first->cntvoff_valid = true;
	}
	ctx->cntvoff = first->cntvoff;
	/* Loaded at the next entry, on the vCPU's own pCPU: this may run
	 * on another one (hv_start on CPU 0 for a vCPU pinned elsewhere). */
	ctx->el1_dirty = (1u << BM_EL1_COUNT) - 1;
	ctx->gic_reset = true;
	ctx->el1_reset = true;
}

/* The rest of EL1 state a CPU has after reset, as far as a guest can
 * tell: MMU off, no translation tables, timers and debug off. */
static void el1_load_reset_state(void)
{
	WRITE_SYSREG(sctlr_el1, SCTLR_EL1_RESET);
	/* FP/SIMD usable at EL1/EL0 from the start: the architectural reset
	 * value is UNKNOWN and small test guests never set it. */
	WRITE_SYSREG(cpacr_el1, CPACR_EL1_FPEN_ALL);
	WRITE_SYSREG(tcr_el1, 0);
	WRITE_SYSREG(ttbr0_el1, 0);
	WRITE_SYSREG(ttbr1_el1, 0);
	WRITE_SYSREG(mair_el1, 0);
	WRITE_SYSREG(amair_el1, 0);
	WRITE_SYSREG(contextidr_el1, 0);
	WRITE_SYSREG(tpidr_el1, 0);
	WRITE_SYSREG(tpidr_el0, 0);
	WRITE_SYSREG(tpidrro_el0, 0);
	WRITE_SYSREG(sp_el0, 0);
	WRITE_SYSREG(par_el1, 0);
	WRITE_SYSREG(afsr0_el1, 0);
	WRITE_SYSREG(afsr1_el1, 0);
	WRITE_SYSREG(mdscr_el1, 0);
	WRITE_SYSREG(cntkctl_el1, 0);
	WRITE_SYSREG(cntv_ctl_el0, 0);
	WRITE_SYSREG(cntv_cval_el0, 0);
	WRITE_SYSREG(cntp_ctl_el0, 0);
	WRITE_SYSREG(cntp_cval_el0, 0);
}

static void el1_write(enum bm_el1_reg r, uint64_t v)
{
	switch (r) {
	case BM_EL1_SP:
		WRITE_SYSREG(sp_el1, v);
		break;
	case BM_EL1_ELR:
		WRITE_SYSREG(elr_el1, v);
		break;
	case BM_EL1_SPSR:
		WRITE_SYSREG(spsr_el1, v);
		break;
	case BM_EL1_ESR:
		WRITE_SYSREG(esr_el1, v);
		break;
	case BM_EL1_FAR:
		WRITE_SYSREG(far_el1, v);
		break;
	case BM_EL1_VBAR:
		WRITE_SYSREG(vbar_el1, v);
		break;
	case BM_EL1_COUNT:
		break;
	}
}

static uint64_t el1_read(enum bm_el1_reg r)
{
	switch (r) {
	case BM_EL1_SP:
		return READ_SYSREG(sp_el1);
	case BM_EL1_ELR:
		return READ_SYSREG(elr_el1);
	case BM_EL1_SPSR:
		return READ_SYSREG(spsr_el1);
	case BM_EL1_ESR:
		return READ_SYSREG(esr_el1);
	case BM_EL1_FAR:
		return READ_SYSREG(far_el1);
	case BM_EL1_VBAR:
		return READ_SYSREG(vbar_el1);
	case BM_EL1_COUNT:
		break;
	}
	return 0;
}

/* True when the vCPU's EL1 registers are the live ones in this CPU. */
static bool el1_live_here(const struct hv_vcpu *vcpu)
{
	return vcpu->pcpu == bm_this_pcpu();
}

void hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct bm_vcpu *ctx = vcpu->hal;
	unsigned code;

	/* Static partitioning: a vCPU only ever runs on its own pCPU. */
	if (ctx == NULL || !el1_live_here(vcpu))
		hal_panic(
			"hal_vcpu_run: vCPU run on a CPU it is not pinned to");

	unsigned p = vcpu->pcpu;
	uint64_t vtcr = vcpu->cell->s2.geo.vtcr;
	uint64_t vttbr = stage2_vttbr(&vcpu->cell->s2);
	bool wrote = false;
	if (live_vtcr[p] != vtcr) {
		WRITE_SYSREG(vtcr_el2, vtcr);
		live_vtcr[p] = vtcr;
		wrote = true;
	}
	if (live_vttbr[p] != vttbr) {
		WRITE_SYSREG(vttbr_el2, vttbr);
		live_vttbr[p] = vttbr;
		wrote = true;
	}
	if (live_hcr[p] != ctx->hcr) {
		WRITE_SYSREG(hcr_el2, ctx->hcr);
		live_hcr[p] = ctx->hcr;
		wrote = true;
	}
	if (wrote)
		__asm__ volatile("isb");
	if (ctx->el1_reset) {
		/* Per-pCPU registers that only change at a reset: one vCPU
		 * per pCPU, so they hold until the next one. Guests number
		 * their vCPUs 0..n-1 in Aff0 (vcpu_mpidr), as PSCI and the
		 * vGIC expect. */
		WRITE_SYSREG(vmpidr_el2, ctx->vmpidr);
		WRITE_SYSREG(cntvoff_el2, ctx->cntvoff);
		bm_gic_timer_ppis(vcpu->cell->cfg->has_gic);
		el1_load_reset_state();
		/* Stage-1 TLB entries of this VMID from before the reset
		 * (a restarted cell) must not survive into the new run. */
		__asm__ volatile("tlbi vmalle1\n\tic iallu\n\tdsb nsh\n\tisb"
				 :
				 :
				 : "memory");
		ctx->el1_reset = false;
	}
	if (ctx->gic_reset || ctx->lr_pending != 0)
		bm_gic_vcpu_enter(ctx);
	for (unsigned r = 0; ctx->el1_dirty != 0 && r < BM_EL1_COUNT; r++) {
		if (ctx->el1_dirty & (1u << r))
			el1_write((enum bm_el1_reg)r, ctx->el1[r]);
	}
	ctx->el1_dirty = 0;

	code = bm_guest_enter(ctx);
	if (code == BM_EXIT_HANDLED) {
		*exit = (struct hv_exit){.kind = HV_EXIT_HANDLED,
					 .action = ctx->action};
		return;
	}

	switch (code) {
	case BM_EXIT_SYNC:
	case BM_EXIT_SERROR:
		/* ESR_EL2 has EC 0x2f for an SError: the core reports it. */
		*exit = (struct hv_exit){
			.kind = HV_EXIT_SYNC,
			.esr = READ_SYSREG(esr_el2),
			.far = READ_SYSREG(far_el2),
			.hpfar = READ_SYSREG(hpfar_el2),
		};
		break;
	default:
		/* Acknowledged now, while nothing else can be taken. */
		*exit = (struct hv_exit){.kind = HV_EXIT_IRQ};
		bm_gic_ack(exit, code == BM_EXIT_FIQ);
		break;
	}
	/* HCR_EL2 keeps the guest's value while EL2 handles the exit: its
	 * stage-2 and trap controls act on EL1/EL0 only, and EL2 runs
	 * with every exception masked (see live_hcr above). */
}

/*
 * Whether the core can decide an exit with syndrome `esr` while the
 * guest's x19-x29 are still in the CPU (bm_exit_fast, `partial`): it then
 * reads and writes no general-purpose register but x0-x18 and x30. True
 * for hypercalls and SMCCC calls (arguments and results in x0-x17), WFI
 * and WFE, and MMIO and trapped system register accesses whose transfer
 * register is not one of x19-x29. An MMIO access without a syndrome
 * (ISV = 0) may be decoded from the instruction, which can name any
 * register, so it is not.
 */
static bool exit_touches_low_gprs_only(uint64_t esr)
{
	/* Exception classes whose handling uses no transfer register. */
	const uint64_t no_rt = (UINT64_C(1) << ESR_EC_HVC64) |
			       (UINT64_C(1) << ESR_EC_SMC64) |
			       (UINT64_C(1) << ESR_EC_WFX);
	unsigned ec = ESR_EL2_EC(esr);
	uint32_t iss = ESR_EL2_ISS(esr);
	unsigned rt;

	if ((no_rt >> ec) & 1u)
		return true;
	if (ec == ESR_EC_DABT_LOW && (iss & ESR_ISS_DABT_ISV) != 0)
		rt = (iss & ESR_ISS_DABT_SRT_MASK) >> ESR_ISS_DABT_SRT_SHIFT;
	else if (ec == ESR_EC_SYS64)
		rt = (iss & ESR_ISS_SYS_RT_MASK) >> ESR_ISS_SYS_RT_SHIFT;
	else
		return false;
	return rt < 19 || rt > 29;
}

unsigned bm_exit_fast(struct bm_vcpu *ctx, bool partial)
{
	struct hv_exit exit;

	if (!bm_fast_exits)
		return partial ? BM_FAST_SAVE_ALL : BM_EXIT_SYNC;
	/* Only the fields a synchronous exit has (the rest is never read).
	 * Of the classes a partial exit can have, only a data abort sets
	 * FAR_EL2 and HPFAR_EL2. */
	exit.kind = HV_EXIT_SYNC;
	exit.esr = READ_SYSREG(esr_el2);
	if (partial && !exit_touches_low_gprs_only(exit.esr))
		return BM_FAST_SAVE_ALL;
	if (!partial || ESR_EL2_EC(exit.esr) == ESR_EC_DABT_LOW) {
		exit.far = READ_SYSREG(far_el2);
		exit.hpfar = READ_SYSREG(hpfar_el2);
	} else {
		exit.far = 0;
		exit.hpfar = 0;
	}

	/* An SError (EC 0x2f) arrives through its own vector, never here. */
	if (!hv_exit_inplace(ctx->vcpu, &exit, &ctx->action))
		return BM_EXIT_HANDLED;
	/* What hal_vcpu_run() does before an entry: nothing to do unless the
	 * exit reset the vCPU (the only change of its HCR_EL2) or left EL1
	 * or LR state for the entry. */
	return ctx->entry_work == 0 ? BM_FAST_ENTER : BM_EXIT_HANDLED;
}

static int el1_index(enum hv_reg reg)
{
	switch (reg) {
	case HV_REG_SP_EL1:
		return BM_EL1_SP;
	case HV_REG_ELR_EL1:
		return BM_EL1_ELR;
	case HV_REG_SPSR_EL1:
		return BM_EL1_SPSR;
	case HV_REG_ESR_EL1:
		return BM_EL1_ESR;
	case HV_REG_FAR_EL1:
		return BM_EL1_FAR;
	case HV_REG_VBAR_EL1:
		return BM_EL1_VBAR;
	default:
		return -1;
	}
}

/* The EL1 registers' half of hal_vcpu_reg_read/write: out of line, so
 * that the general-purpose half inlines into the exit path. */
static __attribute__((noinline)) uint64_t el1_reg_read(struct hv_vcpu *vcpu,
						       enum hv_reg reg)
{
	struct bm_vcpu *ctx = vcpu->hal;
	int e = el1_index(reg);

	CHECK(e >= 0);
	/* A value written but not yet loaded, or a vCPU whose registers
	 * live on another CPU: the saved copy is the best answer. */
	if ((ctx->el1_dirty & (1u << e)) != 0 || !el1_live_here(vcpu))
		return ctx->el1[e];
	return el1_read((enum bm_el1_reg)e);
}

static __attribute__((noinline)) void el1_reg_write(struct hv_vcpu *vcpu,
						    enum hv_reg reg,
						    uint64_t val)
{
	struct bm_vcpu *ctx = vcpu->hal;
	int e = el1_index(reg);

	CHECK(e >= 0);
	ctx->el1[e] = val;
	if (el1_live_here(vcpu) && !ctx->el1_reset)
		el1_write((enum bm_el1_reg)e, val);
	else
		ctx->el1_dirty |= (uint16_t)(1u << e);
}

/* Inlined into the core's exit path by the LTO link (an external
 * definition all the same: hal/vcpu.h declares them without inline). */
__attribute__((always_inline)) inline uint64_t hal_vcpu_reg_read(
	struct hv_vcpu *vcpu, enum hv_reg reg)
{
	struct bm_vcpu *ctx = vcpu->hal;

	CHECK(ctx != NULL);
	if ((unsigned)reg <= HV_REG_X30)
		return ctx->x[reg];
	if (reg == HV_REG_PC)
		return ctx->elr_el2;
	if (reg == HV_REG_PSTATE)
		return ctx->spsr_el2;
	return el1_reg_read(vcpu, reg);
}

__attribute__((always_inline)) inline void hal_vcpu_reg_write(
	struct hv_vcpu *vcpu, enum hv_reg reg, uint64_t val)
{
	struct bm_vcpu *ctx = vcpu->hal;

	CHECK(ctx != NULL);
	if ((unsigned)reg <= HV_REG_X30)
		ctx->x[reg] = val;
	else if (reg == HV_REG_PC)
		ctx->elr_el2 = val;
	else if (reg == HV_REG_PSTATE)
		ctx->spsr_el2 = val;
	else
		el1_reg_write(vcpu, reg, val);
}

void hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	HV_UNUSED(vcpu);
	memset(exit, 0, sizeof(*exit));
	if (!bm_gic.present) {
		/* Nothing can wake a WFI here: the caller polls. */
		exit->kind = HV_EXIT_BUDGET;
		return;
	}
	/*
	 * WFI with every exception masked at EL2 still ends when an
	 * interrupt is pending for this CPU (Arm ARM D1.6.2 "Wait for
	 * Interrupt"): the vCPU's timer PPIs, the maintenance PPI or a kick.
	 * The DSB makes our earlier stores visible to whoever will wake us.
	 */
	__asm__ volatile("dsb sy\n\twfi\n\tisb" : : : "memory");
	bm_gic_ack(exit, false);
	if (exit->intid == GIC_INTID_SPURIOUS)
		exit->kind = HV_EXIT_BUDGET; /* spurious wake-up */
}

uint64_t hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	HV_UNUSED(vcpu);
	return 0;
}
