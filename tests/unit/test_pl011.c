/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for pl011.c: the emulated PL011 register model driven through
 * its MMIO callbacks, as the MMIO bus would drive it.
 */
#include <check.h>
#include <stdlib.h>

#include <hv/pl011.h>
#include "check_run.h"

#define LCR_H_FEN (1u << 4)

static struct pl011 uart;
static uint8_t sent[64];
static unsigned sent_count;
static int ctx_token;
static void *ctx_seen;

static void capture_tx(void *ctx, uint8_t byte)
{
	ctx_seen = ctx;
	if (sent_count < sizeof(sent))
		sent[sent_count] = byte;
	sent_count++;
}

static void setup(void)
{
	sent_count = 0;
	ctx_seen = NULL;
	__builtin_memset(&uart, 0xa5, sizeof(uart));
	pl011_init(&uart, capture_tx, &ctx_token);
}

static uint64_t rd(uint64_t off, unsigned size)
{
	uint64_t v = 0;

	ck_assert_msg(pl011_mmio_ops.read(&uart, off, size, &v),
		      "read 0x%x/%u refused", (unsigned)off, size);
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	ck_assert_msg(pl011_mmio_ops.write(&uart, off, size, v),
		      "write 0x%x/%u refused", (unsigned)off, size);
}

static uint64_t rd32(uint64_t off)
{
	return rd(off, 4);
}

static void wr32(uint64_t off, uint64_t v)
{
	wr(off, 4, v);
}

/* Every register reads its TRM reset value after pl011_init, whatever the
 * struct held before: CR 0x300, IFLS 0x12, FR TXFE|RXFE, the rest 0. */
START_TEST(test_reset_values)
{
	ck_assert_uint_eq(rd32(PL011_RSR_ECR), 0);
	ck_assert_uint_eq(rd32(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	ck_assert_uint_eq(rd32(PL011_ILPR), 0);
	ck_assert_uint_eq(rd32(PL011_IBRD), 0);
	ck_assert_uint_eq(rd32(PL011_FBRD), 0);
	ck_assert_uint_eq(rd32(PL011_LCR_H), 0);
	ck_assert_uint_eq(rd32(PL011_CR), 0x300);
	ck_assert_uint_eq(rd32(PL011_IFLS), 0x12);
	ck_assert_uint_eq(rd32(PL011_IMSC), 0);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	ck_assert_uint_eq(rd32(PL011_MIS), 0);
	ck_assert_uint_eq(rd32(PL011_DMACR), 0);
	ck_assert_uint_eq(rd32(PL011_DR), 0);
	ck_assert(!pl011_irq_pending(&uart));
	ck_assert_uint_eq(sent_count, 0);
}
END_TEST

/* The PrimeCell ID registers identify a PL011 (0x00041011, 0xB105F00D). */
START_TEST(test_id_registers)
{
	static const uint8_t want[8] = {0x11, 0x10, 0x14, 0x00,
					0x0d, 0xf0, 0x05, 0xb1};

	for (unsigned i = 0; i < 8; i++) {
		ck_assert_uint_eq(rd32(PL011_PERIPHID0 + 4u * i), want[i]);
		ck_assert_uint_eq(rd(PL011_PERIPHID0 + 4u * i, 1), want[i]);
	}
	/* read-only: writes are ignored */
	wr32(PL011_PERIPHID0, 0xff);
	wr32(PL011_PCELLID0, 0xff);
	ck_assert_uint_eq(rd32(PL011_PERIPHID0), 0x11);
	ck_assert_uint_eq(rd32(PL011_PCELLID0), 0x0d);
}
END_TEST

struct rw_reg {
	uint32_t off;
	uint32_t mask; /* implemented bits */
};

static const struct rw_reg rw_regs[] = {
	{PL011_ILPR, 0xff},  {PL011_IBRD, 0xffff}, {PL011_FBRD, 0x3f},
	{PL011_LCR_H, 0xff}, {PL011_CR, 0xff87},   {PL011_IFLS, 0x3f},
	{PL011_IMSC, 0x7ff}, {PL011_DMACR, 0x7},
};

/* Each read/write register keeps exactly its implemented bits at 32-bit
 * width, and 8/16-bit accesses read its low bytes and write it whole
 * (zero-extended). */
START_TEST(test_rw_registers)
{
	const struct rw_reg *r = &rw_regs[_i];

	wr32(r->off, 0xffffffff);
	ck_assert_uint_eq(rd32(r->off), r->mask);
	ck_assert_uint_eq(rd(r->off, 2), r->mask & 0xffff);
	ck_assert_uint_eq(rd(r->off, 1), r->mask & 0xff);

	wr32(r->off, 0);
	ck_assert_uint_eq(rd32(r->off), 0);

	wr(r->off, 2, 0xa5a5);
	ck_assert_uint_eq(rd32(r->off), r->mask & 0xa5a5);
	wr(r->off, 1, 0x5a);
	ck_assert_uint_eq(rd32(r->off), r->mask & 0x5a);
	wr32(r->off, 0);
}
END_TEST

/* DR writes at every width send the low byte to tx with its context, even
 * with UARTEN clear (reset CR), and raise TXRIS. */
START_TEST(test_dr_transmits)
{
	ck_assert_uint_eq(rd32(PL011_CR) & 1u, 0);
	wr32(PL011_DR, 0x141);
	wr(PL011_DR, 2, 0x0f42);
	wr(PL011_DR, 1, 'C');
	ck_assert_uint_eq(sent_count, 3);
	ck_assert_uint_eq(sent[0], 'A');
	ck_assert_uint_eq(sent[1], 'B');
	ck_assert_uint_eq(sent[2], 'C');
	ck_assert_ptr_eq(ctx_seen, &ctx_token);
	ck_assert_uint_eq(rd32(PL011_RIS) & PL011_INT_TX, PL011_INT_TX);
	/* transmission is instant: FIFO stays empty, never full or busy */
	ck_assert_uint_eq(rd32(PL011_FR) & (PL011_FR_TXFE | PL011_FR_TXFF |
					    PL011_FR_BUSY),
			  PL011_FR_TXFE);
}
END_TEST

/* A UART with no tx callback swallows DR writes without crashing. */
START_TEST(test_dr_no_tx)
{
	pl011_init(&uart, NULL, NULL);
	wr32(PL011_DR, 'x');
	ck_assert_uint_eq(rd32(PL011_RIS) & PL011_INT_TX, PL011_INT_TX);
}
END_TEST

/* The TX interrupt follows the TRM transition rule: clear after reset,
 * set by a DR write, cleared by ICR.TXIC, set again by the next write. */
START_TEST(test_tx_interrupt)
{
	wr32(PL011_IMSC, PL011_INT_TX);
	ck_assert(!pl011_irq_pending(&uart));
	wr32(PL011_DR, 'a');
	ck_assert(pl011_irq_pending(&uart));
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_INT_TX);
	wr32(PL011_ICR, PL011_INT_TX);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	ck_assert(!pl011_irq_pending(&uart));
	wr32(PL011_DR, 'b');
	ck_assert(pl011_irq_pending(&uart));
	/* masked: RIS set, MIS and the line clear */
	wr32(PL011_IMSC, 0);
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_INT_TX);
	ck_assert_uint_eq(rd32(PL011_MIS), 0);
	ck_assert(!pl011_irq_pending(&uart));
}
END_TEST

/* With FIFOs disabled the receive side holds one byte: FR goes RXFE ->
 * RXFF, a second push is refused, DR pops it and FR is empty again. */
START_TEST(test_rx_char_mode)
{
	ck_assert(pl011_rx_push(&uart, 'q'));
	ck_assert_uint_eq(rd32(PL011_FR) & (PL011_FR_RXFE | PL011_FR_RXFF),
			  PL011_FR_RXFF);
	ck_assert(!pl011_rx_push(&uart, 'r'));
	ck_assert_uint_eq(rd32(PL011_RIS) & (PL011_INT_RX | PL011_INT_RT),
			  PL011_INT_RX | PL011_INT_RT);
	ck_assert_uint_eq(rd32(PL011_DR), 'q');
	ck_assert_uint_eq(rd32(PL011_FR) & (PL011_FR_RXFE | PL011_FR_RXFF),
			  PL011_FR_RXFE);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	ck_assert_uint_eq(rd32(PL011_DR), 0); /* empty reads as 0 */
}
END_TEST

/* With FEN set the FIFO holds 32 bytes in order; FR.RXFF only when all 32
 * are queued, RXFE only when none is. */
START_TEST(test_rx_fifo_full)
{
	wr32(PL011_LCR_H, LCR_H_FEN);
	for (unsigned i = 0; i < PL011_RX_FIFO; i++) {
		ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFF, 0);
		ck_assert(pl011_rx_push(&uart, (uint8_t)('0' + i)));
		ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFE, 0);
	}
	ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFF, PL011_FR_RXFF);
	ck_assert(!pl011_rx_push(&uart, 'X'));
	for (unsigned i = 0; i < PL011_RX_FIFO; i++)
		ck_assert_uint_eq(rd(PL011_DR, 1 + (i % 2)), '0' + i);
	ck_assert_uint_eq(rd32(PL011_FR) & (PL011_FR_RXFE | PL011_FR_RXFF),
			  PL011_FR_RXFE);
	/* the ring wraps correctly */
	ck_assert(pl011_rx_push(&uart, 'w'));
	ck_assert_uint_eq(rd32(PL011_DR), 'w');
}
END_TEST

/* RXRIS rises at the IFLS trigger level (1/2 = 16 at reset) and falls
 * when reads bring the FIFO below it; RTRIS is set while data waits and
 * falls when the FIFO empties; both reach MIS/the line only if unmasked. */
START_TEST(test_rx_interrupts)
{
	wr32(PL011_LCR_H, LCR_H_FEN);
	wr32(PL011_IMSC, PL011_INT_RX);
	ck_assert(pl011_rx_push(&uart, 1));
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_INT_RT);
	ck_assert(!pl011_irq_pending(&uart));
	for (unsigned i = 1; i < 15; i++)
		ck_assert(pl011_rx_push(&uart, (uint8_t)i));
	ck_assert_uint_eq(rd32(PL011_RIS) & PL011_INT_RX, 0);
	ck_assert(pl011_rx_push(&uart, 15)); /* 16th byte */
	ck_assert_uint_eq(rd32(PL011_RIS) & PL011_INT_RX, PL011_INT_RX);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_INT_RX);
	ck_assert(pl011_irq_pending(&uart));

	(void)rd32(PL011_DR); /* 15 left: below the level */
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_INT_RT);
	ck_assert(!pl011_irq_pending(&uart));
	wr32(PL011_IMSC, PL011_INT_RT);
	ck_assert(pl011_irq_pending(&uart));
	for (unsigned i = 0; i < 15; i++)
		(void)rd32(PL011_DR);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	ck_assert(!pl011_irq_pending(&uart));
}
END_TEST

/* IFLS RXIFLSEL selects 4/8/16/24/28-byte trigger levels. */
START_TEST(test_rx_trigger_levels)
{
	static const unsigned level[5] = {4, 8, 16, 24, 28};

	for (unsigned sel = 0; sel < 5; sel++) {
		pl011_init(&uart, capture_tx, NULL);
		wr32(PL011_LCR_H, LCR_H_FEN);
		wr32(PL011_IFLS, sel << 3);
		for (unsigned i = 0; i + 1 < level[sel]; i++)
			ck_assert(pl011_rx_push(&uart, 0));
		ck_assert_uint_eq(rd32(PL011_RIS) & PL011_INT_RX, 0);
		ck_assert(pl011_rx_push(&uart, 0));
		ck_assert_uint_eq(rd32(PL011_RIS) & PL011_INT_RX, PL011_INT_RX);
	}
}
END_TEST

/* ICR clears exactly the bits written as 1 and ignores bits above 10;
 * RIS/MIS/FR are read-only. */
START_TEST(test_icr_and_readonly)
{
	wr32(PL011_LCR_H, LCR_H_FEN);
	wr32(PL011_IFLS, 0); /* trigger at 4 */
	for (unsigned i = 0; i < 4; i++)
		ck_assert(pl011_rx_push(&uart, 'a'));
	wr32(PL011_DR, 'z');
	ck_assert_uint_eq(rd32(PL011_RIS),
			  PL011_INT_RX | PL011_INT_RT | PL011_INT_TX);
	wr32(PL011_ICR, PL011_INT_RT | 0xfffff800u);
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_INT_RX | PL011_INT_TX);
	wr32(PL011_RIS, 0);
	wr32(PL011_MIS, 0);
	wr32(PL011_FR, 0);
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_INT_RX | PL011_INT_TX);
	ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFE, 0);
	ck_assert_uint_eq(rd32(PL011_ICR), 0); /* write-only: RAZ */
	wr32(PL011_ICR, PL011_INT_ALL);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
}
END_TEST

/* Any write to ECR clears the receive status; RSR reads 0 without errors. */
START_TEST(test_rsr_ecr)
{
	uart.rsr = 0xf; /* as if errors had been recorded */
	ck_assert_uint_eq(rd32(PL011_RSR_ECR), 0xf);
	wr(PL011_RSR_ECR, 1, 0);
	ck_assert_uint_eq(rd32(PL011_RSR_ECR), 0);
}
END_TEST

/* 64-bit accesses and offsets that are not word aligned are refused, for
 * both reads and writes, without side effects. */
START_TEST(test_refused_accesses)
{
	uint64_t v = 0x77;

	ck_assert(!pl011_mmio_ops.read(&uart, PL011_CR, 8, &v));
	ck_assert(!pl011_mmio_ops.write(&uart, PL011_DR, 8, 'x'));
	ck_assert(!pl011_mmio_ops.read(&uart, PL011_CR + 1, 1, &v));
	ck_assert(!pl011_mmio_ops.read(&uart, PL011_CR + 2, 2, &v));
	ck_assert(!pl011_mmio_ops.write(&uart, PL011_DR + 1, 1, 'x'));
	ck_assert(!pl011_mmio_ops.write(&uart, PL011_IBRD + 2, 2, 5));
	ck_assert(!pl011_mmio_ops.read(&uart, PL011_DR, 3, &v));
	ck_assert(!pl011_mmio_ops.read(&uart, PL011_MMIO_SIZE, 4, &v));
	ck_assert_uint_eq(v, 0x77);
	ck_assert_uint_eq(sent_count, 0);
	ck_assert_uint_eq(rd32(PL011_IBRD), 0);
}
END_TEST

/* Reserved offsets read as zero and ignore writes (the access succeeds). */
START_TEST(test_reserved_raz_wi)
{
	static const uint32_t reserved[] = {0x008, 0x00c, 0x010, 0x014,
					    0x01c, 0x04c, 0x080, 0x090,
					    0x800, 0xfcc, 0xfd0, 0xfdc};

	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		wr32(reserved[i], 0xffffffff);
		wr(reserved[i], 1, 0xff);
		ck_assert_uint_eq(rd32(reserved[i]), 0);
		ck_assert_uint_eq(rd(reserved[i], 2), 0);
	}
	/* nothing else moved */
	ck_assert_uint_eq(rd32(PL011_CR), 0x300);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	ck_assert_uint_eq(sent_count, 0);
}
END_TEST

static Suite *pl011_suite(void)
{
	Suite *s = suite_create("pl011");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_reset_values);
	tcase_add_test(tc, test_id_registers);
	tcase_add_loop_test(tc, test_rw_registers, 0,
			    (int)(sizeof(rw_regs) / sizeof(rw_regs[0])));
	tcase_add_test(tc, test_dr_transmits);
	tcase_add_test(tc, test_dr_no_tx);
	tcase_add_test(tc, test_tx_interrupt);
	tcase_add_test(tc, test_rx_char_mode);
	tcase_add_test(tc, test_rx_fifo_full);
	tcase_add_test(tc, test_rx_interrupts);
	tcase_add_test(tc, test_rx_trigger_levels);
	tcase_add_test(tc, test_icr_and_readonly);
	tcase_add_test(tc, test_rsr_ecr);
	tcase_add_test(tc, test_refused_accesses);
	tcase_add_test(tc, test_reserved_raz_wi);
	suite_add_tcase(s, tc);
	return s;
}

int main(void);

int main(void)
{
	return check_run(pl011_suite());
}
