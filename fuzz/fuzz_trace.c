/* SPDX-License-Identifier: MIT */
/*
 * Harness "trace": arbitrary bytes as a trace file for the validating
 * reader (hal/trace/trace_io.h): trace_open_mem(), the header, then
 * trace_next() until the end or an error. The reader must never read
 * outside the buffer (ASan), never loop, and report every failure as a
 * one-line, terminated message.
 *
 * Random mutations rarely keep a CRC-32 right, so by default the harness
 * first repairs the checksums and hashes of whatever the bytes describe
 * (header CRC, config and image hashes, each block's CRC) and the reader
 * sees the structure beneath them; mode bit 0 turns the repair off, to
 * fuzz the checks themselves.
 *
 * Input:
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trace_io.h"

struct fuzz_trace_input {
	uint8_t mode;	 /* bit 0: do not repair checksums and hashes */
	uint8_t file[1]; /* the rest of the input: the trace file */
};

#define TRACE_MODE_RAW 0x01u
/* Events read before giving up: a valid file cannot hold more than one
 * per 12 bytes. */
#define TRACE_MAX_EVENTS (UINT64_C(1) << 20)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t pad8(uint64_t n)
{
	return (n + 7) & ~UINT64_C(7);
}

/* Recomputes what the bytes describe as far as they describe anything
 * (docs/trace-format.md, "Layout"). */
static void repair(uint8_t *f, size_t len)
{
	size_t off;

	if (len < TRACE_HEADER_SIZE)
		return;
	uint64_t csize = le32(f + 32), images = le32(f + 36);
	off = TRACE_HEADER_SIZE;
	if (csize <= len - off) {
		put64(f + 24,
		      trace_fnv1a(TRACE_FNV_INIT, f + off, (size_t)csize));
		off += (size_t)pad8(csize) <= len - off ? (size_t)pad8(csize)
							: len - off;
	} else {
		off = len;
	}
	for (uint64_t i = 0; i < images && len - off >= TRACE_IMAGE_ENTRY_SIZE;
	     i++) {
		uint64_t isize = le64(f + off + 128);
		size_t data = off + TRACE_IMAGE_ENTRY_SIZE;
		if (isize > len - data) {
			off = len;
			break;
		}
		if (isize > 0)
			put64(f + off + 136,
			      trace_fnv1a(TRACE_FNV_INIT, f + data,
					  (size_t)isize));
		off = data + ((size_t)pad8(isize) <= len - data
				      ? (size_t)pad8(isize)
				      : len - data);
	}
	put32(f + 40, trace_crc32(0, f, 40));
	while (len - off >= TRACE_BLOCK_HDR_SIZE) {
		uint64_t payload = le32(f + off + 4);
		size_t start = off + TRACE_BLOCK_HDR_SIZE;
		if (payload > len - start)
			break;
		put32(f + off + 12, trace_crc32(0, f + start, (size_t)payload));
		off = start + (size_t)payload;
	}
}

_Noreturn static void fail(const char *what)
{
	fprintf(stderr, "fuzz oracle violated: %s\n", what);
	abort();
}

/* A one-line message; cap 0: a string of unknown buffer (ASan checks
 * that it is terminated). */
static void check_msg(const char *msg, size_t cap)
{
	if (msg == NULL || (cap > 0 && memchr(msg, '\0', cap) == NULL) ||
	    msg[0] == '\0')
		fail("an error without a terminated one-line message");
	if (strchr(msg, '\n') != NULL)
		fail("an error message of more than one line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[400];
	struct trace_reader *r;
	struct trace_ev ev;
	uint64_t n = 0;
	int rc;

	if (size == 0)
		return 0;
	/* A private copy of exactly the file's length: the repair writes,
	 * and ASan sees a read one byte past the end. */
	size_t len = size - 1;
	uint8_t *f = malloc(len ? len : 1);
	if (f == NULL)
		fail("out of memory");
	memcpy(f, data + 1, len);
	if (!(data[0] & TRACE_MODE_RAW))
		repair(f, len);

	memset(err, 0x5a, sizeof(err));
	r = trace_open_mem(f, len, err, sizeof(err));
	/* trace_open_mem() copies what it needs. */
	memset(f, 0xee, len);
	free(f);
	if (r == NULL) {
		check_msg(err, sizeof(err));
		return 0;
	}
	const struct trace_header_info *h = trace_header(r);
	if (h == NULL || h->version < TRACE_VERSION_MIN ||
	    h->version > TRACE_VERSION ||
	    (h->config_size > 0 && h->config == NULL) ||
	    (h->image_count > 0 && h->images == NULL))
		fail("an accepted header that is not one");
	for (uint32_t i = 0; i < h->image_count; i++)
		if (h->images[i].name == NULL ||
		    memchr(h->images[i].name, '\0', TRACE_IMAGE_NAME_MAX) ==
			    NULL)
			fail("an image name without its NUL");
	while ((rc = trace_next(r, &ev)) == 1) {
		if (ev.nargs > TRACE_MAX_ARGS || trace_ev_check(&ev) != NULL)
			fail("the reader returned an event it should refuse");
		if (++n > TRACE_MAX_EVENTS || n > len / 12 + 1)
			fail("more events than the file can hold");
	}
	if (rc < 0) {
		check_msg(trace_error(r), 0);
		if (trace_next(r, &ev) != -1)
			fail("trace_next() after an error did not fail again");
	} else if (rc != 0) {
		fail("trace_next() returned something else than -1, 0, 1");
	}
	if (trace_bytes_read(r) > len)
		fail("more bytes read than the file has");
	if (trace_events_read(r) != n)
		fail("trace_events_read() disagrees with the events returned");
	trace_close(r);
	return 0;
}
