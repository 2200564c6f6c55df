/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console: a PL011 driven by polling, and a lock so that
 * each hal_console_write() (one whole line from the core's printers)
 * comes out unbroken when several CPUs print.
 *
 * The UART is used as firmware left it (QEMU needs no set-up; on a real
 * board the boot loader has programmed the baud rate), like Linux's
 * earlycon: we only write DR and poll FR.
 * PL011 TRM (Arm DDI 0183): DR at 0x000, FR at 0x018, FR.TXFF bit 5.
 */
#include <hv/lib.h>

#include <hal/platform.h>

#include "bm.h"

#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_FR_TXFF (UINT32_C(1) << 5)

/* Per-run state of the console; zero (unlocked, no UART) after BSS init. */
static struct {
	volatile uint32_t *regs;
	uint32_t lock;	/* 0 free, 1 held */
	unsigned owner; /* pCPU holding the lock, valid when held */
	unsigned depth; /* nested holds by the owner (a panic while printing) */
} console;

void bm_uart_init(uint64_t base)
{
	console.regs = (volatile uint32_t *)(uintptr_t)base;
}

static void uart_putc(char c)
{
	while (console.regs[PL011_FR / 4] & PL011_FR_TXFF)
		;
	console.regs[PL011_DR / 4] = (uint8_t)c;
}

void bm_uart_write(const char *s, size_t len)
{
	if (console.regs == NULL)
		return;
	for (size_t i = 0; i < len; i++)
		uart_putc(s[i]);
}

/*
 * A test-and-set spinlock (acquire/release atomics, Arm ARM B2.3). It may
 * be taken again by its owner, so that a panic raised while the lock is
 * held still gets its message out instead of deadlocking.
 */
void bm_console_lock(void)
{
	unsigned me = bm_this_pcpu();

	if (__atomic_load_n(&console.lock, __ATOMIC_ACQUIRE) != 0 &&
	    console.owner == me) {
		console.depth++;
		return;
	}
	while (__atomic_exchange_n(&console.lock, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&console.lock, __ATOMIC_RELAXED) != 0)
			__asm__ volatile("yield");
	}
	console.owner = me;
	console.depth = 0;
}

void bm_console_unlock(void)
{
	if (console.depth > 0) {
		console.depth--;
		return;
	}
	__atomic_store_n(&console.lock, 0, __ATOMIC_RELEASE);
}

/*
 * HAL contract (hal/platform.h). Bytes are written as they are: the core
 * emits "\n" line ends and logs compare equal with the simulator's; a
 * terminal on the real UART may want "\r\n" (set it to add CR itself).
 */
void hal_console_write(const char *s, size_t len)
{
	bm_console_lock();
	bm_uart_write(s, len);
	bm_console_unlock();
}
