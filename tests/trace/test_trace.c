/* SPDX-License-Identifier: MIT */
/*
 * Trace format library tests (hal/trace): the writer's output read back
 * event for event; every truncation and single-byte corruption detected
 * without a crash; the version error; malformed blocks with valid
 * checksums; the file writer.
 *
 *   test_trace                       run the tests (exit 0 / 1)
 *   test_trace --write-samples DIR   write the traces tests/trace/
 *                                    test_hvtrace.py runs hvtrace on
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_io.h"

static unsigned failures;

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #c);                                 \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Checks and stops the current test (returns from it) on failure. */
#define REQUIRE(c)                                                     \
	do {                                                           \
		if (!(c)) {                                            \
			fprintf(stderr, "%s:%d: REQUIRE(%s) failed\n", \
				__FILE__, __LINE__, #c);               \
			failures++;                                    \
			return;                                        \
		}                                                      \
	} while (0)

/* ---------------------------------------------------------------------- */
/* A growing memory sink for the writer. */

struct buf {
	uint8_t *p;
	size_t len, cap;
	unsigned emits;
};

static void buf_emit(void *ctx, const void *data, size_t len)
{
	struct buf *b = ctx;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->emits++;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* xorshift64: deterministic pseudo-random numbers. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* ---------------------------------------------------------------------- */
/* Header used by the tests. */

static uint8_t config_blob[37];
static uint8_t image_a[1000];
static uint8_t image_b[8];
static struct trace_image_info images[3];

static struct trace_header_info test_header(void)
{
	for (size_t i = 0; i < sizeof(config_blob); i++)
		config_blob[i] = (uint8_t)(0xd0 + i);
	for (size_t i = 0; i < sizeof(image_a); i++)
		image_a[i] = (uint8_t)(i * 7u);
	memcpy(image_b, "\x14\0\0\x94\x00\x00\x00\x00", 8);
	images[0] = (struct trace_image_info){"hello.bin", image_a,
					      sizeof(image_a), 0};
	images[1] = (struct trace_image_info){"tiny.bin", image_b,
					      sizeof(image_b), 0};
	images[2] = (struct trace_image_info){"linux/Image", NULL, 12345678,
					      0x1122334455667788u};
	return (struct trace_header_info){
		.hv_version = 0x0001,
		.hal = TRACE_HAL_SIM,
		.flags = 0,
		.quantum = 100000,
		.config = config_blob,
		.config_size = sizeof(config_blob),
		.image_count = 3,
		.images = images,
	};
}

/* ---------------------------------------------------------------------- */
/* The expected events: what the writer was asked to record, as the
 * reader must return it (byte events already split). */

#define MAX_EXPECT 20000u

static struct trace_ev expect[MAX_EXPECT];
static size_t nexpect;

static void expect_ev(unsigned type, unsigned pcpu, const uint64_t *args,
		      unsigned nargs)
{
	struct trace_ev *e = &expect[nexpect];

	if (nexpect >= MAX_EXPECT) {
		fprintf(stderr, "MAX_EXPECT too small\n");
		exit(1);
	}
	memset(e, 0, sizeof(*e));
	e->type = (uint8_t)type;
	e->pcpu = (uint8_t)pcpu;
	e->nargs = (uint16_t)nargs;
	e->seq = nexpect;
	memcpy(e->args, args, nargs * sizeof(uint64_t));
	nexpect++;
}

static void put(struct trace_writer *w, unsigned type, unsigned pcpu,
		const uint64_t *args, unsigned nargs)
{
	trace_put(w, type, pcpu, args, nargs);
	expect_ev(type, pcpu, args, nargs);
}

/* A byte event, and what it becomes: pieces of at most 8 * (64 - nlead -
 * 1) bytes, the pa advanced for TRACE_MEM. */
static void put_bytes(struct trace_writer *w, unsigned type, unsigned pcpu,
		      const uint64_t *lead, unsigned nlead, const uint8_t *b,
		      size_t len)
{
	size_t max = 8u * (TRACE_MAX_ARGS - nlead - 1u), done = 0;

	trace_put_bytes(w, type, pcpu, lead, nlead, b, len);
	do {
		size_t n = len - done < max ? len - done : max;
		uint64_t args[TRACE_MAX_ARGS] = {0};
		unsigned k = 0;

		for (unsigned i = 0; i < nlead; i++)
			args[k++] = lead[i] + (i == 0 && type == TRACE_MEM
						       ? (uint64_t)done
						       : 0);
		args[k++] = n;
		for (size_t i = 0; i < n; i++)
			args[k + i / 8] |= (uint64_t)b[done + i]
					   << (8 * (i % 8));
		k += (unsigned)((n + 7) / 8);
		expect_ev(type, pcpu, args, k);
		done += n;
	} while (done < len);
}

/* Fixed-size events of every type, byte events of assorted lengths,
 * pCPUs 0..3 and none. */
static void write_all_types(struct trace_writer *w, unsigned rounds)
{
	static const size_t lens[] = {0,   1,	7,    8,    9,	 15,
				      16,  100, 495,  496,  497, 503,
				      504, 505, 1000, 1008, 4096};
	static uint8_t bytes[4096 + 8];

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)rnd();
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned t = 1; t < TRACE_EVENT_MAX; t++) {
			unsigned pcpu = rnd_below(5);
			uint64_t args[TRACE_MAX_ARGS];
			int n = trace_event_nargs(t);

			if (pcpu == 4)
				pcpu = TRACE_PCPU_NONE;
			for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
				args[i] = rnd() >> rnd_below(64);
			if (n >= 0) {
				put(w, t, pcpu, args, (unsigned)n);
			} else {
				size_t len = lens[rnd_below(
					(unsigned)(sizeof(lens) /
						   sizeof(lens[0])))];
				unsigned nlead = (unsigned)
					trace_event_bytes_lead(t);

				put_bytes(w, t, pcpu, args, nlead,
					  bytes + rnd_below(8), len);
			}
		}
	}
}

/* Reads the whole trace in buf and compares it with expect[]. */
static void check_read_back(const struct buf *b, uint64_t blocks)
{
	char err[400];
	struct trace_reader *r = trace_open_mem(b->p, b->len, err, sizeof(err));
	struct trace_ev ev;
	size_t i = 0;
	int rc;

	if (r == NULL)
		fprintf(stderr, "open: %s\n", err);
	REQUIRE(r != NULL);
	while ((rc = trace_next(r, &ev)) == 1) {
		if (i >= nexpect) {
			CHECK(i < nexpect);
			break;
		}
		CHECK(ev.type == expect[i].type);
		CHECK(ev.pcpu == expect[i].pcpu);
		CHECK(ev.nargs == expect[i].nargs);
		CHECK(ev.seq == expect[i].seq);
		CHECK(memcmp(ev.args, expect[i].args,
			     ev.nargs * sizeof(uint64_t)) == 0);
		i++;
	}
	if (rc != 0)
		fprintf(stderr, "read: %s\n", trace_error(r));
	CHECK(rc == 0);
	CHECK(i == nexpect);
	CHECK(trace_events_read(r) == nexpect);
	CHECK(trace_blocks_read(r) == blocks);
	CHECK(trace_bytes_read(r) == b->len);
	CHECK(trace_next(r, &ev) == 0);
	trace_close(r);
}

/* A trace of every event type, block buffer `cap`, into *b. */
static void make_trace(struct buf *b, size_t cap, unsigned rounds,
		       struct trace_writer *w)
{
	struct trace_header_info h = test_header();
	uint8_t *block = malloc(cap);

	memset(b, 0, sizeof(*b));
	nexpect = 0;
	rng_state = 0x9e3779b97f4a7c15u;
	trace_header_emit(&h, buf_emit, b);
	trace_writer_init(w, block, cap, buf_emit, b);
	write_all_types(w, rounds);
	trace_writer_flush(w);
	free(block);
}

/* ---------------------------------------------------------------------- */
/* Tests */

static void test_checksums(void)
{
	CHECK(trace_crc32(0, "123456789", 9) == 0xcbf43926u);
	CHECK(trace_crc32(0, "", 0) == 0);
	/* incremental = one go */
	CHECK(trace_crc32(trace_crc32(0, "1234", 4), "56789", 5) ==
	      0xcbf43926u);
	/* Every length and alignment against a bit-at-a-time CRC-32: the
	 * tables and (on x86-64 with PCLMULQDQ) the folding path, which
	 * takes 64 bytes and more, 16 at a time. */
	static uint8_t buf[1100];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	for (size_t len = 0; len <= 1024; len += len < 200 ? 1 : 61) {
		for (size_t off = 0; off < 8; off += 3) {
			uint32_t seed = (uint32_t)rnd(), ref = ~seed;
			for (size_t i = 0; i < len; i++) {
				ref ^= buf[off + i];
				for (int k = 0; k < 8; k++)
					ref = (ref >> 1) ^
					      (0xedb88320u & (0u - (ref & 1u)));
			}
			CHECK(trace_crc32(seed, buf + off, len) == ~ref);
		}
	}
	CHECK(trace_fnv1a(TRACE_FNV_INIT, "", 0) == TRACE_FNV_INIT);
	CHECK(trace_fnv1a(TRACE_FNV_INIT, "a", 1) == 0xaf63dc4c8601ec8cu);
	CHECK(trace_fnv1a(TRACE_FNV_INIT, "foobar", 6) == 0x85944171f73967e8u);
}

static void test_names(void)
{
	CHECK(strcmp(trace_event_name(0), "?") == 0);
	CHECK(strcmp(trace_event_name(TRACE_EVENT_MAX), "?") == 0);
	CHECK(strcmp(trace_event_name(1000), "?") == 0);
	CHECK(strcmp(trace_event_name(TRACE_EXIT), "exit") == 0);
	CHECK(strcmp(trace_event_name(TRACE_REG_READ), "reg-read") == 0);
	for (unsigned t = 1; t < TRACE_EVENT_MAX; t++) {
		CHECK(strcmp(trace_event_name(t), "?") != 0);
		/* every type has a shape: fixed args or bytes */
		CHECK((trace_event_nargs(t) >= 0) !=
		      (trace_event_bytes_lead(t) >= 0));
		for (unsigned u = 1; u < t; u++)
			CHECK(strcmp(trace_event_name(t),
				     trace_event_name(u)) != 0);
	}
	CHECK(trace_event_nargs(TRACE_RUN) == 0);
	CHECK(trace_event_nargs(TRACE_RUN_EXIT) == 7);
	CHECK(trace_event_nargs(TRACE_EXIT) == 6);
	CHECK(trace_event_nargs(TRACE_REG_READ) == 2);
	CHECK(trace_event_nargs(TRACE_END) == 2);
	CHECK(trace_event_nargs(TRACE_PLATFORM) == 4);
	CHECK(trace_event_nargs(TRACE_CONSOLE) == -1);
	CHECK(trace_event_bytes_lead(TRACE_MEM) == 1);
	CHECK(trace_event_nargs(0) == -1 && trace_event_bytes_lead(0) == -1);
}

static void test_header_roundtrip(void)
{
	struct trace_header_info h = test_header();
	const struct trace_header_info *g;
	size_t size = trace_header_size(&h), n;
	uint8_t *out = malloc(size + 8);
	struct trace_reader *r;
	char err[400];

	/* 44 + 40 (37 padded) + 144 + 1000 + 144 + 8 + 144 + 0 */
	CHECK(size == 44 + 40 + 144 + 1000 + 144 + 8 + 144);
	CHECK(trace_header_encode(out, size - 1, &h) == 0);
	n = trace_header_encode(out, size + 8, &h);
	CHECK(n == size);
	CHECK(memcmp(out, "CVTRACE", 8) == 0);
	r = trace_open_mem(out, n, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "open: %s\n", err);
	REQUIRE(r != NULL);
	g = trace_header(r);
	CHECK(g->version == TRACE_VERSION);
	CHECK(g->hv_version == 1 && g->hal == TRACE_HAL_SIM && g->flags == 0);
	CHECK(g->quantum == 100000);
	CHECK(g->config_size == sizeof(config_blob));
	CHECK(memcmp(g->config, config_blob, sizeof(config_blob)) == 0);
	CHECK(g->config_hash ==
	      trace_fnv1a(TRACE_FNV_INIT, config_blob, sizeof(config_blob)));
	REQUIRE(g->image_count == 3);
	CHECK(strcmp(g->images[0].name, "hello.bin") == 0);
	CHECK(g->images[0].size == sizeof(image_a));
	CHECK(memcmp(g->images[0].data, image_a, sizeof(image_a)) == 0);
	CHECK(g->images[0].hash ==
	      trace_fnv1a(TRACE_FNV_INIT, image_a, sizeof(image_a)));
	CHECK(strcmp(g->images[1].name, "tiny.bin") == 0);
	CHECK(g->images[1].size == 8);
	CHECK(strcmp(g->images[2].name, "linux/Image") == 0);
	CHECK(g->images[2].data == NULL && g->images[2].size == 0);
	CHECK(g->images[2].hash == 0x1122334455667788u);
	CHECK(trace_next(r, &(struct trace_ev){0}) == 0);
	trace_close(r);

	/* no config, no images; long names cut to 127 bytes */
	{
		char longname[300];
		struct trace_image_info im = {longname, "x", 1, 0};
		struct trace_header_info e = {.hal = TRACE_HAL_BAREMETAL,
					      .image_count = 1,
					      .images = &im};

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		n = trace_header_encode(out, size, &e);
		CHECK(n == 44 + 144 + 8);
		r = trace_open_mem(out, n, err, sizeof(err));
		REQUIRE(r != NULL);
		CHECK(trace_header(r)->config_size == 0);
		CHECK(trace_header(r)->config_hash == TRACE_FNV_INIT);
		CHECK(strlen(trace_header(r)->images[0].name) == 127);
		trace_close(r);
	}
	free(out);
}

static void test_roundtrip(void)
{
	static const size_t caps[] = {TRACE_BLOCK_MIN,
				      1024,
				      4096,
				      65536,
				      TRACE_BLOCK_HDR_SIZE +
					      TRACE_BLOCK_MAX_PAYLOAD,
				      4u << 20};

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct trace_writer w;
		struct buf b;

		make_trace(&b, caps[c], 40, &w);
		CHECK(w.dropped == 0);
		CHECK(w.seq == nexpect);
		if (caps[c] <= 65536)
			CHECK(w.blocks > 1);
		/* blocks emitted in one call each (after the header parts) */
		check_read_back(&b, w.blocks);
		buf_free(&b);
	}
}

/* The byte events: split into pieces and reassembled. */
static void test_bytes(void)
{
	static uint8_t data[3000], got[8 * TRACE_MAX_ARGS];
	struct trace_header_info h = {.hal = TRACE_HAL_SIM};
	uint8_t block[TRACE_BLOCK_MIN];
	struct trace_writer w;
	struct trace_reader *r;
	struct trace_ev ev;
	struct buf b = {0};
	uint64_t pa = 0x80001000u, next_pa = pa;
	size_t total = 0, n;
	char err[400];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	trace_header_emit(&h, buf_emit, &b);
	trace_writer_init(&w, block, sizeof(block), buf_emit, &b);
	trace_put_bytes(&w, TRACE_MEM, 0, &pa, 1, data, sizeof(data));
	trace_put_bytes(&w, TRACE_CONSOLE, 1, NULL, 0, "hi\n", 3);
	trace_put_bytes(&w, TRACE_CONSOLE, 1, NULL, 0, "", 0);
	trace_writer_flush(&w);
	r = trace_open_mem(b.p, b.len, err, sizeof(err));
	REQUIRE(r != NULL);
	/* 3000 bytes: 6 pieces of 496 and one of 24 */
	for (unsigned k = 0; k < 7; k++) {
		REQUIRE(trace_next(r, &ev) == 1);
		CHECK(ev.type == TRACE_MEM);
		CHECK(ev.args[0] == next_pa);
		CHECK(trace_ev_bytes(&ev, got, sizeof(got), &n));
		CHECK(n == (k < 6 ? 496u : 24u));
		CHECK(memcmp(got, data + total, n) == 0);
		CHECK(!trace_ev_bytes(&ev, got, n - 1, &n));
		total += n;
		next_pa += n;
	}
	CHECK(total == sizeof(data));
	REQUIRE(trace_next(r, &ev) == 1);
	CHECK(ev.type == TRACE_CONSOLE && ev.pcpu == 1 && ev.nargs == 2);
	CHECK(trace_ev_bytes(&ev, got, sizeof(got), &n) && n == 3 &&
	      memcmp(got, "hi\n", 3) == 0);
	REQUIRE(trace_next(r, &ev) == 1);
	CHECK(ev.type == TRACE_CONSOLE && ev.nargs == 1 && ev.args[0] == 0);
	CHECK(trace_next(r, &ev) == 0);
	/* not a byte event */
	ev.type = TRACE_EXIT;
	CHECK(!trace_ev_bytes(&ev, got, sizeof(got), &n));
	trace_close(r);
	buf_free(&b);
}

static void test_writer_refuses(void)
{
	uint8_t block[TRACE_BLOCK_MIN], small[TRACE_BLOCK_MIN - 1];
	uint64_t args[TRACE_MAX_ARGS + 1] = {0};
	struct trace_writer w;
	struct buf b = {0};

	trace_writer_init(&w, block, sizeof(block), buf_emit, &b);
	trace_put(&w, 0, 0, args, 0);		/* type 0 */
	trace_put(&w, 256, 0, args, 0);		/* type too big */
	trace_put(&w, TRACE_RUN, 256, args, 0); /* pcpu too big */
	trace_put(&w, TRACE_MEM, 0, args, TRACE_MAX_ARGS + 1);
	trace_put_bytes(&w, TRACE_MEM, 0, args, TRACE_MAX_ARGS - 1, "x", 1);
	trace_put_bytes(&w, TRACE_MEM, 0, args, 0xffffffffu, "x", 1);
	CHECK(w.dropped == 6);
	CHECK(w.seq == 0 && w.count == 0);
	/* 62 lead args leave room for 8 bytes per event: 2 events of 64
	 * args, each filling the smallest block exactly */
	trace_put_bytes(&w, TRACE_MEM, 0, args, TRACE_MAX_ARGS - 2, "abcdefghi",
			9);
	CHECK(w.seq == 2 && w.blocks == 1 && w.count == 1);
	CHECK(w.len == TRACE_BLOCK_MIN);
	trace_put(&w, TRACE_RUN, 0, args, 0);
	CHECK(w.blocks == 2 && w.count == 1);
	trace_put(&w, TRACE_RUN, 0, args, 0);
	CHECK(w.blocks == 2 && w.count == 2 && w.dropped == 6);
	trace_writer_flush(&w);
	trace_writer_flush(&w); /* nothing more */
	CHECK(w.blocks == 3 && b.emits == 3 && w.count == 0);

	trace_writer_init(&w, small, sizeof(small), buf_emit, &b);
	trace_put(&w, TRACE_RUN, 0, args, 0);
	CHECK(w.dropped == 1 && w.cap == 0);
	trace_writer_flush(&w);
	CHECK(b.emits == 3);
	buf_free(&b);
}

/* Offsets of the blocks of the trace in b (header size hdr). */
static size_t block_offsets(const struct buf *b, size_t hdr, size_t *offs,
			    size_t max)
{
	size_t n = 0, off = hdr;

	while (off + TRACE_BLOCK_HDR_SIZE <= b->len && n < max) {
		uint32_t len;

		memcpy(&len, b->p + off + 4, 4); /* host is little-endian */
		offs[n++] = off;
		off += TRACE_BLOCK_HDR_SIZE + len;
	}
	return n;
}

/* Reads a whole trace: 1 if it read cleanly (*events set), 0 if it
 * failed at open or later (the message in err). */
static int read_all(const uint8_t *p, size_t len, uint64_t *events, char *err,
		    size_t errlen)
{
	struct trace_reader *r = trace_open_mem(p, len, err, errlen);
	struct trace_ev ev;
	int rc;

	if (r == NULL)
		return 0;
	while ((rc = trace_next(r, &ev)) == 1)
		;
	*events = trace_events_read(r);
	if (rc < 0)
		snprintf(err, errlen, "%s", trace_error(r));
	trace_close(r);
	return rc == 0;
}

static void test_truncation(void)
{
	struct trace_header_info h = test_header();
	size_t hdr = trace_header_size(&h), offs[64], nblocks, events_before;
	struct trace_writer w;
	struct buf b;
	char err[400];
	uint64_t events;

	make_trace(&b, 1024, 2, &w);
	nblocks = block_offsets(&b, hdr, offs, 64);
	printf("  truncation: %zu bytes, %zu blocks, %zu events: every cut\n",
	       b.len, nblocks, nexpect);
	REQUIRE(nblocks == w.blocks && nblocks > 3);
	for (size_t cut = 0; cut < b.len; cut++) {
		bool boundary = cut == hdr;
		int ok;

		for (size_t k = 0; k < nblocks; k++)
			boundary = boundary || cut == offs[k];
		ok = read_all(b.p, cut, &events, err, sizeof(err));
		CHECK(ok == boundary);
		if (!ok && strstr(err, "truncated") == NULL &&
		    strstr(err, "bad magic") == NULL &&
		    strstr(err, "empty file") == NULL) {
			fprintf(stderr, "cut %zu: %s\n", cut, err);
			CHECK(0);
		}
	}
	/* the message, exactly: block 2 cut 100 bytes into its payload */
	{
		uint32_t len;
		char want[200];

		memcpy(&len, b.p + offs[2] + 4, 4);
		CHECK(!read_all(b.p, offs[2] + TRACE_BLOCK_HDR_SIZE + 100,
				&events, err, sizeof(err)));
		snprintf(want, sizeof(want),
			 "trace truncated in block 2 at offset %zu: expected "
			 "%" PRIu32 " payload bytes, 100 left",
			 offs[2], len);
		CHECK(strcmp(err, want) == 0);
		if (strcmp(err, want) != 0)
			fprintf(stderr, "got  %s\nwant %s\n", err, want);
		/* events of blocks 0 and 1 were returned first */
		events_before = 0;
		for (size_t k = 0; k < 2; k++) {
			uint32_t c;

			memcpy(&c, b.p + offs[k] + 8, 4);
			events_before += c;
		}
		CHECK(events == events_before);
		CHECK(!read_all(b.p, offs[3] + 5, &events, err, sizeof(err)));
		snprintf(want, sizeof(want),
			 "trace truncated in block 3 at offset %zu: expected "
			 "16 block header bytes, 5 left",
			 offs[3]);
		CHECK(strcmp(err, want) == 0);
		CHECK(!read_all(b.p, 100, &events, err, sizeof(err)));
		CHECK(strcmp(err, "trace truncated in image 0 at offset 84: "
				  "expected 144 entry bytes, 16 left") == 0);
		CHECK(!read_all(b.p, 60, &events, err, sizeof(err)));
		CHECK(strcmp(err,
			     "trace truncated in the config blob at "
			     "offset 44: expected 40 bytes, 16 left") == 0);
	}
	buf_free(&b);
}

/* Byte ranges where a single-byte change cannot be seen by a version 1
 * reader: the text of image names (no checksum covers it; a change that
 * keeps it printable ASCII goes through) and the hash of an image that is
 * not embedded. */
static bool undetectable(size_t off, uint8_t was, uint8_t now)
{
	struct trace_header_info h = test_header();
	size_t pos = TRACE_HEADER_SIZE + 40;

	for (unsigned i = 0; i < h.image_count; i++) {
		size_t namelen = strlen(h.images[i].name);
		uint64_t size = h.images[i].data ? h.images[i].size : 0;

		/* the text and its NUL (a printable NUL lengthens it) */
		if (off >= pos && off <= pos + namelen && now >= 0x20 &&
		    now <= 0x7e && (was != 0 || off == pos + namelen))
			return true;
		if (size == 0 && off >= pos + 136 && off < pos + 144)
			return true;
		pos += TRACE_IMAGE_ENTRY_SIZE + ((size + 7) & ~(uint64_t)7);
	}
	return false;
}

static void test_corruption(void)
{
	static const uint8_t flips[] = {0x01, 0x80, 0xff, 0x20};
	struct trace_writer w;
	struct buf b;
	uint8_t *copy;
	char err[400];
	uint64_t events;
	unsigned missed = 0, exempt = 0;

	make_trace(&b, 1024, 2, &w);
	copy = malloc(b.len);
	REQUIRE(copy != NULL);
	for (size_t off = 0; off < b.len; off++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			uint8_t now = (uint8_t)(b.p[off] ^ flips[f]);

			memcpy(copy, b.p, b.len);
			copy[off] = now;
			if (!read_all(copy, b.len, &events, err, sizeof(err)))
				continue;
			if (undetectable(off, b.p[off], now)) {
				exempt++;
				continue;
			}
			if (missed++ < 10)
				fprintf(stderr,
					"byte %zu ^ 0x%02x not detected\n", off,
					flips[f]);
		}
	}
	CHECK(missed == 0);
	CHECK(exempt < 200);
	printf("  corruption: %zu bytes x %zu changes: %u exempt (image name "
	       "text, hash of "
	       "an image not embedded)\n",
	       b.len, sizeof(flips), exempt);
	/* the block messages name the block and its offset */
	{
		struct trace_header_info h = test_header();
		size_t offs[64], hdr = trace_header_size(&h);
		char want[200];

		block_offsets(&b, hdr, offs, 64);
		memcpy(copy, b.p, b.len);
		copy[offs[2] + TRACE_BLOCK_HDR_SIZE + 30] ^= 4;
		CHECK(!read_all(copy, b.len, &events, err, sizeof(err)));
		snprintf(want, sizeof(want),
			 "block 2 at offset %zu: checksum mismatch", offs[2]);
		CHECK(strcmp(err, want) == 0);
		memcpy(copy, b.p, b.len);
		copy[offs[1]] ^= 1;
		CHECK(!read_all(copy, b.len, &events, err, sizeof(err)));
		snprintf(want, sizeof(want),
			 "block 1 at offset %zu: bad block magic 0x4b4c4255",
			 offs[1]);
		CHECK(strcmp(err, want) == 0);
		memcpy(copy, b.p, b.len);
		copy[20] ^= 1;
		CHECK(!read_all(copy, b.len, &events, err, sizeof(err)));
		CHECK(strcmp(err, "header at offset 0: checksum mismatch") ==
		      0);
		memcpy(copy, b.p, b.len);
		copy[50] ^= 1;
		CHECK(!read_all(copy, b.len, &events, err, sizeof(err)));
		CHECK(strncmp(err, "config blob at offset 44: hash mismatch",
			      39) == 0);
	}
	free(copy);
	buf_free(&b);
}

/* Random damage (several bytes, runs, cuts) and random data after a valid
 * header: never a crash (run under ASan/UBSan to see it). */
static void test_random_damage(void)
{
	struct trace_writer w;
	struct buf b;
	uint8_t *copy;
	char err[400];
	uint64_t events;
	unsigned failed = 0;

	make_trace(&b, 2048, 2, &w);
	copy = malloc(b.len);
	REQUIRE(copy != NULL);
	rng_state = 12345;
	for (unsigned it = 0; it < 3000; it++) {
		size_t len = b.len;
		unsigned n = 1 + rnd_below(8);

		memcpy(copy, b.p, b.len);
		for (unsigned k = 0; k < n; k++) {
			size_t off = rnd_below((unsigned)len);

			if (rnd_below(4) == 0) {
				/* a run of random bytes */
				for (size_t j = off; j < len && j < off + 32;
				     j++)
					copy[j] = (uint8_t)rnd();
			} else {
				copy[off] = (uint8_t)rnd();
			}
		}
		if (rnd_below(3) == 0)
			len = rnd_below((unsigned)len);
		if (!read_all(copy, len, &events, err, sizeof(err))) {
			failed++;
			CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		}
	}
	CHECK(failed > 2500);
	/* garbage after a valid header, with plausible block headers */
	{
		struct trace_header_info h = test_header();
		size_t hdr = trace_header_size(&h);

		for (unsigned it = 0; it < 2000; it++) {
			size_t len = hdr + rnd_below((unsigned)(b.len - hdr));
			uint32_t v;

			memcpy(copy, b.p, hdr);
			for (size_t j = hdr; j < len; j++)
				copy[j] = (uint8_t)rnd();
			if (len >= hdr + 16) {
				v = TRACE_BLOCK_MAGIC;
				memcpy(copy + hdr, &v, 4);
				v = (uint32_t)rnd_below(3) == 0
					    ? (uint32_t)rnd()
					    : (uint32_t)rnd_below(
						      (unsigned)(len - hdr));
				memcpy(copy + hdr + 4, &v, 4);
			}
			CHECK(!read_all(copy, len, &events, err, sizeof(err)) ||
			      len == hdr);
		}
	}
	free(copy);
	buf_free(&b);
}

/* Patches the version of the header in p and fixes its checksum. */
static void set_version(uint8_t *p, uint16_t v)
{
	uint32_t crc;

	p[8] = (uint8_t)v;
	p[9] = (uint8_t)(v >> 8);
	crc = trace_crc32(0, p, 40);
	for (unsigned i = 0; i < 4; i++)
		p[40 + i] = (uint8_t)(crc >> (8 * i));
}

static void test_version(void)
{
	struct trace_writer w;
	struct buf b;
	char err[400];
	uint64_t events;

	make_trace(&b, 4096, 1, &w);
	set_version(b.p, 3);
	CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace format version 3, this hvtrace reads "
			  "versions 1 to 2") == 0);
	/* even without a valid checksum, and with the header cut short */
	b.p[40] ^= 0xff;
	CHECK(!read_all(b.p, 12, &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace format version 3, this hvtrace reads "
			  "versions 1 to 2") == 0);
	set_version(b.p, 0x100);
	CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace format version 256, this hvtrace reads "
			  "versions 1 to 2") == 0);
	set_version(b.p, 0);
	CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace format version 0, this hvtrace reads "
			  "versions 1 to 2") == 0);
	/* Version 1 is still read, but cannot hold the lock event this
	 * trace of every type has (test_lock_event_version). */
	set_version(b.p, 1);
	CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(strstr(err, "a lock event in a version-1 trace") != NULL);
	set_version(b.p, 2);
	CHECK(read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(!read_all((const uint8_t *)"CVTRACF", 8, &events, err,
			sizeof(err)));
	CHECK(strcmp(err, "not a Cellvisor trace (bad magic)") == 0);
	CHECK(!read_all((const uint8_t *)"", 0, &events, err, sizeof(err)));
	CHECK(strstr(err, "empty file") != NULL);
	buf_free(&b);
}

/* A version-1 trace (recorded before lock order) is still read; a lock
 * event (version 2) is read from a version-2 trace and refused in a
 * version-1 one, which cannot hold it. */
static void test_lock_event_version(void)
{
	static uint8_t block[4096];
	struct trace_writer w;
	struct buf b = {0};
	struct trace_header_info h = {0};
	char err[400];
	uint64_t events;

	h.hal = TRACE_HAL_BAREMETAL;
	trace_header_emit(&h, buf_emit, &b);
	trace_writer_init(&w, block, sizeof(block), buf_emit, &b);
	trace_put(&w, TRACE_RUN, 0, NULL, 0);
	trace_writer_flush(&w);
	set_version(b.p, 1);
	CHECK(read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(events == 1);
	buf_free(&b);

	h.flags = TRACE_FLAG_LOCKS;
	trace_header_emit(&h, buf_emit, &b);
	trace_writer_init(&w, block, sizeof(block), buf_emit, &b);
	trace_put(&w, TRACE_RUN, 0, NULL, 0);
	trace_put(&w, TRACE_LOCK, 0, (uint64_t[]){1}, 1);
	trace_writer_flush(&w);
	CHECK(read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(events == 2);
	CHECK(strcmp(trace_event_name(TRACE_LOCK), "lock") == 0);
	CHECK(trace_event_nargs(TRACE_LOCK) == 1);
	set_version(b.p, 1);
	CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(strstr(err, "a lock event in a version-1 trace") != NULL);
	buf_free(&b);
}

/* A trace made of the header and one hand-made block (payload p, n
 * bytes, `count` events, correct checksum). */
static void one_block(struct buf *b, const uint8_t *p, uint32_t n,
		      uint32_t count)
{
	struct trace_header_info h = {.hal = TRACE_HAL_SIM};
	uint32_t hdr[4] = {TRACE_BLOCK_MAGIC, n, count, trace_crc32(0, p, n)};

	memset(b, 0, sizeof(*b));
	trace_header_emit(&h, buf_emit, b);
	buf_emit(b, hdr, sizeof(hdr));
	buf_emit(b, p, n);
}

/* An event header at p: type, pcpu, nargs, seq. */
static size_t ev_hdr(uint8_t *p, uint8_t type, uint16_t nargs)
{
	memset(p, 0, TRACE_EVENT_HDR_SIZE + 8u * nargs);
	p[0] = type;
	p[1] = 0;
	memcpy(p + 2, &nargs, 2);
	return TRACE_EVENT_HDR_SIZE + 8u * nargs;
}

static void expect_block_error(const uint8_t *p, uint32_t n, uint32_t count,
			       const char *what)
{
	struct buf b;
	char err[400];
	uint64_t events;

	one_block(&b, p, n, count);
	CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
	if (strstr(err, what) == NULL ||
	    strstr(err, "block 0 at offset 44") == NULL) {
		fprintf(stderr, "want \"%s\", got \"%s\"\n", what, err);
		CHECK(0);
	}
	CHECK(events == 0); /* nothing of a bad block is handed out */
	buf_free(&b);
}

static void test_malformed_blocks(void)
{
	static uint8_t p[TRACE_BLOCK_MAX_PAYLOAD + 64];
	struct buf b;
	char err[400];
	uint64_t events;
	size_t n;

	/* valid: one run event */
	n = ev_hdr(p, TRACE_RUN, 0);
	one_block(&b, p, (uint32_t)n, 1);
	CHECK(read_all(b.p, b.len, &events, err, sizeof(err)) && events == 1);
	buf_free(&b);

	expect_block_error(p, (uint32_t)n, 0, "0 events cannot fill");
	expect_block_error(p, (uint32_t)n, 2, "2 events cannot fill");
	n += ev_hdr(p + n, TRACE_RUN, 0);
	expect_block_error(p, (uint32_t)n, 1, "12 bytes left after its 1");
	expect_block_error(p, 0, 0, "0 events cannot fill 0");

	n = ev_hdr(p, TRACE_EXIT, 5);
	expect_block_error(p, (uint32_t)n, 1, "(type 3 exit, 5 args): wrong");
	n = ev_hdr(p, 0, 0);
	expect_block_error(p, (uint32_t)n, 1, "unknown event type");
	n = ev_hdr(p, TRACE_EVENT_MAX, 0);
	expect_block_error(p, (uint32_t)n, 1, "unknown event type");
	n = ev_hdr(p, 200, 1);
	expect_block_error(p, (uint32_t)n, 1, "(type 200 ?, 1 args)");
	/* more args than TRACE_MAX_ARGS, and an event running past the end */
	n = ev_hdr(p, TRACE_MEM, 65);
	expect_block_error(p, (uint32_t)n, 1, "runs past the end");
	n = ev_hdr(p, TRACE_EXIT, 6);
	expect_block_error(p, (uint32_t)n - 8, 1, "runs past the end");
	expect_block_error(p, 11, 0, "0 events cannot fill 11");
	/* byte counts that do not match the args */
	n = ev_hdr(p, TRACE_CONSOLE, 2);
	p[TRACE_EVENT_HDR_SIZE] = 9; /* 9 bytes need 2 words */
	expect_block_error(p, (uint32_t)n, 1, "byte count does not match");
	p[TRACE_EVENT_HDR_SIZE] = 0; /* 0 bytes need none */
	expect_block_error(p, (uint32_t)n, 1, "byte count does not match");
	memset(p + TRACE_EVENT_HDR_SIZE, 0xff, 8); /* huge */
	expect_block_error(p, (uint32_t)n, 1, "byte count does not match");
	n = ev_hdr(p, TRACE_MEM, 1); /* pa only, no count */
	expect_block_error(p, (uint32_t)n, 1, "without a byte count");
	n = ev_hdr(p, TRACE_MEM, 2);
	p[TRACE_EVENT_HDR_SIZE + 8] = 1; /* pa, 1 byte, but no word */
	expect_block_error(p, (uint32_t)n, 1, "byte count does not match");

	/* a payload length over the maximum is refused before reading it */
	n = ev_hdr(p, TRACE_RUN, 0);
	one_block(&b, p, (uint32_t)n, 1);
	{
		uint32_t big = TRACE_BLOCK_MAX_PAYLOAD + 1;

		memcpy(b.p + 44 + 4, &big, 4);
		CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
		CHECK(strstr(err, "exceeds the maximum") != NULL);
		big = 0xffffffffu;
		memcpy(b.p + 44 + 4, &big, 4);
		CHECK(!read_all(b.p, b.len, &events, err, sizeof(err)));
		CHECK(strstr(err, "exceeds the maximum") != NULL);
	}
	buf_free(&b);
	/* the largest block is fine */
	n = 0;
	while (n + TRACE_EVENT_MAX_SIZE + TRACE_EVENT_HDR_SIZE <=
	       TRACE_BLOCK_MAX_PAYLOAD) {
		uint64_t count = 496; /* 62 words after the pa and count */

		n += ev_hdr(p + n, TRACE_MEM, 64);
		memcpy(p + n - 8 * 63, &count, 8);
	}
	n += ev_hdr(p + n, TRACE_RUN, 0);
	one_block(&b, p, (uint32_t)n, (uint32_t)(n / TRACE_EVENT_MAX_SIZE + 1));
	CHECK(read_all(b.p, b.len, &events, err, sizeof(err)));
	CHECK(events == n / TRACE_EVENT_MAX_SIZE + 1);
	buf_free(&b);
}

/* Header damage that changes sizes: huge config or image sizes and
 * image counts cost no more than the file. */
static void test_huge_sizes(void)
{
	struct trace_header_info h = {.hal = TRACE_HAL_SIM};
	uint8_t p[TRACE_HEADER_SIZE + 144];
	char err[400];
	uint64_t events;
	uint32_t v, crc;

	memset(p, 0, sizeof(p));
	trace_header_encode(p, sizeof(p), &h);
	v = 0xffffffffu;
	memcpy(p + 32, &v, 4); /* config size */
	crc = trace_crc32(0, p, 40);
	memcpy(p + 40, &crc, 4);
	CHECK(!read_all(p, TRACE_HEADER_SIZE, &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace truncated in the config blob at offset 44: "
			  "expected 4294967296 bytes, 0 left") == 0);
	v = 0;
	memcpy(p + 32, &v, 4);
	v = 0xffffffffu;
	memcpy(p + 36, &v, 4); /* image count */
	crc = trace_crc32(0, p, 40);
	memcpy(p + 40, &crc, 4);
	CHECK(!read_all(p, TRACE_HEADER_SIZE, &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace truncated in image 0 at offset 44: expected "
			  "144 entry bytes, 0 left") == 0);
	memcpy(p + 44, "x", 2);
	memset(p + 44 + 128, 0xff, 8); /* image size */
	CHECK(!read_all(p, sizeof(p), &events, err, sizeof(err)));
	CHECK(strstr(err, "too large") != NULL);
	p[44 + 128] = 0xf0;
	CHECK(!read_all(p, sizeof(p), &events, err, sizeof(err)));
	CHECK(strstr(err, "too large") != NULL);
	memset(p + 44 + 128, 0, 8);
	p[44 + 128 + 4] = 1; /* 4 GiB image */
	CHECK(!read_all(p, sizeof(p), &events, err, sizeof(err)));
	CHECK(strcmp(err, "trace truncated in image 0 data at offset 188: "
			  "expected 4294967296 bytes, 0 left") == 0);
	p[44 + 128 + 4] = 0;
	p[44 + 5] = 'y'; /* after the NUL */
	CHECK(!read_all(p, sizeof(p), &events, err, sizeof(err)));
	CHECK(strcmp(err, "image 0 at offset 44: malformed name") == 0);
}

static void test_file(void)
{
	struct trace_header_info h = test_header();
	char path[] = "/tmp/test_trace_XXXXXX";
	struct trace_reader *r;
	struct trace_file *tf;
	struct trace_ev ev;
	uint64_t args[2] = {3, 0x1234};
	char err[400];
	int fd = mkstemp(path);

	REQUIRE(fd >= 0);
	close(fd);
	tf = trace_file_create(path, &h, TRACE_BLOCK_MIN, err, sizeof(err));
	if (tf == NULL)
		fprintf(stderr, "create: %s\n", err);
	REQUIRE(tf != NULL);
	for (unsigned i = 0; i < 100; i++) {
		args[1] = i;
		trace_put(&tf->w, TRACE_REG_READ, i % 4, args, 2);
	}
	CHECK(tf->w.blocks >= 3);
	CHECK(trace_file_close(tf, err, sizeof(err)) == 0);
	r = trace_open(path, err, sizeof(err));
	REQUIRE(r != NULL);
	CHECK(trace_header(r)->image_count == 3);
	for (unsigned i = 0; i < 100; i++) {
		REQUIRE(trace_next(r, &ev) == 1);
		CHECK(ev.type == TRACE_REG_READ && ev.pcpu == i % 4 &&
		      ev.args[1] == i && ev.seq == i);
	}
	CHECK(trace_next(r, &ev) == 0);
	trace_close(r);
	remove(path);

	CHECK(trace_open("/nonexistent/x.cvt", err, sizeof(err)) == NULL);
	CHECK(strncmp(err, "cannot open /nonexistent/x.cvt: ", 32) == 0);
	CHECK(trace_file_create("/nonexistent/x.cvt", &h, 0, err,
				sizeof(err)) == NULL);
	CHECK(strncmp(err, "cannot create /nonexistent/x.cvt", 32) == 0);
	CHECK(trace_file_create(path, &h, 100, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "block size 100 out of range") != NULL);
}

/* ---------------------------------------------------------------------- */
/* Samples for the hvtrace tests (tests/trace/test_hvtrace.py). */

enum sample {
	SAMPLE_A,	/* two pCPUs, console, kicks, end status 0 */
	SAMPLE_DIVERGE, /* A with event 45 different (an ESR) */
	SAMPLE_CONFIG,	/* A's events under another config */
	SAMPLE_SHORT,	/* A cut after 30 events (no end) */
	SAMPLE_NOINSNS, /* A without instruction counts (bare metal) */
};

#define ESR_HVC64 0x5a000000u
#define ESR_WFI 0x06000000u
#define ESR_DABT 0x93c08047u /* ISV, 8 bytes, write, x0, level-3 fault */

static void sample_events(struct trace_writer *w, enum sample s)
{
	static const char *const text[] = {"hello from cell0\n",
					   "cell1: ready\n",
					   "tab\there \"q\"\n",
					   "\x01\xff bytes\n"};
	uint64_t insns[2] = {0, 0};
	uint64_t pa = 0x40001000u;

	trace_put(w, TRACE_PLATFORM, TRACE_PCPU_NONE,
		  (uint64_t[]){4, 40, 0x48000000u, 0x800000u}, 4);
	for (unsigned round = 0; round < 6; round++) {
		for (unsigned p = 0; p < 2; p++) {
			uint64_t esr = round % 3 == 0	? ESR_HVC64
				       : round % 3 == 1 ? ESR_DABT
							: ESR_WFI;
			uint64_t kind = round == 4 ? 1 : 0; /* irq */
			uint64_t x;

			if (w->seq >= 30 && s == SAMPLE_SHORT)
				return;
			insns[p] += 1000u * (round + 1) + 10u * p;
			x = s == SAMPLE_NOINSNS ? 0 : insns[p];
			if (kind == 1)
				esr = 0;
			if (s == SAMPLE_DIVERGE && round == 2 && p == 1)
				esr |= 1; /* WFE instead of WFI */
			trace_put(w, TRACE_RUN, p, NULL, 0);
			trace_put(w, TRACE_RUN_EXIT, p,
				  (uint64_t[]){kind, esr, 0x9000000u, 0x90000u,
					       kind ? 27 : 0, 0, x},
				  7);
			trace_put(w, TRACE_EXIT, p,
				  (uint64_t[]){kind, esr, 0x9000000u, 0x90000u,
					       kind ? 27 : 0, x},
				  6);
			trace_put(w, TRACE_INSNS, p, (uint64_t[]){x}, 1);
			trace_put(w, TRACE_REG_READ, p,
				  (uint64_t[]){0, 0x84000000u + round}, 2);
			trace_put(w, TRACE_REG_READ, p,
				  (uint64_t[]){31, 0x40080000u + 4 * round}, 2);
			trace_put(w, TRACE_REG_WRITE, p,
				  (uint64_t[]){31, 0x40080004u + 4 * round}, 2);
			if (round == 1) {
				trace_put_bytes(w, TRACE_CONSOLE, p, NULL, 0,
						text[p], strlen(text[p]));
				trace_put_bytes(w, TRACE_MEM, p, &pa, 1,
						"\xde\xad\xbe\xef\x01\x02\x03"
						"\x04\x05",
						9);
			}
			if (round == 2 && p == 0) {
				trace_put_bytes(w, TRACE_CONSOLE, p, NULL, 0,
						text[2], strlen(text[2]));
				trace_put_bytes(w, TRACE_CONSOLE, p, NULL, 0,
						text[3], strlen(text[3]));
				trace_put(w, TRACE_KICK, p, (uint64_t[]){1}, 1);
				trace_put(w, TRACE_LR_WRITE, p,
					  (uint64_t[]){
						  0,
						  UINT64_C(0x50a000000000001b)},
					  2);
			}
			if (round == 3) {
				trace_put(w, TRACE_IDLE, p, (uint64_t[]){1, 27},
					  2);
				trace_put(w, TRACE_TLB_RANGE, p,
					  (uint64_t[]){1, 0x40000000u, 0x1000},
					  3);
			}
		}
	}
	/* pCPU 1 idles through a whole turn */
	trace_put(w, TRACE_RUN, 1, NULL, 0);
	trace_put(w, TRACE_IDLE, 1, (uint64_t[]){2, 0}, 2);
	trace_put(w, TRACE_HOST_OP, TRACE_PCPU_NONE, (uint64_t[]){1, 0}, 2);
	trace_put(w, TRACE_END, TRACE_PCPU_NONE,
		  (uint64_t[]){0, 0x0123456789abcdefu}, 2);
}

static int write_sample(const char *dir, const char *name, enum sample s)
{
	static const uint8_t cfg[] = "config of sample A: two cells";
	static const uint8_t cfg2[] = "config of sample C: other";
	struct trace_image_info im = {"hello.bin", "\x00\x00\x00\x14", 4, 0};
	struct trace_header_info h = {
		.hv_version = 0x0001,
		.hal = s == SAMPLE_NOINSNS ? TRACE_HAL_BAREMETAL
					   : TRACE_HAL_SIM,
		.quantum = s == SAMPLE_NOINSNS ? 0 : 100000,
		.config = s == SAMPLE_CONFIG ? cfg2 : cfg,
		.config_size = s == SAMPLE_CONFIG ? sizeof(cfg2) : sizeof(cfg),
		.image_count = 1,
		.images = &im,
	};
	char path[4096], err[400];
	struct trace_file *tf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* small blocks: the samples span several */
	tf = trace_file_create(path, &h, 1024, err, sizeof(err));
	if (tf == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	sample_events(&tf->w, s);
	if (trace_file_close(tf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

static int write_samples(const char *dir)
{
	return write_sample(dir, "a.cvt", SAMPLE_A) |
	       write_sample(dir, "diverge.cvt", SAMPLE_DIVERGE) |
	       write_sample(dir, "config.cvt", SAMPLE_CONFIG) |
	       write_sample(dir, "short.cvt", SAMPLE_SHORT) |
	       write_sample(dir, "noinsns.cvt", SAMPLE_NOINSNS);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"checksums", test_checksums},
		{"names", test_names},
		{"header_roundtrip", test_header_roundtrip},
		{"roundtrip", test_roundtrip},
		{"bytes", test_bytes},
		{"writer_refuses", test_writer_refuses},
		{"truncation", test_truncation},
		{"corruption", test_corruption},
		{"random_damage", test_random_damage},
		{"version", test_version},
		{"lock event version", test_lock_event_version},
		{"malformed_blocks", test_malformed_blocks},
		{"huge_sizes", test_huge_sizes},
		{"file", test_file},
	};

	if (argc == 3 && strcmp(argv[1], "--write-samples") == 0)
		return write_samples(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_trace [--write-samples DIR]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		unsigned before = failures;

		tests[i].fn();
		printf("%-18s %s\n", tests[i].name,
		       failures == before ? "ok" : "FAILED");
	}
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
