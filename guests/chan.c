/* SPDX-License-Identifier: MIT */
/*
 * chan: two cells exchange checksummed messages over an inter-cell channel
 * (docs/channels.md): the SPSC ring of lib/spsc_ring.h in the channel's
 * shared region, and HV_CALL_DOORBELL to wake the peer. One image, two
 * roles, chosen by the cell's boot-arg (X0 at entry):
 *
 *   bits  0..31  message count (0: CHAN_DEFAULT_COUNT)
 *   bit  32      1 = producer (initialises the ring), 0 = consumer
 *   bit  33      verbose: also print the doorbell/sleep counters, which
 *                depend on timing (the benchmark sets it, the tests not)
 *   bits 40..47  channel number (HV_CALL_DOORBELL's x1)
 *   bits 48..57  this cell's doorbell SPI INTID (0: CHAN_DEFAULT_SPI)
 *
 * The region is CHAN_REGION_SIZE bytes at IPA CHAN_REGION_IPA in both
 * cells (configs/channel.dts, channel-sim.dts), zeroed by the hypervisor.
 *
 * Producer: checks the region is zero, sets up its GIC for the doorbell
 * SPI (distributor Group 1, SPI Group 1, enabled, routed to vCPU 0),
 * formats a COMPACT ring of 256 slots of 64 bytes, writes each message in
 * place {seq, payload[6], checksum}, rings the consumer's doorbell when
 * spsc_ring_needs_doorbell() says so (every CHAN_BATCH commits and before
 * sleeping) and sleeps with WFI, IRQs masked around the re-check, while
 * the ring is full. Consumer: attaches (bounded polling for the magic),
 * verifies order and checksum of each message in place, rings the
 * producer's doorbell per the protocol (full to not full), sleeps while
 * the ring is empty.
 *
 * End of run, so that neither side rings a cell that has already ended:
 * the consumer does not ring for the batch that holds the last message
 * (the producer, having committed it, never sleeps on "full" again); the
 * producer, after its last doorbell, stores its payload checksum and a
 * done flag in a word block past the ring (CHAN_END_OFFSET) and then waits
 * (bounded polling) for the ring to drain; the consumer, once it has all
 * messages, waits (bounded polling) for that flag and compares checksums.
 *
 * Only deterministic values are printed (counts, checksums, PASS lines),
 * so the output is the same on both HALs for the same count.
 */
#include "gic.h"
#include "guest.h"
#include "spsc_ring.h"

#ifndef HV_CALL_DOORBELL
#define HV_CALL_DOORBELL (HV_CALL_BASE + 4u)
#endif

#define CHAN_REGION_IPA UINT64_C(0x20000000)
#define CHAN_REGION_SIZE UINT32_C(0x10000)
#define CHAN_SLOTS 256u
#define CHAN_SLOT_SIZE 64u
/* End-of-run block, past the ring (192 + 256 * 64 = 16576 bytes). */
#define CHAN_END_OFFSET UINT32_C(0xf000)

#define CHAN_DEFAULT_COUNT 100000u
#define CHAN_DEFAULT_SPI 40u
/* Commits (releases) between two spsc_ring_needs_doorbell() calls. */
#define CHAN_BATCH 32u
/* Bounded polls: attach, the end-of-run flag, the drain. */
#define CHAN_POLL_MAX 400000000u

#define BOOT_ROLE_PRODUCER (UINT64_C(1) << 32)
#define BOOT_VERBOSE (UINT64_C(1) << 33)

#define PRIO_DOORBELL 0xa0u

/* Distributor SPI registers (IHI 0069 12.9), offsets from GICD_BASE. */
#define GICD_IGROUPR 0x0080u
#define GICD_ISENABLER 0x0100u
#define GICD_IPRIORITYR 0x0400u
#define GICD_IROUTER 0x6000u /* 64-bit, INTID n at 8 * n */
#define PAYLOAD_WORDS 6u

/* A message fills one slot exactly. */
struct chan_msg {
	uint64_t seq;
	uint64_t payload[PAYLOAD_WORDS];
	uint64_t checksum;
};
_Static_assert(sizeof(struct chan_msg) == CHAN_SLOT_SIZE, "one slot");

/* Written by the producer only, read by the consumer. */
struct chan_end {
	uint64_t total; /* the producer's checksum of all payloads */
	uint32_t done;	/* CHAN_DONE_MAGIC once total is stored */
};
#define CHAN_DONE_MAGIC UINT32_C(0x454e4f44) /* "DONE" */

_Static_assert(CHAN_END_OFFSET >=
		       3 * SPSC_RING_LINE_SIZE + CHAN_SLOTS * CHAN_SLOT_SIZE,
	       "end block past the ring");

/* X0 at entry, saved by the main below before any C code runs. */
uint64_t chan_boot_arg;

/*
 * main, in assembly: crt0.S enters it with the X0 the image was started
 * with still in X0 (it only uses x9/x10 before `bl main`), which C's
 * `int main(void)` cannot see. Save it and continue in chan_main().
 */
int chan_main(void);
__asm__(".section .text\n"
	".globl main\n"
	".type main, %function\n"
	"main:\n"
	"	adrp	x9, chan_boot_arg\n"
	"	str	x0, [x9, :lo12:chan_boot_arg]\n"
	"	b	chan_main\n"
	".size main, . - main\n");

static unsigned chan_id;
static unsigned doorbell_spi;

/* Interrupt side, written by guest_irq only. */
static volatile uint32_t doorbells_taken;
static volatile uint32_t irqs_unexpected;

/* Counters of this side (printed only in verbose mode). */
static uint32_t doorbells_rung;
static uint32_t doorbell_errors;
static uint32_t sleeps;

void guest_irq(void)
{
	for (;;) {
		uint32_t id = gic_ack();

		if (id >= 1020)
			break;
		if (id == doorbell_spi)
			doorbells_taken++;
		else
			irqs_unexpected++;
		gic_eoi(id);
	}
}

/* The message's checksum: a multiply-xor hash of seq and payload. */
static uint64_t msg_checksum(uint64_t seq, const uint64_t *payload)
{
	uint64_t c = seq * UINT64_C(0x9e3779b97f4a7c15) + 1;

	for (unsigned i = 0; i < PAYLOAD_WORDS; i++) {
		c ^= payload[i];
		c *= UINT64_C(0x100000001b3);
		c ^= c >> 29;
	}
	return c;
}

/* The checksum of all payloads: order-sensitive fold of the messages'. */
static uint64_t fold_total(uint64_t total, uint64_t checksum)
{
	return (total ^ checksum) * UINT64_C(0xff51afd7ed558ccd) + 7;
}

static void ring_doorbell(void)
{
	int64_t ret = (int64_t)hvc0(HV_CALL_DOORBELL, chan_id, 0);

	doorbells_rung++;
	if (ret != 0 && doorbell_errors++ == 0)
		guest_printf("FAIL: HV_CALL_DOORBELL(%u) returned %ld\n",
			     chan_id, (long)ret);
}

/* Sleeps until a doorbell (or any interrupt) unless the ring changed:
 * the docs/channels.md order, IRQs masked around the re-check. */
static void sleep_for_peer(struct spsc_ring *r)
{
	irq_mask();
	if (spsc_ring_can_sleep(r)) {
		sleeps++;
		wfi();
	}
	irq_unmask(); /* a pending doorbell is taken and EOIed here */
	irq_mask();
}

/* Distributor, this vCPU's redistributor and CPU interface; the doorbell
 * SPI Group 1, priority PRIO_DOORBELL, routed to vCPU 0, enabled. */
static bool gic_setup(void)
{
	unsigned n = doorbell_spi;
	uint64_t rd;
	bool ok;

	ok = check(gic_dist_init(), "GIC distributor on (ARE, Group 1)");
	rd = gic_redist_find(NULL);
	ok = check(rd != 0, "redistributor of this vCPU found") && ok;
	if (rd != 0)
		ok = check(gic_redist_init(rd, PRIO_DOORBELL),
			   "redistributor awake") &&
		     ok;
	gic_cpu_init();

	uint64_t grp = GICD_BASE + GICD_IGROUPR + 4 * (n / 32);
	gic_write(grp, gic_read(grp) | 1u << (n % 32));
	uint64_t pri = GICD_BASE + GICD_IPRIORITYR + (n & ~3u);
	gic_write(pri, (gic_read(pri) & ~(0xffu << (n % 4 * 8))) |
			       PRIO_DOORBELL << (n % 4 * 8));
	mmio_str64(GICD_BASE + GICD_IROUTER + 8 * n, 0); /* vCPU 0 */
	gic_write(GICD_BASE + GICD_ISENABLER + 4 * (n / 32), 1u << (n % 32));
	uint32_t en = gic_read(GICD_BASE + GICD_ISENABLER + 4 * (n / 32));
	ok = check((en >> (n % 32)) & 1, "doorbell SPI enabled") && ok;
	return ok;
}

static void print_stats(const char *who)
{
	if (chan_boot_arg & BOOT_VERBOSE)
		guest_printf(
			"stats: %s doorbells rung %u, taken %u, sleeps %u\n",
			who, doorbells_rung, doorbells_taken, sleeps);
}

static void producer(struct spsc_ring *r, uint32_t count, uint8_t *region)
{
	volatile struct chan_end *end =
		(volatile struct chan_end *)(void *)(region + CHAN_END_OFFSET);
	uint64_t x = UINT64_C(0x2545f4914f6cdd1d); /* xorshift64 state */
	uint64_t total = 0;
	uint32_t nonzero = 0;
	unsigned i;

	/* Before anything is written: the hypervisor zeroed the region, and
	 * the consumer writes nothing until it has seen the magic. */
	for (i = 0; i < CHAN_REGION_SIZE / 8; i++)
		if (((const volatile uint64_t *)(void *)region)[i] != 0)
			nonzero++;
	check_eq("channel region zeroed at start (nonzero words)", nonzero, 0);

	check(spsc_ring_init(r, region, CHAN_REGION_SIZE, SPSC_RING_PRODUCER,
			     SPSC_RING_COMPACT, CHAN_SLOTS,
			     CHAN_SLOT_SIZE) == SPSC_RING_OK,
	      "ring initialised: 256 slots of 64 bytes");

	for (uint32_t seq = 0; seq < count; seq++) {
		volatile struct chan_msg *m;

		while ((m = spsc_ring_reserve(r)) == NULL) {
			if (spsc_ring_needs_doorbell(r))
				ring_doorbell();
			sleep_for_peer(r);
		}
		uint64_t p[PAYLOAD_WORDS], c;

		for (i = 0; i < PAYLOAD_WORDS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[i] = x;
		}
		c = msg_checksum(seq, p);
		/* In place, one 8-byte store per word (volatile). */
		m->seq = seq;
		for (i = 0; i < PAYLOAD_WORDS; i++)
			m->payload[i] = p[i];
		m->checksum = c;
		total = fold_total(total, c);
		(void)spsc_ring_commit(r);
		if ((seq + 1) % CHAN_BATCH == 0 && spsc_ring_needs_doorbell(r))
			ring_doorbell();
	}
	if (spsc_ring_needs_doorbell(r))
		ring_doorbell();
	guest_printf("sent %u messages, checksum 0x%016lx\n", count,
		     (unsigned long)total);

	/* Hand over the total, then wait until the consumer has everything. */
	end->total = total;
	shared_write(&end->done, CHAN_DONE_MAGIC);
	for (i = 0; i < CHAN_POLL_MAX && spsc_ring_used_count(r) != 0; i++)
		isb();
	check(spsc_ring_used_count(r) == 0, "consumer drained the ring");
	check_eq("doorbell errors", doorbell_errors, 0);
	print_stats("producer");
}

static void consumer(struct spsc_ring *r, uint32_t count, uint8_t *region)
{
	volatile struct chan_end *end =
		(volatile struct chan_end *)(void *)(region + CHAN_END_OFFSET);
	enum spsc_ring_err err = SPSC_RING_EAGAIN;
	uint64_t total = 0;
	uint32_t got = 0, bad_seq = 0, bad_sum = 0;
	unsigned i;

	for (i = 0; i < CHAN_POLL_MAX && err == SPSC_RING_EAGAIN; i++)
		err = spsc_ring_attach(r, region, CHAN_REGION_SIZE,
				       SPSC_RING_CONSUMER);
	if (!check(err == SPSC_RING_OK, "attached to the producer's ring")) {
		guest_printf("attach: error %u\n", (unsigned)err);
		return;
	}
	check(spsc_ring_slot_count(r) == CHAN_SLOTS &&
		      spsc_ring_slot_size(r) == CHAN_SLOT_SIZE,
	      "ring geometry: 256 slots of 64 bytes");

	while (got < count) {
		const volatile struct chan_msg *m;
		uint32_t batch = 0;

		while (got < count && (m = spsc_ring_peek(r)) != NULL) {
			uint64_t seq = m->seq, c = m->checksum;
			uint64_t p[PAYLOAD_WORDS];

			for (i = 0; i < PAYLOAD_WORDS; i++)
				p[i] = m->payload[i];

			if (seq != got && bad_seq++ < 3)
				guest_printf("FAIL: message %u has seq %lu\n",
					     got, (unsigned long)seq);
			if (msg_checksum(seq, p) != c && bad_sum++ < 3)
				guest_printf("FAIL: message %u: bad checksum\n",
					     got);
			total = fold_total(total, c);
			(void)spsc_ring_release(r);
			got++;
			/* Not for the batch holding the last message: the
			 * producer is past its last sleep and may be gone. */
			if (++batch == CHAN_BATCH && got < count) {
				batch = 0;
				if (spsc_ring_needs_doorbell(r))
					ring_doorbell();
			}
		}
		if (got == count)
			break;
		if (spsc_ring_needs_doorbell(r))
			ring_doorbell();
		sleep_for_peer(r);
	}
	guest_printf("received %u messages, checksum 0x%016lx\n", got,
		     (unsigned long)total);
	check_eq("messages out of order", bad_seq, 0);
	check_eq("messages with a bad checksum", bad_sum, 0);

	for (i = 0;
	     i < CHAN_POLL_MAX && shared_read(&end->done) != CHAN_DONE_MAGIC;
	     i++)
		isb();
	check(shared_read(&end->done) == CHAN_DONE_MAGIC,
	      "producer's end-of-run flag seen");
	check(end->total == total, "checksum equals the producer's");
	check_eq("doorbell errors", doorbell_errors, 0);
	print_stats("consumer");
}

int chan_main(void)
{
	uint64_t arg = chan_boot_arg;
	bool prod = (arg & BOOT_ROLE_PRODUCER) != 0;
	uint32_t count = (uint32_t)arg;
	struct spsc_ring ring;
	int64_t ret;

	if (count == 0)
		count = CHAN_DEFAULT_COUNT;
	chan_id = (unsigned)(arg >> 40) & 0xff;
	doorbell_spi = (unsigned)(arg >> 48) & 0x3ff;
	if (doorbell_spi == 0)
		doorbell_spi = CHAN_DEFAULT_SPI;

	guest_printf("chan: %s on channel %u, %u messages, doorbell SPI %u\n",
		     prod ? "producer" : "consumer", chan_id, count,
		     doorbell_spi);
	gic_setup();
	ret = (int64_t)hvc0(HV_CALL_DOORBELL, chan_id + 64, 0);
	check_eq("HV_CALL_DOORBELL of a channel that does not exist",
		 (uint64_t)ret, (uint64_t)INT64_C(-2));

	if (prod)
		producer(&ring, count, (uint8_t *)(uintptr_t)CHAN_REGION_IPA);
	else
		consumer(&ring, count, (uint8_t *)(uintptr_t)CHAN_REGION_IPA);
	check_eq("unexpected interrupts", irqs_unexpected, 0);

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_printf("chan: %s: all checks passed\n",
		     prod ? "producer" : "consumer");
	return 0;
}
