/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal recorder (docs/replay.md, "Bare metal"): only in
 * cellvisor-rec.elf, which links the same core and HAL with
 * hal/trace/record.c interposed (--wrap). Events go into a memory ring of
 * blocks; when the ring is full recording stops (a replay needs the run
 * from its start) and the trace is marked partial. The ring is printed on
 * the console, base64 in framed lines with a length and an FNV-1a hash,
 * when the run ends, when a cell is terminated (a snapshot) and on a
 * hypervisor panic; `hvtrace extract` turns a console log back into
 * trace files.
 *
 * Console framing:
 *   cellvisor-trace: begin <n>
 *   cellvisor-trace: <base64 of up to 57 bytes>      (many lines)
 *   cellvisor-trace: end <n> <total bytes> <fnv1a-64 hex>
 */
#include <hal/platform.h>
#include <hv/cell.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/print.h>
#include <hv/smccc.h>

#include "bm.h"
#include "record.h"
#include "trace_format.h"

#define RING_SIZE (8u * 1024u * 1024u)
#define BLOCK_SIZE (16u * 1024u)
#define IMAGE_EMBED_MAX (1024u * 1024u)
#define LINE_BYTES 57u /* 76 base64 characters */

static uint8_t ring[RING_SIZE];
static size_t ring_used;
static bool ring_full;
static uint8_t block[BLOCK_SIZE];
static struct trace_writer writer;
static const void *config_blob;
static size_t config_len;
static const struct hv *rec_hv;
static unsigned snapshots;
static bool emitting;

unsigned trace_cpu(void)
{
	return bm_this_pcpu();
}

/* The writer hands over each finished block. */
static void ring_append(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	if (ring_full || len > RING_SIZE - ring_used) {
		ring_full = true;
		return;
	}
	memcpy(ring + ring_used, data, len);
	ring_used += len;
}

/* Called under the recorder's lock, in event order. */
static bool ring_sink(void *ctx, const struct trace_ev *ev)
{
	(void)ctx;
	if (!ring_full)
		trace_put(&writer, ev->type, ev->pcpu, ev->args, ev->nargs);
	return true;
}

/* ---- printing --------------------------------------------------------- */

struct b64 {
	uint8_t buf[LINE_BYTES];
	size_t n;
	uint64_t total;
	uint64_t hash;
};

static void put(const char *s, size_t len)
{
	bm_uart_write(s, len);
}

static void line_out(struct b64 *b)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	char out[17 + 4 * LINE_BYTES / 3 + 4];
	size_t o = 0;
	memcpy(out, "cellvisor-trace: ", 17);
	o = 17;
	for (size_t i = 0; i < b->n; i += 3) {
		uint32_t v = (uint32_t)b->buf[i] << 16;
		if (i + 1 < b->n)
			v |= (uint32_t)b->buf[i + 1] << 8;
		if (i + 2 < b->n)
			v |= b->buf[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < b->n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < b->n ? tab[v & 63] : '=';
	}
	out[o++] = '\n';
	put(out, o);
	b->n = 0;
}

static void b64_emit(void *ctx, const void *data, size_t len)
{
	struct b64 *b = ctx;
	const uint8_t *p = data;
	b->hash = trace_fnv1a(b->hash, data, len);
	b->total += len;
	for (size_t i = 0; i < len; i++) {
		b->buf[b->n++] = p[i];
		if (b->n == LINE_BYTES)
			line_out(b);
	}
}

/* Prints the header and the ring as one framed trace. */
static void print_trace(bool partial)
{
	static struct trace_image_info im[3 * HV_MAX_CELLS];
	struct trace_header_info h = {0};
	unsigned n = 0;
	char line[96];

	for (unsigned i = 0; rec_hv && i < rec_hv->config.cell_count; i++) {
		const struct hv_cell_config *c = &rec_hv->config.cells[i];
		const char *names[3] = {c->image, c->kernel, c->initrd};
		for (unsigned k = 0; k < 3 && n < 3 * HV_MAX_CELLS; k++) {
			const void *data;
			size_t size;
			if (names[k][0] == '\0' ||
			    hal_image_get(names[k], &data, &size) != HV_OK)
				continue;
			im[n].name = names[k];
			im[n].hash = trace_fnv1a(TRACE_FNV_INIT, data, size);
			im[n].data = size <= IMAGE_EMBED_MAX ? data : NULL;
			im[n].size = size <= IMAGE_EMBED_MAX ? size : 0;
			n++;
		}
	}
	h.hv_version = (uint16_t)(HV_VERSION_MAJOR << 8 | HV_VERSION_MINOR);
	h.hal = TRACE_HAL_BAREMETAL;
	h.flags = (uint16_t)(TRACE_FLAG_LOCKS |
			     (partial ? TRACE_FLAG_PARTIAL : 0u));
	h.config = config_blob;
	h.config_size = (uint32_t)config_len;
	h.images = im;
	h.image_count = n;

	struct b64 b = {.hash = TRACE_FNV_INIT};
	hv_snprintf(line, sizeof(line), "cellvisor-trace: begin %u\n",
		    snapshots);
	put(line, strlen(line));
	trace_header_emit(&h, b64_emit, &b);
	b64_emit(&b, ring, ring_used);
	if (b.n > 0)
		line_out(&b);
	hv_snprintf(line, sizeof(line),
		    "cellvisor-trace: end %u %llu %016llx\n", snapshots,
		    (unsigned long long)b.total, (unsigned long long)b.hash);
	put(line, strlen(line));
	snapshots++;
}

/* Prints what was recorded so far; recording goes on afterwards unless
 * `final`. Other CPUs wait on the console lock meanwhile. */
static void dump(bool final, int status)
{
	if (emitting)
		return; /* a panic while printing: keep what is out */
	emitting = true;
	trace_rec_pause(true);
	trace_rec_lock(); /* no event half-written by another CPU */
	bm_console_lock();
	/* The last partial block into the ring; an end event for finals. */
	if (final && rec_hv != NULL && !ring_full) {
		uint64_t a[2] = {(uint64_t)(int64_t)status,
				 trace_state_hash(rec_hv,
						  trace_rec_console_hash())};
		trace_put(&writer, TRACE_END, TRACE_PCPU_NONE, a, 2);
	}
	trace_writer_flush(&writer);
	print_trace(ring_full || !final);
	bm_console_unlock();
	trace_rec_unlock();
	if (!final)
		trace_rec_pause(false);
	emitting = false;
}

/* ---- hooks main.c and hal.c call (weak no-ops in the plain image) ----- */

/* Recorded runs take the slow exit path: see bm.h. */
const bool bm_fast_exits = false;

void bm_trace_start(const struct hv *hv, const void *config, size_t size)
{
	rec_hv = hv;
	config_blob = config;
	config_len = size;
	trace_writer_init(&writer, block, sizeof(block), ring_append, NULL);
	trace_rec_start(ring_sink, NULL);
	hv_printf("cellvisor: recording a trace (ring of %u KiB)\n",
		  RING_SIZE / 1024u);
}

void bm_trace_finish(int status)
{
	dump(true, status);
}

void bm_trace_panic(void)
{
	dump(true, -1);
}

bool bm_trace_snapshot(void)
{
	dump(false, 0);
	return true;
}

/* A cell was terminated: print a snapshot, keep recording. */
void __real_cell_terminate(struct hv_vcpu *vcpu, const struct hv_exit *exit,
			   const char *reason);
void __wrap_cell_terminate(struct hv_vcpu *vcpu, const struct hv_exit *exit,
			   const char *reason);
void __wrap_cell_terminate(struct hv_vcpu *vcpu, const struct hv_exit *exit,
			   const char *reason)
{
	__real_cell_terminate(vcpu, exit, reason);
	dump(false, 0);
}

/*
 * Lock order (docs/replay.md, "Lock order"): the pCPUs run at once, and
 * what one computes between two HAL calls may depend on which pCPU took a
 * cell's lock first. Each acquisition the core makes is recorded right
 * after it succeeds, still holding the lock, so the events of one lock
 * are in acquisition order. The id is the owning cell's index: addresses
 * differ between this image and the replay.
 */
void __real_hv_spin_lock(struct hv_spinlock *l);
void __wrap_hv_spin_lock(struct hv_spinlock *l);
void __wrap_hv_spin_lock(struct hv_spinlock *l)
{
	__real_hv_spin_lock(l);
	unsigned id = TRACE_LOCK_OTHER;
	if (rec_hv != NULL) {
		uintptr_t off = (uintptr_t)l -
				(uintptr_t)&rec_hv->cells[0].lock;
		if (off % sizeof(struct hv_cell) == 0 &&
		    off / sizeof(struct hv_cell) < rec_hv->cell_count)
			id = (unsigned)(off / sizeof(struct hv_cell));
	}
	trace_rec_lock_taken(id);
}
