/* SPDX-License-Identifier: MIT */
/*
 * Emulated Arm PrimeCell UART (PL011, r1p5) for a cell's console. Complete
 * enough for Linux's earlycon (pl011) and the amba-pl011 driver: data,
 * status, baud, line control, interrupt mask/status/clear and the ID
 * registers. Transmission is instantaneous, so the TX FIFO is always empty.
 * Reference: Arm PrimeCell UART (PL011) Technical Reference Manual r1p5,
 * section 3 "Programmers model".
 */
#ifndef HV_PL011_H
#define HV_PL011_H

#include "mmio.h"
#include "types.h"

#define PL011_MMIO_SIZE 0x1000u
#define PL011_RX_FIFO 32u

/* Register offsets (TRM table 3-1). */
#define PL011_DR 0x000u
#define PL011_RSR_ECR 0x004u
#define PL011_FR 0x018u
#define PL011_ILPR 0x020u
#define PL011_IBRD 0x024u
#define PL011_FBRD 0x028u
#define PL011_LCR_H 0x02cu
#define PL011_CR 0x030u
#define PL011_IFLS 0x034u
#define PL011_IMSC 0x038u
#define PL011_RIS 0x03cu
#define PL011_MIS 0x040u
#define PL011_ICR 0x044u
#define PL011_DMACR 0x048u
#define PL011_PERIPHID0 0xfe0u
#define PL011_PCELLID0 0xff0u

/* FR bits. */
#define PL011_FR_CTS (1u << 0)
#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)

/* Interrupt bits (IMSC/RIS/MIS/ICR). */
#define PL011_INT_RX (1u << 4)
#define PL011_INT_TX (1u << 5)
#define PL011_INT_RT (1u << 6)
#define PL011_INT_ALL 0x7ffu

struct pl011;

/* Where transmitted bytes go (the cell's tagged console line). */
typedef void (*pl011_tx_fn)(void *ctx, uint8_t byte);

struct pl011 {
	pl011_tx_fn tx;
	void *tx_ctx;
	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr, ilpr, rsr;
	uint8_t rx_fifo[PL011_RX_FIFO];
	unsigned rx_head, rx_count;
	/* RIS or IMSC may have changed since the owner last read
	 * pl011_irq_pending() (set by every change and by pl011_init; the
	 * owner clears it): lets the exit path skip reporting the line
	 * after the accesses that cannot move it, such as FR polls. */
	bool irq_dirty;
};

/* Puts the UART in its reset state (TRM "Register descriptions", reset
 * values) with output going to tx(ctx, byte). */
void pl011_init(struct pl011 *uart, pl011_tx_fn tx, void *ctx);

/* Queues a received byte (console input). false if the FIFO is full. */
bool pl011_rx_push(struct pl011 *uart, uint8_t byte);

/* True when the UART's interrupt line is asserted (MIS != 0). See
 * irq_dirty above for when it can have changed. */
bool pl011_irq_pending(const struct pl011 *uart);

/* Register access callbacks for mmio_bus_add(). 8-, 16- and 32-bit
 * accesses to word-aligned registers are accepted; 64-bit accesses and
 * unaligned ones are refused. */
extern const struct mmio_ops pl011_mmio_ops;

#endif /* HV_PL011_H */
