/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3: distributor and redistributor emulation, per-INTID
 * interrupt state and the list-register allocator. Arm IHI 0069 ("GIC
 * architecture specification, GICv3 and GICv4") is the reference; register
 * names below are as in its chapter 12, so a reader can look each up.
 *
 * The model presents a GIC with a single Security state (GICD_CTLR.DS ==
 * 1, as a virtual machine has no Secure world) and affinity routing always
 * on (ARE == 1): no GICv2 compatibility, no LPIs. docs/vgic.md explains
 * the choices; the comments here say why the code does what it does.
 *
 * Who owns an interrupt's state: the model (struct vgic_irq) is complete
 * after vgic_sync(). vgic_flush() hands the pending "latch" of each
 * interrupt it loads to the LR (VGIC_IRQ_LR_LATCH) and the next
 * vgic_sync() takes it back if the guest has not acknowledged it, so an
 * edge is delivered exactly once however often flush and sync run, and a
 * new edge arriving while the guest runs is never folded into an old one
 * that the guest has already taken.
 */
#include <hal/vgic.h>
#include <hv/arm64/gic.h>
#include <hv/check.h>
#include <hv/lib.h>
#include <hv/vgic.h>

/*
 * GICD_IIDR / GICR_IIDR: ProductID 'C' (Cellvisor), Implementer 0x43B (the
 * JEP106 code hypervisors conventionally present for a virtual GIC). No
 * Linux erratum workaround keys on this value.
 */
#define VGIC_IIDR UINT32_C(0x4300043b)
/* GICD_TYPER.IDbits: 10 INTID bits, so INTIDs up to 1019 (no LPIs). */
#define VGIC_IDBITS UINT32_C(9)
/* GICR_ICFGR0: SGIs are always edge-triggered (IHI 0069, GICR_ICFGR0). */
#define VGIC_ICFGR0_SGIS UINT32_C(0xaaaaaaaa)

/* Bit-per-INTID register blocks, in the order of their offsets (0x080,
 * 0x100, ... 0x380) in both the distributor and the SGI_base frame. */
enum vgic_bitreg {
	BITREG_IGROUPR,
	BITREG_ISENABLER,
	BITREG_ICENABLER,
	BITREG_ISPENDR,
	BITREG_ICPENDR,
	BITREG_ISACTIVER,
	BITREG_ICACTIVER,
};

static uint64_t vcpu_bit(unsigned id)
{
	return UINT64_C(1) << id;
}

/* The state of `intid` as seen by vCPU `cpu`; NULL when the cell has no
 * such INTID or `cpu` is not one of its vCPUs (for a private INTID). */
static struct vgic_irq *irq_get(struct vgic *vgic, unsigned cpu, uint32_t intid)
{
	if (intid < GIC_PRIVATE_COUNT) {
		if (cpu >= vgic->vcpu_count)
			return NULL;
		/* cppcheck follows cpu = VGIC_NONE from irouter_access(),
		 * which asks for SPIs only, and misses vcpu_count <=
		 * HV_MAX_VCPUS (vgic_init). */
		/* cppcheck-suppress arrayIndexOutOfBounds */
		return &vgic->cpu[cpu].private_irqs[intid];
	}
	if (intid - GIC_SPI_FIRST >= vgic->spi_count)
		return NULL;
	return &vgic->spis[intid - GIC_SPI_FIRST];
}

/* irq_get() for an INTID the caller knows exists (loop bounds, LR
 * bookkeeping): a NULL here is a hypervisor bug. */
static struct vgic_irq *irq_must(struct vgic *vgic, unsigned cpu,
				 uint32_t intid)
{
	struct vgic_irq *irq = irq_get(vgic, cpu, intid);

	CHECK(irq != NULL);
	return irq;
}

const struct vgic_irq *vgic_irq_peek(const struct vgic *vgic, unsigned vcpu_id,
				     uint32_t intid)
{
	/* irq_get does not modify; the cast only shares its code. */
	return irq_get((struct vgic *)(uintptr_t)vgic, vcpu_id, intid);
}

/*
 * Pending state (IHI 0069, "Interrupt lifecycle"): a latched event
 * (edge, or a write to ISPENDR), one handed to an LR and not yet taken
 * back, or, for a level-sensitive interrupt, the input line held high.
 */
static bool irq_is_pending(const struct vgic_irq *irq)
{
	if (irq->flags & (VGIC_IRQ_LATCH | VGIC_IRQ_LR_LATCH))
		return true;
	return (irq->flags & (VGIC_IRQ_LINE | VGIC_IRQ_EDGE)) == VGIC_IRQ_LINE;
}

/* The distributor forwards an interrupt only when its group is enabled in
 * GICD_CTLR; with ARE == 1 that holds for SGIs and PPIs too. */
static bool irq_group_enabled(const struct vgic *vgic,
			      const struct vgic_irq *irq)
{
	uint32_t en = (irq->flags & VGIC_IRQ_GROUP1) ? GICD_CTLR_ENABLE_GRP1
						     : GICD_CTLR_ENABLE_GRP0;

	return (vgic->ctlr & en) != 0;
}

/* Could this interrupt be signalled to a vCPU now? */
static bool irq_forwardable(const struct vgic *vgic, const struct vgic_irq *irq)
{
	return irq_is_pending(irq) && (irq->flags & VGIC_IRQ_ENABLED) &&
	       irq_group_enabled(vgic, irq);
}

/*
 * The vCPU an SPI is routed to (IHI 0069, GICD_IROUTER<n>), or VGIC_NONE.
 * vCPU n has affinity 0.0.0.n. An affinity naming no vCPU of the cell is
 * the CONSTRAINED UNPREDICTABLE case where the interrupt is "not forwarded
 * to any PE"; it stays pending until rerouted. For 1-of-N routing (IRM ==
 * 1) the choice is ours: the lowest-numbered vCPU whose redistributor is
 * awake (GICR_WAKER.ProcessorSleep == 0), else vCPU 0, deterministically.
 */
static unsigned spi_target(const struct vgic *vgic, unsigned spi)
{
	uint64_t r = vgic->irouter[spi];
	uint64_t aff0 = (r >> GICD_IROUTER_AFF0_SHIFT) & 0xff;
	unsigned i;

	if (r & GICD_IROUTER_IRM) {
		for (i = 0; i < vgic->vcpu_count; i++)
			if (!(vgic->cpu[i].waker & GICR_WAKER_PROCESSOR_SLEEP))
				return i;
		return 0;
	}
	if ((r & GICD_IROUTER_AFF_MASK) != aff0 || aff0 >= vgic->vcpu_count)
		return VGIC_NONE;
	return (unsigned)aff0;
}

/* The vCPU that `intid` (private to `cpu`, or an SPI) is delivered to. */
static unsigned irq_target(const struct vgic *vgic, unsigned cpu,
			   uint32_t intid)
{
	if (intid < GIC_PRIVATE_COUNT)
		return cpu;
	return spi_target(vgic, intid - GIC_SPI_FIRST);
}

/*
 * Something about `intid` changed: kick the vCPU it is now routed to if it
 * can be forwarded, and the vCPU whose LR holds it (that LR must be
 * rewritten or evicted at its next flush).
 */
/* Marks the model changed: the next vgic_flush() of every vCPU re-chooses. */
static inline void vgic_touch(struct vgic *vgic)
{
	vgic->gen++;
}

static void irq_changed(struct vgic *vgic, unsigned cpu, uint32_t intid)
{
	struct vgic_irq *irq = irq_get(vgic, cpu, intid);
	unsigned t;

	if (irq == NULL)
		return;
	t = irq_target(vgic, cpu, intid);
	if (t != VGIC_NONE && irq_forwardable(vgic, irq))
		vgic->kicks |= vcpu_bit(t);
	if (irq->lr_vcpu != VGIC_NONE)
		vgic->kicks |= vcpu_bit(irq->lr_vcpu);
}

/*
 * A hardware-linked interrupt keeps its physical interrupt active from the
 * moment it is forwarded until the guest deactivates the virtual one
 * through an LR with HW = 1 (IHI 0069, ICH_LR<n>_EL2.HW: deactivating the
 * virtual interrupt deactivates the physical one). When the virtual state ends any other way
 * (ICPENDR/ICACTIVER writes, eviction after such a write, reset) nobody
 * will deactivate the physical one, so the hypervisor must.
 */
static void irq_hw_release(struct vgic_irq *irq, bool was_live)
{
	if (!(irq->flags & VGIC_IRQ_HW) || !was_live)
		return;
	if (irq_is_pending(irq) || (irq->flags & VGIC_IRQ_ACTIVE) ||
	    irq->lr_vcpu != VGIC_NONE)
		return;
	hal_vgic_hw_deactivate(irq->hw_intid);
}

static bool irq_live(const struct vgic_irq *irq)
{
	return irq_is_pending(irq) || (irq->flags & VGIC_IRQ_ACTIVE);
}

/* Reset values (IHI 0069 leaves most UNKNOWN; these are what Linux and
 * small guests expect): disabled, idle, Group 1 (a guest that enables only
 * Group 1 works without touching IGROUPR), priority 0, level-sensitive
 * except SGIs. The hardware link survives; it comes from the config. */
static void irq_reset(struct vgic_irq *irq, uint32_t intid)
{
	uint16_t hw = irq->flags & VGIC_IRQ_HW;

	irq->flags = (uint16_t)(VGIC_IRQ_GROUP1 | hw);
	if (intid < GIC_SGI_COUNT)
		irq->flags |= VGIC_IRQ_EDGE;
	irq->priority = 0;
	irq->lr_vcpu = VGIC_NONE;
	irq->lr = 0;
}

uint64_t vgic_kicks_take(struct vgic *vgic)
{
	uint64_t k = vgic->kicks;

	vgic->kicks = 0;
	return k;
}

uint64_t vgic_redist_size(const struct vgic *vgic)
{
	return (uint64_t)vgic->vcpu_count * GICR_SIZE;
}

/* --- Register helpers shared by the distributor and the SGI frame ------- */

/* RAZ/WI: reserved or unimplemented registers (the guest sees nothing). */
static bool raz_wi(uint64_t *val, bool write)
{
	if (!write)
		*val = 0;
	return true;
}

/* The enable mirror word of INTIDs first..first+31 (first a multiple of
 * 32), or NULL where those INTIDs do not exist. */
static uint32_t *enabled_word(struct vgic *vgic, unsigned cpu, uint32_t first)
{
	if (first < GIC_PRIVATE_COUNT)
		/* vcpu_count <= HV_MAX_VCPUS (vgic_init); the second bound
		 * says so to GCC, which sees cpu = VGIC_NONE come from the
		 * distributor's callers. */
		return cpu < vgic->vcpu_count && cpu < HV_MAX_VCPUS
			       ? &vgic->cpu[cpu].enabled
			       : NULL;
	if (first - GIC_SPI_FIRST >= vgic->spi_count)
		return NULL;
	return &vgic->spi_enabled[(first - GIC_SPI_FIRST) / 32];
}

/* bitreg_access() but for reads of the enable registers: out of line, so
 * that those reads (one load of the mirror) pay for none of it. */
static __attribute__((noinline)) void bitreg_update(struct vgic *vgic,
						    unsigned cpu,
						    uint32_t first,
						    enum vgic_bitreg kind,
						    uint64_t *val, bool write)
{
	uint32_t *enabled = enabled_word(vgic, cpu, first);
	uint32_t out = 0;
	unsigned i;

	for (i = 0; i < 32; i++) {
		uint32_t intid = first + i;
		struct vgic_irq *irq = irq_get(vgic, cpu, intid);
		bool bit = (*val >> i) & 1;
		bool was_live;

		if (irq == NULL)
			continue;
		if (!write) {
			bool set;

			switch (kind) {
			case BITREG_IGROUPR:
				set = irq->flags & VGIC_IRQ_GROUP1;
				break;
			case BITREG_ISENABLER:
			case BITREG_ICENABLER:
				set = irq->flags & VGIC_IRQ_ENABLED;
				break;
			case BITREG_ISPENDR:
			case BITREG_ICPENDR:
				set = irq_is_pending(irq);
				break;
			default:
				set = irq->flags & VGIC_IRQ_ACTIVE;
				break;
			}
			out |= (uint32_t)set << i;
			continue;
		}
		/* Set/clear registers: writing 0 has no effect (IHI 0069,
		 * GICD_ISENABLER<n> and siblings); IGROUPR is plain RW. */
		if (!bit && kind != BITREG_IGROUPR)
			continue;
		was_live = irq_live(irq);
		switch (kind) {
		case BITREG_IGROUPR:
			if (bit)
				irq->flags |= VGIC_IRQ_GROUP1;
			else
				irq->flags &= (uint16_t)~VGIC_IRQ_GROUP1;
			break;
		case BITREG_ISENABLER:
			irq->flags |= VGIC_IRQ_ENABLED;
			/* Never NULL where irq exists; said for the analyzer. */
			if (enabled != NULL)
				*enabled |= UINT32_C(1) << i;
			break;
		case BITREG_ICENABLER:
			irq->flags &= (uint16_t)~VGIC_IRQ_ENABLED;
			if (enabled != NULL)
				*enabled &= ~(UINT32_C(1) << i);
			break;
		case BITREG_ISPENDR:
			irq->flags |= VGIC_IRQ_LATCH;
			break;
		case BITREG_ICPENDR:
			/* Withdraws a pending state already handed to an LR
			 * too: that LR's sync will not restore it. A level
			 * line still high keeps the interrupt pending. */
			irq->flags &= (uint16_t) ~(VGIC_IRQ_LATCH |
						   VGIC_IRQ_LR_LATCH);
			break;
		case BITREG_ISACTIVER:
			irq->flags |= VGIC_IRQ_ACTIVE;
			break;
		case BITREG_ICACTIVER:
			irq->flags &= (uint16_t)~VGIC_IRQ_ACTIVE;
			break;
		}
		irq_hw_release(irq, was_live);
		irq_changed(vgic, cpu, intid);
	}
	if (!write)
		*val = out;
}

/* One 32-bit bit-per-INTID register covering INTIDs first..first+31. */
static void bitreg_access(struct vgic *vgic, unsigned cpu, uint32_t first,
			  enum vgic_bitreg kind, uint64_t *val, bool write)
{
	/* The enable registers read from the mirror, in one load. */
	if (!write && (kind == BITREG_ISENABLER || kind == BITREG_ICENABLER)) {
		const uint32_t *enabled = enabled_word(vgic, cpu, first);

		*val = enabled != NULL ? *enabled : 0;
		return;
	}
	bitreg_update(vgic, cpu, first, kind, val, write);
}

/* IPRIORITYR bytes for INTIDs first..first+size-1 (byte-accessible). */
static void prio_access(struct vgic *vgic, unsigned cpu, uint32_t first,
			unsigned size, uint64_t *val, bool write)
{
	uint64_t out = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		struct vgic_irq *irq = irq_get(vgic, cpu, first + i);

		if (irq == NULL)
			continue;
		if (write) {
			irq->priority = (uint8_t)((*val >> (8 * i)) &
						  VGIC_PRIO_MASK);
			irq_changed(vgic, cpu, first + i);
		} else {
			out |= (uint64_t)irq->priority << (8 * i);
		}
	}
	if (!write)
		*val = out;
}

/* One ICFGR register: 16 INTIDs from `first`, bit 2k+1 = edge. Bit 2k is
 * RES0. Never called for SGIs: GICR_ICFGR0 is read-only (sgi_access). */
static void icfgr_access(struct vgic *vgic, unsigned cpu, uint32_t first,
			 uint64_t *val, bool write)
{
	uint32_t out = 0;
	unsigned i;

	for (i = 0; i < 16; i++) {
		struct vgic_irq *irq = irq_get(vgic, cpu, first + i);

		if (irq == NULL)
			continue;
		if (!write) {
			if (irq->flags & VGIC_IRQ_EDGE)
				out |= GIC_ICFGR_EDGE << (2 * i);
			continue;
		}
		if ((*val >> (2 * i)) & GIC_ICFGR_EDGE)
			irq->flags |= VGIC_IRQ_EDGE;
		else
			irq->flags &= (uint16_t)~VGIC_IRQ_EDGE;
		irq_changed(vgic, cpu, first + i);
	}
	if (!write)
		*val = out;
}

/*
 * CoreSight-style identification registers at 0xffd0..0xffff of the
 * distributor and the RD_base frame. PIDR2.ArchRev = 3 is what Linux
 * checks (GICv3); the rest names JEP106 0x43B, part 0x043, 64 KiB frame.
 */
static uint32_t id_reg(uint64_t off)
{
	switch (off) {
	case GICD_PIDR0:
		return 0x43;
	case GICD_PIDR1:
		return 0xb0;
	case GICD_PIDR2:
		return (GIC_PIDR2_ARCHREV_GICV3 << GIC_PIDR2_ARCHREV_SHIFT) |
		       0x0b;
	case GICD_PIDR4:
		return 0x44;
	case GICD_CIDR0:
		return 0x0d;
	case GICD_CIDR1:
		return 0xf0;
	case GICD_CIDR2:
		return 0x05;
	case GICD_CIDR3:
		return 0xb1;
	default:
		return 0;
	}
}

/* The tail both frames share: the ID registers (PIDR/CIDR, same layout in
 * GICD and GICR frames) or, anywhere else, read-as-zero/write-ignored. */
static bool id_or_raz_wi(uint64_t off, uint64_t *val, bool write)
{
	if (off >= GICD_PIDR4) {
		if (!write)
			*val = id_reg(off);
		return true;
	}
	return raz_wi(val, write);
}

/* Common width check (IHI 0069, "GIC memory-mapped register access":
 * registers take aligned 32-bit accesses, some also bytes or 64 bits;
 * 16-bit accesses are never supported). */
static bool width_ok(uint64_t off, unsigned size)
{
	/* Sizes 1, 4 and 8 (bits of 0x112); 2 and the rest are refused. */
	if (size > 8 || ((0x112u >> size) & 1u) == 0)
		return false;
	return (off & (size - 1)) == 0;
}

/* --- Distributor --------------------------------------------------------- */

static uint32_t dist_typer(const struct vgic *vgic)
{
	uint32_t lines = (GIC_PRIVATE_COUNT + vgic->spi_count) / 32 - 1;
	uint32_t cpus = vgic->vcpu_count > 8 ? 8 : vgic->vcpu_count;

	/* SecurityExtn = 0 (one Security state), MBIS = LPIS = 0, No1N = 0
	 * (1-of-N routing is implemented), A3V = 0, RSS = 0 (Aff0 0..15). */
	return (lines << GICD_TYPER_ITLINES_SHIFT) |
	       ((cpus - 1) << GICD_TYPER_CPUNUMBER_SHIFT) |
	       (VGIC_IDBITS << GICD_TYPER_IDBITS_SHIFT);
}

/* GICD_IROUTER<n>: 64-bit, also accessible as two 32-bit halves. */
static bool irouter_access(struct vgic *vgic, uint64_t off, unsigned size,
			   uint64_t *val, bool write)
{
	uint32_t intid = (uint32_t)((off - GICD_IROUTER) / 8);
	unsigned spi;
	uint64_t old, v;
	unsigned shift = (off & 4) ? 32 : 0;

	if (size == 1)
		return false;
	/* IROUTER0..31 are reserved: SGIs/PPIs are not routed. */
	if (intid < GIC_SPI_FIRST || irq_get(vgic, VGIC_NONE, intid) == NULL)
		return raz_wi(val, write);
	spi = intid - GIC_SPI_FIRST;
	old = vgic->irouter[spi];
	if (!write) {
		*val = size == 8 ? old : (old >> shift) & UINT32_C(0xffffffff);
		return true;
	}
	if (size == 8)
		v = *val;
	else
		v = (old & ~(UINT64_C(0xffffffff) << shift)) |
		    ((*val & UINT32_C(0xffffffff)) << shift);
	vgic->irouter[spi] = v & GICD_IROUTER_MASK;
	irq_changed(vgic, VGIC_NONE, intid);
	return true;
}

static bool dist_access(struct vgic *vgic, uint64_t off, unsigned size,
			uint64_t *val, bool write)
{
	if (!width_ok(off, size) || off >= GICD_SIZE)
		return false;
	/* The control and identification words first: one compare each
	 * (the ranges below are tried in turn). */
	if (size == 4) {
		switch (off) {
		case GICD_CTLR:
			if (write) {
				/* ARE and DS are RAO/WI; RWP reads 0 because
				 * every write takes effect before the access
				 * completes. */
				vgic->ctlr = (uint32_t)*val &
					     (GICD_CTLR_ENABLE_GRP0 |
					      GICD_CTLR_ENABLE_GRP1);
				/* Enabling can release pending interrupts on
				 * any vCPU, disabling must evict them from
				 * LRs. */
				vgic->kicks |= vcpu_bit(vgic->vcpu_count) - 1;
			} else {
				*val = vgic->ctlr | GICD_CTLR_ARE |
				       GICD_CTLR_DS;
			}
			return true;
		case GICD_TYPER:
			if (!write)
				*val = dist_typer(vgic);
			return true;
		case GICD_IIDR:
			if (!write)
				*val = VGIC_IIDR;
			return true;
		default:
			break;
		}
	}
	if (off >= GICD_IROUTER && off < GICD_IROUTER_END)
		return irouter_access(vgic, off, size, val, write);
	if (size == 8)
		return false;
	/* Byte access: IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR only. */
	if (size == 1 && !(off >= GICD_IPRIORITYR && off < GICD_ICFGR) &&
	    !(off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16))
		return false;

	if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
		/* SGI/PPI bytes resolve to NULL (banked in the GICR). */
		prio_access(vgic, VGIC_NONE, (uint32_t)(off - GICD_IPRIORITYR),
			    size, val, write);
		return true;
	}
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
		enum vgic_bitreg kind = (enum vgic_bitreg)(
			(off - GICD_IGROUPR) / 0x80);
		uint32_t first = (uint32_t)((off & 0x7f) / 4 * 32);

		bitreg_access(vgic, VGIC_NONE, first, kind, val, write);
		return true;
	}
	if (off >= GICD_ICFGR && off < GICD_IGRPMODR) {
		icfgr_access(vgic, VGIC_NONE,
			     (uint32_t)((off - GICD_ICFGR) / 4 * 16), val,
			     write);
		return true;
	}
	/* TYPER2 (no vPE/nASSGI features), STATUSR, the message-based SPI
	 * registers (MBIS = 0), ITARGETSR and SGIR (ARE == 1), IGRPMODR and
	 * NSACR (DS == 1), the SGI pending registers, INMIR, the extended
	 * SPI range (ESPI = 0) and everything reserved: RAZ/WI. */
	return id_or_raz_wi(off, val, write);
}

static bool dist_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	return dist_access(dev, off, size, val, false);
}

static bool dist_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	vgic_touch(dev);
	return dist_access(dev, off, size, &val, true);
}

const struct mmio_ops vgic_dist_ops = {
	.read = dist_read,
	.write = dist_write,
};

/* --- Redistributors ------------------------------------------------------ */

/* GICR_TYPER of vCPU `cpu` (IHI 0069, GICR_TYPER): Affinity_Value = the
 * vCPU's MPIDR affinity 0.0.0.cpu, Processor_Number = cpu, Last on the
 * final frame so the guest's scan of the region stops there. */
static uint64_t redist_typer(const struct vgic *vgic, unsigned cpu)
{
	uint64_t v = ((uint64_t)cpu << GICR_TYPER_AFF_SHIFT) |
		     ((uint64_t)cpu << GICR_TYPER_PROCNUM_SHIFT);

	if (cpu + 1 == vgic->vcpu_count)
		v |= GICR_TYPER_LAST;
	return v;
}

/* 64-bit registers of the RD_base frame: TYPER, and the LPI registers
 * (SETLPIR, CLRLPIR, PROPBASER, PENDBASER, INVLPIR, INVALLR), which are
 * RAZ/WI because GICD_TYPER.LPIS == 0. */
static bool rd_is_64bit(uint64_t off)
{
	switch (off) {
	case GICR_TYPER:
	case GICR_SETLPIR:
	case GICR_CLRLPIR:
	case GICR_PROPBASER:
	case GICR_PENDBASER:
	case GICR_INVLPIR:
	case GICR_INVALLR:
		return true;
	default:
		return false;
	}
}

static bool rd_access(struct vgic *vgic, unsigned cpu, uint64_t off,
		      unsigned size, uint64_t *val, bool write)
{
	struct vgic_cpu *c = &vgic->cpu[cpu];

	if (size == 1 || (size == 8 && !rd_is_64bit(off)))
		return false;
	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		uint64_t t = redist_typer(vgic, cpu);

		if (!write)
			*val = size == 8 ? t
					 : (t >> ((off & 4) ? 32 : 0)) &
						   UINT32_C(0xffffffff);
		return true;
	}
	switch (off) {
	case GICR_IIDR:
		if (!write)
			*val = VGIC_IIDR;
		return true;
	case GICR_WAKER:
		/*
		 * The power-management handshake (IHI 0069, GICR_WAKER):
		 * software clears ProcessorSleep and polls ChildrenAsleep
		 * until it reads 0. We have no interface to quiesce, so
		 * ChildrenAsleep follows ProcessorSleep at once. Delivery is
		 * not gated on it (guests that never touch WAKER still get
		 * interrupts); it only steers 1-of-N SPIs.
		 */
		if (write)
			c->waker = (*val & GICR_WAKER_PROCESSOR_SLEEP)
					   ? GICR_WAKER_PROCESSOR_SLEEP |
						     GICR_WAKER_CHILDREN_ASLEEP
					   : 0;
		else
			*val = c->waker;
		return true;
	default:
		break;
	}
	/* GICR_CTLR (EnableLPIs RAZ/WI, RWP/UWP 0), STATUSR, SYNCR (never
	 * busy), the LPI registers and everything reserved. */
	return id_or_raz_wi(off, val, write);
}

static bool sgi_access(struct vgic *vgic, unsigned cpu, uint64_t off,
		       unsigned size, uint64_t *val, bool write)
{
	/* The bit registers first (the commonest), then the rest in turn. */
	if (size == 4 && off >= GICR_IGROUPR0 && off < GICR_IPRIORITYR0)
		goto bitreg;
	if (size == 8)
		return false;
	if (off >= GICR_IPRIORITYR0 && off < GICR_IPRIORITYR0 + 32) {
		prio_access(vgic, cpu, (uint32_t)(off - GICR_IPRIORITYR0), size,
			    val, write);
		return true;
	}
	if (size == 1)
		return false;
	if (off >= GICR_IGROUPR0 && off < GICR_IPRIORITYR0) {
	bitreg:
		/* Only the first register of each block exists; the next
		 * ones are the extended PPI range (not implemented). */
		if (off & 0x7f)
			return raz_wi(val, write);
		bitreg_access(vgic, cpu, 0,
			      (enum vgic_bitreg)((off - GICR_IGROUPR0) / 0x80),
			      val, write);
		return true;
	}
	if (off == GICR_ICFGR0) {
		if (!write)
			*val = VGIC_ICFGR0_SGIS;
		return true;
	}
	if (off == GICR_ICFGR1) {
		icfgr_access(vgic, cpu, GIC_SGI_COUNT, val, write);
		return true;
	}
	/* IGRPMODR0, NSACR (DS == 1) and reserved space. */
	return raz_wi(val, write);
}

static bool redist_access(struct vgic *vgic, uint64_t off, unsigned size,
			  uint64_t *val, bool write)
{
	unsigned cpu;
	uint64_t frame_off;

	if (!width_ok(off, size) || off >= vgic_redist_size(vgic))
		return false;
	cpu = (unsigned)(off / GICR_SIZE);
	frame_off = off % GICR_SIZE;
	if (frame_off >= GICR_SGI_BASE)
		return sgi_access(vgic, cpu, frame_off - GICR_SGI_BASE, size,
				  val, write);
	return rd_access(vgic, cpu, frame_off, size, val, write);
}

static bool redist_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	return redist_access(dev, off, size, val, false);
}

static bool redist_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	vgic_touch(dev);
	return redist_access(dev, off, size, &val, true);
}

const struct mmio_ops vgic_redist_ops = {
	.read = redist_read,
	.write = redist_write,
};

/* --- Injection ----------------------------------------------------------- */

enum hv_err vgic_inject(struct vgic *vgic, unsigned vcpu_id, uint32_t intid)
{
	vgic_touch(vgic);
	struct vgic_irq *irq = irq_get(vgic, vcpu_id, intid);

	if (irq == NULL)
		return HV_ERR_INVAL;
	irq->flags |= VGIC_IRQ_LATCH;
	irq_changed(vgic, vcpu_id, intid);
	return HV_OK;
}

enum hv_err vgic_set_level(struct vgic *vgic, unsigned vcpu_id, uint32_t intid,
			   bool level)
{
	struct vgic_irq *irq = irq_get(vgic, vcpu_id, intid);
	bool was = irq != NULL && (irq->flags & VGIC_IRQ_LINE);

	if (irq == NULL || intid < GIC_SGI_COUNT)
		return HV_ERR_INVAL;
	/* A line that stays where it was changes nothing (a HW-linked
	 * one only reports activations): no re-flush (the PL011 line is reported after every console
	 * access, docs/performance.md). */
	if (was == level && !(level && (irq->flags & VGIC_IRQ_HW)))
		return HV_OK;
	vgic_touch(vgic);
	if (irq->flags & VGIC_IRQ_HW) {
		/* The physical GIC tracks the line; each call reports one
		 * activation it forwarded to us. */
		if (level)
			irq->flags |= VGIC_IRQ_LATCH;
	} else {
		if (level)
			irq->flags |= VGIC_IRQ_LINE;
		else
			irq->flags &= (uint16_t)~VGIC_IRQ_LINE;
		/* An edge-triggered interrupt latches on the rising edge
		 * (IHI 0069, "Interrupt lifecycle"). */
		if ((irq->flags & VGIC_IRQ_EDGE) && level && !was)
			irq->flags |= VGIC_IRQ_LATCH;
	}
	irq_changed(vgic, vcpu_id, intid);
	return HV_OK;
}

enum hv_err vgic_hw_link(struct vgic *vgic, unsigned vcpu_id, uint32_t intid,
			 uint32_t pintid)
{
	vgic_touch(vgic);
	struct vgic_irq *irq = irq_get(vgic, vcpu_id, intid);

	/* HW = 1 with an SGI as vINTID or pINTID is UNPREDICTABLE
	 * (IHI 0069, ICH_LR<n>_EL2.pINTID). */
	if (irq == NULL || intid < GIC_SGI_COUNT || pintid < GIC_SGI_COUNT ||
	    pintid > GIC_SPI_LAST)
		return HV_ERR_INVAL;
	if (irq->flags & VGIC_IRQ_HW)
		return HV_ERR_EXISTS;
	irq->flags |= VGIC_IRQ_HW;
	irq->hw_intid = (uint16_t)pintid;
	return HV_OK;
}

enum hv_err vgic_hw_unlink(struct vgic *vgic, unsigned vcpu_id, uint32_t intid)
{
	vgic_touch(vgic);
	struct vgic_irq *irq = irq_get(vgic, vcpu_id, intid);

	if (irq == NULL || !(irq->flags & VGIC_IRQ_HW))
		return HV_ERR_NOENT;
	if (irq_live(irq) || irq->lr_vcpu != VGIC_NONE)
		hal_vgic_hw_deactivate(irq->hw_intid);
	irq->flags &= (uint16_t) ~(VGIC_IRQ_HW | VGIC_IRQ_LATCH |
				   VGIC_IRQ_LR_LATCH | VGIC_IRQ_ACTIVE);
	irq->hw_intid = 0;
	irq_changed(vgic, vcpu_id, intid);
	return HV_OK;
}

enum hv_err vgic_hw_inject(struct vgic *vgic, unsigned vcpu_id, uint32_t pintid)
{
	vgic_touch(vgic);
	unsigned i;

	if (vcpu_id < vgic->vcpu_count) {
		for (i = GIC_SGI_COUNT; i < GIC_PRIVATE_COUNT; i++) {
			struct vgic_irq *irq =
				&vgic->cpu[vcpu_id].private_irqs[i];

			if ((irq->flags & VGIC_IRQ_HW) &&
			    irq->hw_intid == pintid)
				return vgic_set_level(vgic, vcpu_id, i, true);
		}
	}
	for (i = 0; i < vgic->spi_count; i++) {
		struct vgic_irq *irq = &vgic->spis[i];

		if ((irq->flags & VGIC_IRQ_HW) && irq->hw_intid == pintid)
			return vgic_set_level(vgic, vcpu_id, GIC_SPI_FIRST + i,
					      true);
	}
	return HV_ERR_NOENT;
}

unsigned vgic_sgi_write(struct vgic *vgic, unsigned self, uint64_t val,
			unsigned group)
{
	vgic_touch(vgic);
	uint32_t intid = (uint32_t)((val & ICC_SGI1R_INTID_MASK) >>
				    ICC_SGI1R_INTID_SHIFT);
	uint64_t targets = 0;
	unsigned i, count = 0;

	if (val & ICC_SGI1R_IRM) {
		/* IRM = 1: every PE in the system except the sender; the
		 * "system" a cell sees is its own vCPUs. */
		targets = (vcpu_bit(vgic->vcpu_count) - 1) & ~vcpu_bit(self);
	} else {
		uint64_t aff1 = (val >> ICC_SGI1R_AFF1_SHIFT) &
				ICC_SGI1R_AFF_MASK;
		uint64_t aff2 = (val >> ICC_SGI1R_AFF2_SHIFT) &
				ICC_SGI1R_AFF_MASK;
		uint64_t aff3 = (val >> ICC_SGI1R_AFF3_SHIFT) &
				ICC_SGI1R_AFF_MASK;
		unsigned rs = (unsigned)((val & ICC_SGI1R_RS_MASK) >>
					 ICC_SGI1R_RS_SHIFT);

		/* Our vCPUs all have Aff3.Aff2.Aff1 = 0.0.0 and Aff0 =
		 * RS * 16 + bit: anything else names no vCPU of ours. */
		if (aff1 == 0 && aff2 == 0 && aff3 == 0) {
			for (i = 0; i < 16; i++) {
				unsigned aff0 = rs * 16 + i;

				if ((val >> i) & 1 && aff0 < vgic->vcpu_count)
					targets |= vcpu_bit(aff0);
			}
		}
	}
	for (i = 0; i < vgic->vcpu_count; i++) {
		struct vgic_irq *irq = &vgic->cpu[i].private_irqs[intid];
		unsigned g = (irq->flags & VGIC_IRQ_GROUP1) ? 1 : 0;

		/* ICC_SGI1R_EL1 only raises SGIs the target has in Group 1,
		 * ICC_SGI0R_EL1 only Group 0 ones (IHI 0069, ICC_SGI1R_EL1,
		 * with one Security state). */
		if (!(targets & vcpu_bit(i)) || g != group)
			continue;
		irq->flags |= VGIC_IRQ_LATCH;
		irq_changed(vgic, i, intid);
		count++;
	}
	return count;
}

/* --- List registers ------------------------------------------------------ */

/* The vCPU index of `vcpu` in this vgic; a vCPU of another cell here is a
 * hypervisor bug. */
static unsigned vcpu_index(const struct vgic *vgic, const struct hv_vcpu *vcpu)
{
	CHECK(vcpu->id < vgic->vcpu_count && &vgic->vcpus[vcpu->id] == vcpu);
	return vcpu->id;
}

/*
 * vgic_sync() and vgic_flush() run around every exit of a cell with a
 * vGIC; most of the time no LR is in use and nothing changed. The work is
 * in separate functions so that these quick cases do not pay for the
 * register saves of the loops (docs/performance.md, EL2 exit costs).
 */
static __attribute__((noinline)) void sync_lrs(struct vgic *vgic,
					       struct hv_vcpu *vcpu,
					       unsigned id)
{
	struct vgic_cpu *c = &vgic->cpu[id];
	unsigned n;

	for (n = 0; n < vgic->lr_count; n++) {
		struct vgic_irq *irq;
		uint64_t v, st;

		if (!(c->lr_used & (UINT32_C(1) << n)))
			continue;
		v = hal_vgic_lr_read(vcpu, n);
		if (v != c->lr_val[n])
			vgic_touch(
				vgic); /* the guest acknowledged or ended it */
		irq = irq_must(vgic, id, c->lr_intid[n]);
		CHECK(irq->lr_vcpu == id && irq->lr == n);
		st = v & ICH_LR_STATE_MASK;
		/*
		 * Still pending in the LR: the guest has not acknowledged
		 * it, so the latch we handed over comes back. Anything else
		 * (active after acknowledge, invalid after deactivation)
		 * means the guest consumed it.
		 */
		if ((st & ICH_LR_STATE_PENDING) &&
		    (irq->flags & VGIC_IRQ_LR_LATCH))
			irq->flags |= VGIC_IRQ_LATCH;
		irq->flags &= (uint16_t)~VGIC_IRQ_LR_LATCH;
		if (st & ICH_LR_STATE_ACTIVE)
			irq->flags |= VGIC_IRQ_ACTIVE;
		else
			irq->flags &= (uint16_t)~VGIC_IRQ_ACTIVE;
		c->lr_val[n] = v;
		if (st == ICH_LR_STATE_INVALID) {
			/* The hardware freed it (ICH_ELRSR_EL2 would say
			 * so); a HW interrupt's physical one was deactivated
			 * by the same guest write. */
			c->lr_used &= ~(UINT32_C(1) << n);
			irq->lr_vcpu = VGIC_NONE;
			/* Rerouted while it was here: its new target can
			 * take a pending state that waited behind it. */
			irq_changed(vgic, id, c->lr_intid[n]);
		}
	}
}

void vgic_sync(struct vgic *vgic, struct hv_vcpu *vcpu)
{
	unsigned id = vcpu_index(vgic, vcpu);
	struct vgic_cpu *c = &vgic->cpu[id];

	if (c->lr_used != 0)
		sync_lrs(vgic, vcpu, id);
	c->synced = true;
}

/* One interrupt chosen for an LR. */
struct vgic_cand {
	uint32_t key; /* lower sorts first */
	uint32_t intid;
	bool pend; /* to be shown pending in the LR */
};

/*
 * Order of LR candidates: active interrupts first (the guest must be able
 * to deactivate what it took, and an active interrupt absent from the LRs
 * could only be deactivated through EOIcount, which we do not use), then by
 * priority (lower value = higher priority), then by INTID so the choice is
 * deterministic.
 */
static uint32_t cand_key(const struct vgic_irq *irq, uint32_t intid)
{
	uint32_t inactive = (irq->flags & VGIC_IRQ_ACTIVE) ? 0 : 1;

	return (inactive << 24) | ((uint32_t)irq->priority << 12) | intid;
}

/* Inserts into the sorted top-`max` list; returns false if it did not make
 * it (the list is full of better ones) or pushed another one out. */
static bool cand_insert(struct vgic_cand *best, unsigned *count, unsigned max,
			struct vgic_cand c)
{
	unsigned i = *count;
	bool fits = true;

	if (i == max) {
		if (max == 0 || best[max - 1].key < c.key)
			return false;
		i = max - 1; /* the worst one is dropped */
		fits = false;
	} else {
		(*count)++;
	}
	while (i > 0 && best[i - 1].key > c.key) {
		best[i] = best[i - 1];
		i--;
	}
	best[i] = c;
	return fits;
}

static uint64_t lr_value(const struct vgic_irq *irq, uint32_t intid, bool pend)
{
	uint64_t v = (uint64_t)intid |
		     ((uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT);
	bool active = irq->flags & VGIC_IRQ_ACTIVE;

	if (irq->flags & VGIC_IRQ_GROUP1)
		v |= ICH_LR_GROUP;
	if (irq->flags & VGIC_IRQ_HW) {
		v |= ICH_LR_HW |
		     ((uint64_t)irq->hw_intid << ICH_LR_PINTID_SHIFT);
		/* A hardware interrupt is never written pending+active: its
		 * next pending state lives in the physical GIC, or in our
		 * latch, until the guest deactivates this one. */
		if (active)
			pend = false;
	}
	if (pend)
		v |= ICH_LR_STATE_PENDING;
	if (active)
		v |= ICH_LR_STATE_ACTIVE;
	return v;
}

/* The flush when nothing changed since these LRs were chosen: they are
 * still right, and the guest gets them back as they are. Only the latch
 * of an LR still pending must go back to it, as step 4 of flush_choose()
 * would do: vgic_sync() took it back, and leaving it in the model would
 * deliver the interrupt a second time once the guest acknowledges the
 * LR. */
static __attribute__((noinline)) void flush_relatch(struct vgic *vgic,
						    unsigned id)
{
	struct vgic_cpu *c = &vgic->cpu[id];
	unsigned n;

	for (n = 0; n < vgic->lr_count; n++) {
		struct vgic_irq *irq;

		if (!(c->lr_used & (UINT32_C(1) << n)) ||
		    !(c->lr_val[n] & ICH_LR_STATE_PENDING))
			continue;
		irq = irq_must(vgic, id, c->lr_intid[n]);
		if (irq->flags & VGIC_IRQ_LATCH) {
			irq->flags |= VGIC_IRQ_LR_LATCH;
			irq->flags &= (uint16_t)~VGIC_IRQ_LATCH;
		}
	}
}

static void flush_choose(struct vgic *vgic, struct hv_vcpu *vcpu, unsigned id);

void vgic_flush(struct vgic *vgic, struct hv_vcpu *vcpu)
{
	unsigned id = vcpu_index(vgic, vcpu);
	struct vgic_cpu *c = &vgic->cpu[id];

	if (!c->synced)
		vgic_sync(vgic, vcpu);
	if (c->flush_gen == vgic->gen) {
		if (c->lr_used != 0)
			flush_relatch(vgic, id);
	} else {
		flush_choose(vgic, vcpu, id);
	}
	c->synced = false;
}

/* The full flush: choose the LRs' contents again from the model. */
static __attribute__((noinline)) void flush_choose(struct vgic *vgic,
						   struct hv_vcpu *vcpu,
						   unsigned id)
{
	struct vgic_cpu *c = &vgic->cpu[id];
	struct vgic_cand best[VGIC_MAX_LRS];
	unsigned count = 0, i, n;
	bool overflow = false;
	uint32_t keep = 0;
	uint32_t intid;

	/* 1. Choose: every interrupt this vCPU should see, best first. */
	for (intid = 0; intid < GIC_PRIVATE_COUNT + vgic->spi_count; intid++) {
		struct vgic_irq *irq =
			intid < GIC_PRIVATE_COUNT
				? &c->private_irqs[intid]
				: &vgic->spis[intid - GIC_SPI_FIRST];
		struct vgic_cand cand;
		unsigned t;
		bool act, pend;

		/* Neither pending nor active (most of them): not a
		 * candidate, whatever its target. */
		if (!(irq->flags & (VGIC_IRQ_LATCH | VGIC_IRQ_LR_LATCH |
				    VGIC_IRQ_LINE | VGIC_IRQ_ACTIVE)))
			continue;
		t = irq_target(vgic, id, intid);

		/* An interrupt sits in at most one vCPU's LRs. */
		if (irq->lr_vcpu != VGIC_NONE && irq->lr_vcpu != id)
			continue;
		pend = t == id && irq_forwardable(vgic, irq);
		act = (irq->flags & VGIC_IRQ_ACTIVE) &&
		      (t == id || irq->lr_vcpu == id);
		if (!pend && !act)
			continue;
		cand = (struct vgic_cand){cand_key(irq, intid), intid, pend};
		if (!cand_insert(best, &count, vgic->lr_count, cand))
			overflow = true;
	}

	/* 2. Residents that stay keep their LR. */
	for (i = 0; i < count; i++) {
		struct vgic_irq *irq = irq_must(vgic, id, best[i].intid);

		if (irq->lr_vcpu == id)
			keep |= UINT32_C(1) << irq->lr;
	}

	/* 3. Evict the rest; the model already holds their state (synced),
	 * and they come back when they win an LR again. */
	for (n = 0; n < vgic->lr_count; n++) {
		uint32_t bit = UINT32_C(1) << n;
		struct vgic_irq *irq;

		if (!(c->lr_used & bit) || (keep & bit))
			continue;
		irq = irq_must(vgic, id, c->lr_intid[n]);
		/* Another vCPU may be the right home for it now. */
		vgic_touch(vgic);
		hal_vgic_lr_write(vcpu, n, 0);
		c->lr_val[n] = 0;
		c->lr_used &= ~bit;
		irq->lr_vcpu = VGIC_NONE;
		/* Evicted because its state was withdrawn while it sat in
		 * the LR: the guest will never deactivate it now. */
		irq_hw_release(irq, true);
	}

	/* 4. Write the chosen ones: in place, or into a free LR. */
	for (i = 0; i < count; i++) {
		struct vgic_irq *irq = irq_must(vgic, id, best[i].intid);
		uint64_t v = lr_value(irq, best[i].intid, best[i].pend);
		bool fresh = irq->lr_vcpu != id;

		if (fresh) {
			for (n = 0; c->lr_used & (UINT32_C(1) << n); n++)
				;
			CHECK(n < vgic->lr_count);
			c->lr_used |= UINT32_C(1) << n;
			c->lr_intid[n] = (uint16_t)best[i].intid;
			irq->lr_vcpu = (uint8_t)id;
			irq->lr = (uint8_t)n;
		}
		n = irq->lr;
		/* Hand the latch to the LR; sync takes it back unless the
		 * guest acknowledged it. */
		if (v & ICH_LR_STATE_PENDING) {
			if (irq->flags & VGIC_IRQ_LATCH)
				irq->flags |= VGIC_IRQ_LR_LATCH;
			irq->flags &= (uint16_t)~VGIC_IRQ_LATCH;
		}
		if (fresh || c->lr_val[n] != v) {
			hal_vgic_lr_write(vcpu, n, v);
			c->lr_val[n] = v;
		}
	}

	/* 5. More than fits: ask for a maintenance interrupt as soon as the
	 * guest has drained the LRs (ICH_HCR_EL2.UIE), to refill them. */
	hal_vgic_set_underflow(vcpu, overflow);
	c->flush_gen = vgic->gen;
}

bool vgic_pending(const struct vgic *vgic, unsigned vcpu_id)
{
	uint32_t intid;

	if (vcpu_id >= vgic->vcpu_count)
		return false;
	for (intid = 0; intid < GIC_PRIVATE_COUNT + vgic->spi_count; intid++) {
		const struct vgic_irq *irq = irq_must(
			(struct vgic *)(uintptr_t)vgic, vcpu_id, intid);

		if ((irq->flags & VGIC_IRQ_ACTIVE) ||
		    !irq_forwardable(vgic, irq))
			continue;
		if (irq->lr_vcpu == vcpu_id ||
		    (irq->lr_vcpu == VGIC_NONE &&
		     irq_target(vgic, vcpu_id, intid) == vcpu_id))
			return true;
	}
	return false;
}

/* --- Life cycle ---------------------------------------------------------- */

enum hv_err vgic_init(struct vgic *vgic, struct hv_vcpu *vcpus,
		      unsigned vcpu_count, unsigned spi_count)
{
	unsigned lrs = hal_vgic_lr_count();
	unsigned i, j;

	memset(vgic, 0, sizeof(*vgic));
	if (vcpus == NULL || vcpu_count == 0 || vcpu_count > HV_MAX_VCPUS ||
	    spi_count > VGIC_MAX_SPIS || lrs == 0)
		return HV_ERR_INVAL;
	vgic->vcpus = vcpus;
	vgic->vcpu_count = vcpu_count;
	vgic->spi_count = (spi_count + 31) / 32 * 32;
	vgic->lr_count = lrs > VGIC_MAX_LRS ? VGIC_MAX_LRS : lrs;
	for (i = 0; i < vcpu_count; i++) {
		struct vgic_cpu *c = &vgic->cpu[i];

		for (j = 0; j < GIC_PRIVATE_COUNT; j++)
			irq_reset(&c->private_irqs[j], j);
		/* A redistributor comes out of reset asleep (IHI 0069,
		 * GICR_WAKER reset values). */
		c->waker = GICR_WAKER_PROCESSOR_SLEEP |
			   GICR_WAKER_CHILDREN_ASLEEP;
		c->synced = true;
	}
	for (i = 0; i < VGIC_MAX_SPIS; i++)
		irq_reset(&vgic->spis[i], GIC_SPI_FIRST + i);
	return HV_OK;
}

/* Releases physical interrupts still owed a deactivation, clears the LRs
 * of every vCPU and puts everything back to reset values. */
static void vgic_reset_all(struct vgic *vgic, bool unlink)
{
	unsigned i, j, n;

	for (i = 0; i < vgic->vcpu_count; i++)
		if (!vgic->cpu[i].synced)
			vgic_sync(vgic, &vgic->vcpus[i]);
	for (i = 0; i < vgic->vcpu_count; i++) {
		struct vgic_cpu *c = &vgic->cpu[i];

		for (j = 0; j < GIC_PRIVATE_COUNT; j++) {
			struct vgic_irq *irq = &c->private_irqs[j];

			if ((irq->flags & VGIC_IRQ_HW) &&
			    (irq_live(irq) || irq->lr_vcpu != VGIC_NONE))
				hal_vgic_hw_deactivate(irq->hw_intid);
			if (unlink)
				irq->flags = 0;
			irq_reset(irq, j);
		}
		for (n = 0; n < vgic->lr_count; n++)
			hal_vgic_lr_write(&vgic->vcpus[i], n, 0);
		hal_vgic_set_underflow(&vgic->vcpus[i], false);
		memset(c->lr_intid, 0, sizeof(c->lr_intid));
		memset(c->lr_val, 0, sizeof(c->lr_val));
		c->lr_used = 0;
		c->enabled = 0; /* irq_reset() disabled them all */
		c->waker = GICR_WAKER_PROCESSOR_SLEEP |
			   GICR_WAKER_CHILDREN_ASLEEP;
		c->synced = true;
	}
	/* spi_count <= VGIC_MAX_SPIS (vgic_init); the second bound says so
	 * to GCC 12, whose -Warray-bounds otherwise reports a false
	 * positive here under -fsanitize (docs/analysis.md). */
	for (i = 0; i < vgic->spi_count && i < VGIC_MAX_SPIS; i++) {
		struct vgic_irq *irq = &vgic->spis[i];

		if ((irq->flags & VGIC_IRQ_HW) &&
		    (irq_live(irq) || irq->lr_vcpu != VGIC_NONE))
			hal_vgic_hw_deactivate(irq->hw_intid);
		if (unlink)
			irq->flags = 0;
		irq_reset(irq, GIC_SPI_FIRST + i);
		vgic->irouter[i] = 0;
	}
	memset(vgic->spi_enabled, 0, sizeof(vgic->spi_enabled));
	vgic->ctlr = 0;
	vgic->kicks = 0;
}

void vgic_reset(struct vgic *vgic)
{
	vgic_touch(vgic);
	vgic_reset_all(vgic, false);
}

void vgic_destroy(struct vgic *vgic)
{
	vgic_reset_all(vgic, true);
	memset(vgic, 0, sizeof(*vgic));
}
