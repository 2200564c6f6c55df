/* SPDX-License-Identifier: MIT */
/*
 * timer: the EL1 virtual timer (CNTV_*, Arm ARM D11) and its interrupt,
 * PPI 27, through the cell's GICv3. CNTFRQ_EL0 is set; TVAL and CVAL
 * program the same comparator; ISTATUS follows the condition whatever
 * IMASK says, while IMASK keeps the interrupt from being signalled; then
 * TICKS interrupts, each taken after WFI, re-armed alternately with TVAL
 * and CVAL: every one arrives with CNTVCT >= CVAL and CNTVCT only grows.
 * Prints counts and booleans, never times, so the output is the same on
 * every platform.
 */
#include "gic.h"
#include "guest.h"

#define TICKS 10u
#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u

/* Iterations a masked interrupt is given to (wrongly) arrive. */
#define SPIN_MASKED 20000u
/* Upper bound on WFIs while waiting for one tick: WFI may wake early
 * (and with wfi = "passthrough" or no vGIC it may not sleep at all). */
#define WAIT_MAX 50000000u

enum mode { MODE_NONE, MODE_ONE_SHOT, MODE_TICKS };

static volatile enum mode mode;
static volatile uint32_t ticks, late_ok, monotonic_ok, other_irqs, one_shots,
	spurious;
static uint64_t period, last_vct;

static uint64_t vct(void)
{
	isb(); /* no early (speculative) read of the counter */
	return read_sysreg(cntvct_el0);
}

static void timer_irq(void)
{
	uint64_t now = vct(), cval = read_sysreg(cntv_cval_el0);

	if (mode == MODE_ONE_SHOT) {
		one_shots++;
		write_sysreg(cntv_ctl_el0, 0); /* line goes low */
		isb();
		return;
	}
	if (mode != MODE_TICKS) {
		other_irqs++;
		write_sysreg(cntv_ctl_el0, 0);
		isb();
		return;
	}
	if (now >= cval)
		late_ok++;
	if (ticks == 0 || now > last_vct)
		monotonic_ok++;
	last_vct = now;
	ticks++;
	if (ticks >= TICKS) {
		write_sysreg(cntv_ctl_el0, 0);
	} else if (ticks & 1) {
		/* Re-arming moves the comparator ahead: the level drops. */
		write_sysreg(cntv_tval_el0, period);
	} else {
		write_sysreg(cntv_cval_el0, now + period);
	}
	isb();
}

void guest_irq(void)
{
	for (unsigned handled = 0;; handled++) {
		uint32_t id = gic_ack();

		if (id >= 1020) {
			if (handled == 0)
				spurious++;
			return;
		}
		if (id == GIC_PPI_VTIMER)
			timer_irq();
		else
			other_irqs++;
		gic_eoi(id);
	}
}

static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

/* Sleeps until ticks reaches `n`. PSTATE.I is set around the test and
 * the WFI so a tick between them is not lost: WFI wakes for a pending
 * interrupt even while it is masked, and the unmask then takes it. */
static bool wait_ticks(uint32_t n)
{
	for (unsigned i = 0; i < WAIT_MAX; i++) {
		irq_mask();
		if (ticks >= n) {
			irq_unmask();
			return true;
		}
		wfi();
		irq_unmask();
	}
	return ticks >= n;
}

static void check_registers(void)
{
	uint64_t frq = read_sysreg(cntfrq_el0), before, after, cval;
	int32_t tval;

	check(frq != 0, "CNTFRQ_EL0 non-zero");
	period = frq / 1000; /* 1 ms */
	if (period == 0)
		period = 1;

	write_sysreg(cntv_ctl_el0, 0);
	isb();
	check((read_sysreg(cntv_ctl_el0) & (CTL_ENABLE | CTL_IMASK)) == 0,
	      "CNTV_CTL_EL0 ENABLE and IMASK clear");

	/* TVAL writes CVAL = CNTVCT + TVAL (sign-extended). The window is
	 * 2^30 ticks (17 s at 62.5 MHz) so that a busy host running QEMU,
	 * whose counter is host time, cannot make it expire mid-check. */
	before = vct();
	write_sysreg(cntv_tval_el0, 0x40000000u);
	isb();
	after = vct();
	cval = read_sysreg(cntv_cval_el0);
	check(cval >= before + 0x40000000u && cval <= after + 0x40000000u,
	      "TVAL write sets CVAL = CNTVCT + TVAL");
	tval = (int32_t)read_sysreg(cntv_tval_el0);
	check(tval > 0 && tval <= 0x40000000, "TVAL reads CVAL - CNTVCT (> 0)");
	write_sysreg(cntv_cval_el0, vct() - 1000);
	isb();
	tval = (int32_t)read_sysreg(cntv_tval_el0);
	check(tval <= -1000, "TVAL negative once CVAL has passed");
	before = vct();
	after = vct();
	check(after >= before, "CNTVCT_EL0 does not go backwards");
}

static void check_istatus(uint64_t rd)
{
	uint32_t base = one_shots;

	mode = MODE_ONE_SHOT;
	/* Condition met (CVAL in the past) but masked at the timer. */
	write_sysreg(cntv_cval_el0, vct() - 1);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
	isb();
	irq_unmask();
	spin(SPIN_MASKED);
	check((read_sysreg(cntv_ctl_el0) & CTL_ISTATUS) != 0,
	      "ISTATUS set when CVAL has passed, IMASK set");
	check(one_shots == base, "IMASK set: no interrupt taken");
	irq_mask();
	check(!gic_bit(rd, GICR_ISPENDR0, GIC_PPI_VTIMER),
	      "IMASK set: PPI 27 not pending");

	/* Condition not met. */
	write_sysreg(cntv_cval_el0, vct() + (UINT64_C(1) << 40));
	isb();
	check((read_sysreg(cntv_ctl_el0) & CTL_ISTATUS) == 0,
	      "ISTATUS clear when CVAL is far ahead");

	/* Condition met and unmasked: exactly one interrupt, which the
	 * handler ends by disabling the timer. */
	write_sysreg(cntv_cval_el0, vct() - 1);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
	isb();
	irq_unmask();
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	for (unsigned i = 0; i < WAIT_MAX && one_shots == base; i++)
		isb();
	spin(SPIN_MASKED);
	irq_mask();
	guest_printf("interrupts after clearing IMASK: %u\n", one_shots - base);
	check(one_shots - base == 1, "clearing IMASK: one interrupt taken");
	mode = MODE_NONE;
}

int main(void)
{
	uint64_t rd;

	guest_puts("timer: virtual timer, PPI 27\n");
	check(gic_dist_init(), "GIC distributor enabled");
	rd = gic_redist_find(NULL);
	check(rd != 0, "redistributor of this CPU found");
	if (rd == 0)
		rd = GICR_BASE;
	check(gic_redist_init(rd, 0xa0), "redistributor awake");
	gic_cpu_init();
	gic_enable(rd, GIC_PPI_VTIMER);
	check(gic_bit(rd, GICR_ISENABLER0, GIC_PPI_VTIMER), "PPI 27 enabled");

	check_registers();
	check_istatus(rd);

	mode = MODE_TICKS;
	write_sysreg(cntv_tval_el0, period);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	check(wait_ticks(TICKS), "all ticks arrived");
	irq_mask();
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	guest_printf("ticks: %u\n", ticks);
	guest_printf("ticks with CNTVCT >= CVAL: %u\n", late_ok);
	guest_printf("ticks with CNTVCT above the previous tick's: %u\n",
		     monotonic_ok);
	check(ticks == TICKS && late_ok == TICKS && monotonic_ok == TICKS,
	      "every tick after its deadline, CNTVCT monotonic");
	check(other_irqs == 0, "no other interrupt");
	check(spurious == 0, "no spurious INTID in the IRQ handler");
	check(!gic_bit(rd, GICR_ISACTIVER0, GIC_PPI_VTIMER),
	      "PPI 27 not active at the end");

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("timer: all checks passed\n");
	return 0;
}
