/* SPDX-License-Identifier: MIT */
/*
 * The C library subset the EL2 image links: what the core declares in
 * hv/lib.h, what GCC may emit calls to (memcpy, memmove, memset, memcmp)
 * and what Debian's libfdt.a references (memchr, strnlen, strchr,
 * strrchr, strtoul and the stack protector).
 *
 * Some of these run before the MMU is on (bm_mmu_init's loops may be
 * turned into memset calls), when data accesses are Device memory and
 * must be aligned: memset and memcpy only use word accesses on aligned
 * addresses. The files are built with -fno-builtin so the compiler does
 * not turn these loops back into calls to themselves.
 */
#include <hv/lib.h>
#include <hv/types.h>

#include <hal/platform.h>

void *memchr(const void *s, int c, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
unsigned long strtoul(const char *s, char **end, int base);
HV_NORETURN void __stack_chk_fail(void);

/* The guard value libfdt's -fstack-protector code compares against. A
 * fixed value: there is no entropy source this early, and the check
 * catches overruns by accident, which is what it is here for. */
uintptr_t __stack_chk_guard = UINT64_C(0x2f8a93c1d7e04b65);

void __stack_chk_fail(void)
{
	hal_panic("stack smashing detected (libfdt)");
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 15) == 0) {
		/* Images are copied at boot: 64 bytes per iteration in LDP/STP
		 * pairs keeps the loop overhead small (and emulators fast). */
		for (; n >= 64; n -= 64, d += 64, s += 64) {
			uint64_t a, b, c, e, f, g, h, i;
			__asm__ volatile("ldp %0, %1, [%8]\n\t"
					 "ldp %2, %3, [%8, #16]\n\t"
					 "ldp %4, %5, [%8, #32]\n\t"
					 "ldp %6, %7, [%8, #48]"
					 : "=&r"(a), "=&r"(b), "=&r"(c),
					   "=&r"(e), "=&r"(f), "=&r"(g),
					   "=&r"(h), "=&r"(i)
					 : "r"(s)
					 : "memory");
			__asm__ volatile("stp %0, %1, [%8]\n\t"
					 "stp %2, %3, [%8, #16]\n\t"
					 "stp %4, %5, [%8, #32]\n\t"
					 "stp %6, %7, [%8, #48]"
					 :
					 : "r"(a), "r"(b), "r"(c), "r"(e),
					   "r"(f), "r"(g), "r"(h), "r"(i),
					   "r"(d)
					 : "memory");
		}
	}
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(
				const uint64_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pattern = (uint8_t)c * UINT64_C(0x0101010101010101);

	while (n > 0 && ((uintptr_t)d & 7) != 0) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)(void *)d = pattern;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c)
			return (void *)(uintptr_t)(p + i);
	}
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)(uintptr_t)s;
		if (*s == '\0')
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == '\0')
			return (char *)(uintptr_t)last;
	}
}

int strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] || a[i] == '\0')
			return (unsigned char)a[i] - (unsigned char)b[i];
	}
	return 0;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* ISO C strtoul: optional space and sign, base 0 (auto), 8, 10 or 16
 * prefixes; saturates at ULONG_MAX on overflow (no errno here). */
unsigned long strtoul(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	bool neg = false, any = false, overflow = false;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end != NULL)
			*end = (char *)(uintptr_t)s;
		return 0;
	}
	for (;; p++) {
		int d = digit_value(*p);
		unsigned long ub = (unsigned long)base;

		if (d >= base)
			break;
		any = true;
		if (v > (~0UL - (unsigned long)d) / ub)
			overflow = true;
		else
			v = v * ub + (unsigned long)d;
	}
	if (end != NULL)
		*end = (char *)(uintptr_t)(any ? p : s);
	if (overflow)
		return ~0UL;
	return neg ? -v : v;
}
