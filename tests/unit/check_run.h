/* SPDX-License-Identifier: MIT */
/* The one way every unit suite runs (tests/unit/test_*.c main()). */
#ifndef CHECK_RUN_H
#define CHECK_RUN_H

#include <check.h>

/* Runs suite `s` (taking ownership) and returns the process exit status:
 * EXIT_SUCCESS when every test passed, EXIT_FAILURE otherwise. */
int check_run(Suite *s);

#endif /* CHECK_RUN_H */
