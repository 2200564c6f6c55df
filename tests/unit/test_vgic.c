/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for vgic.c: the distributor and redistributor register
 * models driven through their MMIO callbacks, SGI decoding, injection, and
 * the list-register allocator against the fake list registers, with the
 * tests playing the guest's CPU interface (acknowledge, deactivate).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hv/arm64/gic.h>
#include <hv/vgic.h>

#include "fake_hal.h"
#include "fake_vgic.h"
#include "check_run.h"

#define NCPU 4u
#define NSPI 64u /* INTIDs 32..95 */

static struct vgic g;
static struct hv_vcpu vcpus[NCPU];

static void setup(void)
{
	fake_vgic_reset();
	for (unsigned i = 0; i < NCPU; i++) {
		fake_vcpu_init(&vcpus[i]);
		vcpus[i].id = i;
	}
	memset(&g, 0xa5, sizeof(g));
	ck_assert_int_eq(vgic_init(&g, vcpus, NCPU, NSPI), HV_OK);
}

static void teardown(void)
{
	for (unsigned i = 0; i < NCPU; i++)
		fake_vcpu_free(&vcpus[i]);
}

/* --- access helpers ------------------------------------------------------ */

static uint64_t drd(uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeef;

	ck_assert_msg(vgic_dist_ops.read(&g, off, size, &v),
		      "GICD read 0x%x/%u refused", (unsigned)off, size);
	return v;
}

static void dwr(uint64_t off, unsigned size, uint64_t v)
{
	ck_assert_msg(vgic_dist_ops.write(&g, off, size, v),
		      "GICD write 0x%x/%u refused", (unsigned)off, size);
}

static bool dref(uint64_t off, unsigned size)
{
	uint64_t v = 0;

	return !vgic_dist_ops.read(&g, off, size, &v) &&
	       !vgic_dist_ops.write(&g, off, size, 0);
}

/* Redistributor of vCPU `cpu`, RD_base frame offset `off`. */
static uint64_t rrd(unsigned cpu, uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeef;

	ck_assert_msg(vgic_redist_ops.read(&g, cpu * GICR_SIZE + off, size, &v),
		      "GICR%u read 0x%x/%u refused", cpu, (unsigned)off, size);
	return v;
}

static void rwr(unsigned cpu, uint64_t off, unsigned size, uint64_t v)
{
	ck_assert_msg(vgic_redist_ops.write(&g, cpu * GICR_SIZE + off, size, v),
		      "GICR%u write 0x%x/%u refused", cpu, (unsigned)off, size);
}

static bool rref(unsigned cpu, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	return !vgic_redist_ops.read(&g, cpu * GICR_SIZE + off, size, &v) &&
	       !vgic_redist_ops.write(&g, cpu * GICR_SIZE + off, size, 0);
}

/* SGI_base frame of vCPU `cpu`. */
static uint64_t srd(unsigned cpu, uint64_t off, unsigned size)
{
	return rrd(cpu, GICR_SGI_BASE + off, size);
}

static void swr(unsigned cpu, uint64_t off, unsigned size, uint64_t v)
{
	rwr(cpu, GICR_SGI_BASE + off, size, v);
}

/* Bit `intid` of a GICD bit register block. */
static uint64_t dbit_reg(uint32_t base, uint32_t intid)
{
	return base + intid / 32 * 4;
}

static uint32_t dbit(uint32_t intid)
{
	return UINT32_C(1) << (intid % 32);
}

static void enable_spi(uint32_t intid, uint8_t prio)
{
	dwr(dbit_reg(GICD_ISENABLER, intid), 4, dbit(intid));
	dwr(GICD_IPRIORITYR + intid, 1, prio);
}

/* Enables Group 1 in GICD_CTLR and forgets the kicks that caused. */
static void enable_grp1(void)
{
	dwr(GICD_CTLR, 4, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	vgic_kicks_take(&g);
}

/* --- guest helpers ------------------------------------------------------- */

static uint32_t lr_intid(uint64_t lr)
{
	return (uint32_t)(lr & ICH_LR_VINTID_MASK);
}

static uint64_t lr_state(uint64_t lr)
{
	return lr & ICH_LR_STATE_MASK;
}

/* The LR of vCPU `cpu` holding `intid` in a valid state, or -1. Fails the
 * test if two valid LRs hold the same INTID. */
static int lr_find(unsigned cpu, uint32_t intid)
{
	int found = -1;

	for (unsigned n = 0; n < g.lr_count; n++) {
		uint64_t v = fake_vgic_lr(&vcpus[cpu], n);

		if (lr_state(v) != ICH_LR_STATE_INVALID &&
		    lr_intid(v) == intid) {
			ck_assert_msg(found < 0, "INTID %u in two LRs", intid);
			found = (int)n;
		}
	}
	return found;
}

/* Guest acknowledges the interrupt in LR n (pending -> active). */
static void guest_ack(unsigned cpu, unsigned n)
{
	uint64_t v = fake_vgic_lr(&vcpus[cpu], n);

	ck_assert(v & ICH_LR_STATE_PENDING);
	v = (v & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE;
	fake_vgic_lr_set(&vcpus[cpu], n, v);
}

/* Guest deactivates (EOI) the interrupt in LR n: active -> invalid, or
 * pending+active -> pending. */
static void guest_eoi(unsigned cpu, unsigned n)
{
	uint64_t v = fake_vgic_lr(&vcpus[cpu], n);

	ck_assert(v & ICH_LR_STATE_ACTIVE);
	v &= ~ICH_LR_STATE_ACTIVE;
	fake_vgic_lr_set(&vcpus[cpu], n, v);
}

/* Guest takes and completes the interrupt in LR n; returns its INTID. */
static uint32_t guest_handle(unsigned cpu, unsigned n)
{
	uint32_t id = lr_intid(fake_vgic_lr(&vcpus[cpu], n));

	guest_ack(cpu, n);
	guest_eoi(cpu, n);
	return id;
}

static unsigned valid_lrs(unsigned cpu)
{
	unsigned c = 0;

	for (unsigned n = 0; n < g.lr_count; n++)
		if (lr_state(fake_vgic_lr(&vcpus[cpu], n)))
			c++;
	return c;
}

/* --- init ---------------------------------------------------------------- */

/* vgic_init refuses impossible sizes and a HAL without list registers, and
 * rounds the SPI count up to a multiple of 32. */
START_TEST(test_flush_skips_when_unchanged)
{
	/* Flushes with no change since the last one leave the list registers
	 * as they are (the unchanged-generation fast path must not drop or
	 * rewrite anything); a new interrupt after the guest ended one makes
	 * the next flush choose again. */
	enable_grp1();
	enable_spi(40, 0x80);
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	unsigned writes = fake_vgic_lr_writes(&vcpus[0]);
	ck_assert_uint_gt(writes, 0);
	for (int i = 0; i < 3; i++) {
		vgic_sync(&g, &vcpus[0]);
		vgic_flush(&g, &vcpus[0]);
	}
	ck_assert_uint_eq(fake_vgic_lr_writes(&vcpus[0]), writes);
	/* The guest acknowledges and ends it: the LR goes invalid. */
	fake_vgic_lr_set(&vcpus[0], 0, 0);
	vgic_sync(&g, &vcpus[0]);
	enable_spi(41, 0x80);
	ck_assert_int_eq(vgic_inject(&g, 0, 41), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_gt(fake_vgic_lr_writes(&vcpus[0]), writes);
	bool found = false;
	for (unsigned n = 0; n < 4; n++)
		found |= lr_intid(fake_vgic_lr(&vcpus[0], n)) == 41;
	ck_assert(found);
}
END_TEST

START_TEST(test_unchanged_level_is_quiet)
{
	/* Reporting a level line where it already is changes nothing: the
	 * generation stays, so vgic_quiet() holds and the next flush writes
	 * no LR; a real change (raise) ends the quiet. */
	enable_grp1();
	enable_spi(40, 0x80);
	vgic_flush(&g, &vcpus[0]);
	ck_assert(vgic_quiet(&g, &g.cpu[0]));
	uint64_t gen = g.gen;
	ck_assert_int_eq(vgic_set_level(&g, 0, 40, false), HV_OK);
	ck_assert_uint_eq(g.gen, gen);
	ck_assert(vgic_quiet(&g, &g.cpu[0]));
	unsigned writes = fake_vgic_lr_writes(&vcpus[0]);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(fake_vgic_lr_writes(&vcpus[0]), writes);
	ck_assert_int_eq(vgic_set_level(&g, 0, 40, true), HV_OK);
	ck_assert(!vgic_quiet(&g, &g.cpu[0]));
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 40), 0);
	/* An LR in use is never quiet: sync has something to read. */
	ck_assert(!vgic_quiet(&g, &g.cpu[0]));
}
END_TEST

START_TEST(test_unchanged_flush_no_double_delivery)
{
	/* An edge interrupt whose LR stays pending across an exit, with no
	 * other change, is delivered exactly once after the guest acknowledges
	 * and ends it (regression: the unchanged-flush fast path kept the
	 * latch in the model and delivered it again). */
	enable_grp1();
	enable_spi(40, 0x80);
	dwr(dbit_reg(GICD_ICFGR, 40 * 2), 4,
	    UINT32_C(2) << ((40 % 16) * 2)); /* edge */
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	unsigned lr = 4;
	for (unsigned n = 0; n < 4; n++)
		if (lr_intid(fake_vgic_lr(&vcpus[0], n)) == 40)
			lr = n;
	ck_assert_uint_lt(lr, 4);
	/* An exit before the guest acknowledges: sync, then a no-change flush. */
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	/* The guest acknowledges (pending -> active), exits, ends it. */
	uint64_t v = fake_vgic_lr(&vcpus[0], lr);
	fake_vgic_lr_set(&vcpus[0], lr,
			 (v & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	v = fake_vgic_lr(&vcpus[0], lr);
	ck_assert_uint_eq(v & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
	fake_vgic_lr_set(&vcpus[0], lr, 0);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	for (unsigned n = 0; n < 4; n++)
		ck_assert_uint_ne(lr_intid(fake_vgic_lr(&vcpus[0], n)), 40);
	ck_assert(!vgic_pending(&g, 0));
}
END_TEST

START_TEST(test_init_limits)
{
	struct vgic v;

	ck_assert_int_eq(vgic_init(&v, vcpus, 0, 32), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_init(&v, vcpus, HV_MAX_VCPUS + 1, 32),
			 HV_ERR_INVAL);
	ck_assert_int_eq(vgic_init(&v, vcpus, 1, VGIC_MAX_SPIS + 1),
			 HV_ERR_INVAL);
	ck_assert_int_eq(vgic_init(&v, NULL, 1, 32), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_init(&v, vcpus, 1, 33), HV_OK);
	ck_assert_uint_eq(v.spi_count, 64);
	ck_assert_int_eq(vgic_init(&v, vcpus, 1, 0), HV_OK);
	ck_assert_uint_eq(v.spi_count, 0);
	ck_assert_uint_eq(v.lr_count, 4);
	fake_vgic_set_lr_count(32);
	ck_assert_int_eq(vgic_init(&v, vcpus, 1, 0), HV_OK);
	ck_assert_uint_eq(v.lr_count, VGIC_MAX_LRS);
	fake_vgic_set_lr_count(0);
	ck_assert_int_eq(vgic_init(&v, vcpus, 1, 0), HV_ERR_INVAL);
	ck_assert_uint_eq(vgic_redist_size(&g), NCPU * GICR_SIZE);
}
END_TEST

/* --- distributor --------------------------------------------------------- */

/* After init the distributor's registers hold their documented reset
 * values: ARE and DS set, groups disabled, SPIs Group 1, disabled, idle,
 * priority 0, level-sensitive, routed to affinity 0. */
START_TEST(test_dist_reset_values)
{
	ck_assert_uint_eq(drd(GICD_CTLR, 4), GICD_CTLR_ARE | GICD_CTLR_DS);
	ck_assert_uint_eq(drd(GICD_IIDR, 4), 0x4300043b);
	ck_assert_uint_eq(drd(GICD_TYPER2, 4), 0);
	ck_assert_uint_eq(drd(GICD_STATUSR, 4), 0);
	for (uint32_t r = 1; r < 3; r++) {
		ck_assert_uint_eq(drd(GICD_IGROUPR + 4 * r, 4), 0xffffffff);
		ck_assert_uint_eq(drd(GICD_ISENABLER + 4 * r, 4), 0);
		ck_assert_uint_eq(drd(GICD_ICENABLER + 4 * r, 4), 0);
		ck_assert_uint_eq(drd(GICD_ISPENDR + 4 * r, 4), 0);
		ck_assert_uint_eq(drd(GICD_ICPENDR + 4 * r, 4), 0);
		ck_assert_uint_eq(drd(GICD_ISACTIVER + 4 * r, 4), 0);
		ck_assert_uint_eq(drd(GICD_ICACTIVER + 4 * r, 4), 0);
	}
	for (uint32_t i = 32; i < 96; i++) {
		ck_assert_uint_eq(drd(GICD_IPRIORITYR + i, 1), 0);
		ck_assert_uint_eq(drd(GICD_IROUTER + 8 * i, 8), 0);
	}
	for (uint32_t r = 2; r < 6; r++)
		ck_assert_uint_eq(drd(GICD_ICFGR + 4 * r, 4), 0);
}
END_TEST

/* GICD_TYPER reports the cell's SPI lines, vCPU count and 10 ID bits, and
 * no LPIs, MBIs, security extension or extended SPIs. */
START_TEST(test_dist_typer)
{
	uint32_t t = (uint32_t)drd(GICD_TYPER, 4);
	struct vgic v;

	ck_assert_uint_eq(t & GICD_TYPER_ITLINES_MASK, 2); /* 96 INTIDs */
	ck_assert_uint_eq((t & GICD_TYPER_CPUNUMBER_MASK) >>
				  GICD_TYPER_CPUNUMBER_SHIFT,
			  NCPU - 1);
	ck_assert_uint_eq((t & GICD_TYPER_IDBITS_MASK) >>
				  GICD_TYPER_IDBITS_SHIFT,
			  9);
	ck_assert_uint_eq(t & (GICD_TYPER_LPIS | GICD_TYPER_MBIS |
			       GICD_TYPER_SECURITYEXTN | GICD_TYPER_ESPI |
			       GICD_TYPER_NO1N | GICD_TYPER_A3V |
			       GICD_TYPER_DVIS | GICD_TYPER_RSS),
			  0);
	/* writes are ignored */
	dwr(GICD_TYPER, 4, 0);
	ck_assert_uint_eq(drd(GICD_TYPER, 4), t);

	ck_assert_int_eq(vgic_init(&v, vcpus, 1, VGIC_MAX_SPIS), HV_OK);
	ck_assert(vgic_dist_ops.read(&v, GICD_TYPER, 4, &(uint64_t){0}));
	{
		uint64_t x = 0;

		ck_assert(vgic_dist_ops.read(&v, GICD_TYPER, 4, &x));
		ck_assert_uint_eq(x & GICD_TYPER_ITLINES_MASK, 3);
		ck_assert_uint_eq(x & GICD_TYPER_CPUNUMBER_MASK, 0);
	}
}
END_TEST

/* GICD_CTLR keeps only the two group enables; ARE and DS read as one, RWP
 * as zero, whatever is written. */
START_TEST(test_dist_ctlr)
{
	dwr(GICD_CTLR, 4, 0xffffffff);
	ck_assert_uint_eq(drd(GICD_CTLR, 4), GICD_CTLR_ARE | GICD_CTLR_DS |
						     GICD_CTLR_ENABLE_GRP0 |
						     GICD_CTLR_ENABLE_GRP1);
	dwr(GICD_CTLR, 4, GICD_CTLR_ENABLE_GRP1);
	ck_assert_uint_eq(drd(GICD_CTLR, 4),
			  GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_ENABLE_GRP1);
	dwr(GICD_CTLR, 4, 0);
	ck_assert_uint_eq(drd(GICD_CTLR, 4), GICD_CTLR_ARE | GICD_CTLR_DS);
	ck_assert(dref(GICD_CTLR, 1));
	ck_assert(dref(GICD_CTLR, 2));
	ck_assert(dref(GICD_CTLR, 8));
}
END_TEST

/* Set/clear register pairs: writing 1 sets (or clears) that bit only,
 * writing 0 changes nothing, and both registers of a pair read the same
 * state; IGROUPR is plain read/write. */
START_TEST(test_dist_set_clear)
{
	static const uint32_t pairs[][2] = {
		{GICD_ISENABLER, GICD_ICENABLER},
		{GICD_ISPENDR, GICD_ICPENDR},
		{GICD_ISACTIVER, GICD_ICACTIVER},
	};

	for (unsigned p = 0; p < 3; p++) {
		uint32_t s = pairs[p][0] + 4, c = pairs[p][1] + 4;

		dwr(s, 4, 0x5);
		ck_assert_uint_eq(drd(s, 4), 0x5);
		ck_assert_uint_eq(drd(c, 4), 0x5);
		dwr(s, 4, 0x80000002);
		ck_assert_uint_eq(drd(s, 4), 0x80000007);
		dwr(c, 4, 0x1);
		ck_assert_uint_eq(drd(c, 4), 0x80000006);
		dwr(c, 4, 0);
		ck_assert_uint_eq(drd(s, 4), 0x80000006);
		dwr(c, 4, 0xffffffff);
		ck_assert_uint_eq(drd(s, 4), 0);
		/* the next register (INTIDs 64..95) was never touched */
		ck_assert_uint_eq(drd(s + 4, 4), 0);
	}
	dwr(GICD_IGROUPR + 4, 4, 0x0000ffff);
	ck_assert_uint_eq(drd(GICD_IGROUPR + 4, 4), 0x0000ffff);
	dwr(GICD_IGROUPR + 4, 4, 0xffff0000);
	ck_assert_uint_eq(drd(GICD_IGROUPR + 4, 4), 0xffff0000);
}
END_TEST

/* The enable registers read from a mirror of the per-INTID flags: after
 * any mix of set/clear writes (distributor and redistributors) and a
 * reset, every bit read must be the flag of that INTID. */
static void check_enable_mirror(void)
{
	for (unsigned cpu = 0; cpu < NCPU; cpu++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < 32; i++)
			if (vgic_irq_peek(&g, cpu, i)->flags & VGIC_IRQ_ENABLED)
				want |= UINT32_C(1) << i;
		ck_assert_uint_eq(srd(cpu, GICR_ISENABLER0, 4), want);
		ck_assert_uint_eq(srd(cpu, GICR_ICENABLER0, 4), want);
	}
	for (uint32_t k = 1; k <= NSPI / 32; k++) {
		uint32_t want = 0;

		for (uint32_t i = 0; i < 32; i++)
			if (vgic_irq_peek(&g, 0, 32 * k + i)->flags &
			    VGIC_IRQ_ENABLED)
				want |= UINT32_C(1) << i;
		ck_assert_uint_eq(drd(GICD_ISENABLER + 4 * k, 4), want);
		ck_assert_uint_eq(drd(GICD_ICENABLER + 4 * k, 4), want);
	}
	/* beyond the SPIs the cell has: nothing, whatever was written */
	ck_assert_uint_eq(drd(GICD_ISENABLER + 4 * (NSPI / 32 + 1), 4), 0);
}

START_TEST(test_enable_mirror)
{
	uint64_t x = 0x9e3779b97f4a7c15u;

	check_enable_mirror();
	for (unsigned step = 0; step < 400; step++) {
		uint32_t bits, k;

		/* xorshift64: a fixed pseudo-random sequence of writes */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bits = (uint32_t)x;
		k = (uint32_t)(x >> 32) % (NSPI / 32 + 2);
		if (k == 0) {
			unsigned cpu = (unsigned)(x >> 40) % NCPU;
			swr(cpu,
			    (x >> 50) & 1 ? GICR_ISENABLER0 : GICR_ICENABLER0,
			    4, bits);
		} else {
			dwr(((x >> 50) & 1 ? GICD_ISENABLER : GICD_ICENABLER) +
				    4 * k,
			    4, bits);
		}
		if (step % 50 == 0)
			check_enable_mirror();
		if (step == 200)
			vgic_reset(&g);
	}
	check_enable_mirror();
	vgic_reset(&g);
	check_enable_mirror();
	ck_assert_uint_eq(srd(0, GICR_ISENABLER0, 4), 0);
}
END_TEST

/* Bits and bytes for SGIs/PPIs (banked in the redistributors with ARE = 1)
 * read as zero and ignore writes in the distributor. */
START_TEST(test_dist_private_raz_wi)
{
	for (uint32_t b = GICD_IGROUPR; b < GICD_IPRIORITYR; b += 0x80) {
		dwr(b, 4, 0xffffffff);
		ck_assert_uint_eq(drd(b, 4), 0);
	}
	for (uint32_t i = 0; i < 32; i++) {
		dwr(GICD_IPRIORITYR + i, 1, 0xff);
		ck_assert_uint_eq(drd(GICD_IPRIORITYR + i, 1), 0);
	}
	dwr(GICD_ICFGR, 4, 0xffffffff);
	dwr(GICD_ICFGR + 4, 4, 0xffffffff);
	ck_assert_uint_eq(drd(GICD_ICFGR, 4), 0);
	ck_assert_uint_eq(drd(GICD_ICFGR + 4, 4), 0);
	/* the redistributors' state did not move */
	ck_assert_uint_eq(srd(0, GICR_ISENABLER0, 4), 0);
	ck_assert_uint_eq(srd(0, GICR_ISPENDR0, 4), 0);
	ck_assert_uint_eq(srd(0, GICR_ISACTIVER0, 4), 0);
	ck_assert_uint_eq(srd(0, GICR_IPRIORITYR0, 4), 0);
	ck_assert_uint_eq(srd(0, GICR_IGROUPR0, 4), 0xffffffff);
	ck_assert_uint_eq(srd(0, GICR_ICFGR1, 4), 0);
}
END_TEST

/* INTIDs beyond the cell's SPIs do not exist: their bits, priorities and
 * routes read as zero and ignore writes. */
START_TEST(test_dist_beyond_spis)
{
	dwr(GICD_ISENABLER + 12, 4, 0xffffffff);
	ck_assert_uint_eq(drd(GICD_ISENABLER + 12, 4), 0);
	ck_assert_uint_eq(drd(GICD_IGROUPR + 12, 4), 0);
	dwr(GICD_IPRIORITYR + 100, 1, 0x80);
	ck_assert_uint_eq(drd(GICD_IPRIORITYR + 100, 1), 0);
	dwr(GICD_IROUTER + 8 * 100, 8, 1);
	ck_assert_uint_eq(drd(GICD_IROUTER + 8 * 100, 8), 0);
	dwr(GICD_IROUTER + 8 * 1019, 8, 1);
	ck_assert_uint_eq(drd(GICD_IROUTER + 8 * 1019, 8), 0);
	dwr(GICD_ICFGR + 4 * 6, 4, 0xaaaaaaaa);
	ck_assert_uint_eq(drd(GICD_ICFGR + 4 * 6, 4), 0);
	ck_assert_int_eq(vgic_inject(&g, 0, 96), HV_ERR_INVAL);
}
END_TEST

/* IPRIORITYR is byte- and word-accessible, keeps the top five bits of
 * each byte, and bytes and words see the same storage. */
START_TEST(test_dist_priority)
{
	dwr(GICD_IPRIORITYR + 40, 4, 0x12345678);
	ck_assert_uint_eq(drd(GICD_IPRIORITYR + 40, 4), 0x10305078);
	ck_assert_uint_eq(drd(GICD_IPRIORITYR + 41, 1), 0x50);
	ck_assert_uint_eq(drd(GICD_IPRIORITYR + 43, 1), 0x10);
	dwr(GICD_IPRIORITYR + 42, 1, 0xff);
	ck_assert_uint_eq(drd(GICD_IPRIORITYR + 40, 4), 0x10f85078);
	ck_assert_uint_eq(vgic_irq_peek(&g, 0, 42)->priority, 0xf8);
	ck_assert(dref(GICD_IPRIORITYR + 40, 2));
	ck_assert(dref(GICD_IPRIORITYR + 40, 8));
	ck_assert(dref(GICD_IPRIORITYR + 41, 4)); /* misaligned */
}
END_TEST

/* ICFGR for SPIs: only the odd bit of each field (edge) is writable. */
START_TEST(test_dist_icfgr)
{
	dwr(GICD_ICFGR + 8, 4, 0xffffffff);
	ck_assert_uint_eq(drd(GICD_ICFGR + 8, 4), 0xaaaaaaaa);
	ck_assert(vgic_irq_peek(&g, 0, 32)->flags & VGIC_IRQ_EDGE);
	dwr(GICD_ICFGR + 8, 4, 0x00000008);
	ck_assert_uint_eq(drd(GICD_ICFGR + 8, 4), 0x00000008);
	ck_assert(!(vgic_irq_peek(&g, 0, 32)->flags & VGIC_IRQ_EDGE));
	ck_assert(vgic_irq_peek(&g, 0, 33)->flags & VGIC_IRQ_EDGE);
	ck_assert(dref(GICD_ICFGR + 8, 1));
}
END_TEST

/* IROUTER<n> is 64-bit, also writable and readable as 32-bit halves, keeps
 * Aff3..Aff0 and IRM only, and does not exist for INTIDs below 32. */
START_TEST(test_dist_irouter)
{
	uint64_t r = GICD_IROUTER + 8 * 40;

	dwr(r, 8, UINT64_C(0xffffffffffffffff));
	ck_assert_uint_eq(drd(r, 8), GICD_IROUTER_MASK);
	ck_assert_uint_eq(drd(r, 4), 0x80ffffff);
	ck_assert_uint_eq(drd(r + 4, 4), 0xff);
	dwr(r, 4, 0x00000002);
	ck_assert_uint_eq(drd(r, 8), UINT64_C(0xff00000002));
	dwr(r + 4, 4, 0x0);
	ck_assert_uint_eq(drd(r, 8), 2);
	/* neighbours untouched */
	ck_assert_uint_eq(drd(r - 8, 8), 0);
	ck_assert_uint_eq(drd(r + 8, 8), 0);
	/* IROUTER0..31 reserved */
	dwr(GICD_IROUTER + 8 * 31, 8, 3);
	ck_assert_uint_eq(drd(GICD_IROUTER + 8 * 31, 8), 0);
	ck_assert_uint_eq(drd(GICD_IROUTER, 8), 0);
	ck_assert(dref(r, 1));
	ck_assert(dref(r, 2));
	ck_assert(dref(r + 4, 8)); /* misaligned 64-bit */
}
END_TEST

/* Identification registers: PIDR2.ArchRev = 3 and the CoreSight component
 * ID; they ignore writes. */
START_TEST(test_dist_id_regs)
{
	ck_assert_uint_eq((drd(GICD_PIDR2, 4) & GIC_PIDR2_ARCHREV_MASK) >>
				  GIC_PIDR2_ARCHREV_SHIFT,
			  3);
	dwr(GICD_PIDR2, 4, 0);
	ck_assert_uint_eq((drd(GICD_PIDR2, 4) & GIC_PIDR2_ARCHREV_MASK) >>
				  GIC_PIDR2_ARCHREV_SHIFT,
			  3);
	ck_assert_uint_eq(drd(GICD_CIDR0, 4), 0x0d);
	ck_assert_uint_eq(drd(GICD_CIDR1, 4), 0xf0);
	ck_assert_uint_eq(drd(GICD_CIDR2, 4), 0x05);
	ck_assert_uint_eq(drd(GICD_CIDR3, 4), 0xb1);
	ck_assert_uint_eq(drd(GICD_PIDR0, 4), 0x43);
	ck_assert_uint_eq(drd(GICD_PIDR1, 4), 0xb0);
	ck_assert_uint_eq(drd(GICD_PIDR4, 4), 0x44);
	ck_assert_uint_eq(drd(GICD_PIDR3, 4), 0);
	ck_assert(dref(GICD_PIDR2, 1));
}
END_TEST

/* Reserved and unimplemented distributor registers read as zero and
 * ignore writes at 32 bits (bytes where the architecture allows them). */
START_TEST(test_dist_reserved)
{
	static const uint32_t words[] = {
		GICD_TYPER2,
		GICD_STATUSR,
		GICD_SETSPI_NSR,
		GICD_CLRSPI_NSR,
		GICD_SETSPI_SR,
		GICD_CLRSPI_SR,
		0x0014,
		0x003c,
		GICD_ITARGETSR + 32,
		GICD_IGRPMODR + 4,
		GICD_NSACR + 8,
		GICD_SGIR,
		GICD_CPENDSGIR,
		GICD_SPENDSGIR,
		GICD_INMIR,
		0x1000,
		0x5ffc,
		0x7fe0,
		0x8000,
		0xc000,
		0xffcc,
	};

	enable_grp1();
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		dwr(words[i], 4, 0xffffffff);
		ck_assert_msg(drd(words[i], 4) == 0, "0x%x", words[i]);
	}
	dwr(GICD_ITARGETSR + 33, 1, 0xff);
	ck_assert_uint_eq(drd(GICD_ITARGETSR + 33, 1), 0);
	dwr(GICD_CPENDSGIR + 3, 1, 0xff);
	ck_assert_uint_eq(drd(GICD_SPENDSGIR + 1, 1), 0);
	/* no interrupt state moved */
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
	ck_assert_uint_eq(drd(GICD_ISENABLER + 4, 4), 0);
	ck_assert(!vgic_pending(&g, 0));
}
END_TEST

/* Accesses the architecture does not allow are refused: 16-bit anywhere,
 * bytes outside the byte-accessible ranges, 64-bit outside IROUTER,
 * misaligned, or past the 64 KiB frame. */
START_TEST(test_dist_refused)
{
	ck_assert(dref(GICD_TYPER, 2));
	ck_assert(dref(GICD_ISENABLER + 4, 1));
	ck_assert(dref(GICD_ISENABLER + 4, 8));
	ck_assert(dref(GICD_ICFGR + 8, 8));
	ck_assert(dref(0x1000, 1));
	ck_assert(dref(0x1000, 8));
	ck_assert(dref(GICD_CTLR + 2, 4));
	ck_assert(dref(GICD_SIZE, 4));
	ck_assert(dref(GICD_CTLR, 3));
	ck_assert(dref(GICD_CTLR, 16));
}
END_TEST

/* --- redistributors ------------------------------------------------------ */

/* GICR_TYPER of each vCPU: affinity 0.0.0.n, Processor_Number n, Last only
 * on the final frame, no LPIs; 32-bit halves agree with the 64-bit read. */
START_TEST(test_redist_typer)
{
	for (unsigned c = 0; c < NCPU; c++) {
		uint64_t t = rrd(c, GICR_TYPER, 8);

		ck_assert_uint_eq(t >> GICR_TYPER_AFF_SHIFT, c);
		ck_assert_uint_eq((t & GICR_TYPER_PROCNUM_MASK) >>
					  GICR_TYPER_PROCNUM_SHIFT,
				  c);
		ck_assert_uint_eq(!!(t & GICR_TYPER_LAST), c == NCPU - 1);
		ck_assert_uint_eq(t & (GICR_TYPER_PLPIS | GICR_TYPER_VLPIS), 0);
		ck_assert_uint_eq(rrd(c, GICR_TYPER, 4), t & 0xffffffff);
		ck_assert_uint_eq(rrd(c, GICR_TYPER + 4, 4), t >> 32);
		rwr(c, GICR_TYPER, 8, 0);
		ck_assert_uint_eq(rrd(c, GICR_TYPER, 8), t);
	}
}
END_TEST

/* GICR_WAKER: asleep after reset; clearing ProcessorSleep clears
 * ChildrenAsleep at once, setting it sets both; bit 0 is RAZ/WI. */
START_TEST(test_redist_waker)
{
	uint32_t both = GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;

	ck_assert_uint_eq(rrd(1, GICR_WAKER, 4), both);
	rwr(1, GICR_WAKER, 4, 0x1);
	ck_assert_uint_eq(rrd(1, GICR_WAKER, 4), 0);
	ck_assert_uint_eq(rrd(0, GICR_WAKER, 4), both); /* per vCPU */
	rwr(1, GICR_WAKER, 4, GICR_WAKER_PROCESSOR_SLEEP);
	ck_assert_uint_eq(rrd(1, GICR_WAKER, 4), both);
	rwr(1, GICR_WAKER, 4, GICR_WAKER_CHILDREN_ASLEEP);
	ck_assert_uint_eq(rrd(1, GICR_WAKER, 4), 0);
	ck_assert(rref(1, GICR_WAKER, 8));
	ck_assert(rref(1, GICR_WAKER, 1));
}
END_TEST

/* The rest of RD_base: CTLR reads 0 (no LPIs, never busy), IIDR, PIDR2,
 * SYNCR and the 64-bit LPI registers read as zero; bad widths refused. */
START_TEST(test_redist_rd_misc)
{
	rwr(2, GICR_CTLR, 4, 0xffffffff);
	ck_assert_uint_eq(rrd(2, GICR_CTLR, 4), 0);
	ck_assert_uint_eq(rrd(2, GICR_IIDR, 4), 0x4300043b);
	ck_assert_uint_eq((rrd(2, GICR_PIDR2, 4) & GIC_PIDR2_ARCHREV_MASK) >>
				  GIC_PIDR2_ARCHREV_SHIFT,
			  3);
	ck_assert_uint_eq(rrd(2, GICR_SYNCR, 4), 0);
	ck_assert_uint_eq(rrd(2, GICR_STATUSR, 4), 0);
	rwr(2, GICR_PROPBASER, 8, UINT64_C(0xffffffffffff));
	ck_assert_uint_eq(rrd(2, GICR_PROPBASER, 8), 0);
	ck_assert_uint_eq(rrd(2, GICR_PENDBASER + 4, 4), 0);
	ck_assert_uint_eq(rrd(2, GICR_INVALLR, 8), 0);
	ck_assert_uint_eq(rrd(2, 0x800, 4), 0);
	ck_assert(rref(2, GICR_CTLR, 8));
	ck_assert(rref(2, GICR_CTLR, 1));
	ck_assert(rref(2, GICR_CTLR, 2));
	ck_assert(rref(2, GICR_TYPER + 2, 4));
	ck_assert(rref(NCPU, GICR_CTLR, 4)); /* past the last frame */
}
END_TEST

/* SGI_base: the private INTIDs' registers, banked per vCPU, with the same
 * set/clear semantics as the distributor's. */
START_TEST(test_redist_sgi_frame)
{
	ck_assert_uint_eq(srd(1, GICR_IGROUPR0, 4), 0xffffffff);
	swr(1, GICR_IGROUPR0, 4, 0x00ff00ff);
	ck_assert_uint_eq(srd(1, GICR_IGROUPR0, 4), 0x00ff00ff);
	ck_assert_uint_eq(srd(0, GICR_IGROUPR0, 4), 0xffffffff);

	swr(1, GICR_ISENABLER0, 4, 0x08000003);
	ck_assert_uint_eq(srd(1, GICR_ISENABLER0, 4), 0x08000003);
	ck_assert_uint_eq(srd(1, GICR_ICENABLER0, 4), 0x08000003);
	ck_assert_uint_eq(srd(0, GICR_ISENABLER0, 4), 0);
	swr(1, GICR_ICENABLER0, 4, 0x1);
	ck_assert_uint_eq(srd(1, GICR_ISENABLER0, 4), 0x08000002);

	swr(2, GICR_ISPENDR0, 4, 0x10);
	ck_assert_uint_eq(srd(2, GICR_ICPENDR0, 4), 0x10);
	swr(2, GICR_ICPENDR0, 4, 0x10);
	ck_assert_uint_eq(srd(2, GICR_ISPENDR0, 4), 0);

	swr(3, GICR_ISACTIVER0, 4, 0x80000000);
	ck_assert_uint_eq(srd(3, GICR_ICACTIVER0, 4), 0x80000000);
	swr(3, GICR_ICACTIVER0, 4, 0xffffffff);
	ck_assert_uint_eq(srd(3, GICR_ISACTIVER0, 4), 0);

	swr(1, GICR_IPRIORITYR0 + 27, 1, 0xa7);
	ck_assert_uint_eq(srd(1, GICR_IPRIORITYR0 + 24, 4), 0xa0000000);
	swr(1, GICR_IPRIORITYR0, 4, 0xffffffff);
	ck_assert_uint_eq(srd(1, GICR_IPRIORITYR0 + 3, 1), 0xf8);
	ck_assert_uint_eq(srd(0, GICR_IPRIORITYR0, 4), 0);

	/* SGIs always edge; PPIs configurable */
	swr(1, GICR_ICFGR0, 4, 0);
	ck_assert_uint_eq(srd(1, GICR_ICFGR0, 4), 0xaaaaaaaa);
	ck_assert_uint_eq(srd(1, GICR_ICFGR1, 4), 0);
	swr(1, GICR_ICFGR1, 4, 0xffffffff);
	ck_assert_uint_eq(srd(1, GICR_ICFGR1, 4), 0xaaaaaaaa);
	ck_assert_uint_eq(srd(0, GICR_ICFGR1, 4), 0);

	/* extended-PPI registers, IGRPMODR0, NSACR: RAZ/WI */
	swr(1, GICR_ISENABLER0 + 4, 4, 0xffffffff);
	ck_assert_uint_eq(srd(1, GICR_ISENABLER0 + 4, 4), 0);
	swr(1, GICR_IGRPMODR0, 4, 0xffffffff);
	ck_assert_uint_eq(srd(1, GICR_IGRPMODR0, 4), 0);
	swr(1, GICR_NSACR, 4, 0xffffffff);
	ck_assert_uint_eq(srd(1, GICR_NSACR, 4), 0);
	ck_assert_uint_eq(srd(1, GICR_IPRIORITYR0 + 32, 4), 0);

	ck_assert(rref(1, GICR_SGI_BASE + GICR_ISENABLER0, 1));
	ck_assert(rref(1, GICR_SGI_BASE + GICR_ISENABLER0, 8));
	ck_assert(rref(1, GICR_SGI_BASE + GICR_IPRIORITYR0, 2));
	ck_assert(rref(1, GICR_SGI_BASE + GICR_IPRIORITYR0 + 32, 1));
}
END_TEST

/* --- SGIs ---------------------------------------------------------------- */

static uint64_t sgi1r(uint32_t intid, uint16_t targets, unsigned aff1,
		      unsigned rs)
{
	return ((uint64_t)intid << ICC_SGI1R_INTID_SHIFT) | targets |
	       ((uint64_t)aff1 << ICC_SGI1R_AFF1_SHIFT) |
	       ((uint64_t)rs << ICC_SGI1R_RS_SHIFT);
}

static bool sgi_pending(unsigned cpu, uint32_t intid)
{
	return (srd(cpu, GICR_ISPENDR0, 4) >> intid) & 1;
}

/* TargetList bits name vCPUs by Aff0; only those get the SGI, in the
 * INTID given, and they are kicked. */
START_TEST(test_sgi_target_list)
{
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(5, 0x000a, 0, 0), 1), 2);
	ck_assert(!sgi_pending(0, 5));
	ck_assert(sgi_pending(1, 5));
	ck_assert(!sgi_pending(2, 5));
	ck_assert(sgi_pending(3, 5));
	ck_assert_uint_eq(srd(1, GICR_ISPENDR0, 4), 1u << 5);
	/* not enabled yet: nobody to kick */
	ck_assert_uint_eq(vgic_kicks_take(&g), 0);
	enable_grp1();
	vgic_kicks_take(&g);
	swr(2, GICR_ISENABLER0, 4, 1u << 15);
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(15, 0x0004, 0, 0), 1), 1);
	ck_assert_uint_eq(vgic_kicks_take(&g), 1u << 2);
	/* self-targeting is allowed */
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(1, 0x0001, 0, 0), 1), 1);
	ck_assert(sgi_pending(0, 1));
}
END_TEST

/* Targets outside the cell are ignored: TargetList bits past the last
 * vCPU, a non-zero RS, or Aff1..3 other than 0. */
START_TEST(test_sgi_out_of_cell)
{
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(3, 0xfff0, 0, 0), 1), 0);
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(3, 0x0001, 0, 1), 1), 0);
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(3, 0x0001, 1, 0), 1), 0);
	ck_assert_uint_eq(vgic_sgi_write(&g, 0,
					 sgi1r(3, 1, 0, 0) |
						 (UINT64_C(1)
						  << ICC_SGI1R_AFF2_SHIFT),
					 1),
			  0);
	ck_assert_uint_eq(vgic_sgi_write(&g, 0,
					 sgi1r(3, 1, 0, 0) |
						 (UINT64_C(1)
						  << ICC_SGI1R_AFF3_SHIFT),
					 1),
			  0);
	for (unsigned c = 0; c < NCPU; c++)
		ck_assert_uint_eq(srd(c, GICR_ISPENDR0, 4), 0);
	/* mixed: the in-cell bit still works */
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(3, 0x8004, 0, 0), 1), 1);
	ck_assert(sgi_pending(2, 3));
}
END_TEST

/* IRM = 1 sends to every vCPU of the cell except the sender, whatever the
 * TargetList says. */
START_TEST(test_sgi_irm)
{
	ck_assert_uint_eq(vgic_sgi_write(&g, 2,
					 sgi1r(7, 0, 0, 0) | ICC_SGI1R_IRM, 1),
			  NCPU - 1);
	for (unsigned c = 0; c < NCPU; c++)
		ck_assert_uint_eq(sgi_pending(c, 7), c != 2);
}
END_TEST

/* ICC_SGI1R only raises SGIs the target has in Group 1, ICC_SGI0R only
 * Group 0 ones. */
START_TEST(test_sgi_group)
{
	swr(1, GICR_IGROUPR0, 4, 0xfffffffe); /* SGI 0 in Group 0 */
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(0, 0x3, 0, 0), 1), 1);
	ck_assert(!sgi_pending(1, 0));
	ck_assert(sgi_pending(0, 0));
	swr(0, GICR_ICPENDR0, 4, 1);
	ck_assert_uint_eq(vgic_sgi_write(&g, 0, sgi1r(0, 0x3, 0, 0), 0), 1);
	ck_assert(sgi_pending(1, 0));
	ck_assert(!sgi_pending(0, 0));
}
END_TEST

/* --- injection ----------------------------------------------------------- */

/* Injection validates INTID and vCPU, banks private INTIDs per vCPU and
 * ignores vcpu_id for SPIs. */
START_TEST(test_inject_args)
{
	ck_assert_int_eq(vgic_inject(&g, NCPU, 20), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_inject(&g, 0, 1020), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_inject(&g, 0, 0xffffffff), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_set_level(&g, 0, 3, true), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_set_level(&g, 0, 96, true), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_inject(&g, 2, 20), HV_OK);
	ck_assert_uint_eq(srd(2, GICR_ISPENDR0, 4), 1u << 20);
	ck_assert_uint_eq(srd(1, GICR_ISPENDR0, 4), 0);
	ck_assert_int_eq(vgic_inject(&g, 77, 40), HV_OK);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 1u << 8);
	ck_assert_ptr_null(vgic_irq_peek(&g, NCPU, 5));
	ck_assert_ptr_nonnull(vgic_irq_peek(&g, NCPU, 40));
}
END_TEST

/* An edge-triggered interrupt driven by a line latches on the rising edge
 * only; a level one is pending exactly while its line is high, and a
 * ICPENDR write cannot clear it while the line stays high. */
START_TEST(test_set_level_semantics)
{
	dwr(GICD_ICFGR + 8, 4, GIC_ICFGR_EDGE << 2); /* INTID 33 edge */
	ck_assert_int_eq(vgic_set_level(&g, 0, 33, true), HV_OK);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 1u << 1);
	dwr(GICD_ICPENDR + 4, 4, 1u << 1);
	ck_assert_int_eq(vgic_set_level(&g, 0, 33, true),
			 HV_OK); /* still high */
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
	ck_assert_int_eq(vgic_set_level(&g, 0, 33, false), HV_OK);
	ck_assert_int_eq(vgic_set_level(&g, 0, 33, true), HV_OK);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 1u << 1);

	ck_assert_int_eq(vgic_set_level(&g, 0, 34, true), HV_OK); /* level */
	ck_assert(drd(GICD_ISPENDR + 4, 4) & (1u << 2));
	dwr(GICD_ICPENDR + 4, 4, 1u << 2);
	ck_assert(drd(GICD_ISPENDR + 4, 4) & (1u << 2));
	ck_assert_int_eq(vgic_set_level(&g, 0, 34, false), HV_OK);
	ck_assert(!(drd(GICD_ISPENDR + 4, 4) & (1u << 2)));
	/* ISPENDR on a level interrupt latches until cleared */
	dwr(GICD_ISPENDR + 4, 4, 1u << 2);
	ck_assert(drd(GICD_ISPENDR + 4, 4) & (1u << 2));
	dwr(GICD_ICPENDR + 4, 4, 1u << 2);
	ck_assert(!(drd(GICD_ISPENDR + 4, 4) & (1u << 2)));
}
END_TEST

/* Disabled interrupts, and interrupts of a group GICD_CTLR does not
 * enable, are neither signalled nor loaded into LRs; enabling them kicks
 * the target vCPU and delivers. */
START_TEST(test_forwarding_gates)
{
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	ck_assert_uint_eq(vgic_kicks_take(&g), 0);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(!vgic_pending(&g, 0));

	enable_spi(40, 0x80);
	ck_assert_uint_eq(vgic_kicks_take(&g), 0); /* group still off */
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(!vgic_pending(&g, 0));

	dwr(GICD_CTLR, 4, GICD_CTLR_ENABLE_GRP1);
	ck_assert(vgic_kicks_take(&g) & 1);
	ck_assert(vgic_pending(&g, 0));
	ck_assert(!vgic_pending(&g, 1));
	ck_assert(!vgic_pending(&g, NCPU));
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 40), 0);

	/* Group 0 interrupts need EnableGrp0 and get LR.Group = 0 */
	dwr(GICD_IGROUPR + 4, 4, 0xffffffff & ~(1u << 9)); /* INTID 41 */
	enable_spi(41, 0x80);
	ck_assert_int_eq(vgic_inject(&g, 0, 41), HV_OK);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_lt(lr_find(0, 41), 0);
	dwr(GICD_CTLR, 4, GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 41), 0);
	ck_assert(!(fake_vgic_lr(&vcpus[0], (unsigned)lr_find(0, 41)) &
		    ICH_LR_GROUP));
	ck_assert(fake_vgic_lr(&vcpus[0], (unsigned)lr_find(0, 40)) &
		  ICH_LR_GROUP);
}
END_TEST

/* --- list registers ------------------------------------------------------ */

/* A pending, enabled SPI is loaded into an LR with its vINTID, priority,
 * group and the pending state; flushing again without guest activity adds
 * no duplicate and writes nothing. */
START_TEST(test_flush_basic)
{
	uint64_t v;
	unsigned w;
	int n;

	enable_grp1();
	enable_spi(40, 0x48);
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	ck_assert_uint_eq(vgic_kicks_take(&g), 1);
	vgic_flush(&g, &vcpus[0]);
	n = lr_find(0, 40);
	ck_assert_int_ge(n, 0);
	v = fake_vgic_lr(&vcpus[0], (unsigned)n);
	ck_assert_uint_eq(v, ICH_LR_STATE_PENDING | ICH_LR_GROUP |
				     (UINT64_C(0x48) << ICH_LR_PRIORITY_SHIFT) |
				     40);
	ck_assert(!fake_vgic_underflow(&vcpus[0]));
	/* the distributor still reports it pending while the LR holds it */
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 1u << 8);
	ck_assert(vgic_pending(&g, 0));

	w = fake_vgic_lr_writes(&vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(fake_vgic_lr_writes(&vcpus[0]), w);
	ck_assert_uint_eq(valid_lrs(0), 1);
	/* a second edge before the guest took it coalesces */
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 1);
	guest_handle(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(!vgic_pending(&g, 0));
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
}
END_TEST

/*
 * 20 pending interrupts, 4 LRs: each round the LRs hold the best four
 * pending by priority (then INTID), underflow is requested while more
 * wait, and after the guest handles everything each INTID was delivered
 * exactly once, in priority order.
 */
START_TEST(test_overflow_no_loss_no_dup)
{
	static const uint8_t prio[20] = {0x80, 0x10, 0xf0, 0x10, 0x40,
					 0x38, 0x90, 0xa0, 0x08, 0x88,
					 0x40, 0x20, 0x20, 0xe0, 0x18,
					 0x60, 0x70, 0x00, 0x30, 0x28};
	unsigned delivered[128] = {0};
	uint32_t order[20];
	unsigned got = 0, rounds = 0;

	enable_grp1();
	for (uint32_t i = 0; i < 20; i++) {
		enable_spi(40 + i, prio[i]);
		ck_assert_int_eq(vgic_inject(&g, 0, 40 + i), HV_OK);
	}
	/* SGI and PPI too, on the same vCPU */
	swr(0, GICR_ISENABLER0, 4, 0xffffffff);
	swr(0, GICR_IPRIORITYR0 + 2, 1, 0x50);
	swr(0, GICR_IPRIORITYR0 + 23, 1, 0x50);
	ck_assert_int_eq(vgic_inject(&g, 0, 2), HV_OK);
	ck_assert_int_eq(vgic_inject(&g, 0, 23), HV_OK);

	while (vgic_pending(&g, 0)) {
		unsigned batch = 0;
		uint8_t worst = 0;

		ck_assert_uint_lt(rounds++, 20);
		vgic_flush(&g, &vcpus[0]);
		ck_assert_uint_eq(fake_vgic_underflow(&vcpus[0]), 22 - got > 4);
		for (unsigned n = 0; n < 4; n++) {
			uint64_t v = fake_vgic_lr(&vcpus[0], n);
			uint8_t p = (uint8_t)(v >> ICH_LR_PRIORITY_SHIFT);
			uint32_t id;

			if (!lr_state(v))
				continue;
			ck_assert_uint_eq(lr_state(v), ICH_LR_STATE_PENDING);
			ck_assert_int_eq(lr_find(0, lr_intid(v)), (int)n);
			worst = p > worst ? p : worst;
			id = guest_handle(0, n);
			delivered[id]++;
			if (id >= 40)
				order[got < 20 ? got : 19] = id;
			got++;
			batch++;
		}
		ck_assert_uint_eq(batch, 22 - (got - batch) >= 4
						 ? 4
						 : 22 - (got - batch));
		/* nothing still waiting is better than this batch's worst */
		for (uint32_t i = 0; i < 20; i++)
			if (!delivered[40 + i])
				ck_assert_uint_ge(prio[i], worst);
		vgic_sync(&g, &vcpus[0]);
	}
	ck_assert_uint_eq(got, 22);
	for (uint32_t i = 0; i < 20; i++)
		ck_assert_uint_eq(delivered[40 + i], 1);
	ck_assert_uint_eq(delivered[2], 1);
	ck_assert_uint_eq(delivered[23], 1);
	vgic_flush(&g, &vcpus[0]);
	ck_assert(!fake_vgic_underflow(&vcpus[0]));
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
	ck_assert_uint_eq(drd(GICD_ISACTIVER + 4, 4), 0);
	HV_UNUSED(order);
}
END_TEST

/* A new higher-priority interrupt evicts the worst pending one from full
 * LRs; the evicted one is not lost and comes back later. */
START_TEST(test_priority_eviction)
{
	int n;

	enable_grp1();
	for (uint32_t i = 0; i < 4; i++) {
		enable_spi(50 + i, 0xa0);
		ck_assert_int_eq(vgic_inject(&g, 0, 50 + i), HV_OK);
	}
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 4);
	ck_assert(!fake_vgic_underflow(&vcpus[0]));
	vgic_sync(&g, &vcpus[0]);

	enable_spi(60, 0x10);
	ck_assert_int_eq(vgic_inject(&g, 0, 60), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 60), 0);
	ck_assert_int_lt(lr_find(0, 53), 0); /* highest INTID lost the tie */
	ck_assert(fake_vgic_underflow(&vcpus[0]));
	ck_assert(drd(GICD_ISPENDR + 4, 4) & (1u << (53 - 32)));

	/* guest handles 60: 53 returns */
	n = lr_find(0, 60);
	guest_handle(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 53), 0);
	ck_assert_uint_eq(valid_lrs(0), 4);
	ck_assert(!fake_vgic_underflow(&vcpus[0]));
}
END_TEST

/* Active interrupts keep their LRs ahead of better pending ones, so the
 * guest can always deactivate what it acknowledged. */
START_TEST(test_active_first)
{
	enable_grp1();
	for (uint32_t i = 0; i < 4; i++) {
		enable_spi(50 + i, 0xc0);
		ck_assert_int_eq(vgic_inject(&g, 0, 50 + i), HV_OK);
	}
	vgic_flush(&g, &vcpus[0]);
	for (unsigned n = 0; n < 4; n++)
		guest_ack(0, n);
	vgic_sync(&g, &vcpus[0]);
	ck_assert_uint_eq(drd(GICD_ISACTIVER + 4, 4), 0xfu << 18);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
	for (uint32_t i = 0; i < 4; i++) {
		enable_spi(60 + i, 0x00);
		ck_assert_int_eq(vgic_inject(&g, 0, 60 + i), HV_OK);
	}
	vgic_flush(&g, &vcpus[0]);
	for (uint32_t i = 0; i < 4; i++) {
		int n = lr_find(0, 50 + i);

		ck_assert_int_ge(n, 0);
		ck_assert_uint_eq(lr_state(
					  fake_vgic_lr(&vcpus[0], (unsigned)n)),
				  ICH_LR_STATE_ACTIVE);
		ck_assert_int_lt(lr_find(0, 60 + i), 0);
	}
	ck_assert(fake_vgic_underflow(&vcpus[0]));
	/* deactivating one frees room for the best pending one */
	guest_eoi(0, (unsigned)lr_find(0, 52));
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 60), 0);
	ck_assert_int_lt(lr_find(0, 52), 0);
}
END_TEST

/* An edge arriving after the guest acknowledged the previous one makes the
 * interrupt active and pending: it is delivered a second time, once. */
START_TEST(test_edge_while_active)
{
	int n;

	enable_grp1();
	enable_spi(45, 0x40);
	ck_assert_int_eq(vgic_inject(&g, 0, 45), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	n = lr_find(0, 45);
	guest_ack(0, (unsigned)n);
	ck_assert_int_eq(vgic_inject(&g, 0, 45), HV_OK); /* while running */
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_eq(lr_find(0, 45), n);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0], (unsigned)n)),
			  ICH_LR_STATE_PENDING_ACTIVE);
	guest_eoi(0, (unsigned)n); /* -> pending */
	guest_handle(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(!vgic_pending(&g, 0));
}
END_TEST

/* Flushing again without a sync first folds the guest's acknowledgement
 * instead of re-pending an interrupt it already took. */
START_TEST(test_flush_without_sync)
{
	int n;

	enable_grp1();
	enable_spi(45, 0x40);
	ck_assert_int_eq(vgic_inject(&g, 0, 45), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	n = lr_find(0, 45);
	guest_ack(0, (unsigned)n);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0], (unsigned)n)),
			  ICH_LR_STATE_ACTIVE);
	guest_eoi(0, (unsigned)n);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_uint_eq(drd(GICD_ISACTIVER + 4, 4), 0);
}
END_TEST

/* A level interrupt whose line stays high after the guest acknowledged it
 * is active and pending; when the line drops it is active only; after EOI
 * nothing remains. */
START_TEST(test_level_lifecycle)
{
	int n;

	enable_grp1();
	enable_spi(70, 0x40);
	ck_assert_int_eq(vgic_set_level(&g, 0, 70, true), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	n = lr_find(0, 70);
	ck_assert_int_ge(n, 0);
	guest_ack(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0], (unsigned)n)),
			  ICH_LR_STATE_PENDING_ACTIVE);
	vgic_sync(&g, &vcpus[0]);
	ck_assert_int_eq(vgic_set_level(&g, 0, 70, false), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0], (unsigned)n)),
			  ICH_LR_STATE_ACTIVE);
	guest_eoi(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(!vgic_pending(&g, 0));
}
END_TEST

/* A level line that drops before the guest acknowledged the interrupt
 * withdraws it from the LR: the guest never sees a stale interrupt. */
START_TEST(test_level_drop_before_ack)
{
	enable_grp1();
	enable_spi(70, 0x40);
	ck_assert_int_eq(vgic_set_level(&g, 0, 70, true), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 70), 0);
	vgic_sync(&g, &vcpus[0]);
	ck_assert_int_eq(vgic_set_level(&g, 0, 70, false), HV_OK);
	ck_assert(vgic_kicks_take(&g) & 1); /* its LR must be rewritten */
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_uint_eq(fake_vgic_lr(&vcpus[0], 0), 0);
}
END_TEST

/* ICPENDR withdraws a pending state already handed to an LR: the next
 * sync does not restore it and the LR is emptied. */
START_TEST(test_icpendr_withdraws_lr)
{
	enable_grp1();
	enable_spi(44, 0x40);
	ck_assert_int_eq(vgic_inject(&g, 0, 44), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	/* another vCPU clears it while vCPU 0 runs */
	dwr(GICD_ICPENDR + 4, 4, 1u << 12);
	ck_assert(vgic_kicks_take(&g) & 1);
	vgic_sync(&g, &vcpus[0]); /* LR still says pending */
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	/* disabling an LR-resident pending interrupt evicts it too, and
	 * re-enabling brings it back */
	ck_assert_int_eq(vgic_inject(&g, 0, 44), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	vgic_sync(&g, &vcpus[0]);
	dwr(GICD_ICENABLER + 4, 4, 1u << 12);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(drd(GICD_ISPENDR + 4, 4) & (1u << 12));
	dwr(GICD_ISENABLER + 4, 4, 1u << 12);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 44), 0);
}
END_TEST

/* ISACTIVER/ICACTIVER through the distributor change what the LR shows at
 * the next flush. */
START_TEST(test_active_via_mmio)
{
	enable_grp1();
	enable_spi(44, 0x40);
	dwr(GICD_ISACTIVER + 4, 4, 1u << 12);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0],
						(unsigned)lr_find(0, 44))),
			  ICH_LR_STATE_ACTIVE);
	vgic_sync(&g, &vcpus[0]);
	dwr(GICD_ICACTIVER + 4, 4, 1u << 12);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
}
END_TEST

/* SPIs go to the vCPU their IROUTER names; an affinity naming no vCPU
 * delivers nowhere (kept pending); IRM = 1 picks the first awake vCPU. */
START_TEST(test_spi_routing)
{
	enable_grp1();
	enable_spi(40, 0x40);
	dwr(GICD_IROUTER + 8 * 40, 8, 2);
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	ck_assert_uint_eq(vgic_kicks_take(&g), 1u << 2);
	ck_assert(!vgic_pending(&g, 0));
	ck_assert(vgic_pending(&g, 2));
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	vgic_flush(&g, &vcpus[2]);
	ck_assert_int_ge(lr_find(2, 40), 0);
	vgic_sync(&g, &vcpus[2]);

	/* affinity 0.0.1.0 and Aff0 past the cell: nobody */
	enable_spi(41, 0x40);
	ck_assert_int_eq(vgic_inject(&g, 0, 41), HV_OK);
	dwr(GICD_IROUTER + 8 * 41, 8, 0x100);
	for (unsigned c = 0; c < NCPU; c++)
		ck_assert_int_lt((vgic_flush(&g, &vcpus[c]), lr_find(c, 41)),
				 0);
	dwr(GICD_IROUTER + 8 * 41, 8, NCPU);
	for (unsigned c = 0; c < NCPU; c++) {
		vgic_sync(&g, &vcpus[c]);
		vgic_flush(&g, &vcpus[c]);
		ck_assert_int_lt(lr_find(c, 41), 0);
	}
	ck_assert(drd(GICD_ISPENDR + 4, 4) & (1u << 9));

	/* 1-of-N: all asleep -> vCPU 0; vCPU 3 awake -> vCPU 3 */
	dwr(GICD_IROUTER + 8 * 41, 8, GICD_IROUTER_IRM);
	ck_assert(vgic_pending(&g, 0));
	rwr(3, GICR_WAKER, 4, 0);
	ck_assert(!vgic_pending(&g, 0));
	ck_assert(vgic_pending(&g, 3));
}
END_TEST

/* Rerouting an SPI that sits pending in one vCPU's LR moves it: the old
 * vCPU is kicked and evicts it, the new one is not given a duplicate
 * meanwhile and gets it afterwards. */
START_TEST(test_spi_reroute_resident)
{
	uint64_t k;

	enable_grp1();
	enable_spi(40, 0x40);
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_ge(lr_find(0, 40), 0);
	vgic_kicks_take(&g);
	dwr(GICD_IROUTER + 8 * 40, 8, 1);
	k = vgic_kicks_take(&g);
	ck_assert(k & 1);
	vgic_flush(&g, &vcpus[1]);
	ck_assert_int_lt(lr_find(1, 40), 0);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_int_lt(lr_find(0, 40), 0);
	ck_assert(vgic_pending(&g, 1));
	vgic_flush(&g, &vcpus[1]);
	ck_assert_int_ge(lr_find(1, 40), 0);

	/* an active one stays with the vCPU that took it until deactivated,
	 * and its new pending state waits for the new target */
	guest_ack(1, (unsigned)lr_find(1, 40));
	vgic_sync(&g, &vcpus[1]);
	dwr(GICD_IROUTER + 8 * 40, 8, 2);
	ck_assert_int_eq(vgic_inject(&g, 0, 40), HV_OK);
	vgic_flush(&g, &vcpus[1]);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[1],
						(unsigned)lr_find(1, 40))),
			  ICH_LR_STATE_ACTIVE);
	vgic_flush(&g, &vcpus[2]);
	ck_assert_int_lt(lr_find(2, 40), 0);
	vgic_kicks_take(&g);
	guest_eoi(1, (unsigned)lr_find(1, 40));
	vgic_sync(&g, &vcpus[1]);
	ck_assert(vgic_kicks_take(&g) & (1u << 2));
	vgic_sync(&g, &vcpus[2]);
	vgic_flush(&g, &vcpus[2]);
	ck_assert_int_ge(lr_find(2, 40), 0);
}
END_TEST

/* SGIs and PPIs are per vCPU: a PPI injected on one vCPU appears only in
 * that vCPU's LRs. */
START_TEST(test_private_banked_delivery)
{
	enable_grp1();
	for (unsigned c = 0; c < NCPU; c++)
		swr(c, GICR_ISENABLER0, 4, 1u << 27);
	ck_assert_int_eq(vgic_inject(&g, 2, 27), HV_OK);
	for (unsigned c = 0; c < NCPU; c++) {
		vgic_flush(&g, &vcpus[c]);
		ck_assert_int_eq(lr_find(c, 27) >= 0, c == 2);
	}
}
END_TEST

/* --- hardware-linked interrupts ------------------------------------------ */

/* Linking validates its arguments and refuses a second link. */
START_TEST(test_hw_link_args)
{
	ck_assert_int_eq(vgic_hw_link(&g, 0, 5, 40), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 40, 15), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 40, 1020), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 96, 40), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_hw_link(&g, NCPU, 27, 27), HV_ERR_INVAL);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 40, 80), HV_OK);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 40, 81), HV_ERR_EXISTS);
	ck_assert_int_eq(vgic_hw_unlink(&g, 0, 41), HV_ERR_NOENT);
	ck_assert_int_eq(vgic_hw_unlink(&g, 0, 40), HV_OK);
	ck_assert_uint_eq(fake_vgic_deact_count(), 0); /* was idle */
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_ERR_NOENT);
}
END_TEST

/* A hardware-linked interrupt goes into the LR with HW = 1 and its pINTID;
 * while active it is never written pending+active (a second activation
 * waits in the model) and the guest's EOI completes it without the
 * hypervisor deactivating anything itself. */
START_TEST(test_hw_lifecycle)
{
	uint64_t v;
	int n;

	enable_grp1();
	enable_spi(50, 0x20);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 50, 80), HV_OK);
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	n = lr_find(0, 50);
	ck_assert_int_ge(n, 0);
	v = fake_vgic_lr(&vcpus[0], (unsigned)n);
	ck_assert(v & ICH_LR_HW);
	ck_assert_uint_eq((v & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT, 80);
	ck_assert_uint_eq(lr_state(v), ICH_LR_STATE_PENDING);

	guest_ack(0, (unsigned)n);
	ck_assert_int_eq(vgic_set_level(&g, 0, 50, true), HV_OK);
	ck_assert_int_eq(vgic_set_level(&g, 0, 50, false), HV_OK); /* ignored */
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0], (unsigned)n)),
			  ICH_LR_STATE_ACTIVE);
	guest_eoi(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	n = lr_find(0, 50);
	ck_assert_int_ge(n, 0);
	ck_assert_uint_eq(lr_state(fake_vgic_lr(&vcpus[0], (unsigned)n)),
			  ICH_LR_STATE_PENDING);
	guest_handle(0, (unsigned)n);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_uint_eq(fake_vgic_deact_count(), 0);
}
END_TEST

/* When the guest withdraws a hardware-linked interrupt through the
 * distributor the hypervisor deactivates the physical one, exactly once,
 * whether or not it sat in an LR. */
START_TEST(test_hw_withdraw_deactivates)
{
	enable_grp1();
	enable_spi(50, 0x20);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 50, 80), HV_OK);
	/* not in an LR: immediately */
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	dwr(GICD_ICPENDR + 4, 4, 1u << 18);
	ck_assert_uint_eq(fake_vgic_deact_count(), 1);
	ck_assert_uint_eq(fake_vgic_deact(0), 80);
	dwr(GICD_ICPENDR + 4, 4, 1u << 18); /* already idle: nothing more */
	ck_assert_uint_eq(fake_vgic_deact_count(), 1);

	/* in an LR: when it is evicted */
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	dwr(GICD_ICPENDR + 4, 4, 1u << 18);
	ck_assert_uint_eq(fake_vgic_deact_count(), 1);
	vgic_sync(&g, &vcpus[0]);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_uint_eq(fake_vgic_deact_count(), 2);

	/* active, cleared through ICACTIVER */
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	vgic_flush(&g, &vcpus[0]);
	guest_ack(0, (unsigned)lr_find(0, 50));
	vgic_sync(&g, &vcpus[0]);
	dwr(GICD_ICACTIVER + 4, 4, 1u << 18);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_uint_eq(fake_vgic_deact_count(), 3);

	/* unlinking a live one deactivates it */
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	ck_assert_int_eq(vgic_hw_unlink(&g, 0, 50), HV_OK);
	ck_assert_uint_eq(fake_vgic_deact_count(), 4);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
}
END_TEST

/* A PPI linked per vCPU (the virtual timer) is found by the pCPU's vCPU
 * first: the same pINTID on another vCPU raises that vCPU's PPI. */
START_TEST(test_hw_ppi_per_vcpu)
{
	enable_grp1();
	for (unsigned c = 0; c < NCPU; c++) {
		ck_assert_int_eq(vgic_hw_link(&g, c, 27, 27), HV_OK);
		swr(c, GICR_ISENABLER0, 4, 1u << 27);
	}
	ck_assert_int_eq(vgic_hw_inject(&g, 1, 27), HV_OK);
	ck_assert_uint_eq(srd(1, GICR_ISPENDR0, 4), 1u << 27);
	ck_assert_uint_eq(srd(0, GICR_ISPENDR0, 4), 0);
	ck_assert_uint_eq(vgic_kicks_take(&g), 1u << 1);
	vgic_flush(&g, &vcpus[1]);
	ck_assert(fake_vgic_lr(&vcpus[1], (unsigned)lr_find(1, 27)) &
		  ICH_LR_HW);
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 99), HV_ERR_NOENT);
	ck_assert_int_eq(vgic_hw_inject(&g, NCPU, 27), HV_ERR_NOENT);
}
END_TEST

/* --- life cycle ---------------------------------------------------------- */

/* vgic_reset returns every register to reset, empties every LR through the
 * HAL, deactivates physical interrupts still owed a deactivation and
 * keeps hardware links; vgic_destroy drops the links too. */
START_TEST(test_reset_and_destroy)
{
	enable_grp1();
	enable_spi(50, 0x20);
	enable_spi(51, 0x20);
	dwr(GICD_IROUTER + 8 * 51, 8, 0);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 50, 80), HV_OK);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 51, 81), HV_OK);
	ck_assert_int_eq(vgic_hw_link(&g, 3, 27, 27), HV_OK);
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 81), HV_OK);
	swr(3, GICR_ISENABLER0, 4, 1u << 27);
	swr(3, GICR_ISACTIVER0, 4, 1u << 27);
	rwr(1, GICR_WAKER, 4, 0);
	vgic_flush(&g, &vcpus[0]); /* 50, 51 in LRs, not synced */
	ck_assert_uint_eq(valid_lrs(0), 2);

	vgic_reset(&g);
	ck_assert_uint_eq(fake_vgic_deact_count(), 3);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert(!fake_vgic_underflow(&vcpus[0]));
	ck_assert_uint_eq(drd(GICD_CTLR, 4), GICD_CTLR_ARE | GICD_CTLR_DS);
	ck_assert_uint_eq(drd(GICD_ISENABLER + 4, 4), 0);
	ck_assert_uint_eq(drd(GICD_ISPENDR + 4, 4), 0);
	ck_assert_uint_eq(drd(GICD_IPRIORITYR + 48, 4), 0);
	ck_assert_uint_eq(srd(3, GICR_ISACTIVER0, 4), 0);
	ck_assert_uint_eq(rrd(1, GICR_WAKER, 4),
			  GICR_WAKER_PROCESSOR_SLEEP |
				  GICR_WAKER_CHILDREN_ASLEEP);
	ck_assert_uint_eq(vgic_kicks_take(&g), 0);
	/* links survive */
	ck_assert_int_eq(vgic_hw_inject(&g, 0, 80), HV_OK);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 50, 80), HV_ERR_EXISTS);
	/* and the LR allocator starts clean */
	enable_grp1();
	enable_spi(50, 0x20);
	vgic_flush(&g, &vcpus[0]);
	ck_assert_uint_eq(valid_lrs(0), 1);

	vgic_destroy(&g);
	ck_assert_uint_eq(fake_vgic_deact_count(), 4);
	ck_assert_uint_eq(g.vcpu_count, 0);
	ck_assert_uint_eq(valid_lrs(0), 0);
	ck_assert_int_eq(vgic_init(&g, vcpus, NCPU, NSPI), HV_OK);
	ck_assert_int_eq(vgic_hw_link(&g, 0, 50, 80), HV_OK);
}
END_TEST

static Suite *vgic_suite(void)
{
	Suite *s = suite_create("vgic");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_limits);
	tcase_add_test(tc, test_dist_reset_values);
	tcase_add_test(tc, test_dist_typer);
	tcase_add_test(tc, test_dist_ctlr);
	tcase_add_test(tc, test_dist_set_clear);
	tcase_add_test(tc, test_enable_mirror);
	tcase_add_test(tc, test_dist_private_raz_wi);
	tcase_add_test(tc, test_dist_beyond_spis);
	tcase_add_test(tc, test_dist_priority);
	tcase_add_test(tc, test_dist_icfgr);
	tcase_add_test(tc, test_dist_irouter);
	tcase_add_test(tc, test_dist_id_regs);
	tcase_add_test(tc, test_dist_reserved);
	tcase_add_test(tc, test_dist_refused);
	tcase_add_test(tc, test_redist_typer);
	tcase_add_test(tc, test_redist_waker);
	tcase_add_test(tc, test_redist_rd_misc);
	tcase_add_test(tc, test_redist_sgi_frame);
	tcase_add_test(tc, test_sgi_target_list);
	tcase_add_test(tc, test_sgi_out_of_cell);
	tcase_add_test(tc, test_sgi_irm);
	tcase_add_test(tc, test_sgi_group);
	tcase_add_test(tc, test_inject_args);
	tcase_add_test(tc, test_set_level_semantics);
	tcase_add_test(tc, test_forwarding_gates);
	tcase_add_test(tc, test_flush_basic);
	tcase_add_test(tc, test_overflow_no_loss_no_dup);
	tcase_add_test(tc, test_priority_eviction);
	tcase_add_test(tc, test_active_first);
	tcase_add_test(tc, test_edge_while_active);
	tcase_add_test(tc, test_flush_without_sync);
	tcase_add_test(tc, test_level_lifecycle);
	tcase_add_test(tc, test_level_drop_before_ack);
	tcase_add_test(tc, test_icpendr_withdraws_lr);
	tcase_add_test(tc, test_active_via_mmio);
	tcase_add_test(tc, test_spi_routing);
	tcase_add_test(tc, test_spi_reroute_resident);
	tcase_add_test(tc, test_private_banked_delivery);
	tcase_add_test(tc, test_hw_link_args);
	tcase_add_test(tc, test_hw_lifecycle);
	tcase_add_test(tc, test_hw_withdraw_deactivates);
	tcase_add_test(tc, test_hw_ppi_per_vcpu);
	tcase_add_test(tc, test_reset_and_destroy);
	tcase_add_test(tc, test_flush_skips_when_unchanged);
	tcase_add_test(tc, test_unchanged_flush_no_double_delivery);
	tcase_add_test(tc, test_unchanged_level_is_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void);

int main(void)
{
	return check_run(vgic_suite());
}
