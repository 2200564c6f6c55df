/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 virtual CPU interface, modelled on its list registers (Arm IHI
 * 0069, "Virtual CPU interface" and the ICV_*_EL1 register descriptions).
 * See hv/include/hv/vcpuif.h for what is and is not modelled.
 *
 * Vocabulary (IHI 0069, "Interrupt prioritization"): the priority of an
 * LR splits at the binary point into a group priority, which decides
 * preemption, and a subpriority. Acknowledging an interrupt sets the
 * active-priority bit of its group priority; the lowest set bit is the
 * running priority, which a new interrupt must beat to be signalled.
 * Priority drop (EOIR) clears that bit; deactivation (EOIR with EOImode 0,
 * or DIR) ends the LR's active state.
 */
#include <hv/vcpuif.h>

/* ICV_CTLR_EL1.PRIbits / ICH_VTR_EL2.PRIbits: priority bits - 1. */
#define VCPUIF_PRIBITS_FIELD 4u
/* INTIDs the interface delivers: 16 bits (IDbits = 0). */
#define VCPUIF_INTID_MASK UINT64_C(0xffff)
/* ICH_HCR_EL2.EOIcount: 5 bits, wraps. */
#define VCPUIF_EOICOUNT_MAX 0x1fu

/* An LR chosen as the highest-priority pending interrupt. */
struct hppi {
	int lr; /* -1: none */
	unsigned prio;
	unsigned group;
};

static uint64_t lr_state(uint64_t lr)
{
	return lr & ICH_LR_STATE_MASK;
}

static unsigned lr_prio(uint64_t lr)
{
	return (unsigned)((lr & ICH_LR_PRIORITY_MASK) >>
			  ICH_LR_PRIORITY_SHIFT) &
	       VCPUIF_PRIO_MASK;
}

static unsigned lr_group(uint64_t lr)
{
	return (lr & ICH_LR_GROUP) ? 1u : 0u;
}

static uint32_t lr_vintid(uint64_t lr)
{
	return (uint32_t)(lr & VCPUIF_INTID_MASK);
}

static bool enabled(const struct vcpuif *c)
{
	return (c->hcr & ICH_HCR_EL2_EN) != 0;
}

static bool group_enabled(const struct vcpuif *c, unsigned group)
{
	return (c->vmcr & (group ? ICH_VMCR_EL2_VENG1 : ICH_VMCR_EL2_VENG0)) !=
	       0;
}

static unsigned vmcr_field(const struct vcpuif *c, unsigned shift)
{
	return (unsigned)((c->vmcr >> shift) & ICH_VMCR_EL2_VBPR_MASK);
}

static void vmcr_set_field(struct vcpuif *c, unsigned shift, unsigned v)
{
	c->vmcr &= ~(ICH_VMCR_EL2_VBPR_MASK << shift);
	c->vmcr |= ((uint64_t)v & ICH_VMCR_EL2_VBPR_MASK) << shift;
}

static unsigned pmr(const struct vcpuif *c)
{
	return (unsigned)((c->vmcr & ICH_VMCR_EL2_VPMR_MASK) >>
			  ICH_VMCR_EL2_VPMR_SHIFT);
}

/*
 * The group-priority mask for `group`: the bits above the binary point.
 * Group 0 uses BPR0 (field [7:BPR0+1]); Group 1 uses BPR1 ([7:BPR1]), or
 * BPR0 as well when CBPR is set (IHI 0069, "Priority grouping").
 */
static unsigned group_mask(const struct vcpuif *c, unsigned group)
{
	unsigned bits;

	if (group == 0 || (c->vmcr & ICH_VMCR_EL2_VCBPR))
		bits = vmcr_field(c, ICH_VMCR_EL2_VBPR0_SHIFT) + 1;
	else
		bits = vmcr_field(c, ICH_VMCR_EL2_VBPR1_SHIFT);
	return (0xffu << bits) & 0xffu;
}

/* Index of the lowest set bit of a non-zero value. */
static unsigned lowest_bit(uint32_t v)
{
	unsigned n = 0;

	while (!(v & 1u)) {
		v >>= 1;
		n++;
	}
	return n;
}

uint32_t vcpuif_running_prio(const struct vcpuif *cpuif)
{
	uint32_t ap = cpuif->ap0r0 | cpuif->ap1r0;

	if (ap == 0)
		return VCPUIF_IDLE_PRIO;
	return lowest_bit(ap) << VCPUIF_PRIO_SHIFT;
}

/* The highest-priority pending LR of an enabled group (lowest priority
 * value, then lowest LR). Pending-and-active LRs do not count: the
 * interrupt is already active and cannot be acknowledged again. */
static struct hppi find_hppi(const struct vcpuif *c)
{
	struct hppi h = {.lr = -1, .prio = 0x100u, .group = 0};

	for (unsigned n = 0; n < c->lr_count; n++) {
		uint64_t lr = c->lr[n];

		if (lr_state(lr) != ICH_LR_STATE_PENDING ||
		    !group_enabled(c, lr_group(lr)) || lr_prio(lr) >= h.prio)
			continue;
		h.lr = (int)n;
		h.prio = lr_prio(lr);
		h.group = lr_group(lr);
	}
	return h;
}

/* Whether `h` may be signalled: above the priority mask and preempting
 * the running priority, with the interface enabled. */
static bool can_signal(const struct vcpuif *c, const struct hppi *h)
{
	return enabled(c) && h->lr >= 0 && h->prio < pmr(c) &&
	       (h->prio & group_mask(c, h->group)) < vcpuif_running_prio(c);
}

static bool line(const struct vcpuif *c, unsigned group)
{
	struct hppi h = find_hppi(c);

	return h.group == group && can_signal(c, &h);
}

bool vcpuif_irq_pending(const struct vcpuif *cpuif)
{
	return line(cpuif, 1);
}

bool vcpuif_fiq_pending(const struct vcpuif *cpuif)
{
	return line(cpuif, 0);
}

bool vcpuif_any_pending(const struct vcpuif *cpuif)
{
	for (unsigned n = 0; n < cpuif->lr_count; n++)
		if (lr_state(cpuif->lr[n]) & ICH_LR_STATE_PENDING)
			return true;
	return false;
}

bool vcpuif_underflow(const struct vcpuif *cpuif)
{
	unsigned valid = 0;

	if (!enabled(cpuif))
		return false;
	for (unsigned n = 0; n < cpuif->lr_count; n++)
		if (lr_state(cpuif->lr[n]) != ICH_LR_STATE_INVALID)
			valid++;
	return valid <= 1;
}

bool vcpuif_maintenance(const struct vcpuif *cpuif)
{
	return (cpuif->hcr & ICH_HCR_EL2_UIE) && vcpuif_underflow(cpuif);
}

void vcpuif_reset(struct vcpuif *cpuif, unsigned lr_count)
{
	*cpuif = (struct vcpuif){0};
	cpuif->lr_count = lr_count < VGIC_MAX_LRS ? lr_count : VGIC_MAX_LRS;
	cpuif->hcr = ICH_HCR_EL2_EN;
	vmcr_set_field(cpuif, ICH_VMCR_EL2_VBPR0_SHIFT, VCPUIF_MIN_BPR0);
	vmcr_set_field(cpuif, ICH_VMCR_EL2_VBPR1_SHIFT, VCPUIF_MIN_BPR1);
}

uint32_t vcpuif_peek_iar(const struct vcpuif *cpuif, unsigned group)
{
	struct hppi h = find_hppi(cpuif);

	/* IAR<g> only acknowledges its own group: with the other group's
	 * interrupt highest, it returns the spurious INTID. */
	if (h.group != group || !can_signal(cpuif, &h))
		return GIC_INTID_SPURIOUS;
	return lr_vintid(cpuif->lr[h.lr]);
}

/* ICV_IAR<g>_EL1: acknowledge. */
static uint64_t ack(struct vcpuif *c, unsigned group)
{
	struct hppi h = find_hppi(c);
	unsigned bit;

	if (h.group != group || !can_signal(c, &h))
		return GIC_INTID_SPURIOUS;
	c->lr[h.lr] = (c->lr[h.lr] & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE;
	bit = (h.prio & group_mask(c, group)) >> VCPUIF_PRIO_SHIFT;
	if (group)
		c->ap1r0 |= UINT32_C(1) << bit;
	else
		c->ap0r0 |= UINT32_C(1) << bit;
	return lr_vintid(c->lr[h.lr]);
}

/* ICV_HPPIR<g>_EL1: the highest-priority pending interrupt of the group,
 * regardless of the priority mask and running priority. */
static uint64_t hppir(const struct vcpuif *c, unsigned group)
{
	struct hppi h = find_hppi(c);

	if (h.lr < 0 || h.group != group)
		return GIC_INTID_SPURIOUS;
	return lr_vintid(c->lr[h.lr]);
}

static void eoicount_inc(struct vcpuif *c)
{
	unsigned n = (unsigned)((c->hcr & ICH_HCR_EL2_EOICOUNT_MASK) >>
				ICH_HCR_EL2_EOICOUNT_SHIFT);

	n = (n + 1) & VCPUIF_EOICOUNT_MAX;
	c->hcr = (c->hcr & ~ICH_HCR_EL2_EOICOUNT_MASK) |
		 ((uint64_t)n << ICH_HCR_EL2_EOICOUNT_SHIFT);
}

/*
 * Deactivates the active LR holding `intid`: active -> invalid, active and
 * pending -> pending. A HW = 1 LR names the physical interrupt to
 * deactivate. No such LR: ICH_HCR_EL2.EOIcount counts it (the hypervisor
 * holds the interrupt elsewhere).
 */
static void deactivate(struct vcpuif *c, uint32_t intid, uint32_t *deact)
{
	for (unsigned n = 0; n < c->lr_count; n++) {
		uint64_t lr = c->lr[n];

		if (!(lr_state(lr) & ICH_LR_STATE_ACTIVE) ||
		    lr_vintid(lr) != intid)
			continue;
		lr &= ~ICH_LR_STATE_ACTIVE;
		c->lr[n] = lr_state(lr) == ICH_LR_STATE_INVALID
				   ? (lr & ~ICH_LR_STATE_MASK)
				   : lr;
		if (lr & ICH_LR_HW)
			*deact = (uint32_t)((lr & ICH_LR_PINTID_MASK) >>
					    ICH_LR_PINTID_SHIFT);
		return;
	}
	eoicount_inc(c);
}

/* ICV_EOIR<g>_EL1: priority drop, and deactivation when EOImode is 0. */
static void eoi(struct vcpuif *c, uint64_t val, uint32_t *deact)
{
	uint32_t intid = (uint32_t)(val & VCPUIF_INTID_MASK);
	uint32_t ap = c->ap0r0 | c->ap1r0, bit;

	/* The special INTIDs were never acknowledged; with nothing active
	 * there is no priority to drop: the write is ignored. */
	if (intid >= GIC_INTID_SPECIAL_FIRST && intid <= GIC_INTID_SPURIOUS)
		return;
	if (ap == 0)
		return;
	/* The drop is of the highest active priority, whichever interrupt
	 * the guest names (IHI 0069, "Priority drop"). */
	bit = UINT32_C(1) << lowest_bit(ap);
	if (c->ap0r0 & bit)
		c->ap0r0 &= ~bit;
	else
		c->ap1r0 &= ~bit;
	if (!(c->vmcr & ICH_VMCR_EL2_VEOIM))
		deactivate(c, intid, deact);
}

static uint64_t ctlr_read(const struct vcpuif *c)
{
	uint64_t v = (uint64_t)VCPUIF_PRIBITS_FIELD
		     << ICC_CTLR_EL1_PRIBITS_SHIFT;

	if (c->vmcr & ICH_VMCR_EL2_VCBPR)
		v |= ICC_CTLR_EL1_CBPR;
	if (c->vmcr & ICH_VMCR_EL2_VEOIM)
		v |= ICC_CTLR_EL1_EOIMODE;
	return v | ICC_CTLR_EL1_A3V;
}

static uint64_t bpr_read(const struct vcpuif *c, unsigned group)
{
	unsigned b0 = vmcr_field(c, ICH_VMCR_EL2_VBPR0_SHIFT);

	if (group == 0)
		return b0;
	/* With CBPR, BPR1 reads as BPR0 + 1, saturated (ICV_BPR1_EL1). */
	if (c->vmcr & ICH_VMCR_EL2_VCBPR)
		return b0 + 1 > 7 ? 7 : b0 + 1;
	return vmcr_field(c, ICH_VMCR_EL2_VBPR1_SHIFT);
}

static void bpr_write(struct vcpuif *c, unsigned group, uint64_t val)
{
	unsigned min = group ? VCPUIF_MIN_BPR1 : VCPUIF_MIN_BPR0;
	unsigned v = (unsigned)(val & ICH_VMCR_EL2_VBPR_MASK);

	if (group && (c->vmcr & ICH_VMCR_EL2_VCBPR))
		return; /* BPR1 is an alias of BPR0 + 1: writes ignored */
	/* Values below the minimum set the minimum. */
	vmcr_set_field(c,
		       group ? ICH_VMCR_EL2_VBPR1_SHIFT
			     : ICH_VMCR_EL2_VBPR0_SHIFT,
		       v < min ? min : v);
}

static void vmcr_bit(struct vcpuif *c, uint64_t bit, bool on)
{
	if (on)
		c->vmcr |= bit;
	else
		c->vmcr &= ~bit;
}

bool vcpuif_read(struct vcpuif *cpuif, uint32_t reg, uint64_t *val)
{
	switch (reg) {
	case SYSREG_ICC_IAR1_EL1:
		*val = ack(cpuif, 1);
		return true;
	case SYSREG_ICC_IAR0_EL1:
		*val = ack(cpuif, 0);
		return true;
	case SYSREG_ICC_HPPIR1_EL1:
		*val = hppir(cpuif, 1);
		return true;
	case SYSREG_ICC_HPPIR0_EL1:
		*val = hppir(cpuif, 0);
		return true;
	case SYSREG_ICC_RPR_EL1:
		*val = vcpuif_running_prio(cpuif);
		return true;
	case SYSREG_ICC_PMR_EL1:
		*val = pmr(cpuif);
		return true;
	case SYSREG_ICC_BPR1_EL1:
		*val = bpr_read(cpuif, 1);
		return true;
	case SYSREG_ICC_BPR0_EL1:
		*val = bpr_read(cpuif, 0);
		return true;
	case SYSREG_ICC_CTLR_EL1:
		*val = ctlr_read(cpuif);
		return true;
	case SYSREG_ICC_SRE_EL1:
		*val = VCPUIF_SRE_VALUE;
		return true;
	case SYSREG_ICC_IGRPEN1_EL1:
		*val = (cpuif->vmcr & ICH_VMCR_EL2_VENG1) ? 1 : 0;
		return true;
	case SYSREG_ICC_IGRPEN0_EL1:
		*val = (cpuif->vmcr & ICH_VMCR_EL2_VENG0) ? 1 : 0;
		return true;
	case SYSREG_ICC_AP1R0_EL1:
		*val = cpuif->ap1r0;
		return true;
	case SYSREG_ICC_AP0R0_EL1:
		*val = cpuif->ap0r0;
		return true;
	default:
		/* EOIR, DIR, SGI*R are write-only; the rest is not ours. */
		return false;
	}
}

bool vcpuif_write(struct vcpuif *cpuif, uint32_t reg, uint64_t val,
		  uint32_t *deact)
{
	*deact = VCPUIF_NO_PINTID;
	switch (reg) {
	case SYSREG_ICC_EOIR1_EL1:
	case SYSREG_ICC_EOIR0_EL1:
		eoi(cpuif, val, deact);
		return true;
	case SYSREG_ICC_DIR_EL1:
		/* With EOImode 0 a DIR write is UNPREDICTABLE; ignore it. */
		if (cpuif->vmcr & ICH_VMCR_EL2_VEOIM)
			deactivate(cpuif, (uint32_t)(val & VCPUIF_INTID_MASK),
				   deact);
		return true;
	case SYSREG_ICC_PMR_EL1:
		cpuif->vmcr = (cpuif->vmcr & ~ICH_VMCR_EL2_VPMR_MASK) |
			      ((val & VCPUIF_PRIO_MASK)
			       << ICH_VMCR_EL2_VPMR_SHIFT);
		return true;
	case SYSREG_ICC_BPR1_EL1:
		bpr_write(cpuif, 1, val);
		return true;
	case SYSREG_ICC_BPR0_EL1:
		bpr_write(cpuif, 0, val);
		return true;
	case SYSREG_ICC_CTLR_EL1:
		vmcr_bit(cpuif, ICH_VMCR_EL2_VCBPR, val & ICC_CTLR_EL1_CBPR);
		vmcr_bit(cpuif, ICH_VMCR_EL2_VEOIM, val & ICC_CTLR_EL1_EOIMODE);
		return true;
	case SYSREG_ICC_SRE_EL1:
		return true; /* RAO/WI */
	case SYSREG_ICC_IGRPEN1_EL1:
		vmcr_bit(cpuif, ICH_VMCR_EL2_VENG1, val & ICC_IGRPEN_ENABLE);
		return true;
	case SYSREG_ICC_IGRPEN0_EL1:
		vmcr_bit(cpuif, ICH_VMCR_EL2_VENG0, val & ICC_IGRPEN_ENABLE);
		return true;
	case SYSREG_ICC_AP1R0_EL1:
		cpuif->ap1r0 = (uint32_t)val;
		return true;
	case SYSREG_ICC_AP0R0_EL1:
		cpuif->ap0r0 = (uint32_t)val;
		return true;
	default:
		/* IAR, HPPIR, RPR are read-only; SGI*R trap to EL2. */
		return false;
	}
}
