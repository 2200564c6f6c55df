/* SPDX-License-Identifier: MIT */
/*
 * Cellvisor trace files: names, checksums, header encoding and the block
 * writer (hal/trace/trace_format.h, docs/trace-format.md).
 *
 * Freestanding: linked into the EL2 image as well as host programs. No
 * libc beyond memcpy/memset (through the builtins), no allocation, no
 * statics that change.
 */
#include "trace_format.h"

#define COPY(d, s, n) __builtin_memcpy((d), (s), (n))
#define ZERO(d, n) __builtin_memset((d), 0, (n))

static const char *const event_names[TRACE_EVENT_MAX] = {
	[TRACE_RUN] = "run",
	[TRACE_RUN_EXIT] = "run-exit",
	[TRACE_EXIT] = "exit",
	[TRACE_IDLE] = "idle",
	[TRACE_REG_READ] = "reg-read",
	[TRACE_REG_WRITE] = "reg-write",
	[TRACE_RESET] = "reset",
	[TRACE_LR_READ] = "lr-read",
	[TRACE_LR_WRITE] = "lr-write",
	[TRACE_UNDERFLOW] = "underflow",
	[TRACE_HW_DEACTIVATE] = "hw-deactivate",
	[TRACE_TLB_VMID] = "tlb-vmid",
	[TRACE_TLB_RANGE] = "tlb-range",
	[TRACE_IRQ_ROUTE] = "irq-route",
	[TRACE_KICK] = "kick",
	[TRACE_CONSOLE] = "console",
	[TRACE_MEM] = "mem",
	[TRACE_SCRUB] = "scrub",
	[TRACE_INSNS] = "insns",
	[TRACE_HOST_OP] = "host-op",
	[TRACE_END] = "end",
	[TRACE_PLATFORM] = "platform",
	[TRACE_SNAPSHOT] = "snapshot",
	[TRACE_LOCK] = "lock",
};

/* Args per type, +1 (0: unknown or byte event), so that a type someone
 * adds to the enum without a line here is refused rather than guessed. */
static const uint8_t event_nargs1[TRACE_EVENT_MAX] = {
	[TRACE_RUN] = 1,       [TRACE_RUN_EXIT] = 8,	  [TRACE_EXIT] = 7,
	[TRACE_IDLE] = 3,      [TRACE_REG_READ] = 3,	  [TRACE_REG_WRITE] = 3,
	[TRACE_RESET] = 3,     [TRACE_LR_READ] = 3,	  [TRACE_LR_WRITE] = 3,
	[TRACE_UNDERFLOW] = 2, [TRACE_HW_DEACTIVATE] = 2, [TRACE_TLB_VMID] = 2,
	[TRACE_TLB_RANGE] = 4, [TRACE_IRQ_ROUTE] = 4,	  [TRACE_KICK] = 2,
	[TRACE_SCRUB] = 3,     [TRACE_INSNS] = 2,	  [TRACE_HOST_OP] = 3,
	[TRACE_END] = 3,       [TRACE_PLATFORM] = 5,	  [TRACE_SNAPSHOT] = 2,
	[TRACE_LOCK] = 2,
};

const char *trace_event_name(unsigned type)
{
	if (type >= TRACE_EVENT_MAX || event_names[type] == NULL)
		return "?";
	return event_names[type];
}

int trace_event_nargs(unsigned type)
{
	if (type >= TRACE_EVENT_MAX || event_nargs1[type] == 0)
		return -1;
	return (int)event_nargs1[type] - 1;
}

int trace_event_bytes_lead(unsigned type)
{
	if (type == TRACE_CONSOLE)
		return 0;
	if (type == TRACE_MEM)
		return 1;
	return -1;
}

/* Packed u64 words that hold n bytes. */
static size_t words_for(uint64_t n)
{
	return (size_t)((n + 7u) / 8u);
}

const char *trace_ev_check(const struct trace_ev *ev)
{
	int fixed = trace_event_nargs(ev->type);
	int lead = trace_event_bytes_lead(ev->type);
	uint64_t count;

	if (ev->nargs > TRACE_MAX_ARGS)
		return "more than TRACE_MAX_ARGS args";
	if (fixed >= 0)
		return ev->nargs == (unsigned)fixed ? NULL : "wrong arg count";
	if (lead < 0)
		return "unknown event type";
	if (ev->nargs < (unsigned)lead + 1u)
		return "byte event without a byte count";
	count = ev->args[lead];
	if (count > 8u * (uint64_t)(ev->nargs - (unsigned)lead - 1u) ||
	    (size_t)lead + 1u + words_for(count) != ev->nargs)
		return "byte count does not match the args";
	return NULL;
}

bool trace_ev_bytes(const struct trace_ev *ev, uint8_t *out, size_t cap,
		    size_t *len)
{
	int lead = trace_event_bytes_lead(ev->type);
	uint64_t count;

	if (lead < 0 || trace_ev_check(ev) != NULL)
		return false;
	count = ev->args[lead];
	if (count > cap)
		return false;
	for (size_t i = 0; i < count; i++) {
		uint64_t word = ev->args[(size_t)lead + 1u + i / 8u];
		out[i] = (uint8_t)(word >> (8u * (i % 8u)));
	}
	*len = (size_t)count;
	return true;
}

/* crc32_tables[8][256], generated at build time (gen_crc32_tables.py). */
#include "crc32_tables.h"

/* Slicing-by-8: eight bytes per step through eight tables (byte-wise was
 * an eighth of the simulator's recording cost), then byte-wise. Bytes are
 * assembled explicitly, so alignment and host byte order do not matter.
 * Works on the inverted running CRC. */
static uint32_t crc32_tables_run(uint32_t st, const uint8_t *p, size_t len)
{
	const uint32_t(*t)[256] = crc32_tables;

	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = st ^
			      ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);

		st = t[7][lo & 0xffu] ^ t[6][(lo >> 8) & 0xffu] ^
		     t[5][(lo >> 16) & 0xffu] ^ t[4][lo >> 24] ^ t[3][p[4]] ^
		     t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
	}
	for (; len > 0; len--, p++)
		st = t[0][(st ^ *p) & 0xffu] ^ (st >> 8);
	return st;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/*
 * Host only (x86-64 with PCLMULQDQ and SSE4.1): CRC-32 by carry-less
 * multiplication, folding four 128-bit lanes at a time, then one, then
 * reducing 128 -> 64 -> 32 bits with a Barrett step, as in Gopal et al.,
 * "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" (Intel,
 * 2009), with that paper's constants for the reflected polynomial
 * 0xEDB88320: k1..k5 are x^n mod P for the fold distances, `pu` holds P
 * and floor(x^64 / P). len >= 64 and a multiple of 16; `st` and the result
 * are the inverted running CRC. 1.8x the tables here; the bit-exactness
 * test is test_checksums() in tests/trace/test_trace.c.
 */
/* x folded over 128 bits with the constants k (lo, hi), plus next. */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i crc32_fold1(
	__m128i x, __m128i k, __m128i next)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
					   _mm_clmulepi64_si128(x, k, 0x11)),
			     next);
}

__attribute__((target("pclmul,sse4.1"))) static uint32_t crc32_fold(
	const uint8_t *p, size_t len, uint32_t st)
{
	const __m128i k12 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
	const __m128i k34 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
	const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);
	const __m128i pu = _mm_set_epi64x(0x1f7011641, 0x1db710641);
	const __m128i lo32 = _mm_setr_epi32(-1, 0, -1, 0);
	__m128i x[4], t;

	for (unsigned i = 0; i < 4; i++)
		x[i] = _mm_loadu_si128((const void *)(p + 16u * i));
	x[0] = _mm_xor_si128(x[0], _mm_cvtsi32_si128((int)st));
	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64)
		for (unsigned i = 0; i < 4; i++)
			x[i] = crc32_fold1(x[i], k12,
					   _mm_loadu_si128((
						   const void *)(p + 16u * i)));
	/* The four lanes into one, then the 16-byte blocks left. */
	for (unsigned i = 1; i < 4; i++)
		x[0] = crc32_fold1(x[0], k34, x[i]);
	for (; len >= 16; p += 16, len -= 16)
		x[0] = crc32_fold1(x[0], k34, _mm_loadu_si128((const void *)p));
	/* 128 -> 64 -> 32 bits, then the Barrett reduction. */
	t = _mm_clmulepi64_si128(x[0], k34, 0x10);
	x[0] = _mm_xor_si128(_mm_srli_si128(x[0], 8), t);
	t = _mm_srli_si128(x[0], 4);
	x[0] = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x[0], lo32), k5,
						  0x00),
			     t);
	t = _mm_clmulepi64_si128(_mm_and_si128(x[0], lo32), pu, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, lo32), pu, 0x00);
	x[0] = _mm_xor_si128(x[0], t);
	return (uint32_t)_mm_extract_epi32(x[0], 1);
}

/* 1 when the CPU has PCLMULQDQ and SSE4.1, 0 when not, -1 not asked yet
 * (asking twice at once is harmless: both store the same answer). */
static int crc32_has_clmul = -1;

static bool crc32_clmul(void)
{
	int v = __atomic_load_n(&crc32_has_clmul, __ATOMIC_RELAXED);
	unsigned a, b, c, d;

	if (v < 0) {
		v = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL) &&
		    (c & bit_SSE4_1);
		__atomic_store_n(&crc32_has_clmul, v, __ATOMIC_RELAXED);
	}
	return v != 0;
}
#endif

uint32_t trace_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t st = ~crc;

#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= 64 && crc32_clmul()) {
		size_t n = len & ~(size_t)15;

		st = crc32_fold(p, n, st);
		p += n;
		len -= n;
	}
#endif
	return ~crc32_tables_run(st, p, len);
}

uint64_t trace_fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* Little-endian stores. On a little-endian host one unaligned store each
 * (the compiler does not merge the byte loop, and event encoding is a
 * large part of what recording costs the simulator). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TRACE_LE_HOST 1
#else
#define TRACE_LE_HOST 0
#endif

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	if (TRACE_LE_HOST) {
		__builtin_memcpy(p, &v, sizeof(v));
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8u * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	if (TRACE_LE_HOST) {
		__builtin_memcpy(p, &v, sizeof(v));
		return;
	}
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8u * i));
}

/* ---------------------------------------------------------------------- */
/* Header */

static uint64_t pad8(uint64_t n)
{
	return (n + 7u) & ~(uint64_t)7u;
}

static size_t name_len(const char *s)
{
	size_t n = 0;

	while (s != NULL && n < TRACE_IMAGE_NAME_MAX - 1u && s[n] != '\0')
		n++;
	return n;
}

/* Size written for image `im`: 0 when not embedded. */
static uint64_t image_file_size(const struct trace_image_info *im)
{
	return im->data != NULL ? im->size : 0;
}

size_t trace_header_size(const struct trace_header_info *h)
{
	uint64_t n = TRACE_HEADER_SIZE + pad8(h->config_size);

	for (uint32_t i = 0; i < h->image_count; i++)
		n += TRACE_IMAGE_ENTRY_SIZE +
		     pad8(image_file_size(&h->images[i]));
	return (size_t)n;
}

void trace_header_emit(const struct trace_header_info *h,
		       void (*emit)(void *ctx, const void *data, size_t len),
		       void *ctx)
{
	static const uint8_t zeros[8];
	uint8_t fixed[TRACE_HEADER_SIZE];
	uint8_t entry[TRACE_IMAGE_ENTRY_SIZE];
	uint64_t cfg_hash = TRACE_FNV_INIT;

	if (h->config_size != 0)
		cfg_hash = trace_fnv1a(cfg_hash, h->config, h->config_size);
	COPY(fixed, TRACE_MAGIC, 8); /* with its NUL */
	put16(fixed + 8, (uint16_t)TRACE_VERSION);
	put16(fixed + 10, h->hv_version);
	put16(fixed + 12, h->hal);
	put16(fixed + 14, h->flags);
	put64(fixed + 16, h->quantum);
	put64(fixed + 24, cfg_hash);
	put32(fixed + 32, h->config_size);
	put32(fixed + 36, h->image_count);
	put32(fixed + 40, trace_crc32(0, fixed, 40));
	emit(ctx, fixed, sizeof(fixed));

	if (h->config_size != 0)
		emit(ctx, h->config, h->config_size);
	if (pad8(h->config_size) != h->config_size)
		emit(ctx, zeros,
		     (size_t)(pad8(h->config_size) - h->config_size));

	for (uint32_t i = 0; i < h->image_count; i++) {
		const struct trace_image_info *im = &h->images[i];
		uint64_t size = image_file_size(im);
		uint64_t hash = im->hash;

		if (size != 0)
			hash = trace_fnv1a(TRACE_FNV_INIT, im->data,
					   (size_t)size);
		ZERO(entry, sizeof(entry));
		COPY(entry, im->name != NULL ? im->name : "",
		     name_len(im->name));
		put64(entry + TRACE_IMAGE_NAME_MAX, size);
		put64(entry + TRACE_IMAGE_NAME_MAX + 8, hash);
		emit(ctx, entry, sizeof(entry));
		if (size != 0)
			emit(ctx, im->data, (size_t)size);
		if (pad8(size) != size)
			emit(ctx, zeros, (size_t)(pad8(size) - size));
	}
}

struct mem_sink {
	uint8_t *p;
	size_t used;
};

static void mem_emit(void *ctx, const void *data, size_t len)
{
	struct mem_sink *s = ctx;

	COPY(s->p + s->used, data, len);
	s->used += len;
}

size_t trace_header_encode(uint8_t *out, size_t cap,
			   const struct trace_header_info *h)
{
	struct mem_sink s = {out, 0};

	if (cap < trace_header_size(h))
		return 0;
	trace_header_emit(h, mem_emit, &s);
	return s.used;
}

/* ---------------------------------------------------------------------- */
/* Writer */

void trace_writer_init(struct trace_writer *w, uint8_t *block_buf, size_t cap,
		       void (*emit)(void *ctx, const void *data, size_t len),
		       void *ctx)
{
	ZERO(w, sizeof(*w));
	w->buf = block_buf;
	w->emit = emit;
	w->ctx = ctx;
	w->len = TRACE_BLOCK_HDR_SIZE;
	if (block_buf == NULL || emit == NULL || cap < TRACE_BLOCK_MIN)
		cap = 0;
	if (cap > TRACE_BLOCK_HDR_SIZE + TRACE_BLOCK_MAX_PAYLOAD)
		cap = TRACE_BLOCK_HDR_SIZE + TRACE_BLOCK_MAX_PAYLOAD;
	w->cap = cap;
}

void trace_writer_flush(struct trace_writer *w)
{
	size_t payload = w->len - TRACE_BLOCK_HDR_SIZE;

	if (w->count == 0)
		return;
	put32(w->buf, TRACE_BLOCK_MAGIC);
	put32(w->buf + 4, (uint32_t)payload);
	put32(w->buf + 8, w->count);
	put32(w->buf + 12,
	      trace_crc32(0, w->buf + TRACE_BLOCK_HDR_SIZE, payload));
	w->emit(w->ctx, w->buf, w->len);
	w->blocks++;
	w->len = TRACE_BLOCK_HDR_SIZE;
	w->count = 0;
}

/* Room for an event of nargs args in the current block (flushing it if
 * needed); the event's header written and a pointer to its first arg
 * returned. NULL (event counted as dropped) if the event is invalid. */
static uint8_t *event_begin(struct trace_writer *w, unsigned type,
			    unsigned pcpu, unsigned nargs)
{
	size_t size = TRACE_EVENT_HDR_SIZE + 8u * (size_t)nargs;
	uint8_t *p;

	if (w->cap == 0 || type == 0 || type > 0xffu || pcpu > 0xffu ||
	    nargs > TRACE_MAX_ARGS) {
		w->dropped++;
		return NULL;
	}
	if (w->len + size > w->cap)
		trace_writer_flush(w);
	p = w->buf + w->len;
	p[0] = (uint8_t)type;
	p[1] = (uint8_t)pcpu;
	put16(p + 2, (uint16_t)nargs);
	put64(p + 4, w->seq);
	w->seq++;
	w->len += size;
	w->count++;
	return p + TRACE_EVENT_HDR_SIZE;
}

void trace_put(struct trace_writer *w, unsigned type, unsigned pcpu,
	       const uint64_t *args, unsigned nargs)
{
	uint8_t *p = event_begin(w, type, pcpu, nargs);

	if (p == NULL)
		return;
	for (unsigned i = 0; i < nargs; i++)
		put64(p + 8u * i, args[i]);
}

void trace_put_bytes(struct trace_writer *w, unsigned type, unsigned pcpu,
		     const uint64_t *lead, unsigned nlead, const void *bytes,
		     size_t len)
{
	const uint8_t *src = bytes;
	size_t max, done = 0;

	if (nlead >= TRACE_MAX_ARGS - 1u) {
		w->dropped++;
		return;
	}
	max = 8u * (size_t)(TRACE_MAX_ARGS - nlead - 1u);
	do {
		size_t n = len - done < max ? len - done : max;
		size_t words = words_for(n);
		uint8_t *p = event_begin(w, type, pcpu,
					 nlead + 1u + (unsigned)words);

		if (p == NULL)
			return;
		for (unsigned i = 0; i < nlead; i++) {
			uint64_t v = lead[i];

			if (i == 0 && type == TRACE_MEM)
				v += done;
			put64(p + 8u * i, v);
		}
		p += 8u * nlead;
		put64(p, n);
		p += 8;
		if (n != 0)
			COPY(p, src + done, n);
		ZERO(p + n, 8u * words - n);
		done += n;
	} while (done < len);
}
