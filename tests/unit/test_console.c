/* SPDX-License-Identifier: MIT */
/* Tagged per-cell console lines (console.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <hv/console.h>

#include "check_run.h"
#include "fake_hal.h"

static struct console_line line;

static void setup(void)
{
	fake_hal_setup(0x40000000, 0x1000, 0x40000000, 0);
	console_line_init(&line, "web");
}

static void teardown(void)
{
	fake_hal_teardown();
}

static void put(const char *s)
{
	while (*s)
		console_line_tx(&line, (uint8_t)*s++);
}

START_TEST(whole_lines_tagged)
{
	/* Output appears only at end of line, prefixed with the tag. */
	put("hello");
	ck_assert_str_eq(fake_hal_console(), "");
	put(" world\nsecond\n");
	ck_assert_str_eq(fake_hal_console(),
			 "[web] hello world\n[web] second\n");
}
END_TEST

START_TEST(cr_dropped_controls_masked)
{
	/* CR disappears, other control and non-ASCII bytes print as '.', so a
	 * guest cannot forge another cell's line with escapes. */
	put("a\r\n");
	console_line_putc(&line, 0x1b);
	console_line_putc(&line, 0x80);
	put("[x]\tb\n");
	ck_assert_str_eq(fake_hal_console(), "[web] a\n[web] ..[x]\tb\n");
}
END_TEST

START_TEST(long_line_split)
{
	/* A line longer than CONSOLE_LINE_MAX is emitted in pieces, none
	 * lost. */
	for (unsigned i = 0; i < CONSOLE_LINE_MAX + 5; i++)
		console_line_putc(&line, 'x');
	console_line_putc(&line, '\n');
	const char *out = fake_hal_console();
	ck_assert_uint_eq(strlen(out), 2 * 6 + CONSOLE_LINE_MAX + 5 + 2);
	ck_assert_int_eq(strncmp(out + 6 + CONSOLE_LINE_MAX, "\n[web] xxxxx\n",
				 13),
			 0);
}
END_TEST

START_TEST(flush_partial)
{
	/* A flush emits a pending partial line and nothing when empty. */
	console_line_flush(&line);
	ck_assert_str_eq(fake_hal_console(), "");
	put("tail");
	console_line_flush(&line);
	ck_assert_str_eq(fake_hal_console(), "[web] tail\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, whole_lines_tagged);
	tcase_add_test(tc, cr_dropped_controls_masked);
	tcase_add_test(tc, long_line_split);
	tcase_add_test(tc, flush_partial);
	suite_add_tcase(s, tc);
	return check_run(s);
}
