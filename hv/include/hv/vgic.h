/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 of a cell: a trap-and-emulate distributor and one
 * redistributor per vCPU (MMIO through struct mmio_ops), the interrupt
 * state of every INTID the cell has, and the list-register allocator that
 * hands pending interrupts to the hardware (or simulated) virtual CPU
 * interface. docs/vgic.md describes the model; Arm IHI 0069 is the spec.
 *
 * Locking: a struct vgic is shared by the vCPUs of one cell. Its functions
 * take no lock; on a HAL that runs vCPUs of one cell concurrently the
 * caller serialises every call on the same struct vgic (one per-cell lock).
 *
 * Waking vCPUs: any call that may make an interrupt deliverable to a vCPU
 * records that vCPU in a "kick" mask. The caller collects it with
 * vgic_kicks_take() and wakes (WFI) or interrupts (running elsewhere) the
 * vCPUs named, which then exit, vgic_sync() and vgic_flush().
 */
#ifndef HV_VGIC_H
#define HV_VGIC_H

#include "arm64/gic.h"
#include "config.h"
#include "mmio.h"
#include "types.h"
#include "vcpu.h"

/*
 * SPIs per cell: INTIDs 32..127. Enough for QEMU virt's devices (UART 33,
 * RTC 34, PCIe 35-38, virtio-mmio 48-79) plus doorbells; a compile-time
 * maximum so a cell needs no allocation. Must stay a multiple of 32.
 */
#define VGIC_MAX_SPIS 96u
#define VGIC_MAX_INTID (GIC_SPI_FIRST + VGIC_MAX_SPIS) /* exclusive */
#define VGIC_MAX_LRS 16u /* ICH_VTR_EL2.ListRegs allows at most 16 */

/*
 * Priority bits the virtual CPU interface implements: the architecture
 * guarantees at least 5 (32 levels; IHI 0069, ICH_VTR_EL2.PRIbits), so the
 * model keeps the top 5 bits of every priority the guest writes.
 */
#define VGIC_PRIO_MASK 0xf8u

#define VGIC_NONE 0xffu /* "no vCPU / no LR" in the uint8_t fields below */

/* struct vgic_irq flags. */
#define VGIC_IRQ_ENABLED 0x001u /* ISENABLER */
#define VGIC_IRQ_LATCH 0x002u	/* pending: edge event or ISPENDR write */
#define VGIC_IRQ_LINE 0x004u	/* level input currently asserted */
#define VGIC_IRQ_ACTIVE 0x008u
#define VGIC_IRQ_GROUP1 0x010u	 /* IGROUPR: 1 = Group 1 */
#define VGIC_IRQ_EDGE 0x020u	 /* ICFGR: edge-triggered */
#define VGIC_IRQ_HW 0x040u	 /* linked to physical INTID hw_intid */
#define VGIC_IRQ_LR_LATCH 0x080u /* the latch was handed to the LR it is in */

/* One INTID's state. SGIs/PPIs have one per vCPU, SPIs one per cell. */
struct vgic_irq {
	uint16_t flags;	   /* VGIC_IRQ_* */
	uint16_t hw_intid; /* pINTID when VGIC_IRQ_HW */
	uint8_t priority;  /* IPRIORITYR byte, VGIC_PRIO_MASK applied */
	uint8_t lr_vcpu;   /* vCPU whose list registers hold it, or VGIC_NONE */
	uint8_t lr;	   /* which LR of lr_vcpu */
};

/* Per-vCPU state: its redistributor, its private INTIDs and its LRs. */
struct vgic_cpu {
	struct vgic_irq private_irqs[GIC_PRIVATE_COUNT];
	uint32_t waker;	  /* GICR_WAKER.{ProcessorSleep,ChildrenAsleep} */
	uint32_t lr_used; /* bit n: LR n holds lr_intid[n] */
	/* bit n: private_irqs[n] has VGIC_IRQ_ENABLED (GICR_ISENABLER0 as
	 * the guest reads it, kept beside the flags: one load per read) */
	uint32_t enabled;
	uint16_t lr_intid[VGIC_MAX_LRS];
	uint64_t lr_val[VGIC_MAX_LRS]; /* last value written or read back */
	bool synced;	    /* LRs folded into the model since the last flush */
	uint64_t flush_gen; /* vgic->gen when this vCPU's LRs were last chosen */
};

/* The virtual GIC of one cell. */
struct vgic {
	struct hv_vcpu *vcpus; /* the cell's vCPUs, vcpus[0..vcpu_count) */
	unsigned vcpu_count;
	unsigned spi_count; /* multiple of 32, <= VGIC_MAX_SPIS */
	unsigned lr_count;  /* list registers used per vCPU */
	uint32_t ctlr;	    /* GICD_CTLR.EnableGrp0/EnableGrp1 */
	uint64_t kicks;	    /* bit n: vCPU n may have a new deliverable IRQ */
	/* Bumped by every change that can alter what a vCPU's LRs should
	 * hold; vgic_flush() is a no-op while it has not moved, which keeps
	 * exits that touch no interrupt state cheap. */
	uint64_t gen;
	struct vgic_cpu cpu[HV_MAX_VCPUS];
	struct vgic_irq spis[VGIC_MAX_SPIS];
	/* bit n of word k: spis[32k + n] has VGIC_IRQ_ENABLED (the same
	 * mirror as vgic_cpu.enabled, for GICD_ISENABLER<k+1>) */
	uint32_t spi_enabled[VGIC_MAX_SPIS / 32];
	uint64_t irouter[VGIC_MAX_SPIS]; /* GICD_IROUTER<n> as written */
};

/*
 * Distributor and redistributor MMIO callbacks; dev is the struct vgic.
 * Register vgic_dist_ops for [base, base + GICD_SIZE) and vgic_redist_ops
 * for [base, base + vgic_redist_size(vgic)) with mmio_bus_add(). They
 * refuse (return false) misaligned accesses and widths the GICv3
 * architecture does not allow for the register.
 */
extern const struct mmio_ops vgic_dist_ops;
extern const struct mmio_ops vgic_redist_ops;

/* Bytes of the redistributor region: GICR_SIZE per vCPU, contiguous. */
uint64_t vgic_redist_size(const struct vgic *vgic);

/*
 * Initialises *vgic (any prior content) for the cell whose vCPUs are
 * vcpus[0..vcpu_count) with `spi_count` SPIs (rounded up to a multiple of
 * 32), every register at its reset value and no list register in use.
 * Reads hal_vgic_lr_count() (capped at VGIC_MAX_LRS). HV_ERR_INVAL when a
 * count is 0 or above HV_MAX_VCPUS / VGIC_MAX_SPIS or the HAL has no LR.
 * Called from cell creation; the config has been validated by then.
 */
HV_MUST_CHECK enum hv_err vgic_init(struct vgic *vgic, struct hv_vcpu *vcpus,
				    unsigned vcpu_count, unsigned spi_count);

/*
 * Returns every register and interrupt to its reset value (cell restart),
 * keeping the hardware links made by vgic_hw_link(). Physical interrupts
 * that were forwarded and not yet deactivated by the guest are deactivated
 * (hal_vgic_hw_deactivate) and every vCPU's LRs are cleared through the
 * HAL. No vCPU of the cell may be in the guest.
 */
void vgic_reset(struct vgic *vgic);

/* Like vgic_reset() and also drops every hardware link: after this the
 * vgic holds nothing and must be initialised again before use. */
void vgic_destroy(struct vgic *vgic);

/*
 * Makes INTID `intid` pending as an edge would (ISPENDR semantics for a
 * level-sensitive interrupt). For SGIs/PPIs (intid < 32) `vcpu_id` picks
 * the vCPU; for SPIs it is ignored (the route in GICD_IROUTER decides).
 * HV_ERR_INVAL for an INTID the cell does not have or a bad vcpu_id.
 */
HV_MUST_CHECK enum hv_err vgic_inject(struct vgic *vgic, unsigned vcpu_id,
				      uint32_t intid);

/*
 * Drives the input line of `intid` (vcpu_id as for vgic_inject). A
 * level-sensitive interrupt is pending while the line is high; an
 * edge-triggered one latches pending on a rising edge. For a hardware-
 * linked interrupt each `true` is one physical activation (the physical
 * interrupt stays active until the guest deactivates the virtual one) and
 * `false` is ignored. HV_ERR_INVAL as for vgic_inject(); SGIs have no line.
 */
HV_MUST_CHECK enum hv_err vgic_set_level(struct vgic *vgic, unsigned vcpu_id,
					 uint32_t intid, bool level);

/*
 * Links virtual `intid` (a PPI of vcpu_id or an SPI) to physical INTID
 * `pintid` (16..1019): its LRs get HW = 1, so the guest's deactivation
 * deactivates the physical interrupt. HV_ERR_INVAL for an SGI or an
 * out-of-range INTID, HV_ERR_EXISTS when already linked. Config-time.
 */
HV_MUST_CHECK enum hv_err vgic_hw_link(struct vgic *vgic, unsigned vcpu_id,
				       uint32_t intid, uint32_t pintid);

/*
 * Removes the link of `intid`; a pending or active state it had is
 * dropped and its physical interrupt deactivated. HV_ERR_NOENT when not
 * linked. Meant for stopped cells (pledges, destroy): an LR a running vCPU
 * still holds may deactivate the physical interrupt a second time.
 */
HV_MUST_CHECK enum hv_err vgic_hw_unlink(struct vgic *vgic, unsigned vcpu_id,
					 uint32_t intid);

/*
 * The HAL took physical interrupt `pintid` on the pCPU of `vcpu_id` and
 * left it active: makes the virtual interrupt linked to it pending (a PPI
 * of vcpu_id first, then SPIs). HV_ERR_NOENT when nothing is linked to it
 * (the caller then deactivates it itself).
 */
HV_MUST_CHECK enum hv_err vgic_hw_inject(struct vgic *vgic, unsigned vcpu_id,
					 uint32_t pintid);

/*
 * Emulates a write of `val` to ICC_SGI1R_EL1 (group 1) or ICC_SGI0R_EL1
 * (group 0) by vCPU `self`: decodes TargetList, Aff1..3, RS, IRM and INTID
 * (IHI 0069, ICC_SGI1R_EL1) and makes the SGI pending on every targeted
 * vCPU of this cell whose SGI is configured in that group. IRM = 1 targets
 * every vCPU but `self`; targets outside the cell are ignored. Returns
 * how many vCPUs the SGI was made pending on. Guest input: never fails.
 */
unsigned vgic_sgi_write(struct vgic *vgic, unsigned self, uint64_t val,
			unsigned group);

/*
 * Before `vcpu` enters the guest: loads its list registers with the
 * interrupts it should see (active ones first, then pending and enabled
 * ones by priority, then INTID), updating an interrupt already in an LR in
 * place and evicting ones that no longer qualify. Sets the underflow
 * maintenance interrupt when pending interrupts were left out. Folds the
 * LRs first (vgic_sync) if that was not done since the last flush.
 */
void vgic_flush(struct vgic *vgic, struct hv_vcpu *vcpu);

/*
 * True when vgic_sync() and vgic_flush() of the vCPU whose state is `c`
 * (one of vgic->cpu[]) would
 * change nothing but the `synced` flag: no LR in use and no change to the
 * model since its last flush. Read without the cell lock by the exit fast
 * path: a change made meanwhile by another pCPU comes with a kick, and
 * the kick's exit flushes.
 */
static inline bool vgic_quiet(const struct vgic *vgic, const struct vgic_cpu *c)
{
	return __atomic_load_n(&c->lr_used, __ATOMIC_RELAXED) == 0 &&
	       __atomic_load_n(&c->flush_gen, __ATOMIC_RELAXED) ==
		       __atomic_load_n(&vgic->gen, __ATOMIC_RELAXED);
}

/*
 * After `vcpu` left the guest: reads back its LRs and folds what the guest
 * did (acknowledge: pending -> active; EOI/deactivate: -> invalid) into
 * the model; LRs that became invalid are free again.
 */
void vgic_sync(struct vgic *vgic, struct hv_vcpu *vcpu);

/*
 * True when vCPU `vcpu_id` has a pending, enabled, not active interrupt
 * that the distributor forwards (for WFI wake-up). Call after vgic_sync.
 */
bool vgic_pending(const struct vgic *vgic, unsigned vcpu_id);

/* Returns and clears the kick mask (bit n = vCPU n, see above). */
uint64_t vgic_kicks_take(struct vgic *vgic);

/* The interrupt state of `intid` for vCPU `vcpu_id` (ignored for SPIs), or
 * NULL when out of range. For inspection (tests, traces, management). */
const struct vgic_irq *vgic_irq_peek(const struct vgic *vgic, unsigned vcpu_id,
				     uint32_t intid);

#endif /* HV_VGIC_H */
