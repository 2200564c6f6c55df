/* SPDX-License-Identifier: MIT */
/* The GICv3 virtual CPU interface model (vcpuif.c). */
#include <check.h>
#include <stdlib.h>

#include <hv/vcpuif.h>

#include "check_run.h"

static struct vcpuif c;

/* An LR value: state, group 1, priority, vINTID. */
static uint64_t lr(uint64_t state, unsigned prio, uint32_t vintid)
{
	return state | ICH_LR_GROUP |
	       ((uint64_t)prio << ICH_LR_PRIORITY_SHIFT) | vintid;
}

static uint64_t lr_hw(uint64_t state, unsigned prio, uint32_t vintid,
		      uint32_t pintid)
{
	return lr(state, prio, vintid) | ICH_LR_HW |
	       ((uint64_t)pintid << ICH_LR_PINTID_SHIFT);
}

static uint64_t rd(uint32_t reg)
{
	uint64_t v = 0xdead;

	ck_assert(vcpuif_read(&c, reg, &v));
	return v;
}

static uint32_t wr(uint32_t reg, uint64_t val)
{
	uint32_t deact = 0;

	ck_assert(vcpuif_write(&c, reg, val, &deact));
	return deact;
}

/* A guest that did what Linux's GICv3 driver does at boot: PMR 0xf0,
 * BPR1 0, EOImode 0, Group 1 on. */
static void setup(void)
{
	vcpuif_reset(&c, 4);
	wr(SYSREG_ICC_PMR_EL1, 0xf0);
	wr(SYSREG_ICC_BPR1_EL1, 0);
	wr(SYSREG_ICC_CTLR_EL1, 0);
	wr(SYSREG_ICC_IGRPEN1_EL1, 1);
}

START_TEST(nothing_pending_is_spurious)
{
	/* With no LR pending, IAR1 and HPPIR1 return 1023 and no line is up. */
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
	ck_assert_uint_eq(rd(SYSREG_ICC_HPPIR1_EL1), 1023);
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert(!vcpuif_any_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0xff);
}
END_TEST

START_TEST(ack_by_priority_then_lr)
{
	/* IAR1 takes the lowest priority value first; equal priorities go
	 * in LR order; each becomes active with its LR's state. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0xa0, 40);
	c.lr[1] = lr(ICH_LR_STATE_PENDING, 0x80, 41);
	c.lr[2] = lr(ICH_LR_STATE_PENDING, 0x80, 42);
	ck_assert(vcpuif_irq_pending(&c));
	ck_assert_uint_eq(vcpuif_peek_iar(&c, 1), 41);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 41);
	ck_assert_uint_eq(c.lr[1] & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0x80);
	/* 42 has the same group priority: it cannot preempt 41. */
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
	ck_assert_uint_eq(rd(SYSREG_ICC_HPPIR1_EL1), 42);
	wr(SYSREG_ICC_EOIR1_EL1, 41);
	ck_assert_uint_eq(c.lr[1] & ICH_LR_STATE_MASK, ICH_LR_STATE_INVALID);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 42);
	wr(SYSREG_ICC_EOIR1_EL1, 42);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 40);
}
END_TEST

START_TEST(pmr_masks)
{
	/* An interrupt is signalled only with priority strictly above
	 * (numerically below) PMR; PMR keeps 5 bits. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0xf0, 27);
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_PENDING);
	wr(SYSREG_ICC_PMR_EL1, 0xff);
	ck_assert_uint_eq(rd(SYSREG_ICC_PMR_EL1), 0xf8);
	ck_assert(vcpuif_irq_pending(&c));
	wr(SYSREG_ICC_PMR_EL1, 0);
	ck_assert(!vcpuif_irq_pending(&c));
	/* HPPIR ignores the mask. */
	ck_assert_uint_eq(rd(SYSREG_ICC_HPPIR1_EL1), 27);
}
END_TEST

START_TEST(preemption_by_running_priority)
{
	/* A higher-priority interrupt preempts an active one; a lower one
	 * waits until the priority drop. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0xa0, 30);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 30);
	c.lr[1] = lr(ICH_LR_STATE_PENDING, 0xc0, 31);
	ck_assert(!vcpuif_irq_pending(&c));
	c.lr[2] = lr(ICH_LR_STATE_PENDING, 0x20, 32);
	ck_assert(vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 32);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0x20);
	ck_assert_uint_eq(rd(SYSREG_ICC_AP1R0_EL1),
			  (1u << (0xa0 >> 3)) | (1u << (0x20 >> 3)));
	/* Priority drop clears the highest active priority first. */
	wr(SYSREG_ICC_EOIR1_EL1, 32);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0xa0);
	ck_assert(!vcpuif_irq_pending(&c));
	wr(SYSREG_ICC_EOIR1_EL1, 30);
	ck_assert(vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 31);
}
END_TEST

START_TEST(binary_point_groups_priorities)
{
	/* With BPR1 = 5 priorities 0x40 and 0x50 share group priority 0x40:
	 * the second cannot preempt the first. */
	wr(SYSREG_ICC_BPR1_EL1, 5);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR1_EL1), 5);
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x50, 50);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 50);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0x40);
	c.lr[1] = lr(ICH_LR_STATE_PENDING, 0x40, 51);
	ck_assert(!vcpuif_irq_pending(&c));
	c.lr[2] = lr(ICH_LR_STATE_PENDING, 0x38, 52);
	ck_assert(vcpuif_irq_pending(&c));
	/* Below the minimum, BPR1 reads back the minimum (3). */
	wr(SYSREG_ICC_BPR1_EL1, 1);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR1_EL1), VCPUIF_MIN_BPR1);
	wr(SYSREG_ICC_BPR0_EL1, 0);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR0_EL1), VCPUIF_MIN_BPR0);
}
END_TEST

START_TEST(cbpr_aliases_bpr1)
{
	/* With CBPR, BPR1 reads BPR0 + 1 and ignores writes. */
	wr(SYSREG_ICC_BPR0_EL1, 4);
	wr(SYSREG_ICC_CTLR_EL1, ICC_CTLR_EL1_CBPR);
	ck_assert_uint_eq(rd(SYSREG_ICC_CTLR_EL1) & ICC_CTLR_EL1_CBPR,
			  ICC_CTLR_EL1_CBPR);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR1_EL1), 5);
	wr(SYSREG_ICC_BPR1_EL1, 7);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR1_EL1), 5);
	wr(SYSREG_ICC_BPR0_EL1, 7);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR1_EL1), 7);
}
END_TEST

START_TEST(eoimode0_deactivates)
{
	/* EOImode 0: EOIR drops the priority and deactivates the LR. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x80, 33);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 33);
	ck_assert_uint_eq(wr(SYSREG_ICC_EOIR1_EL1, 33), VCPUIF_NO_PINTID);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_INVALID);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_VINTID_MASK, 33);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0xff);
}
END_TEST

START_TEST(eoimode1_needs_dir)
{
	/* EOImode 1: EOIR only drops the priority; DIR deactivates. */
	wr(SYSREG_ICC_CTLR_EL1, ICC_CTLR_EL1_EOIMODE);
	ck_assert_uint_eq(rd(SYSREG_ICC_CTLR_EL1) & ICC_CTLR_EL1_EOIMODE,
			  ICC_CTLR_EL1_EOIMODE);
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x80, 34);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 34);
	wr(SYSREG_ICC_EOIR1_EL1, 34);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0xff);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
	wr(SYSREG_ICC_DIR_EL1, 34);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_INVALID);
}
END_TEST

START_TEST(dir_ignored_in_eoimode0)
{
	/* DIR with EOImode 0 is UNPREDICTABLE: the model ignores it. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x80, 35);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 35);
	wr(SYSREG_ICC_DIR_EL1, 35);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
}
END_TEST

START_TEST(hw_deactivation_reported)
{
	/* Deactivating a HW = 1 LR names its physical INTID, by EOIR in
	 * EOImode 0 and by DIR in EOImode 1. */
	c.lr[0] = lr_hw(ICH_LR_STATE_PENDING, 0x80, 27, 27);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 27);
	ck_assert_uint_eq(wr(SYSREG_ICC_EOIR1_EL1, 27), 27);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_INVALID);

	wr(SYSREG_ICC_CTLR_EL1, ICC_CTLR_EL1_EOIMODE);
	c.lr[1] = lr_hw(ICH_LR_STATE_PENDING, 0x80, 48, 80);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 48);
	ck_assert_uint_eq(wr(SYSREG_ICC_EOIR1_EL1, 48), VCPUIF_NO_PINTID);
	ck_assert_uint_eq(wr(SYSREG_ICC_DIR_EL1, 48), 80);
}
END_TEST

START_TEST(active_pending)
{
	/* An active+pending LR is not acknowledged again; deactivation
	 * leaves it pending, and then it is taken again. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING_ACTIVE, 0x80, 36);
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert(vcpuif_any_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
	wr(SYSREG_ICC_AP1R0_EL1, 1u << (0x80 >> 3)); /* as if acknowledged */
	wr(SYSREG_ICC_EOIR1_EL1, 36);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_PENDING);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 36);
}
END_TEST

START_TEST(eoi_without_lr_counts)
{
	/* An EOI for an interrupt no LR holds bumps EOIcount; special
	 * INTIDs and EOIs with nothing active change nothing. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x80, 37);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 37);
	wr(SYSREG_ICC_EOIR1_EL1, 1023);
	ck_assert_uint_eq(rd(SYSREG_ICC_RPR_EL1), 0x80);
	wr(SYSREG_ICC_EOIR1_EL1, 99);
	ck_assert_uint_eq((c.hcr & ICH_HCR_EL2_EOICOUNT_MASK) >>
				  ICH_HCR_EL2_EOICOUNT_SHIFT,
			  1);
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
	wr(SYSREG_ICC_EOIR1_EL1, 37); /* nothing active any more */
	ck_assert_uint_eq(c.lr[0] & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
}
END_TEST

START_TEST(group_enable_and_en)
{
	/* Nothing is signalled with Group 1 disabled or ICH_HCR_EL2.En
	 * clear. */
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x80, 38);
	wr(SYSREG_ICC_IGRPEN1_EL1, 0);
	ck_assert_uint_eq(rd(SYSREG_ICC_IGRPEN1_EL1), 0);
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_HPPIR1_EL1), 1023);
	wr(SYSREG_ICC_IGRPEN1_EL1, 1);
	ck_assert_uint_eq(rd(SYSREG_ICC_IGRPEN1_EL1), 1);
	ck_assert(vcpuif_irq_pending(&c));
	c.hcr &= ~ICH_HCR_EL2_EN;
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
}
END_TEST

START_TEST(group0_is_fiq)
{
	/* A Group-0 LR raises the FIQ line, is taken by IAR0, and makes
	 * IAR1 return 1023 while it is the highest. */
	c.lr[0] = ICH_LR_STATE_PENDING |
		  ((uint64_t)0x40 << ICH_LR_PRIORITY_SHIFT) | 7;
	c.lr[1] = lr(ICH_LR_STATE_PENDING, 0x80, 39);
	ck_assert(!vcpuif_fiq_pending(&c)); /* Group 0 not enabled yet */
	ck_assert(vcpuif_irq_pending(&c));
	wr(SYSREG_ICC_IGRPEN0_EL1, 1);
	ck_assert_uint_eq(rd(SYSREG_ICC_IGRPEN0_EL1), 1);
	ck_assert(vcpuif_fiq_pending(&c));
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
	ck_assert_uint_eq(rd(SYSREG_ICC_HPPIR1_EL1), 1023);
	ck_assert_uint_eq(rd(SYSREG_ICC_HPPIR0_EL1), 7);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR0_EL1), 7);
	ck_assert_uint_eq(rd(SYSREG_ICC_AP0R0_EL1), 1u << (0x40 >> 3));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR0_EL1), 1023);
	wr(SYSREG_ICC_EOIR0_EL1, 7);
	ck_assert_uint_eq(rd(SYSREG_ICC_AP0R0_EL1), 0);
	wr(SYSREG_ICC_AP0R0_EL1, 4);
	ck_assert_uint_eq(rd(SYSREG_ICC_AP0R0_EL1), 4);
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023); /* RPR 0x10 */
}
END_TEST

START_TEST(underflow_condition)
{
	/* Underflow: at most one valid LR; maintenance only with UIE. */
	ck_assert(vcpuif_underflow(&c));
	ck_assert(!vcpuif_maintenance(&c));
	c.lr[0] = lr(ICH_LR_STATE_PENDING, 0x80, 40);
	c.lr[1] = lr(ICH_LR_STATE_ACTIVE, 0x80, 41);
	ck_assert(!vcpuif_underflow(&c));
	c.hcr |= ICH_HCR_EL2_UIE;
	ck_assert(!vcpuif_maintenance(&c));
	c.lr[1] = 0;
	ck_assert(vcpuif_underflow(&c));
	ck_assert(vcpuif_maintenance(&c));
	c.hcr &= ~ICH_HCR_EL2_EN;
	ck_assert(!vcpuif_underflow(&c));
}
END_TEST

START_TEST(fixed_and_unserved_registers)
{
	/* SRE reads 0x7 and ignores writes; CTLR reports 5 priority bits;
	 * SGI registers, write-only and read-only ones are not served. */
	uint64_t v;
	uint32_t d;

	ck_assert_uint_eq(rd(SYSREG_ICC_SRE_EL1), 0x7);
	wr(SYSREG_ICC_SRE_EL1, 0);
	ck_assert_uint_eq(rd(SYSREG_ICC_SRE_EL1), 0x7);
	ck_assert_uint_eq(
		(rd(SYSREG_ICC_CTLR_EL1) >> ICC_CTLR_EL1_PRIBITS_SHIFT) & 7, 4);
	ck_assert(!vcpuif_read(&c, SYSREG_ICC_SGI1R_EL1, &v));
	ck_assert(!vcpuif_read(&c, SYSREG_ICC_EOIR1_EL1, &v));
	ck_assert(!vcpuif_read(&c, SYSREG_ICC_DIR_EL1, &v));
	ck_assert(!vcpuif_write(&c, SYSREG_ICC_SGI1R_EL1, 1, &d));
	ck_assert(!vcpuif_write(&c, SYSREG_ICC_ASGI1R_EL1, 1, &d));
	ck_assert(!vcpuif_write(&c, SYSREG_ICC_SGI0R_EL1, 1, &d));
	ck_assert(!vcpuif_write(&c, SYSREG_ICC_IAR1_EL1, 1, &d));
	ck_assert(!vcpuif_write(&c, SYSREG_ICC_RPR_EL1, 1, &d));
}
END_TEST

START_TEST(reset_state)
{
	/* Reset: LRs 0, En set, PMR 0 (all masked), groups off, minimum
	 * binary points; the LR count is capped. */
	vcpuif_reset(&c, 99);
	ck_assert_uint_eq(c.lr_count, VGIC_MAX_LRS);
	ck_assert_uint_eq(c.hcr, ICH_HCR_EL2_EN);
	ck_assert_uint_eq(rd(SYSREG_ICC_PMR_EL1), 0);
	ck_assert_uint_eq(rd(SYSREG_ICC_IGRPEN1_EL1), 0);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR1_EL1), VCPUIF_MIN_BPR1);
	ck_assert_uint_eq(rd(SYSREG_ICC_BPR0_EL1), VCPUIF_MIN_BPR0);
	for (unsigned n = 0; n < VGIC_MAX_LRS; n++)
		ck_assert_uint_eq(c.lr[n], 0);
}
END_TEST

START_TEST(lrs_beyond_count_ignored)
{
	/* LRs past lr_count are not part of the interface. */
	vcpuif_reset(&c, 2);
	wr(SYSREG_ICC_PMR_EL1, 0xf8);
	wr(SYSREG_ICC_IGRPEN1_EL1, 1);
	c.lr[2] = lr(ICH_LR_STATE_PENDING, 0x80, 44);
	ck_assert(!vcpuif_irq_pending(&c));
	ck_assert_uint_eq(rd(SYSREG_ICC_IAR1_EL1), 1023);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcpuif");
	TCase *tc = tcase_create("icv");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, nothing_pending_is_spurious);
	tcase_add_test(tc, ack_by_priority_then_lr);
	tcase_add_test(tc, pmr_masks);
	tcase_add_test(tc, preemption_by_running_priority);
	tcase_add_test(tc, binary_point_groups_priorities);
	tcase_add_test(tc, cbpr_aliases_bpr1);
	tcase_add_test(tc, eoimode0_deactivates);
	tcase_add_test(tc, eoimode1_needs_dir);
	tcase_add_test(tc, dir_ignored_in_eoimode0);
	tcase_add_test(tc, hw_deactivation_reported);
	tcase_add_test(tc, active_pending);
	tcase_add_test(tc, eoi_without_lr_counts);
	tcase_add_test(tc, group_enable_and_en);
	tcase_add_test(tc, group0_is_fiq);
	tcase_add_test(tc, underflow_condition);
	tcase_add_test(tc, fixed_and_unserved_registers);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, lrs_beyond_count_ignored);
	suite_add_tcase(s, tc);
	return check_run(s);
}
