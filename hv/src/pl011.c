/* SPDX-License-Identifier: MIT */
/*
 * Emulated PL011 UART. Register map, reset values and interrupt rules
 * follow the Arm PrimeCell UART (PL011) TRM r1p5, section 3 "Programmers
 * model". What is modelled and what is not is written down in
 * docs/devices.md; the short version:
 *
 * - transmission is instantaneous: every DR write reaches the tx callback
 *   at once, the TX FIFO is always empty, FR.TXFE = 1, TXFF = BUSY = 0;
 * - the receive FIFO holds console input (pl011_rx_push), 32 entries with
 *   LCR_H.FEN set, one (the holding register) with it clear;
 * - baud rate, line format, modem lines, IrDA, DMA and loopback are plain
 *   storage: their registers read back what was written, nothing more.
 */
#include <hv/pl011.h>

/* Register-bit facts from TRM section 3.3 ("Register descriptions"). */
#define PL011_DR_DATA_MASK 0xffu
#define PL011_RSR_MASK 0x0fu
#define PL011_ILPR_MASK 0xffu
#define PL011_IBRD_MASK 0xffffu
#define PL011_FBRD_MASK 0x3fu
#define PL011_LCR_H_MASK 0xffu
#define PL011_LCR_H_FEN (1u << 4)
/* CR bits [6:3] are reserved in r1p5 ("do not modify, read as zero"). */
#define PL011_CR_MASK 0xff87u
#define PL011_CR_RESET 0x0300u /* TXE | RXE, UARTEN clear */
#define PL011_IFLS_MASK 0x3fu
#define PL011_IFLS_RESET 0x12u /* both FIFOs trigger at 1/2 full */
#define PL011_IFLS_RXSEL_SHIFT 3
#define PL011_IFLS_RXSEL_MASK 0x7u
#define PL011_DMACR_MASK 0x7u
#define PL011_LAST_REG 0xffcu

/* PrimeCell identification, TRM section 3.3.14-3.3.17: PeriphID 0x00041011
 * (part 0x011, designer 0x41 'A'), PCellID 0xB105F00D. */
static const uint8_t pl011_id[8] = {
	0x11, 0x10, 0x14, 0x00, /* UARTPeriphID0..3 */
	0x0d, 0xf0, 0x05, 0xb1, /* UARTPCellID0..3 */
};

/* Receive FIFO depth: with FIFOs disabled (character mode) the FIFO is a
 * one-byte holding register (TRM 3.3.7, LCR_H.FEN). */
static unsigned rx_capacity(const struct pl011 *uart)
{
	return (uart->lcr_h & PL011_LCR_H_FEN) ? PL011_RX_FIFO : 1u;
}

/*
 * Receive interrupt trigger level in bytes (TRM 3.3.9, UARTIFLS.RXIFLSEL:
 * 1/8, 1/4, 1/2, 3/4, 7/8 of 32; values 0b101-0b111 are reserved and taken
 * as 1/2, the reset choice). In character mode one byte triggers.
 */
static unsigned rx_trigger(const struct pl011 *uart)
{
	static const unsigned level[8] = {4, 8, 16, 24, 28, 16, 16, 16};

	if (!(uart->lcr_h & PL011_LCR_H_FEN))
		return 1;
	return level[(uart->ifls >> PL011_IFLS_RXSEL_SHIFT) &
		     PL011_IFLS_RXSEL_MASK];
}

void pl011_init(struct pl011 *uart, pl011_tx_fn tx, void *ctx)
{
	*uart = (struct pl011){
		.tx = tx,
		.tx_ctx = ctx,
		.cr = PL011_CR_RESET,
		.ifls = PL011_IFLS_RESET,
		.irq_dirty = true,
	};
}

bool pl011_rx_push(struct pl011 *uart, uint8_t byte)
{
	if (uart->rx_count >= rx_capacity(uart))
		return false;
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % PL011_RX_FIFO] = byte;
	uart->rx_count++;
	/*
	 * RXRIS rises when the FIFO reaches its trigger level (TRM 3.4.2,
	 * UARTRXINTR). RTRIS needs the line to stay quiet for 32 bit periods
	 * with data waiting; console input arrives in bursts with no
	 * modelled line time, so the timeout is taken as already expired.
	 */
	if (uart->rx_count >= rx_trigger(uart))
		uart->ris |= PL011_INT_RX;
	uart->ris |= PL011_INT_RT;
	uart->irq_dirty = true;
	return true;
}

bool pl011_irq_pending(const struct pl011 *uart)
{
	return (uart->ris & uart->imsc) != 0;
}

/* A DR read: pops the oldest received byte (0 when empty) and drops RX/RT
 * as the FIFO falls below the trigger level / becomes empty (TRM 3.4.2). */
static uint32_t pl011_dr_read(struct pl011 *uart)
{
	uint32_t byte;

	if (uart->rx_count == 0)
		return 0;
	byte = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % PL011_RX_FIFO;
	uart->rx_count--;
	if (uart->rx_count < rx_trigger(uart))
		uart->ris &= ~PL011_INT_RX;
	if (uart->rx_count == 0)
		uart->ris &= ~PL011_INT_RT;
	uart->irq_dirty = true;
	return byte;
}

static uint32_t pl011_fr(const struct pl011 *uart)
{
	uint32_t fr = PL011_FR_TXFE;

	if (uart->rx_count == 0)
		fr |= PL011_FR_RXFE;
	if (uart->rx_count >= rx_capacity(uart))
		fr |= PL011_FR_RXFF;
	return fr;
}

/* Only 8/16/32-bit accesses to a word-aligned register inside the 4 KiB
 * window: the PL011 is a 32-bit APB slave (TRM 3.1). */
static bool pl011_access_ok(uint64_t offset, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	return offset % 4 == 0 && offset <= PL011_LAST_REG;
}

static bool pl011_read(void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct pl011 *uart = dev;
	uint32_t v;

	if (!pl011_access_ok(offset, size))
		return false;
	switch (offset) {
	case PL011_DR:
		v = pl011_dr_read(uart);
		break;
	case PL011_RSR_ECR:
		v = uart->rsr;
		break;
	case PL011_FR:
		v = pl011_fr(uart);
		break;
	case PL011_ILPR:
		v = uart->ilpr;
		break;
	case PL011_IBRD:
		v = uart->ibrd;
		break;
	case PL011_FBRD:
		v = uart->fbrd;
		break;
	case PL011_LCR_H:
		v = uart->lcr_h;
		break;
	case PL011_CR:
		v = uart->cr;
		break;
	case PL011_IFLS:
		v = uart->ifls;
		break;
	case PL011_IMSC:
		v = uart->imsc;
		break;
	case PL011_RIS:
		v = uart->ris;
		break;
	case PL011_MIS:
		v = uart->ris & uart->imsc;
		break;
	case PL011_DMACR:
		v = uart->dmacr;
		break;
	default:
		/* ID block, then reserved offsets (and write-only ICR): RAZ. */
		if (offset >= PL011_PERIPHID0)
			v = pl011_id[(offset - PL011_PERIPHID0) / 4];
		else
			v = 0;
		break;
	}
	/* A narrow read returns the low bytes of the register. */
	if (size < 4)
		v &= (1u << (size * 8u)) - 1;
	*val = v;
	return true;
}

/*
 * Narrow writes replace the whole register with the zero-extended value:
 * APB3 has no byte strobes, and the TRM documents only 32-bit accesses.
 */
static bool pl011_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct pl011 *uart = dev;
	uint32_t v;

	if (!pl011_access_ok(offset, size))
		return false;
	v = (uint32_t)(val & 0xffffffffu);
	switch (offset) {
	case PL011_DR:
		/*
		 * Sent whatever UARTEN/TXE say: the CR reset value leaves
		 * UARTEN clear and Linux earlycon writes DR without setting
		 * it; QEMU's own PL011 transmits regardless too. The byte
		 * leaves the (single-entry) FIFO at once, which is the
		 * transition that raises TXRIS (TRM 3.4.3, UARTTXINTR).
		 */
		if (uart->tx != NULL)
			uart->tx(uart->tx_ctx,
				 (uint8_t)(v & PL011_DR_DATA_MASK));
		uart->ris |= PL011_INT_TX;
		uart->irq_dirty = true;
		break;
	case PL011_RSR_ECR:
		/* Any write to ECR clears the framing/parity/break/overrun
		 * flags (TRM 3.3.2). */
		uart->rsr = 0;
		break;
	case PL011_ILPR:
		uart->ilpr = v & PL011_ILPR_MASK;
		break;
	case PL011_IBRD:
		uart->ibrd = v & PL011_IBRD_MASK;
		break;
	case PL011_FBRD:
		uart->fbrd = v & PL011_FBRD_MASK;
		break;
	case PL011_LCR_H:
		uart->lcr_h = v & PL011_LCR_H_MASK;
		break;
	case PL011_CR:
		uart->cr = v & PL011_CR_MASK;
		break;
	case PL011_IFLS:
		uart->ifls = v & PL011_IFLS_MASK;
		break;
	case PL011_IMSC:
		uart->imsc = v & PL011_INT_ALL;
		uart->irq_dirty = true;
		break;
	case PL011_ICR:
		uart->ris &= ~(v & PL011_INT_ALL);
		uart->irq_dirty = true;
		break;
	case PL011_DMACR:
		uart->dmacr = v & PL011_DMACR_MASK;
		break;
	default:
		/* FR, RIS, MIS and the ID registers are read-only; reserved
		 * offsets ignore writes. */
		break;
	}
	return true;
}

const struct mmio_ops pl011_mmio_ops = {
	.read = pl011_read,
	.write = pl011_write,
};
