/* SPDX-License-Identifier: MIT */
/*
 * Host side of the trace files (docs/trace-format.md): a reader that
 * validates everything it returns, and a writer into a file.
 *
 * The reader never trusts the bytes: every length is checked against
 * what is left, every block's checksum and every event's shape before
 * any of its events is returned. Problems are reported as one line
 * naming the block (numbered from 0) and its file offset, e.g.
 *   "trace truncated in block 3 at offset 4096: expected 512 payload
 *    bytes, 100 left"
 *   "block 2 at offset 1052: checksum mismatch"
 */
#ifndef TRACE_IO_H
#define TRACE_IO_H

#include <stdio.h>

#include "trace_format.h"

struct trace_reader;

/*
 * Opens a trace and reads and checks its header (magic, version, header
 * checksum, config and image hashes). NULL on failure, with the reason
 * in err[0..errlen) (a different format version gives "trace format
 * version N, this hvtrace reads version 1"). trace_open_mem() copies what
 * it needs: buf may be freed once it returns.
 */
struct trace_reader *trace_open(const char *path, char *err, size_t errlen);
struct trace_reader *trace_open_mem(const void *buf, size_t len, char *err,
				    size_t errlen);
void trace_close(struct trace_reader *r);

/* The header as read (config blob and image data owned by the reader;
 * images not embedded have data NULL and size 0). */
const struct trace_header_info *trace_header(const struct trace_reader *r);

/* Next event into *ev: 1, or 0 at the end of the trace, or -1 when the
 * trace is corrupt or truncated (trace_error() says how; every later call
 * returns -1 too). */
int trace_next(struct trace_reader *r, struct trace_ev *ev);

/* The reason of the last -1 from trace_next(), NULL if none. */
const char *trace_error(const struct trace_reader *r);

/* Blocks read so far, events returned so far, and the file offset of the
 * block that held the last event returned. */
uint64_t trace_blocks_read(const struct trace_reader *r);
uint64_t trace_events_read(const struct trace_reader *r);
uint64_t trace_block_offset(const struct trace_reader *r);

/* Bytes of the file consumed so far (the whole file at the end). */
uint64_t trace_bytes_read(const struct trace_reader *r);

/* ---------------------------------------------------------------------- */
/* Writing a trace file. */

/* Block size used when trace_file_create() is given 0. */
#define TRACE_FILE_BLOCK_DEFAULT (64u * 1024u)

struct trace_file {
	struct trace_writer w; /* trace_put(&tf->w, ...) */
	FILE *f;
	uint8_t *block;
	int error; /* errno of the first failed write, 0 if none */
};

/*
 * Creates `path` (truncating it), writes the header of *h and returns a
 * file whose writer emits its blocks there; block_size is the block
 * buffer (TRACE_BLOCK_MIN .. TRACE_BLOCK_HDR_SIZE +
 * TRACE_BLOCK_MAX_PAYLOAD; 0: TRACE_FILE_BLOCK_DEFAULT). NULL with the
 * reason in err on failure.
 */
struct trace_file *trace_file_create(const char *path,
				     const struct trace_header_info *h,
				     size_t block_size, char *err,
				     size_t errlen);

/* Flushes the last block and closes the file (freeing tf): 0, or -1 with
 * the reason in err if any write failed. */
int trace_file_close(struct trace_file *tf, char *err, size_t errlen);

#endif /* TRACE_IO_H */
