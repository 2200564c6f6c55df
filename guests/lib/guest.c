/* SPDX-License-Identifier: MIT */
/*
 * Runtime for the test guests: PL011 console, printf, SMCCC calls, test
 * exit, MMIO accessors and check bookkeeping. See guest.h for contracts.
 *
 * Everything that reaches the hypervisor is written as inline assembly so
 * the instruction a test means to exercise is exactly the one emitted,
 * whatever the compiler's optimiser would have preferred.
 */
#include <stdarg.h>

#include "guest.h"

#define UART_DR 0x000u
#define UART_FR 0x018u
#define UART_FR_TXFF (1u << 5)

/* Upper bound on FR polls per character: the emulated TX FIFO never fills,
 * so this only keeps a broken UART from hanging the guest forever. */
#define UART_POLL_MAX 100000u

/* What every accessor preloads into its destination register. */
#define LOAD_POISON UINT64_C(0xa5a5a5a5a5a5a5a5)

static unsigned fail_count;
static unsigned in_exception; /* nesting depth of guest_exception() */

void guest_exception(uint64_t esr, uint64_t elr, uint64_t far);

/* ---- MMIO accessors ---------------------------------------------------- */

/* "=&r": the destination must not share a register with the address, or
 * the poison move would destroy the address before the load. */
#define DEFINE_LOAD(name, insn)                                 \
	uint64_t name(uint64_t addr)                            \
	{                                                       \
		uint64_t v;                                     \
		__asm__ volatile("mov %0, %2\n\t" insn ", [%1]" \
				 : "=&r"(v)                     \
				 : "r"(addr), "r"(LOAD_POISON)  \
				 : "memory");                   \
		return v;                                       \
	}

DEFINE_LOAD(mmio_ldrb, "ldrb %w0")
DEFINE_LOAD(mmio_ldrh, "ldrh %w0")
DEFINE_LOAD(mmio_ldr32, "ldr %w0")
DEFINE_LOAD(mmio_ldr64, "ldr %x0")
DEFINE_LOAD(mmio_ldrsb_w, "ldrsb %w0")
DEFINE_LOAD(mmio_ldrsb_x, "ldrsb %x0")
DEFINE_LOAD(mmio_ldrsh_w, "ldrsh %w0")
DEFINE_LOAD(mmio_ldrsh_x, "ldrsh %x0")
DEFINE_LOAD(mmio_ldrsw, "ldrsw %x0")

#define DEFINE_STORE(name, insn)                     \
	void name(uint64_t addr, uint64_t v)         \
	{                                            \
		__asm__ volatile(insn ", [%0]"       \
				 :                   \
				 : "r"(addr), "r"(v) \
				 : "memory");        \
	}

DEFINE_STORE(mmio_strb, "strb %w1")
DEFINE_STORE(mmio_strh, "strh %w1")
DEFINE_STORE(mmio_str32, "str %w1")
DEFINE_STORE(mmio_str64, "str %x1")

#define DEFINE_STORE_ZR(name, insn)                                       \
	void name(uint64_t addr)                                          \
	{                                                                 \
		__asm__ volatile(insn ", [%0]" : : "r"(addr) : "memory"); \
	}

DEFINE_STORE_ZR(mmio_strb_wzr, "strb wzr")
DEFINE_STORE_ZR(mmio_strh_wzr, "strh wzr")
DEFINE_STORE_ZR(mmio_str32_wzr, "str wzr")
DEFINE_STORE_ZR(mmio_str64_xzr, "str xzr")

/* SP is read before and after: register number 31 in Rt of a load is the
 * zero register, so an emulator that writes "x31" into SP is caught. */
#define DEFINE_LOAD_ZR(name, insn)                                  \
	uint64_t name(uint64_t addr)                                \
	{                                                           \
		uint64_t before, after;                             \
		__asm__ volatile("mov %0, sp\n\t" insn ", [%2]\n\t" \
				 "mov %1, sp"                       \
				 : "=&r"(before), "=&r"(after)      \
				 : "r"(addr)                        \
				 : "memory");                       \
		return after - before;                              \
	}

DEFINE_LOAD_ZR(mmio_ldrb_wzr, "ldrb wzr")
DEFINE_LOAD_ZR(mmio_ldrh_wzr, "ldrh wzr")
DEFINE_LOAD_ZR(mmio_ldr32_wzr, "ldr wzr")
DEFINE_LOAD_ZR(mmio_ldr64_xzr, "ldr xzr")
DEFINE_LOAD_ZR(mmio_ldrsb_xzr, "ldrsb xzr")
DEFINE_LOAD_ZR(mmio_ldrsw_xzr, "ldrsw xzr")

/* ---- SMCCC ------------------------------------------------------------- */

/*
 * SMCCC v1.1 lets the callee clobber only x0-x3, but the guests are there
 * to catch a hypervisor that breaks that rule without corrupting
 * themselves, so x0-x17 are all treated as clobbered.
 */
#define DEFINE_SMCCC(name, insn)                                           \
	struct smccc_res name(uint64_t fid, uint64_t a1, uint64_t a2,      \
			      uint64_t a3, uint64_t a4, uint64_t a5,       \
			      uint64_t a6)                                 \
	{                                                                  \
		register uint64_t x0 __asm__("x0") = fid;                  \
		register uint64_t x1 __asm__("x1") = a1;                   \
		register uint64_t x2 __asm__("x2") = a2;                   \
		register uint64_t x3 __asm__("x3") = a3;                   \
		register uint64_t x4 __asm__("x4") = a4;                   \
		register uint64_t x5 __asm__("x5") = a5;                   \
		register uint64_t x6 __asm__("x6") = a6;                   \
		register uint64_t x7 __asm__("x7") = 0;                    \
		struct smccc_res res;                                      \
		__asm__ volatile(insn                                      \
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), \
				   "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7)  \
				 :                                         \
				 : "x8", "x9", "x10", "x11", "x12", "x13", \
				   "x14", "x15", "x16", "x17", "memory");  \
		res.x[0] = x0;                                             \
		res.x[1] = x1;                                             \
		res.x[2] = x2;                                             \
		res.x[3] = x3;                                             \
		res.x[4] = x4;                                             \
		res.x[5] = x5;                                             \
		res.x[6] = x6;                                             \
		res.x[7] = x7;                                             \
		return res;                                                \
	}

DEFINE_SMCCC(smccc_hvc, "hvc #0")
DEFINE_SMCCC(smccc_smc, "smc #0")
DEFINE_SMCCC(smccc_hvc_pledge, "hvc #0x4e58")
DEFINE_SMCCC(smccc_hvc_imm1, "hvc #1")

_Static_assert(HV_PLEDGE_HVC_IMM == 0x4e58,
	       "hvc_pledge hard-codes the pledge immediate");

uint64_t hvc0(uint64_t fid, uint64_t a1, uint64_t a2)
{
	return smccc_hvc(fid, a1, a2, 0, 0, 0, 0).x[0];
}

uint64_t smc0(uint64_t fid, uint64_t a1, uint64_t a2)
{
	return smccc_smc(fid, a1, a2, 0, 0, 0, 0).x[0];
}

uint64_t hvc_pledge(uint64_t x0, uint64_t x1, uint64_t x2)
{
	return smccc_hvc_pledge(x0, x1, x2, 0, 0, 0, 0).x[0];
}

uint64_t hvc_imm1(uint64_t x0)
{
	return smccc_hvc_imm1(x0, 0, 0, 0, 0, 0, 0).x[0];
}

/*
 * x4..x17 get 0x404..0x411 (register number + 0x400), small enough for
 * cmp's immediate; each one that differs after the call counts once.
 */
#define PRESERVE_SET(n) "mov x" #n ", #(0x400 + " #n ")\n\t"
#define PRESERVE_CMP(n)                      \
	"cmp x" #n ", #(0x400 + " #n ")\n\t" \
	"cinc %1, %1, ne\n\t"
/* One register per column reads better than clang-format's packing. */
/* clang-format off */
#define PRESERVE_SET_ALL                                                     \
	PRESERVE_SET(4) PRESERVE_SET(5) PRESERVE_SET(6) PRESERVE_SET(7)      \
	PRESERVE_SET(8) PRESERVE_SET(9) PRESERVE_SET(10) PRESERVE_SET(11)    \
	PRESERVE_SET(12) PRESERVE_SET(13) PRESERVE_SET(14) PRESERVE_SET(15)  \
	PRESERVE_SET(16) PRESERVE_SET(17)
#define PRESERVE_CMP_ALL                                                     \
	PRESERVE_CMP(4) PRESERVE_CMP(5) PRESERVE_CMP(6) PRESERVE_CMP(7)      \
	PRESERVE_CMP(8) PRESERVE_CMP(9) PRESERVE_CMP(10) PRESERVE_CMP(11)    \
	PRESERVE_CMP(12) PRESERVE_CMP(13) PRESERVE_CMP(14) PRESERVE_CMP(15)  \
	PRESERVE_CMP(16) PRESERVE_CMP(17)
#define PRESERVE_BODY(insn)                                                  \
	"mov x0, %2\n\t"                                                     \
	"mov x1, #0\n\t"                                                     \
	"mov x2, #0\n\t"                                                     \
	"mov x3, #0\n\t"                                                     \
	PRESERVE_SET_ALL                                                     \
	insn "\n\t"                                                          \
	"mov %0, x0\n\t"                                                     \
	"mov %1, #0\n\t"                                                     \
	PRESERVE_CMP_ALL
/* clang-format on */

#define PRESERVE_CLOBBERS                                                  \
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", \
		"x11", "x12", "x13", "x14", "x15", "x16", "x17", "cc",     \
		"memory"

unsigned smccc_preserve_check(bool smc, uint64_t fid, uint64_t *x0)
{
	uint64_t res, bad;

	if (smc)
		__asm__ volatile(PRESERVE_BODY("smc #0")
				 : "=&r"(res), "=&r"(bad)
				 : "r"(fid)
				 : PRESERVE_CLOBBERS);
	else
		__asm__ volatile(PRESERVE_BODY("hvc #0")
				 : "=&r"(res), "=&r"(bad)
				 : "r"(fid)
				 : PRESERVE_CLOBBERS);
	*x0 = res;
	return (unsigned)bad;
}

_Noreturn void test_exit(int status)
{
	/* The status travels as a 64-bit register; a negative int would be
	 * sign-extended, which the hypervisor is free to treat as it likes. */
	uint64_t r = smccc_hvc(HV_CALL_TEST_EXIT, (uint64_t)(int64_t)status, 0,
			       0, 0, 0, 0)
			     .x[0];

	if (r == (uint64_t)SMCCC_RET_NOT_SUPPORTED)
		/* No Cellvisor (bare QEMU at EL1): say how it ended. */
		guest_printf("no Cellvisor: status %d, PSCI SYSTEM_OFF\n",
			     status);
	else
		guest_puts("FAIL: HV_CALL_TEST_EXIT returned\n");
	smccc_hvc(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0, 0);
	/* Nothing ends this vCPU: idle so the run's instruction budget, not
	 * a busy loop, decides when the simulation stops. */
	for (;;)
		__asm__ volatile("wfi" ::: "memory");
}

int64_t hv_console_write(const void *buf, size_t len)
{
	return (int64_t)smccc_hvc(HV_CALL_CONSOLE_WRITE, (uint64_t)buf, len, 0,
				  0, 0, 0)
		.x[0];
}

bool guest_cell_info(struct guest_cell_info *info)
{
	struct smccc_res r = smccc_hvc(HV_CALL_CELL_INFO, 0, 0, 0, 0, 0, 0);

	info->cell_id = r.x[1];
	info->vcpu_id = r.x[2];
	info->vcpu_count = r.x[3];
	info->cell_count = r.x[4];
	info->mem_base = r.x[5];
	info->mem_size = r.x[6];
	return r.x[0] == 0;
}

/* ---- console ----------------------------------------------------------- */

void guest_putc(char c)
{
	unsigned i;

	for (i = 0; i < UART_POLL_MAX; i++)
		if (!(mmio_ldr32(GUEST_UART_BASE + UART_FR) & UART_FR_TXFF))
			break;
	mmio_str32(GUEST_UART_BASE + UART_DR, (uint8_t)c);
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

static void put_uint(unsigned long long v, unsigned base, bool upper,
		     unsigned width, char pad, bool neg)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	unsigned n = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg && pad == '0') {
		guest_putc('-');
		neg = false;
		if (width)
			width--;
	}
	if (neg)
		buf[n++] = '-';
	while (width > n) {
		guest_putc(pad);
		width--;
	}
	while (n)
		guest_putc(buf[--n]);
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		unsigned width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			guest_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			long long v = lng ? va_arg(ap, long long)
					  : va_arg(ap, int);
			unsigned long long mag =
				v < 0 ? 0ull - (unsigned long long)v
				      : (unsigned long long)v;

			put_uint(mag, 10, false, width, pad, v < 0);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng ? va_arg(ap,
							    unsigned long long)
						   : va_arg(ap, unsigned);

			put_uint(v, *fmt == 'u' ? 10 : 16, *fmt == 'X', width,
				 pad, false);
			break;
		}
		case 'p':
			guest_puts("0x");
			put_uint((uintptr_t)va_arg(ap, void *), 16, false,
				 width, pad, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			guest_puts(s ? s : "(null)");
			break;
		}
		case 'c':
			guest_putc((char)va_arg(ap, int));
			break;
		case '%':
			guest_putc('%');
			break;
		case '\0':
			/* A lone '%' at the end: print it, stop. */
			guest_putc('%');
			va_end(ap);
			return;
		default:
			/* Unknown conversion: show it verbatim so the typo is
			 * visible in the test output. */
			guest_putc('%');
			guest_putc(*fmt);
			break;
		}
	}
	va_end(ap);
}

/* ---- checks ------------------------------------------------------------ */

bool check(bool ok, const char *what)
{
	if (ok) {
		guest_printf("PASS %s\n", what);
	} else {
		guest_printf("FAIL: %s\n", what);
		fail_count++;
	}
	return ok;
}

bool check_eq(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		guest_printf("PASS %s: 0x%lx\n", what, got);
		return true;
	}
	guest_printf("FAIL: %s: got 0x%lx, want 0x%lx\n", what, got, want);
	fail_count++;
	return false;
}

void guest_count_failure(void)
{
	fail_count++;
}

unsigned guest_fail_count(void)
{
	return fail_count;
}

/* ---- interrupts, PSCI, SMP --------------------------------------------- */

unsigned guest_cpu_id(void)
{
	return (unsigned)(read_sysreg(mpidr_el1) & 0xff);
}

bool guest_hv_present(void)
{
	return hvc0(HV_CALL_VERSION, 0, 0) != (uint64_t)SMCCC_RET_NOT_SUPPORTED;
}

int64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t x0 = smccc_hvc(fid, a1, a2, a3, 0, 0, 0).x[0];

	if (!(fid & SMCCC_SMC64))
		return (int64_t)(int32_t)(uint32_t)x0;
	return (int64_t)x0;
}

__attribute__((weak)) void secondary_main(uint64_t context)
{
	(void)context;
}

__attribute__((weak)) void guest_irq(void)
{
	guest_printf("unexpected IRQ ELR=0x%lx\n", read_sysreg(elr_el1));
	test_exit(GUEST_STATUS_EXCEPTION);
}

/* ---- exceptions -------------------------------------------------------- */

/* Called by crt0's vector table for every exception: none is expected. */
void guest_exception(uint64_t esr, uint64_t elr, uint64_t far)
{
	/* A fault while reporting (the console itself faulting) must not
	 * recurse: exit at once the second time; if even the exit call
	 * faults (no hypervisor answers HVC), idle for good. */
	if (in_exception > 1)
		for (;;)
			__asm__ volatile("wfi" ::: "memory");
	if (in_exception++)
		test_exit(GUEST_STATUS_EXCEPTION);
	guest_printf("unexpected exception ESR=0x%lx ELR=0x%lx FAR=0x%lx\n",
		     esr, elr, far);
	test_exit(GUEST_STATUS_EXCEPTION);
}

/* ---- freestanding helpers ---------------------------------------------- */

/* Byte at a time on purpose: with the MMU off all memory is Device memory,
 * where unaligned accesses fault, and these helpers are not hot. */
void *memset(void *dst, int c, size_t n)
{
	volatile unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n) {
			n--;
			d[n] = s[n];
		}
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
