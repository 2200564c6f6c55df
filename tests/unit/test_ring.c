/* SPDX-License-Identifier: MIT */
/* The inter-cell SPSC ring (guests/lib/spsc_ring.h), single-threaded
 * semantics and a two-thread stress test. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../guests/lib/spsc_ring.h"

#include "check_run.h"

#define REGION_SIZE (5 * SPSC_RING_PAGE_SIZE)
#define N 4u  /* slots in the single-threaded tests */
#define SZ 16 /* slot size in the single-threaded tests */

static _Alignas(SPSC_RING_PAGE_SIZE) uint8_t region[REGION_SIZE];
static struct spsc_ring prod, cons;

static void setup(void)
{
	memset(region, 0, sizeof(region));
	memset(&prod, 0, sizeof(prod));
	memset(&cons, 0, sizeof(cons));
}

/* The shared 32-bit word at `offset` in the region. */
static uint32_t shared_word(size_t offset)
{
	uint32_t v;

	memcpy(&v, region + offset, sizeof(v));
	return v;
}

static void set_shared_word(size_t offset, uint32_t v)
{
	memcpy(region + offset, &v, sizeof(v));
}

/* A compact N x SZ ring, producer initialised, consumer attached. */
static void open_pair(void)
{
	ck_assert_int_eq(spsc_ring_init(&prod, region, sizeof(region),
					SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
					N, SZ),
			 SPSC_RING_OK);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_OK);
}

static void push_u32(uint32_t v)
{
	ck_assert(spsc_ring_push(&prod, &v, sizeof(v)));
}

static uint32_t pop_u32(void)
{
	uint32_t v = 0;

	ck_assert(spsc_ring_pop(&cons, &v, sizeof(v)));
	return v;
}

START_TEST(layout_is_fixed)
{
	/* The shared layout is the ABI both cells compile in: magic,
	 * geometry and offsets in line 0, producer index at 64, consumer
	 * index at 128 (4096 split), slots at 192 (8192 split). */
	open_pair();
	ck_assert_uint_eq(shared_word(0), SPSC_RING_MAGIC);
	ck_assert_uint_eq(shared_word(4), SPSC_RING_VERSION);
	ck_assert_uint_eq(shared_word(8), N);
	ck_assert_uint_eq(shared_word(12), SZ);
	ck_assert_uint_eq(shared_word(16), 128);
	ck_assert_uint_eq(shared_word(20), 192);
	uint8_t *slot = spsc_ring_reserve(&prod);
	ck_assert_ptr_eq(slot, region + 192);
	ck_assert(spsc_ring_commit(&prod));
	ck_assert_uint_eq(shared_word(64), 1);
	ck_assert_ptr_eq(spsc_ring_peek(&cons), region + 192);
	ck_assert(spsc_ring_release(&cons));
	ck_assert_uint_eq(shared_word(128), 1);
	ck_assert_ptr_eq(spsc_ring_reserve(&prod), region + 192 + SZ);
	ck_assert_uint_eq(spsc_ring_region_size(SPSC_RING_COMPACT, N, SZ),
			  192 + N * SZ);

	setup();
	ck_assert_int_eq(spsc_ring_init(&prod, region, sizeof(region),
					SPSC_RING_PRODUCER, SPSC_RING_SPLIT, N,
					SZ),
			 SPSC_RING_OK);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_OK);
	ck_assert_ptr_eq(spsc_ring_reserve(&prod), region + 8192);
	push_u32(7);
	ck_assert_uint_eq(shared_word(64), 1);
	ck_assert_uint_eq(pop_u32(), 7);
	ck_assert_uint_eq(shared_word(4096), 1);
	ck_assert_uint_eq(shared_word(128), 0); /* nothing in line 2 */
	ck_assert_uint_eq(spsc_ring_region_size(SPSC_RING_SPLIT, N, SZ),
			  8192 + N * SZ);
}
END_TEST

START_TEST(init_rejects_bad_geometry)
{
	/* init refuses slot counts that are not powers of two (or too
	 * large), slot sizes that are 0 or not multiples of 8, misaligned
	 * or short regions, and a consumer initialising the split layout;
	 * and writes nothing to the region when it does. */
	static const uint32_t bad[][2] = {
		{0, SZ},	  {3, SZ}, {6, SZ}, {UINT32_C(0x80000001), SZ},
		{UINT32_MAX, SZ}, {N, 0},  {N, 12}, {N, 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(spsc_ring_init(&prod, region, sizeof(region),
						SPSC_RING_PRODUCER,
						SPSC_RING_COMPACT, bad[i][0],
						bad[i][1]),
				 SPSC_RING_EINVAL);
	ck_assert_int_eq(
		spsc_ring_init(&prod, region, sizeof(region),
			       SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
			       SPSC_RING_MAX_SLOTS, SZ),
		SPSC_RING_EINVAL); /* valid geometry, region too small */
	ck_assert_int_eq(spsc_ring_init(&prod, region + 8, sizeof(region) - 8,
					SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
					N, SZ),
			 SPSC_RING_EINVAL);
	ck_assert_int_eq(spsc_ring_init(&prod, region, 192 + N * SZ - 1,
					SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
					N, SZ),
			 SPSC_RING_EINVAL);
	ck_assert_int_eq(spsc_ring_init(&prod, NULL, sizeof(region),
					SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
					N, SZ),
			 SPSC_RING_EINVAL);
	ck_assert_int_eq(spsc_ring_init(&cons, region, sizeof(region),
					SPSC_RING_CONSUMER, SPSC_RING_SPLIT, N,
					SZ),
			 SPSC_RING_EINVAL);
	for (size_t i = 0; i < sizeof(region); i++)
		ck_assert_uint_eq(region[i], 0);
	/* The exact size, and 1 slot, are fine; either side may init. */
	ck_assert_int_eq(spsc_ring_init(&cons, region, 192 + 1 * SZ,
					SPSC_RING_CONSUMER, SPSC_RING_COMPACT,
					1, SZ),
			 SPSC_RING_OK);
	ck_assert_uint_eq(spsc_ring_region_size(SPSC_RING_COMPACT, 3, SZ), 0);
}
END_TEST

START_TEST(attach_waits_for_magic)
{
	/* attach says EAGAIN until the magic is there, then takes the
	 * geometry from line 0 (not from its caller). */
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_EAGAIN);
	ck_assert_int_eq(spsc_ring_init(&prod, region, sizeof(region),
					SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
					8, 64),
			 SPSC_RING_OK);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_OK);
	ck_assert_uint_eq(spsc_ring_slot_count(&cons), 8);
	ck_assert_uint_eq(spsc_ring_slot_size(&cons), 64);
}
END_TEST

START_TEST(attach_rejects_bad_header)
{
	/* attach refuses another version, a geometry or offsets the peer
	 * corrupted, and a ring larger than its own view of the region. */
	open_pair();
	set_shared_word(4, SPSC_RING_VERSION + 1);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_EVERSION);
	set_shared_word(4, SPSC_RING_VERSION);
	set_shared_word(8, 3);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_EINVAL);
	set_shared_word(8, N);
	set_shared_word(20, 256); /* slots somewhere else */
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_EINVAL);
	set_shared_word(20, 192);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, 192 + N * SZ - 8,
					  SPSC_RING_CONSUMER),
			 SPSC_RING_EINVAL);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, 192 + N * SZ,
					  SPSC_RING_CONSUMER),
			 SPSC_RING_OK);
}
END_TEST

START_TEST(empty_and_full)
{
	/* A new ring is empty; after N commits it is full, reserve and
	 * commit fail, and releasing one slot makes exactly one free. */
	open_pair();
	ck_assert_ptr_null(spsc_ring_peek(&cons));
	ck_assert(!spsc_ring_release(&cons));
	ck_assert_uint_eq(spsc_ring_used_count(&cons), 0);
	ck_assert_uint_eq(spsc_ring_free_count(&prod), N);
	for (uint32_t i = 0; i < N; i++) {
		ck_assert_uint_eq(spsc_ring_used_count(&prod), i);
		push_u32(100 + i);
	}
	ck_assert_uint_eq(spsc_ring_used_count(&cons), N);
	ck_assert_uint_eq(spsc_ring_free_count(&prod), 0);
	ck_assert_ptr_null(spsc_ring_reserve(&prod));
	ck_assert(!spsc_ring_commit(&prod));
	uint32_t v = 0;
	ck_assert(!spsc_ring_push(&prod, &v, sizeof(v)));
	ck_assert_uint_eq(pop_u32(), 100);
	ck_assert_uint_eq(spsc_ring_free_count(&prod), 1);
	push_u32(104);
	ck_assert_ptr_null(spsc_ring_reserve(&prod));
	for (uint32_t i = 1; i <= N; i++)
		ck_assert_uint_eq(pop_u32(), 100 + i);
	ck_assert_ptr_null(spsc_ring_peek(&cons));
	ck_assert(!spsc_ring_pop(&cons, &v, sizeof(v)));
	ck_assert_uint_eq(spsc_ring_used_count(&prod), 0);
}
END_TEST

START_TEST(zero_copy_in_place)
{
	/* reserve hands out the same slot until commit and the consumer
	 * sees nothing before it; peek returns that very slot (no copy)
	 * until release. */
	open_pair();
	uint8_t *w = spsc_ring_reserve(&prod);
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_eq(spsc_ring_reserve(&prod), w);
	memset(w, 0xab, SZ);
	ck_assert_ptr_null(spsc_ring_peek(&cons));
	ck_assert_uint_eq(spsc_ring_used_count(&cons), 0);
	ck_assert(spsc_ring_commit(&prod));
	const uint8_t *rd = spsc_ring_peek(&cons);
	ck_assert_ptr_eq(rd, w);
	ck_assert_ptr_eq(spsc_ring_peek(&cons), rd);
	ck_assert_uint_eq(rd[SZ - 1], 0xab);
	ck_assert_ptr_ne(spsc_ring_reserve(&prod), w);
	ck_assert(spsc_ring_release(&cons));
	ck_assert_ptr_null(spsc_ring_peek(&cons));
	ck_assert(!spsc_ring_release(&cons));
}
END_TEST

START_TEST(roles_are_enforced)
{
	/* Producer calls fail on a consumer handle and vice versa. */
	open_pair();
	uint32_t v = 1;
	ck_assert_ptr_null(spsc_ring_reserve(&cons));
	ck_assert(!spsc_ring_commit(&cons));
	ck_assert(!spsc_ring_push(&cons, &v, sizeof(v)));
	push_u32(5);
	ck_assert_ptr_null(spsc_ring_peek(&prod));
	ck_assert(!spsc_ring_release(&prod));
	ck_assert(!spsc_ring_pop(&prod, &v, sizeof(v)));
	ck_assert_uint_eq(pop_u32(), 5);
}
END_TEST

START_TEST(wraps_near_uint32_max)
{
	/* Free-running indexes wrap past UINT32_MAX without losing full,
	 * empty, counts or order: init starts at the consumer's index. */
	set_shared_word(128, UINT32_MAX - 5);
	open_pair();
	ck_assert_uint_eq(shared_word(64), UINT32_MAX - 5);
	uint32_t next_in = 0, next_out = 0;
	for (int round = 0; round < 6; round++) {
		while (spsc_ring_free_count(&prod) > 0)
			push_u32(next_in++);
		ck_assert_ptr_null(spsc_ring_reserve(&prod));
		ck_assert_uint_eq(spsc_ring_used_count(&cons), N);
		/* Drain all but one so the indexes are never equal-aligned. */
		for (uint32_t i = 0; i + 1 < N; i++)
			ck_assert_uint_eq(pop_u32(), next_out++);
		ck_assert_uint_eq(spsc_ring_used_count(&cons), 1);
	}
	ck_assert_uint_eq(pop_u32(), next_out++);
	ck_assert_ptr_null(spsc_ring_peek(&cons));
	ck_assert_uint_eq(next_out, next_in);
	/* UINT32_MAX - 5 + 19 messages: the producer index wrapped. */
	ck_assert_uint_eq(shared_word(64), 13);
	ck_assert_uint_eq(shared_word(128), 13);
	ck_assert_uint_eq(shared_word(64),
			  (uint32_t)(UINT32_MAX - 5 + next_in));
}
END_TEST

START_TEST(copy_wrappers)
{
	/* push/pop copy up to slot_size bytes, aligned or not, and refuse
	 * longer messages without side effects. */
	open_pair();
	uint8_t big[SZ + 1], out[SZ + 1];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i + 1);
	ck_assert(!spsc_ring_push(&prod, big, SZ + 1));
	ck_assert_uint_eq(spsc_ring_used_count(&prod), 0);
	ck_assert(spsc_ring_push(&prod, big, SZ));    /* 8-byte path */
	ck_assert(spsc_ring_push(&prod, big + 1, 5)); /* byte path */
	ck_assert(!spsc_ring_pop(&cons, out, SZ + 1));
	ck_assert_uint_eq(spsc_ring_used_count(&cons), 2);
	memset(out, 0, sizeof(out));
	ck_assert(spsc_ring_pop(&cons, out, SZ));
	ck_assert_mem_eq(out, big, SZ);
	memset(out, 0, sizeof(out));
	ck_assert(spsc_ring_pop(&cons, out + 3, 5));
	ck_assert_mem_eq(out + 3, big + 1, 5);
	ck_assert_uint_eq(out[2], 0);
	ck_assert_uint_eq(out[8], 0);
}
END_TEST

START_TEST(producer_doorbell_on_empty_to_nonempty)
{
	/* The producer must ring exactly when the consumer may have seen
	 * the ring empty within what was published since the last check. */
	open_pair();
	ck_assert(!spsc_ring_needs_doorbell(&prod)); /* nothing published */
	push_u32(0);
	ck_assert(spsc_ring_needs_doorbell(&prod));  /* empty -> 1 */
	ck_assert(!spsc_ring_needs_doorbell(&prod)); /* nothing new */
	push_u32(1);
	ck_assert(!spsc_ring_needs_doorbell(&prod)); /* 1 -> 2: awake */
	(void)pop_u32();
	push_u32(2);
	ck_assert(!spsc_ring_needs_doorbell(&prod)); /* consumer not empty */
	(void)pop_u32();
	(void)pop_u32();
	push_u32(3);
	push_u32(4);
	ck_assert(spsc_ring_needs_doorbell(&prod)); /* batch after drain */
	/* The consumer drained part of a batch and may sleep mid-batch. */
	(void)pop_u32();
	push_u32(5);
	(void)pop_u32();
	(void)pop_u32();
	push_u32(6);
	ck_assert(spsc_ring_needs_doorbell(&prod));
}
END_TEST

START_TEST(consumer_doorbell_on_full_to_notfull)
{
	/* The consumer must ring exactly when the producer may have seen the
	 * ring full within what was released since the last check. */
	open_pair();
	push_u32(0);
	(void)pop_u32();
	ck_assert(!spsc_ring_needs_doorbell(&cons)); /* was never full */
	for (uint32_t i = 0; i < N; i++)
		push_u32(i);
	(void)pop_u32();
	ck_assert(spsc_ring_needs_doorbell(&cons)); /* full -> N-1 */
	ck_assert(!spsc_ring_needs_doorbell(&cons));
	(void)pop_u32();
	ck_assert(!spsc_ring_needs_doorbell(&cons)); /* N-1 -> N-2 */
	push_u32(9);
	push_u32(9); /* full again */
	(void)pop_u32();
	(void)pop_u32();
	ck_assert(spsc_ring_needs_doorbell(&cons));
}
END_TEST

START_TEST(can_sleep_rechecks)
{
	/* can_sleep is true only while the ring is still empty (consumer) or
	 * still full (producer) when re-read. */
	open_pair();
	ck_assert(spsc_ring_can_sleep(&cons));
	ck_assert(!spsc_ring_can_sleep(&prod));
	push_u32(1);
	ck_assert(!spsc_ring_can_sleep(&cons));
	for (uint32_t i = 1; i < N; i++)
		push_u32(1);
	ck_assert(spsc_ring_can_sleep(&prod));
	(void)pop_u32();
	ck_assert(!spsc_ring_can_sleep(&prod));
}
END_TEST

START_TEST(hostile_peer_stays_in_bounds)
{
	/* Whatever index the peer stores, counts stay within 0..N and every
	 * slot pointer stays inside the slot area. */
	open_pair();
	set_shared_word(64, 1000); /* producer claims 1000 messages */
	ck_assert_uint_eq(spsc_ring_used_count(&cons), N);
	for (int i = 0; i < 3 * (int)N; i++) {
		const uint8_t *p = spsc_ring_peek(&cons);
		ck_assert_ptr_nonnull(p);
		ck_assert(p >= region + 192 && p + SZ <= region + 192 + N * SZ);
		ck_assert(spsc_ring_release(&cons));
	}
	set_shared_word(128, 77); /* consumer claims to be ahead */
	ck_assert_uint_eq(spsc_ring_free_count(&prod), 0);
	for (int i = 0; i < 3 * (int)N; i++) {
		uint8_t *p = spsc_ring_reserve(&prod);
		if (p == NULL)
			break;
		ck_assert(p >= region + 192 && p + SZ <= region + 192 + N * SZ);
		ck_assert(spsc_ring_commit(&prod));
	}
}
END_TEST

/* --- two threads ------------------------------------------------------ */

#define STRESS_MESSAGES 1000000u	 /* polling */
#define STRESS_DOORBELL_MESSAGES 250000u /* ~25 us per sleep on Linux */
#define STRESS_LIMIT_S 20.0 /* a hang fails instead of timing out */

/* One 64-byte slot: sequence number, payload derived from it, checksum. */
struct msg {
	uint64_t seq;
	uint64_t payload[6];
	uint64_t checksum;
};

_Static_assert(sizeof(struct msg) == 64, "one message fills a slot");

static void msg_fill(struct msg *m, uint64_t seq)
{
	uint64_t sum = seq;

	m->seq = seq;
	for (unsigned int i = 0; i < 6; i++) {
		m->payload[i] = seq * UINT64_C(0x9e3779b97f4a7c15) + i;
		sum = (sum << 7 | sum >> 57) ^ m->payload[i];
	}
	m->checksum = sum;
}

static bool msg_ok(const struct msg *m, uint64_t seq)
{
	struct msg want;

	msg_fill(&want, seq);
	return memcmp(m, &want, sizeof(want)) == 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A doorbell the way a GIC delivers one to a WFI: latched as pending until
 * the sleeper takes it, so one rung before the sleep still wakes it. */
struct doorbell {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pending;
	unsigned long rung, sleeps, timeouts;
};

static void doorbell_ring(struct doorbell *d)
{
	pthread_mutex_lock(&d->lock);
	d->pending = true;
	d->rung++;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* WFI: waits for the doorbell; a 2 s wait without one is a lost wakeup
 * (counted, then carries on so the test ends and reports it). */
static void doorbell_wait(struct doorbell *d)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&d->lock);
	d->sleeps++;
	while (!d->pending) {
		if (pthread_cond_timedwait(&d->cond, &d->lock, &until) != 0) {
			d->timeouts++;
			break;
		}
	}
	d->pending = false;
	pthread_mutex_unlock(&d->lock);
}

struct stress {
	struct spsc_ring *r;
	uint64_t total;
	bool sleep; /* wait on doorbells instead of spinning */
	struct doorbell *mine, *peers;
	uint64_t done;	/* messages this side handled */
	uint64_t bad;	/* consumer: first bad sequence + 1, 0 when none */
	bool timed_out; /* ran past STRESS_LIMIT_S */
};

static void stress_idle(struct stress *s, double start, unsigned long *spins)
{
	++*spins;
	if (s->sleep) {
		/* Ring for everything published so far before sleeping, or
		 * both sides could wait for each other. */
		if (spsc_ring_needs_doorbell(s->r))
			doorbell_ring(s->peers);
		if (spsc_ring_can_sleep(s->r))
			doorbell_wait(s->mine);
	} else if (*spins % 1024 == 0) {
		sched_yield(); /* two cores, other tests running */
	}
	if (*spins % 4096 == 0 && now_s() - start > STRESS_LIMIT_S)
		s->timed_out = true;
}

static void *stress_producer(void *arg)
{
	struct stress *s = arg;
	double start = now_s();
	unsigned long spins = 0;

	while (s->done < s->total && !s->timed_out) {
		bool ok;

		if (s->done % 2 == 0) { /* zero-copy half */
			struct msg *m = spsc_ring_reserve(s->r);
			ok = m != NULL;
			if (ok) {
				msg_fill(m, s->done);
				ok = spsc_ring_commit(s->r);
			}
		} else { /* copy-in half */
			struct msg m;
			msg_fill(&m, s->done);
			ok = spsc_ring_push(s->r, &m, sizeof(m));
		}
		if (!ok) {
			stress_idle(s, start, &spins);
			continue;
		}
		s->done++;
		/* Batches of 4 between doorbell checks, and at the end. */
		if (s->sleep && (s->done % 4 == 0 || s->done == s->total) &&
		    spsc_ring_needs_doorbell(s->r))
			doorbell_ring(s->peers);
	}
	return NULL;
}

static void *stress_consumer(void *arg)
{
	struct stress *s = arg;
	double start = now_s();
	unsigned long spins = 0;

	while (s->done < s->total && !s->timed_out) {
		bool ok;

		if (s->done % 2 == 0) { /* zero-copy half */
			const struct msg *m = spsc_ring_peek(s->r);
			ok = m != NULL;
			if (ok) {
				if (!msg_ok(m, s->done) && s->bad == 0)
					s->bad = s->done + 1;
				ok = spsc_ring_release(s->r);
			}
		} else { /* copy-out half */
			struct msg m;
			ok = spsc_ring_pop(s->r, &m, sizeof(m));
			if (ok && !msg_ok(&m, s->done) && s->bad == 0)
				s->bad = s->done + 1;
		}
		if (!ok) {
			stress_idle(s, start, &spins);
			continue;
		}
		s->done++;
		if (s->sleep && s->done % 4 == 0 &&
		    spsc_ring_needs_doorbell(s->r))
			doorbell_ring(s->peers);
	}
	return NULL;
}

/* Runs `total` messages through a slot_count x 64 ring on two threads. */
static void stress_run(uint32_t total, uint32_t slot_count, bool sleep,
		       const char *name)
{
	struct doorbell bells[2] = {
		{PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0,
		 0, 0},
		{PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0,
		 0, 0},
	};
	struct stress ps = {&prod,     total, sleep, &bells[0],
			    &bells[1], 0,     0,     false};
	struct stress cs = {&cons,     total, sleep, &bells[1],
			    &bells[0], 0,     0,     false};
	pthread_t pt, ct;

	ck_assert_int_eq(spsc_ring_init(&cons, region, sizeof(region),
					SPSC_RING_CONSUMER, SPSC_RING_COMPACT,
					slot_count, sizeof(struct msg)),
			 SPSC_RING_OK);
	ck_assert_int_eq(spsc_ring_attach(&prod, region, sizeof(region),
					  SPSC_RING_PRODUCER),
			 SPSC_RING_OK);
	double t0 = now_s();
	ck_assert_int_eq(pthread_create(&ct, NULL, stress_consumer, &cs), 0);
	ck_assert_int_eq(pthread_create(&pt, NULL, stress_producer, &ps), 0);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	ck_assert_int_eq(pthread_join(ct, NULL), 0);
	double dt = now_s() - t0;

	fprintf(stderr,
		"ring %s: %u messages x 64 B, %u slots, %.3f s, %.0f "
		"messages/s; "
		"doorbells %lu to consumer, %lu to producer, sleeps %lu+%lu, "
		"lost wakeups %lu\n",
		name, total, slot_count, dt, (double)total / dt, bells[1].rung,
		bells[0].rung, bells[1].sleeps, bells[0].sleeps,
		bells[0].timeouts + bells[1].timeouts);
	ck_assert(!ps.timed_out && !cs.timed_out);
	ck_assert_uint_eq(ps.done, total);
	ck_assert_uint_eq(cs.done, total);
	ck_assert_uint_eq(cs.bad, 0);
	ck_assert_uint_eq(bells[0].timeouts + bells[1].timeouts, 0);
	ck_assert_ptr_null(spsc_ring_peek(&cons));
}

/*
 * The doorbell handshake as a store-buffering litmus test: both threads
 * start each round together from a ring holding one message; the producer
 * pushes one and asks needs_doorbell, the consumer pops one and asks
 * can_sleep. "No doorbell" together with "can sleep" is a lost wakeup.
 */
#define LITMUS_ROUNDS 200000u

struct litmus {
	struct spsc_ring *r;
	uint32_t arrived; /* rounds this thread reached the barrier */
	const uint32_t *other;
	bool *answers; /* per round: needs_doorbell / can_sleep */
	bool timed_out;
};

static void litmus_barrier(struct litmus *l, double start)
{
	uint32_t round = ++l->arrived;

	__atomic_store_n(&l->arrived, round, __ATOMIC_RELEASE);
	for (unsigned long spins = 1;
	     __atomic_load_n(l->other, __ATOMIC_ACQUIRE) < round; spins++) {
		/* The other thread may not be running at all (two cores,
		 * other tests in parallel): let it, or every round costs a
		 * whole time slice and the test times out. */
		if (spins % 256 == 0)
			sched_yield();
		if (spins % 4096 == 0 && now_s() - start > STRESS_LIMIT_S) {
			l->timed_out = true;
			return;
		}
	}
}

static void *litmus_thread(void *arg)
{
	struct litmus *l = arg;
	double start = now_s();
	uint64_t v = 0;

	for (uint32_t i = 0; i < LITMUS_ROUNDS && !l->timed_out; i++) {
		litmus_barrier(l, start);
		if (spsc_ring_slot_count(l->r) == 0)
			break;
		if (l->r->producer) {
			if (!spsc_ring_push(l->r, &v, sizeof(v)))
				l->timed_out = true; /* cannot happen: 2 slots */
			l->answers[i] = spsc_ring_needs_doorbell(l->r);
		} else {
			if (!spsc_ring_pop(l->r, &v, sizeof(v)))
				l->timed_out = true; /* one message was there */
			l->answers[i] = spsc_ring_can_sleep(l->r);
		}
		litmus_barrier(l, start);
	}
	return NULL;
}

START_TEST(doorbell_handshake_litmus)
{
	/* In 200,000 racing rounds the producer never skips the doorbell
	 * while the consumer decides it can sleep (the full barriers order
	 * each side's index store before its load of the other's). */
	static bool rang[LITMUS_ROUNDS], slept[LITMUS_ROUNDS];
	struct litmus pl = {&prod, 0, NULL, rang, false};
	struct litmus cl = {&cons, 0, NULL, slept, false};
	pthread_t pt, ct;
	uint64_t v = 0;
	unsigned long lost = 0, rings = 0, sleeps = 0;

	pl.other = &cl.arrived;
	cl.other = &pl.arrived;
	ck_assert_int_eq(spsc_ring_init(&prod, region, sizeof(region),
					SPSC_RING_PRODUCER, SPSC_RING_COMPACT,
					2, 8),
			 SPSC_RING_OK);
	ck_assert_int_eq(spsc_ring_attach(&cons, region, sizeof(region),
					  SPSC_RING_CONSUMER),
			 SPSC_RING_OK);
	ck_assert(spsc_ring_push(&prod, &v, sizeof(v)));
	ck_assert(spsc_ring_needs_doorbell(&prod));
	ck_assert_int_eq(pthread_create(&ct, NULL, litmus_thread, &cl), 0);
	ck_assert_int_eq(pthread_create(&pt, NULL, litmus_thread, &pl), 0);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	ck_assert_int_eq(pthread_join(ct, NULL), 0);
	ck_assert(!pl.timed_out && !cl.timed_out);
	for (uint32_t i = 0; i < LITMUS_ROUNDS; i++) {
		rings += rang[i];
		sleeps += slept[i];
		lost += !rang[i] && slept[i];
	}
	fprintf(stderr,
		"ring litmus: %u rounds, doorbells %lu, consumer could sleep "
		"%lu, lost wakeups %lu\n",
		LITMUS_ROUNDS, rings, sleeps, lost);
	ck_assert_uint_eq(lost, 0);
}
END_TEST

START_TEST(stress_polling)
{
	/* Two threads spinning on a 256-slot ring deliver 1,000,000 messages
	 * in order and intact, mixing zero-copy and copy calls. */
	stress_run(STRESS_MESSAGES, 256, false, "polling");
}
END_TEST

START_TEST(stress_doorbell)
{
	/* 250,000 messages through an 8-slot ring where both sides sleep on a
	 * latched doorbell whenever they cannot proceed: none is ever lost. */
	stress_run(STRESS_DOORBELL_MESSAGES, 8, true, "doorbell");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("semantics");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, layout_is_fixed);
	tcase_add_test(tc, init_rejects_bad_geometry);
	tcase_add_test(tc, attach_waits_for_magic);
	tcase_add_test(tc, attach_rejects_bad_header);
	tcase_add_test(tc, empty_and_full);
	tcase_add_test(tc, zero_copy_in_place);
	tcase_add_test(tc, roles_are_enforced);
	tcase_add_test(tc, wraps_near_uint32_max);
	tcase_add_test(tc, copy_wrappers);
	tcase_add_test(tc, producer_doorbell_on_empty_to_nonempty);
	tcase_add_test(tc, consumer_doorbell_on_full_to_notfull);
	tcase_add_test(tc, can_sleep_rechecks);
	tcase_add_test(tc, hostile_peer_stays_in_bounds);
	suite_add_tcase(s, tc);

	TCase *st = tcase_create("stress");
	tcase_add_checked_fixture(st, setup, NULL);
	tcase_set_timeout(st, 50);
	tcase_add_test(st, stress_polling);
	tcase_add_test(st, stress_doorbell);
	tcase_add_test(st, doorbell_handshake_litmus);
	suite_add_tcase(s, st);
	return check_run(s);
}
