/* SPDX-License-Identifier: MIT */
/*
 * The physical GICv3, owned by the hypervisor, and the hardware virtual
 * CPU interface (ICH_*_EL2) behind hv/include/hal/vgic.h.
 *
 * Set-up (Arm IHI 0069, 4.1 "Interrupt lifecycle" and chapter 12):
 *  - distributor (boot CPU): affinity routing and Group 1 on, every SPI
 *    disabled, Group 1, priority BM_GIC_PRIO, routed to the boot CPU. No
 *    SPI is enabled until a cell owns it (passthrough is not done yet);
 *  - redistributor (each CPU): awake (GICR_WAKER), SGIs/PPIs Group 1 at
 *    BM_GIC_PRIO, only the maintenance PPI and the kick SGI enabled; the
 *    timer PPIs 27 and 30 are enabled per vCPU when its cell has a
 *    virtual GIC (bm_gic_timer_ppis), so a cell without one cannot keep
 *    the pCPU in an interrupt storm with a timer nobody forwards;
 *  - CPU interface at EL2: ICC_SRE_EL2 = SRE|DFB|DIB|Enable,
 *    ICC_CTLR_EL1.EOImode = 1, ICC_PMR_EL1 = BM_GIC_PMR, Group 1 on;
 *    ICH_HCR_EL2.En = 1 and ICH_VMCR_EL2 = 0 (the guest's interface
 *    starts with its groups off and PMR 0, like a CPU out of reset).
 *
 * Who deactivates what (EOImode = 1: EOIR drops the priority, DIR or a
 * guest's EOI through an HW = 1 list register deactivates):
 *  - every interrupt acknowledged here gets its priority dropped at once
 *    (ICC_EOIR1_EL1), so the next one can be taken at the next exit;
 *  - the maintenance PPI and the kick SGI belong to the HAL: deactivated
 *    here (ICC_DIR_EL1) before the exit is returned; a later
 *    hal_vgic_hw_deactivate() of them is ignored;
 *  - everything else stays active and goes to the core as HV_EXIT_IRQ:
 *    the core links it (vgic_hw_inject; the timer PPIs 27/30) and the
 *    guest's deactivation of the virtual interrupt deactivates it, or it
 *    calls hal_vgic_hw_deactivate() (ICC_DIR_EL1);
 *  - a vCPU reset deactivates a timer PPI left active on its pCPU that
 *    no list register forwards any more (GICR_ICACTIVER0), wherever the
 *    core's own vgic_reset() ran (see vcpu_gic_reset_here()).
 */
#include <libfdt.h>

#include <hv/arm64/el2.h>
#include <hv/arm64/gic.h>
#include <hv/cell.h>
#include <hv/check.h>
#include <hv/lib.h>
#include <hv/print.h>
#include <hv/vtimer.h>

#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>

#include "bm.h"

/* QEMU virt (hw/arm/virt.c memmap), used when the devicetree has no
 * "arm,gic-v3" node. */
#define QEMU_VIRT_GICD UINT64_C(0x08000000)
#define QEMU_VIRT_GICR UINT64_C(0x080a0000)
#define QEMU_VIRT_GICR_SIZE UINT64_C(0x00f60000)

/* Polls of RWP / ChildrenAsleep before declaring the GIC broken. */
#define GIC_POLL_LIMIT 10000000u

struct bm_gic bm_gic;

/* RD_base of each pCPU's redistributor, found by bm_gic_cpu_init(). */
static uint64_t rd_base[BM_MAX_PCPUS];

static uint32_t mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static uint64_t mmio_read64(uint64_t a)
{
	return *(volatile uint64_t *)(uintptr_t)a;
}

static void mmio_write32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}

static void mmio_write64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)a = v;
}

static void wait_clear(uint64_t reg, uint32_t bit, const char *what)
{
	for (unsigned i = 0; i < GIC_POLL_LIMIT; i++) {
		if ((mmio_read32(reg) & bit) == 0)
			return;
	}
	hal_panic(what);
}

static uint64_t fdt_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = v << 32 | fdt32_ld(&p[i]);
	return v;
}

void bm_gic_probe(const void *fdt)
{
	uint64_t pfr0 = READ_SYSREG(id_aa64pfr0_el1);
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
	const fdt32_t *reg, *irq;
	int len, ac, sc, regions = 1;

	bm_gic.gicd = QEMU_VIRT_GICD;
	bm_gic.gicr[0] = QEMU_VIRT_GICR;
	bm_gic.gicr_size[0] = QEMU_VIRT_GICR_SIZE;
	bm_gic.gicr_count = 1;
	bm_gic.maint_intid = GIC_PPI_MAINTENANCE;

	if ((pfr0 & ID_AA64PFR0_GIC_MASK) == 0) {
		hv_printf("cellvisor: no GICv3 CPU interface "
			  "(ID_AA64PFR0_EL1.GIC "
			  "= 0): physical interrupts unused, no virtual GIC\n");
		return;
	}
	if (node < 0) {
		hv_printf("cellvisor: devicetree has no arm,gic-v3 node; using "
			  "QEMU virt's GIC addresses\n");
	} else {
		int parent = fdt_parent_offset(fdt, node);
		const fdt32_t *nr = fdt_getprop(fdt, node,
						"#redistributor-regions", &len);

		ac = bm_fdt_cells(fdt, parent, "#address-cells");
		sc = bm_fdt_cells(fdt, parent, "#size-cells");
		if (nr != NULL && len == 4)
			regions = (int)fdt32_ld(nr);
		if (regions < 1 || regions > BM_GICR_REGIONS)
			regions = 1;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (reg != NULL && ac >= 1 && ac <= 2 && sc >= 1 && sc <= 2 &&
		    len >= (1 + regions) * (ac + sc) * 4) {
			bm_gic.gicd = fdt_cells(reg, ac);
			for (int i = 0; i < regions; i++) {
				const fdt32_t *r = reg + (1 + i) * (ac + sc);

				bm_gic.gicr[i] = fdt_cells(r, ac);
				bm_gic.gicr_size[i] = fdt_cells(r + ac, sc);
			}
			bm_gic.gicr_count = (unsigned)regions;
		} else {
			hv_printf(
				"cellvisor: GIC node has no usable reg; using "
				"QEMU virt's GIC addresses\n");
		}
		/* interrupts = <type number flags>: a PPI (type 1) number n
		 * is INTID 16 + n (the arm,gic-v3 binding). */
		irq = fdt_getprop(fdt, node, "interrupts", &len);
		if (irq != NULL && len >= 12 && fdt32_ld(&irq[0]) == 1 &&
		    fdt32_ld(&irq[1]) < 16)
			bm_gic.maint_intid = 16 + fdt32_ld(&irq[1]);
	}
	bm_gic.present = true;
	hv_printf("cellvisor: GICv3: GICD 0x%llx, GICR 0x%llx+0x%llx, "
		  "maintenance INTID %u, kick SGI %u\n",
		  (unsigned long long)bm_gic.gicd,
		  (unsigned long long)bm_gic.gicr[0],
		  (unsigned long long)bm_gic.gicr_size[0], bm_gic.maint_intid,
		  BM_SGI_KICK);
}

void bm_gic_dist_init(void)
{
	uint64_t d = bm_gic.gicd;
	uint64_t mpidr = READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK;
	unsigned lines;

	if (!bm_gic.present)
		return;
	/* Groups off before ARE may change (IHI 0069, GICD_CTLR.ARE). */
	mmio_write32(d + GICD_CTLR, 0);
	wait_clear(d + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP stuck");
	mmio_write32(d + GICD_CTLR, GICD_CTLR_ARE);
	wait_clear(d + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP stuck");

	/* ITLinesNumber N: SPIs up to INTID 32 * (N + 1) - 1. */
	lines = (mmio_read32(d + GICD_TYPER) & GICD_TYPER_ITLINES_MASK) + 1;
	for (unsigned r = 1; r < lines; r++) {
		mmio_write32(d + GICD_ICENABLER + 4 * r, UINT32_MAX);
		mmio_write32(d + GICD_ICPENDR + 4 * r, UINT32_MAX);
		mmio_write32(d + GICD_ICACTIVER + 4 * r, UINT32_MAX);
		mmio_write32(d + GICD_IGROUPR + 4 * r, UINT32_MAX);
	}
	wait_clear(d + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP stuck");
	for (unsigned intid = GIC_SPI_FIRST;
	     intid < 32 * lines && intid <= GIC_SPI_LAST; intid++) {
		if (intid % 4 == 0)
			mmio_write32(d + GICD_IPRIORITYR + intid,
				     0x01010101u * BM_GIC_PRIO);
		/* Level-sensitive, to the boot CPU: harmless while disabled;
		 * a cell that is given the SPI reroutes it. */
		if (intid % 16 == 0)
			mmio_write32(d + GICD_ICFGR + intid / 4, 0);
		mmio_write64(d + GICD_IROUTER + 8 * intid,
			     (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32);
	}
	/* In the Non-secure view of a two-Security-state GIC bits 4 and 1
	 * are ARE_NS and EnableGrp1A; with DS = 1 (QEMU virt without EL3)
	 * they are ARE and EnableGrp1. The same value either way. */
	mmio_write32(d + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	wait_clear(d + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP stuck");
}

/* This CPU's RD_base: the frame whose GICR_TYPER.Affinity is our MPIDR. */
static uint64_t find_redist(void)
{
	uint64_t mpidr = READ_SYSREG(mpidr_el1);
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	for (unsigned r = 0; r < bm_gic.gicr_count; r++) {
		uint64_t base = bm_gic.gicr[r],
			 end = base + bm_gic.gicr_size[r];

		while (base + GICR_SIZE <= end) {
			uint64_t typer = mmio_read64(base + GICR_TYPER);

			if (typer >> GICR_TYPER_AFF_SHIFT == aff)
				return base;
			if (typer & GICR_TYPER_LAST)
				break;
			base += (typer & GICR_TYPER_VLPIS) ? GICR_STRIDE_VLPI
							   : GICR_SIZE;
		}
	}
	return 0;
}

/* ICH_VTR_EL2.PREbits + 1 preemption bits give 2^(bits) / 32 active
 * priority registers per group (IHI 0069, ICH_AP1R<n>_EL2). */
static unsigned apr_count(uint64_t vtr)
{
	unsigned bits = (unsigned)((vtr & ICH_VTR_EL2_PREBITS_MASK) >>
				   ICH_VTR_EL2_PREBITS_SHIFT) +
			1;

	return bits <= 5 ? 1 : bits == 6 ? 2 : 4;
}

void bm_gic_cpu_init(void)
{
	unsigned cpu = bm_this_pcpu();
	uint64_t rd, sgi, vtr;

	if (!bm_gic.present)
		return;
	rd = find_redist();
	if (rd == 0)
		hal_panic("no GICv3 redistributor matches this CPU's MPIDR");
	rd_base[cpu] = rd;
	sgi = rd + GICR_SGI_BASE;

	/* Wake the redistributor (IHI 0069, 12.11.43 GICR_WAKER). */
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) &
					      ~GICR_WAKER_PROCESSOR_SLEEP);
	wait_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP,
		   "GICR_WAKER.ChildrenAsleep stuck");

	/* SGIs and PPIs: all off, idle, Group 1, one priority. */
	mmio_write32(sgi + GICR_ICENABLER0, UINT32_MAX);
	wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP stuck");
	mmio_write32(sgi + GICR_ICPENDR0, UINT32_MAX);
	mmio_write32(sgi + GICR_ICACTIVER0, UINT32_MAX);
	mmio_write32(sgi + GICR_IGROUPR0, UINT32_MAX);
	for (unsigned n = 0; n < GIC_PRIVATE_COUNT / 4; n++)
		mmio_write32(sgi + GICR_IPRIORITYR0 + 4 * n,
			     0x01010101u * BM_GIC_PRIO);
	mmio_write32(sgi + GICR_ISENABLER0,
		     (UINT32_C(1) << bm_gic.maint_intid) |
			     (UINT32_C(1) << BM_SGI_KICK));

	/* The EL2 CPU interface: system registers, and EL1 may use
	 * ICC_SRE_EL1 (Enable), which with IMO/FMO set reads SRE = 1. */
	WRITE_SYSREG(icc_sre_el2, ICC_SRE_EL2_SRE | ICC_SRE_EL2_DFB |
					  ICC_SRE_EL2_DIB | ICC_SRE_EL2_ENABLE);
	__asm__ volatile("isb");
	if ((READ_SYSREG(icc_sre_el2) & ICC_SRE_EL2_SRE) == 0)
		hal_panic("ICC_SRE_EL2.SRE does not stick: no GICv3 system "
			  "registers");
	WRITE_SYSREG(icc_sre_el1,
		     ICC_SRE_EL1_SRE | ICC_SRE_EL2_DFB | ICC_SRE_EL2_DIB);
	WRITE_SYSREG(icc_pmr_el1, BM_GIC_PMR);
	WRITE_SYSREG(icc_bpr1_el1, 0);
	WRITE_SYSREG(icc_ctlr_el1,
		     READ_SYSREG(icc_ctlr_el1) | ICC_CTLR_EL1_EOIMODE);
	WRITE_SYSREG(icc_igrpen1_el1, ICC_IGRPEN_ENABLE);

	vtr = READ_SYSREG(ich_vtr_el2);
	bm_gic.lr_count = (unsigned)(vtr & ICH_VTR_EL2_LISTREGS_MASK) + 1;
	bm_gic.apr_count = apr_count(vtr);
	WRITE_SYSREG(ich_vmcr_el2, 0);
	WRITE_SYSREG(ich_hcr_el2, ICH_HCR_EL2_EN);
	for (unsigned n = 0; n < bm_gic.lr_count && n < 16; n++)
		hal_vgic_lr_write(NULL, n, 0);
	__asm__ volatile("isb");
}

void bm_gic_timer_ppis(bool on)
{
	uint64_t sgi;
	uint32_t bits = (UINT32_C(1) << VTIMER_PPI_VIRT) |
			(UINT32_C(1) << VTIMER_PPI_PHYS);

	if (!bm_gic.present)
		return;
	sgi = rd_base[bm_this_pcpu()] + GICR_SGI_BASE;
	mmio_write32(sgi + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), bits);
}

void bm_gic_ack(struct hv_exit *exit, bool fiq)
{
	uint32_t intid;

	exit->kind = HV_EXIT_IRQ;
	exit->intid = GIC_INTID_SPURIOUS;
	if (!bm_gic.present)
		return;
	/* Every interrupt the hypervisor configures is Group 1 (IRQ); a
	 * FIQ would be Group 0, acknowledged through its own registers. */
	if (fiq)
		intid = (uint32_t)(READ_SYSREG(icc_iar0_el1) &
				   ICC_IAR_INTID_MASK);
	else
		intid = (uint32_t)(READ_SYSREG(icc_iar1_el1) &
				   ICC_IAR_INTID_MASK);
	if (intid >= GIC_INTID_SPECIAL_FIRST)
		return;
	/* EOImode = 1: priority drop only. */
	if (fiq)
		WRITE_SYSREG(icc_eoir0_el1, intid);
	else
		WRITE_SYSREG(icc_eoir1_el1, intid);
	if (intid == bm_gic.maint_intid || intid == BM_SGI_KICK)
		WRITE_SYSREG(icc_dir_el1, intid);
	exit->intid = intid;
}

/* ---- hv/include/hal/vgic.h ------------------------------------------------ */

unsigned hal_vgic_lr_count(void)
{
	return bm_gic.present ? bm_gic.lr_count : 0;
}

/* ICH_LR<n>_EL2 is encoded per n (S3_4_C12_C12_<n> for 0-7, C13 for
 * 8-15): a runtime n needs a switch. */
/* The 16 ICH_LR<n>_EL2 encodings: one list for both switches below. */
#define ICH_LRS(X) \
	X(0)       \
	X(1)       \
	X(2)       \
	X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

#define LR_GET(n)                                 \
	case n:                                   \
		v = READ_SYSREG(ich_lr##n##_el2); \
		break;
static uint64_t lr_get(unsigned n)
{
	uint64_t v = 0;

	switch (n) {
		ICH_LRS(LR_GET)
	default:
		break;
	}
	return v;
}
#undef LR_GET

#define LR_SET(n)                                 \
	case n:                                   \
		WRITE_SYSREG(ich_lr##n##_el2, v); \
		break;
static void lr_set(unsigned n, uint64_t v)
{
	switch (n) {
		ICH_LRS(LR_SET)
	default:
		break;
	}
}
#undef LR_SET

/* Clears the active-priority registers of both groups. */
static void apr_clear(void)
{
	WRITE_SYSREG(ich_ap0r0_el2, 0);
	WRITE_SYSREG(ich_ap1r0_el2, 0);
	if (bm_gic.apr_count >= 2) {
		WRITE_SYSREG(ich_ap0r1_el2, 0);
		WRITE_SYSREG(ich_ap1r1_el2, 0);
	}
	if (bm_gic.apr_count >= 4) {
		WRITE_SYSREG(ich_ap0r2_el2, 0);
		WRITE_SYSREG(ich_ap1r2_el2, 0);
		WRITE_SYSREG(ich_ap0r3_el2, 0);
		WRITE_SYSREG(ich_ap1r3_el2, 0);
	}
}

/*
 * What a vCPU reset does to the virtual CPU interface, on the vCPU's pCPU.
 *
 * The list registers are NOT cleared: they are the core's cache of its
 * interrupt model (interrupt state lives in the distributor and
 * redistributors, which survive a CPU reset, CPU_OFF/CPU_ON or a
 * powerdown CPU_SUSPEND); an SGI pending in an LR across a powerdown
 * suspend must still be pending afterwards. The core clears them itself
 * through hal_vgic_lr_write() when the whole vGIC is reset
 * (vgic_reset(): first boot, SYSTEM_RESET, destroy).
 *
 * Reset here is the CPU interface's own state: both groups' active
 * priorities (ICH_AP0R/AP1R<n>_EL2) and ICH_VMCR_EL2 (group enables,
 * PMR, BPRs, EOImode: 0, as out of reset). And a timer PPI that is
 * physically active on this pCPU while no list register forwards it any
 * more is deactivated (GICR_ICACTIVER0): vgic_reset() may have run on
 * another pCPU, where its hal_vgic_hw_deactivate() (ICC_DIR_EL1) cannot
 * reach this CPU's banked PPIs, and an orphaned active timer PPI would
 * never fire again.
 */
/* Recursive once: gic_reset is cleared before bm_gic_vcpu_enter(). */
/* NOLINTNEXTLINE(misc-no-recursion) */
static void vcpu_gic_reset_here(struct bm_vcpu *ctx)
{
	uint64_t sgi = rd_base[bm_this_pcpu()] + GICR_SGI_BASE;
	uint32_t orphans = (UINT32_C(1) << VTIMER_PPI_VIRT) |
			   (UINT32_C(1) << VTIMER_PPI_PHYS);

	ctx->gic_reset = false;
	bm_gic_vcpu_enter(ctx); /* LR writes made elsewhere since the reset */
	for (unsigned n = 0; n < bm_gic.lr_count; n++) {
		uint64_t lr = lr_get(n);
		uint64_t pintid = (lr & ICH_LR_PINTID_MASK) >>
				  ICH_LR_PINTID_SHIFT;

		if ((lr & ICH_LR_HW) != 0 && (lr & ICH_LR_STATE_MASK) != 0 &&
		    pintid < GIC_PRIVATE_COUNT)
			orphans &= ~(UINT32_C(1) << pintid);
	}
	mmio_write32(sgi + GICR_ICACTIVER0, orphans);
	apr_clear();
	WRITE_SYSREG(ich_vmcr_el2, 0);
	__asm__ volatile("isb");
}

/* Recursive once, through vcpu_gic_reset_here(). */
/* NOLINTNEXTLINE(misc-no-recursion) */
void bm_gic_vcpu_enter(struct bm_vcpu *ctx)
{
	if (!bm_gic.present)
		return;
	if (ctx->gic_reset) {
		vcpu_gic_reset_here(ctx); /* calls back here for the LRs */
		return;
	}
	for (unsigned n = 0; ctx->lr_pending != 0 && n < bm_gic.lr_count; n++) {
		if (ctx->lr_pending & (1u << n))
			lr_set(n, ctx->lr[n]);
	}
	ctx->lr_pending = 0;
}

/* True when `vcpu`'s interface is this CPU's (NULL: this CPU's own). */
static bool gic_here(const struct hv_vcpu *vcpu)
{
	return vcpu == NULL || vcpu->pcpu == bm_this_pcpu();
}

uint64_t hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	struct bm_vcpu *ctx = vcpu->hal;

	if (n >= bm_gic.lr_count)
		return 0;
	/* A vCPU on another pCPU cannot be read; the contract has calls on
	 * the vCPU's own pCPU, so this only answers a reset's clearing. */
	if (!gic_here(vcpu))
		return (ctx->lr_pending & (1u << n)) ? ctx->lr[n] : 0;
	if (ctx->gic_reset || ctx->lr_pending != 0)
		bm_gic_vcpu_enter(ctx);
	return lr_get(n);
}

void hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	struct bm_vcpu *ctx;

	if (n >= bm_gic.lr_count)
		return;
	if (vcpu == NULL) { /* bm_gic_cpu_init(): this CPU, no vCPU yet */
		lr_set(n, val);
		return;
	}
	ctx = vcpu->hal;
	if (!gic_here(vcpu)) {
		ctx->lr[n] = val;
		ctx->lr_pending |= 1u << n;
		return;
	}
	if (ctx->gic_reset || ctx->lr_pending != 0)
		bm_gic_vcpu_enter(ctx);
	lr_set(n, val);
}

void hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on)
{
	struct bm_vcpu *ctx = vcpu->hal;

	if (!bm_gic.present || !gic_here(vcpu))
		return;
	if (ctx->gic_reset || ctx->lr_pending != 0)
		bm_gic_vcpu_enter(ctx);
	WRITE_SYSREG(ich_hcr_el2, ICH_HCR_EL2_EN | (on ? ICH_HCR_EL2_UIE : 0));
}

void hal_vgic_hw_deactivate(uint32_t pintid)
{
	/* The HAL's own interrupts were deactivated when they were taken. */
	if (!bm_gic.present || pintid >= GIC_INTID_SPECIAL_FIRST ||
	    pintid == bm_gic.maint_intid || pintid == BM_SGI_KICK)
		return;
	WRITE_SYSREG(icc_dir_el1, pintid);
	__asm__ volatile("isb");
}

/* ---- passthrough SPIs (hal/platform.h) ------------------------------------ */

void hal_irq_route(uint32_t intid, unsigned cpu, bool on)
{
	uint64_t d = bm_gic.gicd, mpidr;
	uint32_t bit = UINT32_C(1) << (intid % 32);

	if (!bm_gic.present || intid < GIC_SPI_FIRST || intid > GIC_SPI_LAST ||
	    cpu >= BM_MAX_PCPUS)
		return;
	if (on) {
		/* IROUTER: Aff3 in [39:32], Aff2..Aff0 in [23:0]; IRM = 0. */
		mpidr = bm_pcpus[cpu].mpidr;
		mmio_write64(d + GICD_IROUTER + 8 * intid,
			     (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32);
		mmio_write32(d + GICD_ISENABLER + 4 * (intid / 32), bit);
	} else {
		mmio_write32(d + GICD_ICENABLER + 4 * (intid / 32), bit);
		wait_clear(d + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP stuck");
		mmio_write32(d + GICD_ICPENDR + 4 * (intid / 32), bit);
	}
}

/* ---- kicks ----------------------------------------------------------------- */

void hal_cpu_kick(unsigned pcpu)
{
	uint64_t mpidr, aff0, sgi1r;

	/* The calling CPU re-evaluates its own vCPU before it enters the
	 * guest again: no interrupt needed. */
	if (!bm_gic.present || pcpu >= BM_MAX_PCPUS || pcpu == bm_this_pcpu())
		return;
	mpidr = bm_pcpus[pcpu].mpidr;
	aff0 = mpidr & 0xff;
	/* ICC_SGI1R_EL1 (IHI 0069): TargetList bit Aff0 % 16, RS = Aff0 / 16,
	 * Aff1..3, INTID; IRM = 0. Group 1 at EL2 = Non-secure Group 1. */
	sgi1r = (UINT64_C(1) << (aff0 & 15)) |
		(((mpidr >> 8) & 0xff) << ICC_SGI1R_AFF1_SHIFT) |
		((uint64_t)BM_SGI_KICK << ICC_SGI1R_INTID_SHIFT) |
		(((mpidr >> 16) & 0xff) << ICC_SGI1R_AFF2_SHIFT) |
		((aff0 >> 4) << ICC_SGI1R_RS_SHIFT) |
		(((mpidr >> 32) & 0xff) << ICC_SGI1R_AFF3_SHIFT);
	/* What the kick announces (new vGIC state, a vCPU state) must be
	 * visible before the target can take the SGI. */
	__asm__ volatile("dsb ish" : : : "memory");
	WRITE_SYSREG(icc_sgi1r_el1, sgi1r);
	__asm__ volatile("isb");
}
