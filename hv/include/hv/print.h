/* SPDX-License-Identifier: MIT */
/*
 * Formatted output for the freestanding core. One implementation on every
 * HAL, so reports are byte-identical on bare metal and in the simulator.
 * Supports %%, %c, %s, %d, %i, %u, %x, %X, %p with the l/ll/z length
 * modifiers, '-' and '0' flags, field width and .precision for %s.
 */
#ifndef HV_PRINT_H
#define HV_PRINT_H

#include <stdarg.h>

#include "types.h"

/* Like vsnprintf: always NUL-terminates when size > 0; returns the length
 * the full output would have had. */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) HV_PRINTF(3, 4);

/* Formats and writes to the hypervisor console (hal_console_write). Lines
 * longer than 256 bytes are cut. */
void hv_printf(const char *fmt, ...) HV_PRINTF(1, 2);

#endif /* HV_PRINT_H */
