/* SPDX-License-Identifier: MIT */
/* The core's printf (print.c) against known outputs. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hv/check.h>
#include <hv/exit.h>
#include <hv/print.h>

#include "check_run.h"
#include "fake_hal.h"

static char buf[128];

START_TEST(conversions)
{
	/* Every supported conversion formats as C's printf would. */
	hv_snprintf(buf, sizeof(buf), "%d %i %u %x %X %c %s %%", -42, 7, 42u,
		    0xbeefu, 0xbeefu, 'q', "str");
	ck_assert_str_eq(buf, "-42 7 42 beef BEEF q str %");
	hv_snprintf(buf, sizeof(buf), "%lld %llu %llx %zu %lx",
		    (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
		    (unsigned long long)UINT64_MAX, (size_t)12345, 0x1234ul);
	ck_assert_str_eq(buf, "-9223372036854775808 18446744073709551615 "
			      "ffffffffffffffff 12345 1234");
	hv_snprintf(buf, sizeof(buf), "%p %s", (void *)0x1000,
		    (const char *)NULL);
	ck_assert_str_eq(buf, "0x1000 (null)");
}
END_TEST

START_TEST(width_flags_precision)
{
	/* Width pads, '0' pads with zeros after the sign, '-' left-aligns and
	 * .N cuts strings. */
	hv_snprintf(buf, sizeof(buf),
		    "[%5d][%-5d][%05d][%016llx][%.3s][%-6s][%6s]", 42, 42, -42,
		    0xabcULL, "abcdef", "ab", "ab");
	ck_assert_str_eq(
		buf,
		"[   42][42   ][-0042][0000000000000abc][abc][ab    ][    ab]");
	hv_snprintf(buf, sizeof(buf), "[%5d]", -4);
	ck_assert_str_eq(buf, "[   -4]");
}
END_TEST

START_TEST(truncation)
{
	/* Output is cut to the buffer, always NUL-terminated, and the return
	 * value is the untruncated length. */
	char small[8];
	int n = hv_snprintf(small, sizeof(small), "%s-%d", "abcdefgh", 123);
	ck_assert_int_eq(n, 12);
	ck_assert_str_eq(small, "abcdefg");
	ck_assert_int_eq(hv_snprintf(NULL, 0, "%d", 12345), 5);
}
END_TEST

START_TEST(odd_formats)
{
	/* Unknown conversions are shown verbatim and a trailing '%' ends
	 * cleanly. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	hv_snprintf(buf, sizeof(buf), "a%qb%");
#pragma GCC diagnostic pop
	ck_assert_str_eq(buf, "a%qb");
}
END_TEST

START_TEST(printf_to_console)
{
	/* hv_printf writes through the HAL console. */
	fake_hal_setup(0x40000000, 0x1000, 0x40000000, 0);
	hv_printf("x=%d\n", 5);
	ck_assert_str_eq(fake_hal_console(), "x=5\n");
	fake_hal_teardown();
}
END_TEST

START_TEST(names)
{
	/* Error and exit-class names are stable and out-of-range safe. */
	ck_assert_str_eq(hv_err_str(HV_ERR_OVERLAP), "HV_ERR_OVERLAP");
	ck_assert_str_eq(hv_err_str((enum hv_err)99), "HV_ERR_?");
	ck_assert_str_eq(hv_exit_class_name(HV_EXCLASS_DABT), "dabt");
	ck_assert_str_eq(hv_exit_class_name((enum hv_exit_class)99), "?");
}
END_TEST

START_TEST(check_panics)
{
	/* A failed CHECK reaches hal_panic (the fake aborts). */
	CHECK(1 + 1 == 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("print");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, conversions);
	tcase_add_test(tc, width_flags_precision);
	tcase_add_test(tc, truncation);
	tcase_add_test(tc, odd_formats);
	tcase_add_test(tc, printf_to_console);
	tcase_add_test(tc, names);
	tcase_add_test_raise_signal(tc, check_panics, 6 /* SIGABRT */);
	suite_add_tcase(s, tc);
	return check_run(s);
}
