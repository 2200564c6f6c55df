/* SPDX-License-Identifier: MIT */
/*
 * A small printf for the freestanding core. Both HALs use this one, so a
 * report prints the same bytes on bare metal and in the simulator.
 */
#include <hv/print.h>

#include <hal/platform.h>

/* Output cursor: writes what fits, counts everything. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_c(o, c);
}

struct spec {
	bool left;
	bool zero;
	int width;
	int precision; /* -1: none */
};

static void out_str(struct out *o, const char *s, const struct spec *sp)
{
	int n = 0;
	if (s == NULL)
		s = "(null)";
	while (s[n] != '\0' && (sp->precision < 0 || n < sp->precision))
		n++;
	if (!sp->left)
		out_pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		out_c(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - n);
}

static void out_num(struct out *o, uint64_t v, bool neg, unsigned base,
		    bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	int len = n + (neg ? 1 : 0);
	if (sp->left) {
		if (neg)
			out_c(o, '-');
		while (n > 0)
			out_c(o, tmp[--n]);
		out_pad(o, ' ', sp->width - len);
		return;
	}
	if (sp->zero) {
		if (neg)
			out_c(o, '-');
		out_pad(o, '0', sp->width - len);
	} else {
		out_pad(o, ' ', sp->width - len);
		if (neg)
			out_c(o, '-');
	}
	while (n > 0)
		out_c(o, tmp[--n]);
}

/* Length modifiers we accept, widest first. */
enum len_mod { LEN_INT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static uint64_t arg_unsigned(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_INT:
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (int64_t)va_arg(*ap, size_t);
	case LEN_INT:
	default:
		return va_arg(*ap, int);
	}
}

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {.buf = buf, .size = size, .len = 0};
	va_list ap;
	va_copy(ap, ap_in);

	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			out_c(&o, *p);
			continue;
		}
		p++;
		struct spec sp = {.precision = -1};
		for (;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else
				break;
		}
		/* cppcheck 2.10 false positive: "always true" after the loop. */
		/* cppcheck-suppress knownConditionTrueFalse */
		while (*p >= '0' && *p <= '9')
			sp.width = sp.width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			sp.precision = 0;
			while (*p >= '0' && *p <= '9')
				sp.precision = sp.precision * 10 + (*p++ - '0');
		}
		enum len_mod m = LEN_INT;
		if (*p == 'l') {
			p++;
			m = LEN_LONG;
			if (*p == 'l') {
				p++;
				m = LEN_LLONG;
			}
		} else if (*p == 'z') {
			p++;
			m = LEN_SIZE;
		}
		switch (*p) {
		case '%':
			out_c(&o, '%');
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case 's':
			out_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, m);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v
					     : (uint64_t)v;
			out_num(&o, mag, v < 0, 10, false, &sp);
			break;
		}
		case 'u':
			out_num(&o, arg_unsigned(&ap, m), false, 10, false,
				&sp);
			break;
		case 'x':
		case 'X':
			out_num(&o, arg_unsigned(&ap, m), false, 16, *p == 'X',
				&sp);
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *),
				false, 16, false, &sp);
			break;
		case '\0':
			p--; /* a lone '%' at the end: stop cleanly */
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			out_c(&o, '%');
			out_c(&o, *p);
			break;
		}
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	va_end(ap);
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void hv_printf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = hv_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	hal_console_write(line, len);
}
