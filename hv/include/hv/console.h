/* SPDX-License-Identifier: MIT */
/*
 * Cell console lines on the hypervisor console. Bytes a cell writes (PL011
 * or HV_CALL_CONSOLE_WRITE) are gathered per cell and emitted one whole
 * line at a time as "[name] text\n", so lines of cells running side by side
 * never interleave mid-line.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include "types.h"

#define CONSOLE_LINE_MAX 160u

struct console_line {
	const char *tag; /* the cell's name */
	unsigned len;
	char buf[CONSOLE_LINE_MAX];
};

void console_line_init(struct console_line *line, const char *tag);

/* Adds one byte. '\n' emits the line; '\r' is dropped; a full buffer is
 * emitted as a line of its own. Other control bytes are shown as '.'. */
void console_line_putc(struct console_line *line, uint8_t byte);

/* Emits a partial line, if any (at cell end). */
void console_line_flush(struct console_line *line);

/* pl011_tx_fn adapter: ctx is a struct console_line. */
void console_line_tx(void *ctx, uint8_t byte);

#endif /* HV_CONSOLE_H */
