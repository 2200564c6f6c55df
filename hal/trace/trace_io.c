/* SPDX-License-Identifier: MIT */
/*
 * Host side of the trace files: the validating reader and the file
 * writer (hal/trace/trace_io.h, docs/trace-format.md).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_io.h"

/* Variable-length header parts are read this much at a time, so that a
 * corrupt size costs no more memory than the file holds. */
#define READ_STEP (1u << 20)

struct trace_reader {
	FILE *f;      /* file source, or NULL */
	uint8_t *mem; /* memory source (a copy), or NULL */
	size_t mem_len;
	size_t mem_pos;
	uint64_t off; /* file offset of the next byte to read */
	struct trace_header_info hdr;
	void *config;
	struct trace_image_info *images;
	char (*names)[TRACE_IMAGE_NAME_MAX];
	void **image_data;
	uint32_t images_read;
	uint8_t *block;	    /* payload of the current block */
	size_t block_cap;   /* bytes allocated at block */
	uint32_t block_len; /* its payload bytes */
	uint32_t block_count;
	uint32_t block_next; /* index of the next event in it */
	size_t block_pos;    /* payload offset of the next event */
	uint64_t block_off;  /* file offset of the current block */
	uint64_t blocks;     /* blocks loaded */
	uint64_t events;     /* events returned */
	bool failed;
	bool done;
	char err[320];
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t pad8(uint64_t n)
{
	return (n + 7u) & ~(uint64_t)7u;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

__attribute__((format(printf, 2, 3))) static int fail(struct trace_reader *r,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->failed = true;
	return -1;
}

/* Reads up to n bytes at the current offset; returns how many there were
 * (fewer than n only at the end of the data). */
static size_t src_read(struct trace_reader *r, void *dst, size_t n)
{
	size_t got;

	if (r->f != NULL) {
		got = fread(dst, 1, n, r->f);
	} else {
		got = r->mem_len - r->mem_pos < n ? r->mem_len - r->mem_pos : n;
		if (got != 0)
			memcpy(dst, r->mem + r->mem_pos, got);
		r->mem_pos += got;
	}
	r->off += got;
	return got;
}

/* Reads exactly n bytes into a new buffer (*out, NULL when n is 0),
 * growing it step by step. -1 (reported as a truncation in `what`) if the
 * data ends first. */
static int read_alloc(struct trace_reader *r, uint64_t n, const char *what,
		      uint8_t **out)
{
	uint64_t start = r->off, have = 0;
	uint8_t *buf = NULL;

	*out = NULL;
	if (n > SIZE_MAX - READ_STEP)
		return fail(r,
			    "%s at offset %" PRIu64 ": size %" PRIu64
			    " too large",
			    what, start, n);
	while (have < n) {
		size_t step = n - have < READ_STEP ? (size_t)(n - have)
						   : READ_STEP;
		uint8_t *nb = realloc(buf, (size_t)have + step);
		size_t got;

		if (nb == NULL) {
			free(buf);
			return fail(r,
				    "%s at offset %" PRIu64 ": out of memory",
				    what, start);
		}
		buf = nb;
		got = src_read(r, buf + have, step);
		have += got;
		if (got < step) {
			free(buf);
			return fail(r,
				    "trace truncated in %s at offset %" PRIu64
				    ": expected %" PRIu64 " bytes, %" PRIu64
				    " left",
				    what, start, n, have);
		}
	}
	*out = buf;
	return 0;
}

static int read_fixed_header(struct trace_reader *r)
{
	uint8_t h[TRACE_HEADER_SIZE];
	size_t got = src_read(r, h, sizeof(h));
	size_t m = got < 8 ? got : 8;
	uint16_t version;

	if (got == 0)
		return fail(r, "empty file: not a Cellvisor trace");
	if (memcmp(h, TRACE_MAGIC, m) != 0)
		return fail(r, "not a Cellvisor trace (bad magic)");
	if (got >= 10) {
		version = get16(h + 8);
		if (version < TRACE_VERSION_MIN || version > TRACE_VERSION)
			return fail(r,
				    "trace format version %u, this hvtrace "
				    "reads versions %u to %u",
				    version, TRACE_VERSION_MIN, TRACE_VERSION);
	}
	if (got < sizeof(h))
		return fail(r,
			    "trace truncated in the header at offset 0: "
			    "expected %u bytes, %zu left",
			    TRACE_HEADER_SIZE, got);
	if (get32(h + 40) != trace_crc32(0, h, 40))
		return fail(r, "header at offset 0: checksum mismatch");
	r->hdr.version = get16(h + 8);
	r->hdr.hv_version = get16(h + 10);
	r->hdr.hal = get16(h + 12);
	r->hdr.flags = get16(h + 14);
	r->hdr.quantum = get64(h + 16);
	r->hdr.config_hash = get64(h + 24);
	r->hdr.config_size = get32(h + 32);
	r->hdr.image_count = get32(h + 36);
	return 0;
}

static int read_config(struct trace_reader *r)
{
	uint64_t off = r->off, size = r->hdr.config_size;
	uint64_t hash;
	uint8_t *buf;

	if (read_alloc(r, pad8(size), "the config blob", &buf) < 0)
		return -1;
	r->config = buf;
	r->hdr.config = buf;
	if (buf != NULL && !all_zero(buf + size, (size_t)(pad8(size) - size)))
		return fail(r,
			    "config blob at offset %" PRIu64
			    ": nonzero padding",
			    off);
	hash = trace_fnv1a(TRACE_FNV_INIT, buf, (size_t)size);
	if (hash != r->hdr.config_hash)
		return fail(r,
			    "config blob at offset %" PRIu64
			    ": hash mismatch (header 0x%016" PRIx64
			    ", blob 0x%016" PRIx64 ")",
			    off, r->hdr.config_hash, hash);
	return 0;
}

/* Checks an image name field: printable ASCII, NUL-terminated, zeros
 * after the NUL. */
static bool name_ok(const uint8_t *p)
{
	size_t n = 0;

	while (n < TRACE_IMAGE_NAME_MAX && p[n] != 0) {
		if (p[n] < 0x20 || p[n] > 0x7e)
			return false;
		n++;
	}
	return n < TRACE_IMAGE_NAME_MAX &&
	       all_zero(p + n, TRACE_IMAGE_NAME_MAX - n);
}

static int read_image(struct trace_reader *r, uint32_t i)
{
	uint8_t e[TRACE_IMAGE_ENTRY_SIZE];
	uint64_t off = r->off, size, hash, actual;
	char what[64];
	uint8_t *data;
	size_t got;

	if (i == r->images_read && (i & (i - 1)) == 0) {
		/* grow the arrays at powers of two */
		size_t cap = i == 0 ? 1 : 2 * (size_t)i;
		void *a = realloc(r->images, cap * sizeof(*r->images));

		if (a == NULL)
			return fail(r, "out of memory");
		r->images = a;
		a = realloc(r->names, cap * sizeof(*r->names));
		if (a == NULL)
			return fail(r, "out of memory");
		r->names = a;
		a = realloc(r->image_data, cap * sizeof(*r->image_data));
		if (a == NULL)
			return fail(r, "out of memory");
		r->image_data = a;
	}
	got = src_read(r, e, sizeof(e));
	if (got < sizeof(e))
		return fail(r,
			    "trace truncated in image %" PRIu32
			    " at offset %" PRIu64 ": expected %u entry bytes, "
			    "%zu left",
			    i, off, TRACE_IMAGE_ENTRY_SIZE, got);
	if (!name_ok(e))
		return fail(r,
			    "image %" PRIu32 " at offset %" PRIu64
			    ": malformed name",
			    i, off);
	size = get64(e + TRACE_IMAGE_NAME_MAX);
	hash = get64(e + TRACE_IMAGE_NAME_MAX + 8);
	snprintf(what, sizeof(what), "image %" PRIu32 " data", i);
	if (size > UINT64_MAX - 8u)
		return fail(r,
			    "image %" PRIu32 " at offset %" PRIu64
			    ": size %" PRIu64 " too large",
			    i, off, size);
	if (read_alloc(r, pad8(size), what, &data) < 0)
		return -1;
	memcpy(r->names[i], e, TRACE_IMAGE_NAME_MAX);
	r->image_data[i] = data;
	r->images[i] = (struct trace_image_info){
		.name = NULL, /* set once the names array stops moving */
		.data = data,
		.size = size,
		.hash = hash,
	};
	r->images_read = i + 1;
	if (data != NULL && !all_zero(data + size, (size_t)(pad8(size) - size)))
		return fail(r,
			    "image %" PRIu32 " at offset %" PRIu64
			    ": nonzero padding",
			    i, off);
	if (size != 0) {
		actual = trace_fnv1a(TRACE_FNV_INIT, data, (size_t)size);
		if (actual != hash)
			return fail(r,
				    "image %" PRIu32 " at offset %" PRIu64
				    ": hash mismatch (header 0x%016" PRIx64
				    ", data 0x%016" PRIx64 ")",
				    i, off, hash, actual);
	}
	return 0;
}

static struct trace_reader *open_common(struct trace_reader *r, char *err,
					size_t errlen)
{
	if (read_fixed_header(r) == 0 && read_config(r) == 0) {
		for (uint32_t i = 0; i < r->hdr.image_count; i++) {
			if (read_image(r, i) < 0)
				break;
		}
	}
	if (r->failed) {
		if (errlen != 0)
			snprintf(err, errlen, "%s", r->err);
		trace_close(r);
		return NULL;
	}
	for (uint32_t i = 0; i < r->images_read; i++)
		r->images[i].name = r->names[i];
	r->hdr.images = r->images;
	return r;
}

struct trace_reader *trace_open(const char *path, char *err, size_t errlen)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (r->f == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		free(r);
		return NULL;
	}
	return open_common(r, err, errlen);
}

struct trace_reader *trace_open_mem(const void *buf, size_t len, char *err,
				    size_t errlen)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->mem = malloc(len ? len : 1)) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (len != 0)
		memcpy(r->mem, buf, len);
	r->mem_len = len;
	return open_common(r, err, errlen);
}

void trace_close(struct trace_reader *r)
{
	if (r == NULL)
		return;
	if (r->f != NULL)
		fclose(r->f);
	for (uint32_t i = 0; i < r->images_read; i++)
		free(r->image_data[i]);
	free(r->image_data);
	free(r->images);
	free(r->names);
	free(r->config);
	free(r->block);
	free(r->mem);
	free(r);
}

const struct trace_header_info *trace_header(const struct trace_reader *r)
{
	return &r->hdr;
}

const char *trace_error(const struct trace_reader *r)
{
	return r->failed ? r->err : NULL;
}

uint64_t trace_blocks_read(const struct trace_reader *r)
{
	return r->blocks;
}

uint64_t trace_events_read(const struct trace_reader *r)
{
	return r->events;
}

uint64_t trace_block_offset(const struct trace_reader *r)
{
	return r->block_off;
}

uint64_t trace_bytes_read(const struct trace_reader *r)
{
	return r->off;
}

/* Decodes the event at p (avail bytes left in the payload): its size, or
 * 0 if it runs past them. */
static size_t decode_event(const uint8_t *p, size_t avail, struct trace_ev *ev)
{
	size_t size;

	if (avail < TRACE_EVENT_HDR_SIZE)
		return 0;
	ev->type = p[0];
	ev->pcpu = p[1];
	ev->nargs = get16(p + 2);
	ev->seq = get64(p + 4);
	if (ev->nargs > TRACE_MAX_ARGS)
		return 0;
	size = TRACE_EVENT_HDR_SIZE + 8u * (size_t)ev->nargs;
	if (avail < size)
		return 0;
	for (unsigned i = 0; i < ev->nargs; i++)
		ev->args[i] = get64(p + TRACE_EVENT_HDR_SIZE + 8u * i);
	return size;
}

/* Reads and checks the next block: 1, 0 at the end of the trace, -1. */
static int load_block(struct trace_reader *r)
{
	uint8_t h[TRACE_BLOCK_HDR_SIZE];
	uint64_t n = r->blocks, off = r->off;
	uint32_t magic, len, count, crc;
	struct trace_ev ev;
	size_t got, pos = 0;

	got = src_read(r, h, sizeof(h));
	if (got == 0) {
		r->done = true;
		return 0;
	}
	if (got < sizeof(h))
		return fail(r,
			    "trace truncated in block %" PRIu64
			    " at offset %" PRIu64 ": expected %u block header "
			    "bytes, %zu left",
			    n, off, TRACE_BLOCK_HDR_SIZE, got);
	magic = get32(h);
	len = get32(h + 4);
	count = get32(h + 8);
	crc = get32(h + 12);
	if (magic != TRACE_BLOCK_MAGIC)
		return fail(r,
			    "block %" PRIu64 " at offset %" PRIu64
			    ": bad block magic 0x%08" PRIx32,
			    n, off, magic);
	if (len > TRACE_BLOCK_MAX_PAYLOAD)
		return fail(r,
			    "block %" PRIu64 " at offset %" PRIu64
			    ": payload length %" PRIu32
			    " exceeds the maximum %u",
			    n, off, len, TRACE_BLOCK_MAX_PAYLOAD);
	if (len > r->block_cap || r->block == NULL) {
		size_t cap = len > 65536u ? len : 65536u;
		uint8_t *nb = realloc(r->block, cap);

		if (nb == NULL)
			return fail(r, "out of memory");
		r->block = nb;
		r->block_cap = cap;
	}
	got = src_read(r, r->block, len);
	if (got < len)
		return fail(r,
			    "trace truncated in block %" PRIu64
			    " at offset %" PRIu64 ": expected %" PRIu32
			    " payload bytes, %zu left",
			    n, off, len, got);
	if (trace_crc32(0, r->block, len) != crc)
		return fail(r,
			    "block %" PRIu64 " at offset %" PRIu64
			    ": checksum mismatch",
			    n, off);
	if (count == 0 || count > len / TRACE_EVENT_HDR_SIZE)
		return fail(r,
			    "block %" PRIu64 " at offset %" PRIu64 ": %" PRIu32
			    " events cannot fill %" PRIu32 " payload bytes",
			    n, off, count, len);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t evoff = off + TRACE_BLOCK_HDR_SIZE + pos;
		size_t size = decode_event(r->block + pos, len - pos, &ev);
		const char *why;

		if (size == 0)
			return fail(r,
				    "block %" PRIu64 " at offset %" PRIu64
				    ": event %" PRIu32 " at offset %" PRIu64
				    " runs past the end of the block",
				    n, off, i, evoff);
		why = trace_ev_check(&ev);
		if (why == NULL && ev.type == TRACE_LOCK && r->hdr.version < 2)
			why = "a lock event in a version-1 trace";
		if (why != NULL)
			return fail(r,
				    "block %" PRIu64 " at offset %" PRIu64
				    ": event %" PRIu32 " at offset %" PRIu64
				    " (type %u %s, %u args): %s",
				    n, off, i, evoff, ev.type,
				    trace_event_name(ev.type), ev.nargs, why);
		pos += size;
	}
	if (pos != len)
		return fail(r,
			    "block %" PRIu64 " at offset %" PRIu64
			    ": %zu bytes left after its %" PRIu32 " events",
			    n, off, len - pos, count);
	r->block_len = len;
	r->block_count = count;
	r->block_next = 0;
	r->block_pos = 0;
	r->block_off = off;
	r->blocks++;
	return 1;
}

int trace_next(struct trace_reader *r, struct trace_ev *ev)
{
	size_t size;

	if (r->failed)
		return -1;
	if (r->done)
		return 0;
	if (r->block_next >= r->block_count) {
		int rc = load_block(r);

		if (rc <= 0)
			return rc;
	}
	size = decode_event(r->block + r->block_pos,
			    r->block_len - r->block_pos, ev);
	r->block_pos += size;
	r->block_next++;
	r->events++;
	return 1;
}

/* ---------------------------------------------------------------------- */
/* Writing */

static void file_emit(void *ctx, const void *data, size_t len)
{
	struct trace_file *tf = ctx;

	if (tf->error == 0 && fwrite(data, 1, len, tf->f) != len)
		tf->error = errno != 0 ? errno : EIO;
}

struct trace_file *trace_file_create(const char *path,
				     const struct trace_header_info *h,
				     size_t block_size, char *err,
				     size_t errlen)
{
	struct trace_file *tf = calloc(1, sizeof(*tf));

	if (block_size == 0)
		block_size = TRACE_FILE_BLOCK_DEFAULT;
	if (block_size < TRACE_BLOCK_MIN ||
	    block_size > TRACE_BLOCK_HDR_SIZE + TRACE_BLOCK_MAX_PAYLOAD) {
		snprintf(err, errlen, "%s: block size %zu out of range", path,
			 block_size);
		free(tf);
		return NULL;
	}
	if (tf == NULL || (tf->block = malloc(block_size)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(tf);
		return NULL;
	}
	tf->f = fopen(path, "wb");
	if (tf->f == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(errno));
		free(tf->block);
		free(tf);
		return NULL;
	}
	errno = 0;
	trace_header_emit(h, file_emit, tf);
	if (tf->error != 0) {
		snprintf(err, errlen, "writing %s: %s", path,
			 strerror(tf->error));
		fclose(tf->f);
		free(tf->block);
		free(tf);
		return NULL;
	}
	trace_writer_init(&tf->w, tf->block, block_size, file_emit, tf);
	return tf;
}

int trace_file_close(struct trace_file *tf, char *err, size_t errlen)
{
	int error;

	trace_writer_flush(&tf->w);
	if (fflush(tf->f) != 0 && tf->error == 0)
		tf->error = errno != 0 ? errno : EIO;
	if (fclose(tf->f) != 0 && tf->error == 0)
		tf->error = errno != 0 ? errno : EIO;
	error = tf->error;
	free(tf->block);
	free(tf);
	if (error != 0) {
		snprintf(err, errlen, "writing the trace: %s", strerror(error));
		return -1;
	}
	return 0;
}
