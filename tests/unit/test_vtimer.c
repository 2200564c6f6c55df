/* SPDX-License-Identifier: MIT */
/* Generic Timer arithmetic (vtimer.c). */
#include <check.h>
#include <stdlib.h>

#include <hv/vtimer.h>

#include "check_run.h"

static struct vtimer t;

static void setup(void)
{
	vtimer_reset(&t);
}

START_TEST(reset_state)
{
	/* After reset the timer is disabled: no condition, no interrupt,
	 * no deadline, ISTATUS clear. */
	ck_assert(!vtimer_condition(&t, 12345));
	ck_assert(!vtimer_irq_level(&t, UINT64_MAX));
	ck_assert_uint_eq(vtimer_ctl_read(&t, 999), 0);
	ck_assert_uint_eq(vtimer_deadline(&t), UINT64_MAX);
}
END_TEST

START_TEST(condition_is_unsigned_compare)
{
	/* The condition is now >= CVAL as 64-bit unsigned values. */
	vtimer_ctl_write(&t, CNT_CTL_ENABLE);
	t.cval = 1000;
	ck_assert(!vtimer_condition(&t, 999));
	ck_assert(vtimer_condition(&t, 1000));
	ck_assert(vtimer_condition(&t, UINT64_MAX));
	t.cval = UINT64_MAX;
	ck_assert(!vtimer_condition(&t, UINT64_MAX - 1));
}
END_TEST

START_TEST(ctl_bits)
{
	/* Only ENABLE and IMASK are writable; ISTATUS follows the condition
	 * whether or not the output is masked. */
	vtimer_ctl_write(&t, ~UINT64_C(0));
	ck_assert_uint_eq(t.ctl, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	t.cval = 50;
	ck_assert_uint_eq(vtimer_ctl_read(&t, 49),
			  CNT_CTL_ENABLE | CNT_CTL_IMASK);
	ck_assert_uint_eq(vtimer_ctl_read(&t, 50),
			  CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS);
	ck_assert(!vtimer_irq_level(&t, 50));
	vtimer_ctl_write(&t, CNT_CTL_ENABLE);
	ck_assert(vtimer_irq_level(&t, 50));
}
END_TEST

START_TEST(tval_signed_32bit)
{
	/* TVAL writes set CVAL = now + sext32(TVAL); reads return the low 32
	 * bits of CVAL - now, negative after the deadline. */
	vtimer_tval_write(&t, 1000, 500);
	ck_assert_uint_eq(t.cval, 1500);
	ck_assert_uint_eq(vtimer_tval_read(&t, 1200), 300);
	ck_assert_uint_eq(vtimer_tval_read(&t, 1600), 0xffffff9cu); /* -100 */
	vtimer_tval_write(&t, 1000, 0xffffffffu);		    /* -1 */
	ck_assert_uint_eq(t.cval, 999);
	vtimer_tval_write(&t, 1000,
			  UINT64_C(0xabcd00000010)); /* upper bits ignored */
	ck_assert_uint_eq(t.cval, 1016);
	vtimer_tval_write(&t, UINT64_MAX - 5, 10); /* wraps like hardware */
	ck_assert_uint_eq(t.cval, 4);
}
END_TEST

START_TEST(deadline)
{
	/* The deadline is CVAL only when the output can rise. */
	t.cval = 777;
	ck_assert_uint_eq(vtimer_deadline(&t), UINT64_MAX);
	vtimer_ctl_write(&t, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	ck_assert_uint_eq(vtimer_deadline(&t), UINT64_MAX);
	vtimer_ctl_write(&t, CNT_CTL_ENABLE);
	ck_assert_uint_eq(vtimer_deadline(&t), 777);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vtimer");
	TCase *tc = tcase_create("arith");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, condition_is_unsigned_compare);
	tcase_add_test(tc, ctl_bits);
	tcase_add_test(tc, tval_signed_32bit);
	tcase_add_test(tc, deadline);
	suite_add_tcase(s, tc);
	return check_run(s);
}
