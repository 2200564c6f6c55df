/* SPDX-License-Identifier: MIT */
/*
 * irq: the GICv3 a one-vCPU cell sees (Arm IHI 0069). Identification and
 * the fields a guest may rely on (GICD_PIDR2/GICR_PIDR2 ArchRev 3,
 * GICD_CTLR ARE and DS, GICD_TYPER.IDbits, GICR_TYPER affinity,
 * Processor_Number and Last), the redistributor wake handshake, then SGIs
 * to itself through ICC_SGI1R_EL1, taken on the IRQ vector and completed
 * with IAR/EOIR: ordering by priority, masking by PMR, by GICR_ICENABLER0
 * and by ICC_IGRPEN1_EL1 (a masked SGI stays pending and is taken once
 * unmasked), the pending/active read-back of the SGI frame, ICPENDR
 * discarding a pending SGI, EOImode 1 with ICC_DIR_EL1 and the spurious
 * INTID. Counts and booleans only, so the output is the same everywhere.
 */
#include "gic.h"
#include "guest.h"

/* Iterations a masked interrupt is given to (wrongly) arrive. */
#define SPIN_MASKED 20000u
/* Upper bound when waiting for an interrupt that must arrive. */
#define SPIN_MAX 200000000u /* generous: see WAIT_MAX in smp.c */

#define PRIO_DEFAULT 0xa0u

static volatile uint32_t irq_count;
static volatile uint32_t irq_log[32];
static volatile uint32_t spurious_count;
static uint64_t rd;

/* Takes every pending interrupt: logs its INTID, then EOI (EOImode 0:
 * priority drop and deactivation). */
void guest_irq(void)
{
	for (unsigned handled = 0;; handled++) {
		uint32_t id = gic_ack();

		if (id >= 1020) {
			/* Entered for nothing: a spurious IRQ. */
			if (handled == 0)
				spurious_count++;
			break;
		}
		if (irq_count < HV_ARRAY_SIZE(irq_log))
			irq_log[irq_count] = id;
		irq_count++;
		gic_eoi(id);
	}
}

static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

/* Waits (IRQs unmasked) until irq_count reaches `n`; true if it did. */
static bool wait_irqs(uint32_t n)
{
	for (unsigned i = 0; i < SPIN_MAX && irq_count < n; i++)
		isb();
	return irq_count >= n;
}

static void check_ids(void)
{
	unsigned frames = 0;
	uint64_t typer;
	uint32_t ctlr, dtyper;
	uint64_t icc_ctlr;

	check_eq("GICD_PIDR2.ArchRev",
		 GIC_PIDR2_ARCHREV(gic_read(GICD_BASE + GICD_PIDR2)), 3);
	check(gic_dist_init(), "GICD_CTLR.RWP clears");
	ctlr = gic_read(GICD_BASE + GICD_CTLR);
	check((ctlr & GICD_CTLR_ARE) != 0, "GICD_CTLR.ARE set");
	check((ctlr & GICD_CTLR_DS) != 0,
	      "GICD_CTLR.DS set (one Security state)");
	check((ctlr & GICD_CTLR_ENABLE_GRP1) != 0, "GICD_CTLR.EnableGrp1 set");
	dtyper = gic_read(GICD_BASE + GICD_TYPER);
	/* IDbits = INTID bits - 1: at least 10 bits for INTIDs up to 1019. */
	check(((dtyper >> 19) & 0x1f) >= 9, "GICD_TYPER.IDbits >= 9");

	rd = gic_redist_find(&frames);
	check(rd != 0, "redistributor with this CPU's affinity found");
	guest_printf("redistributor frames: %u\n", frames);
	if (rd == 0)
		rd = GICR_BASE; /* keep going: the checks below will fail */
	typer = mmio_ldr64(rd + GICR_TYPER);
	check_eq("GICR_TYPER.Processor_Number", GICR_TYPER_PROCNUM(typer),
		 guest_cpu_id());
	check((typer & GICR_TYPER_LAST) != 0,
	      "GICR_TYPER.Last on the last frame");
	check_eq("GICR_PIDR2.ArchRev",
		 GIC_PIDR2_ARCHREV(gic_read(rd + GICR_PIDR2)), 3);

	check(gic_redist_init(rd, PRIO_DEFAULT),
	      "GICR_WAKER.ChildrenAsleep clears, GICR_CTLR.RWP clears");
	check((gic_read(rd + GICR_WAKER) &
	       (GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP)) == 0,
	      "GICR_WAKER awake");
	check_eq("GICR_IGROUPR0 (all Group 1)",
		 gic_read(rd + GICR_SGI_OFF + GICR_IGROUPR0), 0xffffffffu);
	check_eq("GICR_ISENABLER0 after ICENABLER0",
		 gic_read(rd + GICR_SGI_OFF + GICR_ISENABLER0), 0);
	gic_set_prio(rd, 5, 0x80);
	check_eq("GICR_IPRIORITYR1 read-back",
		 gic_read(rd + GICR_SGI_OFF + GICR_IPRIORITYR0 + 4),
		 0xa0a080a0u);
	gic_set_prio(rd, 5, PRIO_DEFAULT);

	gic_cpu_init();
	check((read_sysreg(icc_sre_el1) & 1) != 0, "ICC_SRE_EL1.SRE set");
	icc_ctlr = read_sysreg(icc_ctlr_el1);
	/* The architecture guarantees at least 5 priority bits. */
	check(ICC_CTLR_PRIBITS(icc_ctlr) >= 4, "ICC_CTLR_EL1.PRIbits >= 4");
	check((icc_ctlr & ICC_CTLR_EOIMODE) == 0, "ICC_CTLR_EL1.EOImode 0");
	/* PMR 0xff keeps as many top bits as are implemented. */
	check((read_sysreg(icc_pmr_el1) & 0xf8) == 0xf8,
	      "ICC_PMR_EL1 reads back 0xf8 at least");
}

/* SGIs 0-15 to itself, each taken once, in order. */
static void check_self_sgis(void)
{
	uint32_t base = irq_count;
	bool in_order = true;

	for (unsigned i = 0; i < 16; i++)
		gic_enable(rd, i);
	irq_unmask();
	for (unsigned i = 0; i < 16; i++) {
		gic_send_sgi(i, guest_cpu_id());
		if (!wait_irqs(base + i + 1))
			break;
	}
	irq_mask();
	for (unsigned i = 0; i < 16 && base + i < irq_count; i++)
		if (irq_log[base + i] != i)
			in_order = false;
	guest_printf("self SGIs taken: %u of 16\n", irq_count - base);
	check(irq_count - base == 16 && in_order,
	      "each SGI 0-15 taken once, with its own INTID");
}

/* Two SGIs pending at once: the lower priority value comes first. */
static void check_priority(void)
{
	uint32_t base = irq_count;

	gic_set_prio(rd, 5, 0x80);
	gic_set_prio(rd, 6, 0x40);
	gic_send_sgi(5, guest_cpu_id());
	gic_send_sgi(6, guest_cpu_id());
	check(gic_bit(rd, GICR_ISPENDR0, 5) && gic_bit(rd, GICR_ISPENDR0, 6),
	      "SGIs 5 and 6 pending (ISPENDR0) while PSTATE.I is set");
	check(irq_count == base, "nothing taken while PSTATE.I is set");
	irq_unmask();
	wait_irqs(base + 2);
	irq_mask();
	guest_printf("taken after unmask: %u\n", irq_count - base);
	check(irq_count - base == 2 && irq_log[base] == 6 &&
		      irq_log[base + 1] == 5,
	      "priority 0x40 (SGI 6) acknowledged before 0x80 (SGI 5)");
	check(!gic_bit(rd, GICR_ISPENDR0, 5) && !gic_bit(rd, GICR_ISPENDR0, 6),
	      "neither pending after EOI");
	gic_set_prio(rd, 5, PRIO_DEFAULT);
	gic_set_prio(rd, 6, PRIO_DEFAULT);
}

/* PMR at or above the priority value masks; raising it releases. */
static void check_pmr(void)
{
	uint32_t base = irq_count;

	gic_set_prio(rd, 9, 0x80);
	write_sysreg(icc_pmr_el1, 0x80); /* only priorities < 0x80 pass */
	isb();
	irq_unmask();
	gic_send_sgi(9, guest_cpu_id());
	spin(SPIN_MASKED);
	check(irq_count == base, "PMR 0x80: priority 0x80 SGI not taken");
	check(gic_bit(rd, GICR_ISPENDR0, 9), "  ... and it stays pending");
	write_sysreg(icc_pmr_el1, 0x90);
	isb();
	wait_irqs(base + 1);
	irq_mask();
	check(irq_count - base == 1 && irq_log[base] == 9,
	      "PMR 0x90: the SGI is taken");
	write_sysreg(icc_pmr_el1, 0xff);
	isb();
	gic_set_prio(rd, 9, PRIO_DEFAULT);
}

/* A disabled SGI is not taken but stays pending; enabling releases it. */
static void check_enable(void)
{
	uint32_t base = irq_count;

	check(gic_disable(rd, 10), "ICENABLER0 SGI 10, RWP clears");
	check(!gic_bit(rd, GICR_ISENABLER0, 10),
	      "ISENABLER0 shows SGI 10 disabled");
	irq_unmask();
	gic_send_sgi(10, guest_cpu_id());
	spin(SPIN_MASKED);
	check(irq_count == base, "disabled SGI 10 not taken");
	check(gic_bit(rd, GICR_ISPENDR0, 10), "  ... and it is pending");
	gic_enable(rd, 10);
	wait_irqs(base + 1);
	irq_mask();
	check(gic_bit(rd, GICR_ISENABLER0, 10), "ISENABLER0 shows it enabled");
	check(irq_count - base == 1 && irq_log[base] == 10,
	      "SGI 10 taken once re-enabled");
}

/* ICC_IGRPEN1_EL1 = 0 masks Group 1 at the CPU interface. */
static void check_igrpen(void)
{
	uint32_t base = irq_count;

	write_sysreg(icc_igrpen1_el1, 0);
	isb();
	irq_unmask();
	gic_send_sgi(12, guest_cpu_id());
	spin(SPIN_MASKED);
	check(irq_count == base, "IGRPEN1 0: SGI 12 not taken");
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
	wait_irqs(base + 1);
	irq_mask();
	check(irq_count - base == 1 && irq_log[base] == 12,
	      "IGRPEN1 1: SGI 12 taken");
}

/* Read-back of pending and active state; ICPENDR discards a pending SGI. */
static void check_state_regs(void)
{
	uint32_t base = irq_count, id;

	/* PSTATE.I stays set: nothing is taken, IAR is polled. */
	gic_send_sgi(7, guest_cpu_id());
	check(gic_bit(rd, GICR_ISPENDR0, 7), "SGI 7 pending in ISPENDR0");
	check(gic_bit(rd, GICR_ICPENDR0, 7), "  ... and in ICPENDR0");
	gic_write(rd + GICR_SGI_OFF + GICR_ICPENDR0, 1u << 7);
	check(!gic_bit(rd, GICR_ISPENDR0, 7), "ICPENDR0 write clears it");
	check_eq("IAR1 with nothing pending", gic_ack(), GIC_INTID_SPURIOUS);

	gic_send_sgi(8, guest_cpu_id());
	id = gic_ack_poll();
	check_eq("IAR1 (polled) returns SGI 8", id, 8);
	check(gic_bit(rd, GICR_ISACTIVER0, 8) && !gic_bit(rd, GICR_ISPENDR0, 8),
	      "after IAR: SGI 8 active, not pending");
	check(gic_bit(rd, GICR_ICACTIVER0, 8), "  ... ICACTIVER0 shows it too");
	gic_eoi(id);
	check(!gic_bit(rd, GICR_ISACTIVER0, 8), "after EOIR: SGI 8 inactive");

	/* EOImode 1: EOIR only drops priority, DIR deactivates. */
	write_sysreg(icc_ctlr_el1,
		     read_sysreg(icc_ctlr_el1) | ICC_CTLR_EOIMODE);
	isb();
	check((read_sysreg(icc_ctlr_el1) & ICC_CTLR_EOIMODE) != 0,
	      "ICC_CTLR_EL1.EOImode set");
	gic_send_sgi(11, guest_cpu_id());
	id = gic_ack_poll();
	check_eq("EOImode 1: IAR1 returns SGI 11", id, 11);
	gic_eoi(id);
	check(gic_bit(rd, GICR_ISACTIVER0, 11),
	      "EOImode 1: still active after EOIR");
	gic_deactivate(id);
	check(!gic_bit(rd, GICR_ISACTIVER0, 11),
	      "EOImode 1: inactive after DIR");
	write_sysreg(icc_ctlr_el1,
		     read_sysreg(icc_ctlr_el1) & ~ICC_CTLR_EOIMODE);
	isb();
	check(irq_count == base, "no IRQ taken while PSTATE.I was set");
}

int main(void)
{
	guest_puts("irq: GICv3 SGIs on one vCPU\n");
	check_ids();
	check_self_sgis();
	check_priority();
	check_pmr();
	check_enable();
	check_igrpen();
	check_state_regs();
	guest_printf("irqs taken: %u\n", irq_count);
	check(spurious_count == 0, "no spurious INTID in the IRQ handler");

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("irq: all checks passed\n");
	return 0;
}
