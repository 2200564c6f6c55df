/* SPDX-License-Identifier: MIT */
/* Per-cell console lines, tagged with the cell name (see console.h). */
#include <hv/config.h>
#include <hv/console.h>

#include <hal/platform.h>

void console_line_init(struct console_line *line, const char *tag)
{
	line->tag = tag;
	line->len = 0;
}

static void emit(struct console_line *line)
{
	char out[CONSOLE_LINE_MAX + HV_NAME_MAX + 4];
	size_t n = 0;
	out[n++] = '[';
	for (const char *t = line->tag;
	     t != NULL && *t != '\0' && n < HV_NAME_MAX; t++)
		out[n++] = *t;
	out[n++] = ']';
	out[n++] = ' ';
	for (unsigned i = 0; i < line->len; i++)
		out[n++] = line->buf[i];
	out[n++] = '\n';
	hal_console_write(out, n);
	line->len = 0;
}

void console_line_putc(struct console_line *line, uint8_t byte)
{
	if (byte == '\n') {
		emit(line);
		return;
	}
	if (byte == '\r')
		return;
	/* Keep the hypervisor console printable: a guest must not be able to
	 * send escape sequences that forge other cells' lines. */
	char c = (byte >= 0x20 && byte < 0x7f) || byte == '\t' ? (char)byte
							       : '.';
	if (line->len == CONSOLE_LINE_MAX)
		emit(line);
	line->buf[line->len++] = c;
}

void console_line_flush(struct console_line *line)
{
	if (line->len > 0)
		emit(line);
}

void console_line_tx(void *ctx, uint8_t byte)
{
	console_line_putc(ctx, byte);
}
