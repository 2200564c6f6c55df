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

static const uint32_t crc_table[256] = {
	0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u,
	0x706af48fu, 0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u,
	0xe0d5e91eu, 0x97d2d988u, 0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u,
	0x90bf1d91u, 0x1db71064u, 0x6ab020f2u, 0xf3b97148u, 0x84be41deu,
	0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u, 0x136c9856u,
	0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
	0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u,
	0xa2677172u, 0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu,
	0x35b5a8fau, 0x42b2986cu, 0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u,
	0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u, 0x26d930acu, 0x51de003au,
	0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u, 0xcfba9599u,
	0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
	0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u,
	0x01db7106u, 0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu,
	0x9fbfe4a5u, 0xe8b8d433u, 0x7807c9a2u, 0x0f00f934u, 0x9609a88eu,
	0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du, 0x91646c97u, 0xe6635c01u,
	0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu, 0x6c0695edu,
	0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
	0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u,
	0xfbd44c65u, 0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u,
	0x4adfa541u, 0x3dd895d7u, 0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au,
	0x346ed9fcu, 0xad678846u, 0xda60b8d0u, 0x44042d73u, 0x33031de5u,
	0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau, 0xbe0b1010u,
	0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
	0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u,
	0x2eb40d81u, 0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u,
	0x03b6e20cu, 0x74b1d29au, 0xead54739u, 0x9dd277afu, 0x04db2615u,
	0x73dc1683u, 0xe3630b12u, 0x94643b84u, 0x0d6d6a3eu, 0x7a6a5aa8u,
	0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u, 0xf00f9344u,
	0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
	0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au,
	0x67dd4accu, 0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u,
	0xd6d6a3e8u, 0xa1d1937eu, 0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u,
	0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu, 0xd80d2bdau, 0xaf0a1b4cu,
	0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u, 0x316e8eefu,
	0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
	0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu,
	0xb2bd0b28u, 0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u,
	0x2cd99e8bu, 0x5bdeae1du, 0x9b64c2b0u, 0xec63f226u, 0x756aa39cu,
	0x026d930au, 0x9c0906a9u, 0xeb0e363fu, 0x72076785u, 0x05005713u,
	0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u, 0x92d28e9bu,
	0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
	0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u,
	0x18b74777u, 0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu,
	0x8f659effu, 0xf862ae69u, 0x616bffd3u, 0x166ccf45u, 0xa00ae278u,
	0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u, 0xa7672661u, 0xd06016f7u,
	0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu, 0x40df0b66u,
	0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
	0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u,
	0xcdd70693u, 0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u,
	0x5d681b02u, 0x2a6f2b94u, 0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu,
	0x2d02ef8du,
};

uint32_t trace_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
	return ~crc;
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

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8u * i));
}

static void put64(uint8_t *p, uint64_t v)
{
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
