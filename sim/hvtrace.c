/* SPDX-License-Identifier: MIT */
/*
 * hvtrace: looks at Cellvisor trace files (docs/trace-format.md).
 *
 *   hvtrace info FILE
 *   hvtrace dump FILE [--from N] [--count N]
 *   hvtrace diff A B
 *   hvtrace export --chrome OUT FILE
 *
 * Every command reads through hal/trace/trace_io.h, which checks each
 * block and event before handing it out: a corrupt or truncated trace is
 * reported in one line and exit 2, never half-read silently.
 *
 * Exit codes: 0 ok / identical, 1 different (diff) or a failed check,
 * 2 usage error or an unreadable or corrupt trace.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/exit.h>
#include <hv/vcpu.h>

#include "hvtrace.h"
#include "trace_io.h"

#define EXIT_DIFF 1
#define EXIT_USAGE 2
#define NPCPU 256u	/* pcpu is a u8 in the format */
#define HOST_TID 1000u	/* Chrome track of events tied to no pCPU */
#define DIFF_CONTEXT 3u /* identical events shown before a divergence */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------- */
/* Small helpers */

__attribute__((format(printf, 1, 2))) static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("hvtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	err("%s%s%s", msg, arg ? ": " : "", arg ? arg : "");
	err("try 'hvtrace %s--help'", cmd ? cmd : "");
	return EXIT_USAGE;
}

/* A decimal number, all of the string, no overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static struct trace_reader *open_trace(const char *path)
{
	char msg[400];
	struct trace_reader *r = trace_open(path, msg, sizeof(msg));

	if (r == NULL)
		err("%s: %s", path, msg);
	return r;
}

/* trace_next(), with the error reported against path. */
static int next_event(struct trace_reader *r, const char *path,
		      struct trace_ev *ev)
{
	int rc = trace_next(r, ev);

	if (rc < 0)
		err("%s: %s", path, trace_error(r));
	return rc;
}

/* A line being built. */
struct line {
	char s[8192];
	size_t n;
};

__attribute__((format(printf, 2, 3))) static void add(struct line *l,
						      const char *fmt, ...)
{
	va_list ap;
	int k;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k;
	if (l->n > sizeof(l->s) - 1)
		l->n = sizeof(l->s) - 1;
}

/* ---------------------------------------------------------------------- */
/* Names */

static const char *const hal_names[] = {
	[TRACE_HAL_SIM] = "sim",
	[TRACE_HAL_BAREMETAL] = "baremetal",
	[TRACE_HAL_REPLAY] = "replay",
};

static const char *const kind_names[] = {
	[HV_EXIT_SYNC] = "sync",
	[HV_EXIT_IRQ] = "irq",
	[HV_EXIT_BUDGET] = "budget",
	[HV_EXIT_HANDLED] = "handled",
};

static const char *const action_names[] = {
	[HV_ACTION_RESUME] = "resume",
	[HV_ACTION_WAIT] = "wait",
	[HV_ACTION_STOP] = "stop",
};

static const char *const reg_names[HV_REG_COUNT] = {
	[HV_REG_PC] = "pc",
	[HV_REG_PSTATE] = "pstate",
	[HV_REG_SP_EL1] = "sp_el1",
	[HV_REG_ELR_EL1] = "elr_el1",
	[HV_REG_SPSR_EL1] = "spsr_el1",
	[HV_REG_ESR_EL1] = "esr_el1",
	[HV_REG_FAR_EL1] = "far_el1",
	[HV_REG_VBAR_EL1] = "vbar_el1",
};

/* ESR_ELx.EC values (Arm ARM D17.2.37). */
static const char *const ec_names[64] = {
	[0x00] = "unknown",	[0x01] = "wfx",	       [0x03] = "cp15-mcr",
	[0x04] = "cp15-mcrr",	[0x05] = "cp14-mcr",   [0x06] = "cp14-ldc",
	[0x07] = "fp-access",	[0x0c] = "cp14-mrrc",  [0x0d] = "bti",
	[0x0e] = "illegal",	[0x11] = "svc32",      [0x12] = "hvc32",
	[0x13] = "smc32",	[0x15] = "svc64",      [0x16] = "hvc64",
	[0x17] = "smc64",	[0x18] = "sysreg",     [0x19] = "sve",
	[0x1c] = "fpac",	[0x20] = "iabt-lower", [0x21] = "iabt-cur",
	[0x22] = "pc-align",	[0x24] = "dabt-lower", [0x25] = "dabt-cur",
	[0x26] = "sp-align",	[0x28] = "fp32-exc",   [0x2c] = "fp64-exc",
	[0x2f] = "serror",	[0x30] = "bkpt-lower", [0x31] = "bkpt-cur",
	[0x32] = "sstep-lower", [0x33] = "sstep-cur",  [0x34] = "wpt-lower",
	[0x35] = "wpt-cur",	[0x38] = "bkpt32",     [0x3c] = "brk",
};

static const char *table_name(const char *const *t, size_t n, uint64_t v)
{
	return v < n ? t[v] : NULL;
}

#define NAME_OF(t, v) table_name((t), ARRAY_SIZE(t), (v))

static void add_enum(struct line *l, const char *key, const char *name,
		     uint64_t v)
{
	if (name != NULL)
		add(l, "%s=%s", key, name);
	else
		add(l, "%s=%" PRIu64, key, v);
}

static void add_reg(struct line *l, uint64_t reg)
{
	const char *name = NAME_OF(reg_names, reg);

	if (reg <= HV_REG_X30)
		add(l, "x%" PRIu64, reg);
	else if (name != NULL)
		add(l, "%s", name);
	else
		add(l, "reg%" PRIu64, reg);
}

static const char *ec_name(uint64_t esr)
{
	const char *n = ec_names[(esr >> 26) & 0x3f];

	return n != NULL ? n : "ec?";
}

/* "0x5a000000 (hvc64 #0)": ESR with its class and the telling ISS bits. */
static void add_esr(struct line *l, uint64_t esr)
{
	unsigned ec = (unsigned)(esr >> 26) & 0x3fu;
	uint64_t iss = esr & 0x1ffffffu;

	add(l, "esr=0x%" PRIx64 " (%s", esr, ec_name(esr));
	switch (ec) {
	case 0x01: {
		static const char *const ti[] = {"wfi", "wfe", "wfit", "wfet"};
		add(l, " %s", ti[iss & 3u]);
		break;
	}
	case 0x11:
	case 0x12:
	case 0x13:
	case 0x15:
	case 0x16:
	case 0x17:
		add(l, " #0x%" PRIx64, iss & 0xffffu);
		break;
	case 0x18:
		add(l, " S%u_%u_C%u_C%u_%u %s x%u", (unsigned)(iss >> 20) & 3u,
		    (unsigned)(iss >> 14) & 7u, (unsigned)(iss >> 10) & 15u,
		    (unsigned)(iss >> 1) & 15u, (unsigned)(iss >> 17) & 7u,
		    (iss & 1u) ? "read" : "write", (unsigned)(iss >> 5) & 31u);
		break;
	case 0x24:
	case 0x25:
		if (iss & (1u << 24))
			add(l, " %s x%u %uB",
			    (iss & (1u << 6)) ? "write" : "read",
			    (unsigned)(iss >> 16) & 31u,
			    1u << ((iss >> 22) & 3u));
		else
			add(l, " %s no-isv",
			    (iss & (1u << 6)) ? "write" : "read");
		add(l, " fsc=0x%" PRIx64, iss & 0x3fu);
		break;
	case 0x20:
	case 0x21:
		add(l, " fsc=0x%" PRIx64, iss & 0x3fu);
		break;
	default:
		break;
	}
	add(l, ")");
}

/* Bytes as a C-like quoted string. */
static void add_escaped(struct line *l, const uint8_t *b, size_t n)
{
	add(l, "\"");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = b[i];

		if (c == '\n')
			add(l, "\\n");
		else if (c == '\r')
			add(l, "\\r");
		else if (c == '\t')
			add(l, "\\t");
		else if (c == '"' || c == '\\')
			add(l, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			add(l, "\\x%02x", c);
		else
			add(l, "%c", c);
	}
	add(l, "\"");
}

/* ICH_LR<n>_EL2: "vintid 27 pending hw pintid 27 prio 0xa0". */
static void add_lr(struct line *l, uint64_t lr)
{
	static const char *const states[] = {"invalid", "pending", "active",
					     "pending+active"};

	add(l, " (vintid %" PRIu64 " %s", lr & 0xffffffffu, states[lr >> 62]);
	if (lr & (UINT64_C(1) << 61))
		add(l, " hw pintid %" PRIu64, (lr >> 32) & 0x3ffu);
	add(l, " prio 0x%" PRIx64 " g%u)", (lr >> 48) & 0xffu,
	    (unsigned)(lr >> 60) & 1u);
}

/* The args of one exit (TRACE_RUN_EXIT, TRACE_EXIT). */
static void add_exit(struct line *l, const struct trace_ev *ev)
{
	const uint64_t *a = ev->args;

	add_enum(l, "kind", NAME_OF(kind_names, a[0]), a[0]);
	add(l, " ");
	add_esr(l, a[1]);
	add(l, " far=0x%" PRIx64 " hpfar=0x%" PRIx64 " intid=%" PRIu64, a[2],
	    a[3], a[4]);
	if (ev->type == TRACE_RUN_EXIT) {
		add(l, " ");
		add_enum(l, "action", NAME_OF(action_names, a[5]), a[5]);
		add(l, " insns=%" PRIu64, a[6]);
	} else {
		add(l, " insns=%" PRIu64, a[5]);
	}
}

/* The args of ev, decoded per type. The reader has checked the arg count
 * of every event against its type. */
static void add_args(struct line *l, const struct trace_ev *ev)
{
	const uint64_t *a = ev->args;
	uint8_t bytes[8 * TRACE_MAX_ARGS];
	size_t n = 0;

	switch (ev->type) {
	case TRACE_RUN:
		break;
	case TRACE_RUN_EXIT:
	case TRACE_EXIT:
		add_exit(l, ev);
		break;
	case TRACE_IDLE:
		add_enum(l, "kind", NAME_OF(kind_names, a[0]), a[0]);
		add(l, " intid=%" PRIu64, a[1]);
		break;
	case TRACE_REG_READ:
	case TRACE_REG_WRITE:
		add_reg(l, a[0]);
		add(l, "=0x%" PRIx64, a[1]);
		break;
	case TRACE_RESET:
		add(l, "entry=0x%" PRIx64 " x0=0x%" PRIx64, a[0], a[1]);
		break;
	case TRACE_LR_READ:
	case TRACE_LR_WRITE:
		add(l, "lr%" PRIu64 "=0x%" PRIx64, a[0], a[1]);
		add_lr(l, a[1]);
		break;
	case TRACE_UNDERFLOW:
		add(l, "on=%" PRIu64, a[0]);
		break;
	case TRACE_HW_DEACTIVATE:
		add(l, "intid=%" PRIu64, a[0]);
		break;
	case TRACE_TLB_VMID:
		add(l, "vmid=%" PRIu64, a[0]);
		break;
	case TRACE_TLB_RANGE:
		add(l, "vmid=%" PRIu64 " ipa=0x%" PRIx64 " size=0x%" PRIx64,
		    a[0], a[1], a[2]);
		break;
	case TRACE_IRQ_ROUTE:
		add(l, "intid=%" PRIu64 " cpu=%" PRIu64 " on=%" PRIu64, a[0],
		    a[1], a[2]);
		break;
	case TRACE_KICK:
		add(l, "target=cpu%" PRIu64, a[0]);
		break;
	case TRACE_CONSOLE:
		if (trace_ev_bytes(ev, bytes, sizeof(bytes), &n))
			add_escaped(l, bytes, n);
		break;
	case TRACE_MEM:
		if (trace_ev_bytes(ev, bytes, sizeof(bytes), &n)) {
			add(l, "pa=0x%" PRIx64 " len=%zu", a[0], n);
			for (size_t i = 0; i < n; i++)
				add(l, "%s%02x", i % 8 == 0 ? " " : "",
				    bytes[i]);
		}
		break;
	case TRACE_SCRUB:
		add(l, "pa=0x%" PRIx64 " size=0x%" PRIx64, a[0], a[1]);
		break;
	case TRACE_INSNS:
		add(l, "insns=%" PRIu64, a[0]);
		break;
	case TRACE_HOST_OP:
		add(l, "op=%" PRIu64 " cell=%" PRIu64, a[0], a[1]);
		break;
	case TRACE_END:
		add(l, "status=%" PRId64 " hash=0x%016" PRIx64, (int64_t)a[0],
		    a[1]);
		break;
	case TRACE_SNAPSHOT:
		add(l, "printed=%" PRIu64, a[0]);
		break;
	case TRACE_LOCK:
		if (a[0] == TRACE_LOCK_OTHER)
			add(l, "lock=other");
		else
			add(l, "cell=%" PRIu64, a[0]);
		break;
	case TRACE_PLATFORM:
		add(l,
		    "lrs=%" PRIu64 " pa_bits=%" PRIu64 " pool=0x%" PRIx64
		    " pool_size=0x%" PRIx64,
		    a[0], a[1], a[2], a[3]);
		break;
	default:
		for (unsigned i = 0; i < ev->nargs; i++)
			add(l, "%s0x%" PRIx64, i ? " " : "", a[i]);
		break;
	}
}

static void add_pcpu(struct line *l, unsigned pcpu)
{
	if (pcpu == TRACE_PCPU_NONE)
		add(l, "%-5s", "-");
	else
		add(l, "cpu%-2u", pcpu);
}

/* One event as dump prints it: seq, pCPU, type, args. */
static void format_event(struct line *l, const struct trace_ev *ev)
{
	add(l, "%-8" PRIu64 " ", ev->seq);
	add_pcpu(l, ev->pcpu);
	add(l, " %-13s", trace_event_name(ev->type));
	if (ev->nargs != 0) {
		add(l, " ");
		add_args(l, ev);
	}
	/* no trailing blanks */
	while (l->n > 0 && l->s[l->n - 1] == ' ')
		l->s[--l->n] = '\0';
}

/* ---------------------------------------------------------------------- */
/* info */

static void print_header(const struct trace_header_info *h)
{
	const char *hal = NAME_OF(hal_names, h->hal);

	printf("format version  %u\n", h->version);
	printf("hv version      %u.%u\n", h->hv_version >> 8,
	       h->hv_version & 0xffu);
	printf("HAL             %s\n", hal != NULL ? hal : "?");
	printf("flags           0x%x%s%s\n", h->flags,
	       h->flags & TRACE_FLAG_PARTIAL ? " partial" : "",
	       h->flags & TRACE_FLAG_LOCKS ? " lock-order" : "");
	printf("quantum         %" PRIu64 "%s\n", h->quantum,
	       h->quantum == 0 ? " (none)" : " instructions");
	printf("config          %" PRIu32 " bytes, hash 0x%016" PRIx64 "\n",
	       h->config_size, h->config_hash);
	printf("images          %" PRIu32 "\n", h->image_count);
	for (uint32_t i = 0; i < h->image_count; i++) {
		const struct trace_image_info *im = &h->images[i];

		if (im->data != NULL)
			printf("  %-20s %" PRIu64 " bytes, hash 0x%016" PRIx64
			       "\n",
			       im->name, im->size, im->hash);
		else
			printf("  %-20s not embedded, hash 0x%016" PRIx64 "\n",
			       im->name, im->hash);
	}
}

static int cmd_info(int argc, char **argv)
{
	uint64_t per_type[256] = {0}, console_bytes = 0, end[2] = {0, 0};
	bool pcpu_seen[NPCPU] = {false}, have_end = false;
	struct trace_reader *r;
	struct trace_ev ev;
	uint64_t events;
	int rc;

	if (argc != 2)
		return usage_error("info ", "expected one trace file", NULL);
	r = open_trace(argv[1]);
	if (r == NULL)
		return EXIT_USAGE;
	while ((rc = next_event(r, argv[1], &ev)) > 0) {
		per_type[ev.type]++;
		if (ev.pcpu != TRACE_PCPU_NONE)
			pcpu_seen[ev.pcpu] = true;
		if (ev.type == TRACE_CONSOLE)
			console_bytes += ev.args[0];
		if (ev.type == TRACE_END) {
			have_end = true;
			end[0] = ev.args[0];
			end[1] = ev.args[1];
		}
	}
	if (rc < 0) {
		trace_close(r);
		return EXIT_USAGE;
	}
	print_header(trace_header(r));
	events = trace_events_read(r);
	printf("file            %" PRIu64 " bytes\n", trace_bytes_read(r));
	printf("blocks          %" PRIu64 "\n", trace_blocks_read(r));
	printf("events          %" PRIu64, events);
	if (events != 0)
		printf(" (%.1f bytes each on average)",
		       (double)trace_bytes_read(r) / (double)events);
	printf("\n");
	for (unsigned t = 0; t < 256; t++) {
		if (per_type[t] != 0)
			printf("  %-14s %" PRIu64 "\n", trace_event_name(t),
			       per_type[t]);
	}
	printf("pCPUs          ");
	for (unsigned p = 0; p < NPCPU; p++) {
		if (pcpu_seen[p])
			printf(" %u", p);
	}
	printf("\n");
	printf("console         %" PRIu64 " bytes\n", console_bytes);
	if (have_end)
		printf("end             status %" PRId64
		       ", state hash 0x%016" PRIx64 "\n",
		       (int64_t)end[0], end[1]);
	else
		printf("end             none (the run did not finish, or the "
		       "trace was cut at a block boundary)\n");
	trace_close(r);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* dump */

static int cmd_dump(int argc, char **argv)
{
	uint64_t from = 0, count = UINT64_MAX, shown = 0;
	const char *path = NULL;
	struct trace_reader *r;
	struct trace_ev ev;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		uint64_t *dst = NULL;

		if (strcmp(argv[i], "--from") == 0)
			dst = &from;
		else if (strcmp(argv[i], "--count") == 0)
			dst = &count;
		if (dst != NULL) {
			if (i + 1 >= argc)
				return usage_error("dump ", "missing value for",
						   argv[i]);
			if (!parse_u64(argv[i + 1], dst))
				return usage_error("dump ",
						   "expected a whole number "
						   "for",
						   argv[i]);
			i++;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("dump ", "unknown option", argv[i]);
		} else if (path != NULL) {
			return usage_error("dump ", "more than one trace file",
					   argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (path == NULL)
		return usage_error("dump ", "no trace file given", NULL);
	r = open_trace(path);
	if (r == NULL)
		return EXIT_USAGE;
	while (shown < count && (rc = next_event(r, path, &ev)) > 0) {
		struct line l = {.n = 0};

		if (trace_events_read(r) <= from)
			continue;
		format_event(&l, &ev);
		puts(l.s);
		shown++;
	}
	trace_close(r);
	if (fflush(stdout) != 0) {
		err("writing the dump: %s", strerror(errno));
		return EXIT_DIFF;
	}
	return shown < count && rc < 0 ? EXIT_USAGE : 0;
}

/* ---------------------------------------------------------------------- */
/* diff */

/* Headers: differences that make the runs different (config, images)
 * count; the others (HAL, versions, quantum) are noted only, since a
 * replay of a trace differs from it there by design. */
static bool diff_headers(const struct trace_header_info *a,
			 const struct trace_header_info *b)
{
	bool differ = false;

	if (a->hv_version != b->hv_version)
		printf("note: hv version differs: %u.%u (A), %u.%u (B)\n",
		       a->hv_version >> 8, a->hv_version & 0xffu,
		       b->hv_version >> 8, b->hv_version & 0xffu);
	if (a->hal != b->hal) {
		const char *ha = NAME_OF(hal_names, a->hal);
		const char *hb = NAME_OF(hal_names, b->hal);

		printf("note: HAL differs: %s (A), %s (B)\n", ha ? ha : "?",
		       hb ? hb : "?");
	}
	if (a->flags != b->flags)
		printf("note: flags differ: 0x%x (A), 0x%x (B)\n", a->flags,
		       b->flags);
	if (a->quantum != b->quantum)
		printf("note: quantum differs: %" PRIu64 " (A), %" PRIu64
		       " (B)\n",
		       a->quantum, b->quantum);
	if (a->config_hash != b->config_hash ||
	    a->config_size != b->config_size) {
		printf("header: config differs: hash 0x%016" PRIx64 ", %" PRIu32
		       " bytes (A); hash 0x%016" PRIx64 ", %" PRIu32
		       " bytes (B)\n",
		       a->config_hash, a->config_size, b->config_hash,
		       b->config_size);
		differ = true;
	}
	if (a->image_count != b->image_count) {
		printf("header: image count differs: %" PRIu32 " (A), %" PRIu32
		       " (B)\n",
		       a->image_count, b->image_count);
		differ = true;
	}
	for (uint32_t i = 0; i < a->image_count && i < b->image_count; i++) {
		const struct trace_image_info *x = &a->images[i];
		const struct trace_image_info *y = &b->images[i];

		if (strcmp(x->name, y->name) != 0 || x->hash != y->hash) {
			printf("header: image %" PRIu32
			       " differs: %s hash 0x%016" PRIx64
			       " (A), %s hash 0x%016" PRIx64 " (B)\n",
			       i, x->name, x->hash, y->name, y->hash);
			differ = true;
		}
	}
	return differ;
}

static bool same_event(const struct trace_ev *a, const struct trace_ev *b)
{
	return a->type == b->type && a->pcpu == b->pcpu &&
	       a->nargs == b->nargs && a->seq == b->seq &&
	       memcmp(a->args, b->args, a->nargs * sizeof(a->args[0])) == 0;
}

static void print_tagged(const char *tag, const struct trace_ev *ev)
{
	struct line l = {.n = 0};

	format_event(&l, ev);
	printf("  %-9s %s\n", tag, l.s);
}

static int cmd_diff(int argc, char **argv)
{
	struct trace_ev ctx[DIFF_CONTEXT], ea, eb;
	struct trace_reader *a, *b;
	uint64_t n = 0;
	bool hdr_differ;
	int ra, rb, status;

	if (argc != 3)
		return usage_error("diff ", "expected two trace files", NULL);
	a = open_trace(argv[1]);
	if (a == NULL)
		return EXIT_USAGE;
	b = open_trace(argv[2]);
	if (b == NULL) {
		trace_close(a);
		return EXIT_USAGE;
	}
	hdr_differ = diff_headers(trace_header(a), trace_header(b));
	for (;;) {
		ra = next_event(a, argv[1], &ea);
		rb = next_event(b, argv[2], &eb);
		if (ra < 0 || rb < 0) {
			status = EXIT_USAGE;
			break;
		}
		if (ra == 0 && rb == 0) {
			if (hdr_differ)
				printf("events identical (%" PRIu64
				       "), headers differ\n",
				       n);
			else
				printf("identical: %" PRIu64 " events\n", n);
			status = hdr_differ ? EXIT_DIFF : 0;
			break;
		}
		if (ra == 1 && rb == 1 && same_event(&ea, &eb)) {
			ctx[n % DIFF_CONTEXT] = ea;
			n++;
			continue;
		}
		printf("first difference at event %" PRIu64 ":\n", n);
		for (uint64_t i = n > DIFF_CONTEXT ? n - DIFF_CONTEXT : 0;
		     i < n; i++)
			print_tagged("same", &ctx[i % DIFF_CONTEXT]);
		if (ra == 1)
			print_tagged("expected", &ea);
		else
			printf("  %-9s (end of A after %" PRIu64 " events)\n",
			       "expected", n);
		if (rb == 1)
			print_tagged("actual", &eb);
		else
			printf("  %-9s (end of B after %" PRIu64 " events)\n",
			       "actual", n);
		if (ra == 1 && rb == 1)
			printf("  (A: block %" PRIu64 " at offset %" PRIu64
			       "; B: block %" PRIu64 " at offset %" PRIu64
			       ")\n",
			       trace_blocks_read(a) - 1, trace_block_offset(a),
			       trace_blocks_read(b) - 1, trace_block_offset(b));
		status = EXIT_DIFF;
		break;
	}
	trace_close(a);
	trace_close(b);
	return status;
}

/* ---------------------------------------------------------------------- */
/* export --chrome */

/* Per-pCPU state of the export. */
struct track {
	bool seen;
	bool open;	/* a guest slice is open */
	uint64_t start; /* its start */
	uint64_t start_seq;
	uint64_t base;	   /* added to instruction counts (kept monotonic) */
	uint64_t last_raw; /* last instruction count read */
	uint64_t ts;	   /* time now on this track */
};

struct exporter {
	FILE *out;
	bool first;
	bool by_insns; /* timestamps are instruction counts, else seq */
	uint64_t now;  /* latest time on any track */
	struct track t[NPCPU];
};

static void json_string(FILE *f, const uint8_t *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c); /* bytes as Latin-1 */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_cstr(FILE *f, const char *s)
{
	json_string(f, (const uint8_t *)s, strlen(s));
}

static unsigned tid_of(unsigned pcpu)
{
	return pcpu == TRACE_PCPU_NONE ? HOST_TID : pcpu;
}

/* Starts one trace event object: name, ph, tid, ts. The caller adds the
 * rest and the closing brace. */
static void json_begin(struct exporter *x, const char *name, const char *cat,
		       const char *ph, unsigned pcpu, uint64_t ts)
{
	fputs(x->first ? "\n" : ",\n", x->out);
	x->first = false;
	fputs("{\"name\":", x->out);
	json_cstr(x->out, name);
	fprintf(x->out,
		",\"cat\":\"%s\",\"ph\":\"%s\",\"pid\":1,\"tid\":%u,"
		"\"ts\":%" PRIu64,
		cat, ph, tid_of(pcpu), ts);
}

/* Moves pCPU p's clock to instruction count `raw` (instruction mode). */
static void track_insns(struct exporter *x, unsigned p, uint64_t raw)
{
	struct track *t = &x->t[p];

	if (!x->by_insns)
		return;
	if (raw < t->last_raw) /* another vCPU, or a restarted one */
		t->base += t->last_raw;
	t->last_raw = raw;
	if (t->base + raw > t->ts)
		t->ts = t->base + raw;
	if (t->ts > x->now)
		x->now = t->ts;
}

/* Name of the slice an exit ends: the exit's reason. */
static void exit_reason(char *buf, size_t n, const struct trace_ev *ev)
{
	const uint64_t *a = ev->args;

	switch (a[0]) {
	case HV_EXIT_SYNC:
		if (((a[1] >> 26) & 0x3f) == 0x01)
			snprintf(buf, n, "%s", (a[1] & 1) ? "wfe" : "wfi");
		else
			snprintf(buf, n, "%s", ec_name(a[1]));
		break;
	case HV_EXIT_IRQ:
		snprintf(buf, n, "irq %" PRIu64, a[4]);
		break;
	case HV_EXIT_BUDGET:
		snprintf(buf, n, "budget");
		break;
	case HV_EXIT_HANDLED:
		if (ev->type == TRACE_RUN_EXIT &&
		    a[5] < ARRAY_SIZE(action_names))
			snprintf(buf, n, "handled (%s)", action_names[a[5]]);
		else
			snprintf(buf, n, "handled");
		break;
	default:
		snprintf(buf, n, "kind %" PRIu64, a[0]);
		break;
	}
}

static void close_slice(struct exporter *x, unsigned p, const char *name,
			const struct trace_ev *ev)
{
	struct track *t = &x->t[p];

	json_begin(x, name, "guest", "X", p, t->start);
	fprintf(x->out, ",\"dur\":%" PRIu64 ",\"args\":{\"from_seq\":%" PRIu64,
		t->ts - t->start, t->start_seq);
	if (ev != NULL) {
		fprintf(x->out,
			",\"to_seq\":%" PRIu64 ",\"esr\":\"0x%" PRIx64 "\"",
			ev->seq, ev->args[1]);
	}
	fputs("}}", x->out);
	t->open = false;
}

static void open_slice(struct exporter *x, unsigned p, uint64_t seq)
{
	x->t[p].open = true;
	x->t[p].start = x->t[p].ts;
	x->t[p].start_seq = seq;
}

static void instant(struct exporter *x, unsigned p, const char *name,
		    const char *cat, const struct trace_ev *ev)
{
	json_begin(x, name, cat, "i", p,
		   p == TRACE_PCPU_NONE ? x->now : x->t[p].ts);
	fprintf(x->out, ",\"s\":\"t\",\"args\":{\"seq\":%" PRIu64, ev->seq);
	if (ev->type == TRACE_CONSOLE) {
		uint8_t bytes[8 * TRACE_MAX_ARGS];
		size_t n = 0;

		if (trace_ev_bytes(ev, bytes, sizeof(bytes), &n)) {
			fputs(",\"text\":", x->out);
			json_string(x->out, bytes, n);
		}
	}
	fputs("}}", x->out);
}

static void export_event(struct exporter *x, const struct trace_ev *ev)
{
	unsigned p = ev->pcpu;
	struct track *t = &x->t[p];
	char name[64];

	t->seen = true;
	if (!x->by_insns) {
		t->ts = ev->seq;
		x->now = ev->seq;
	}
	switch (ev->type) {
	case TRACE_RUN:
		if (t->open)
			close_slice(x, p, "run", NULL);
		open_slice(x, p, ev->seq);
		break;
	case TRACE_RUN_EXIT:
		track_insns(x, p, ev->args[6]);
		exit_reason(name, sizeof(name), ev);
		if (t->open)
			close_slice(x, p, name, ev);
		break;
	case TRACE_EXIT:
		/* Open slice: a HAL fast path handled it; the guest goes on.
		 * Otherwise the core handles what TRACE_RUN_EXIT showed. */
		track_insns(x, p, ev->args[5]);
		if (t->open) {
			exit_reason(name, sizeof(name), ev);
			close_slice(x, p, name, ev);
			open_slice(x, p, ev->seq);
		}
		break;
	case TRACE_INSNS:
		track_insns(x, p, ev->args[0]);
		break;
	case TRACE_IDLE:
		/* hv_pcpu_run() idled instead of entering the guest: the
		 * slice since TRACE_RUN was a wait */
		if (t->open)
			close_slice(x, p, "idle", NULL);
		if (ev->args[0] == HV_EXIT_IRQ)
			snprintf(name, sizeof(name), "wake: irq %" PRIu64,
				 ev->args[1]);
		else
			snprintf(name, sizeof(name), "wake");
		instant(x, p, name, "idle", ev);
		break;
	case TRACE_KICK:
		snprintf(name, sizeof(name), "kick cpu%" PRIu64, ev->args[0]);
		instant(x, p, name, "kick", ev);
		break;
	case TRACE_CONSOLE:
		instant(x, p, "console", "console", ev);
		break;
	case TRACE_RESET:
		instant(x, p, "reset", "vcpu", ev);
		break;
	case TRACE_HOST_OP:
		snprintf(name, sizeof(name),
			 "host op %" PRIu64 " cell %" PRIu64, ev->args[0],
			 ev->args[1]);
		instant(x, p, name, "host", ev);
		break;
	case TRACE_END:
		snprintf(name, sizeof(name), "end status %" PRId64,
			 (int64_t)ev->args[0]);
		instant(x, p, name, "host", ev);
		break;
	default:
		break;
	}
}

/* Whether the trace carries instruction counts (any non-zero). -1 on a
 * read error. */
static int has_insns(const char *path)
{
	struct trace_reader *r = open_trace(path);
	struct trace_ev ev;
	int rc, found = 0;

	if (r == NULL)
		return -1;
	while (!found && (rc = next_event(r, path, &ev)) > 0) {
		if ((ev.type == TRACE_RUN_EXIT && ev.args[6] != 0) ||
		    (ev.type == TRACE_EXIT && ev.args[5] != 0) ||
		    (ev.type == TRACE_INSNS && ev.args[0] != 0))
			found = 1;
	}
	trace_close(r);
	return found ? 1 : rc < 0 ? -1 : 0;
}

static int cmd_export(int argc, char **argv)
{
	const char *out = NULL, *path = NULL, *hal;
	static struct exporter x;
	struct trace_reader *r;
	struct trace_ev ev;
	int rc, mode;
	bool write_err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--chrome") == 0) {
			if (i + 1 >= argc)
				return usage_error("export ",
						   "missing value for",
						   argv[i]);
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("export ", "unknown option",
					   argv[i]);
		} else if (path != NULL) {
			return usage_error("export ",
					   "more than one trace file", argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (out == NULL)
		return usage_error("export ",
				   "no output format given "
				   "(--chrome OUT)",
				   NULL);
	if (path == NULL)
		return usage_error("export ", "no trace file given", NULL);
	mode = has_insns(path);
	if (mode < 0)
		return EXIT_USAGE;
	r = open_trace(path);
	if (r == NULL)
		return EXIT_USAGE;
	memset(&x, 0, sizeof(x));
	x.by_insns = mode == 1;
	x.first = true;
	x.out = fopen(out, "w");
	if (x.out == NULL) {
		err("cannot create %s: %s", out, strerror(errno));
		trace_close(r);
		return EXIT_USAGE;
	}
	fputs("{\"otherData\":{\"time\":", x.out);
	json_cstr(x.out, x.by_insns ? "guest instructions" : "event sequence");
	fputs("},\"traceEvents\":[", x.out);
	while ((rc = next_event(r, path, &ev)) > 0)
		export_event(&x, &ev);
	for (unsigned p = 0; p < NPCPU; p++) {
		if (x.t[p].open)
			close_slice(&x, p, "run (unfinished)", NULL);
	}
	hal = NAME_OF(hal_names, trace_header(r)->hal);
	json_begin(&x, "process_name", "meta", "M", 0, 0);
	fprintf(x.out, ",\"args\":{\"name\":\"cellvisor (%s)\"}}",
		hal != NULL ? hal : "?");
	for (unsigned p = 0; p < NPCPU; p++) {
		char name[32];

		if (!x.t[p].seen)
			continue;
		if (p == TRACE_PCPU_NONE)
			snprintf(name, sizeof(name), "host");
		else
			snprintf(name, sizeof(name), "pCPU %u", p);
		json_begin(&x, "thread_name", "meta", "M", p, 0);
		fputs(",\"args\":{\"name\":", x.out);
		json_cstr(x.out, name);
		fputs("}}", x.out);
		json_begin(&x, "thread_sort_index", "meta", "M", p, 0);
		fprintf(x.out, ",\"args\":{\"sort_index\":%u}}", tid_of(p));
	}
	fputs("\n]}\n", x.out);
	write_err = ferror(x.out) != 0;
	if (fclose(x.out) != 0)
		write_err = true;
	trace_close(r);
	if (rc < 0) {
		remove(out);
		return EXIT_USAGE;
	}
	if (write_err) {
		err("writing %s failed", out);
		return EXIT_DIFF;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Commands */

struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *args;		   /* for the usage line */
	const char *help;		   /* what it does, for --help */
};

static const struct command commands[] = {
	{"info", cmd_info, "FILE",
	 "  header (versions, HAL, quantum, config and image hashes), blocks,\n"
	 "  events per type, pCPUs seen, status and state hash of the end\n"},
	{"dump", cmd_dump, "FILE [--from N] [--count N]",
	 "  one event per line: seq, pCPU, type, args decoded (exit kinds,\n"
	 "  ESR classes, register names, console text); --from N skips the\n"
	 "  first N events, --count N prints at most N\n"},
	{"diff", cmd_diff, "A B",
	 "  compares two traces (A expected, B actual): prints the first\n"
	 "  event that differs with the events before it; config and image\n"
	 "  hashes are compared too (HAL, versions, quantum only noted);\n"
	 "  exit 0 identical, 1 different\n"},
	{"export", cmd_export, "--chrome OUT FILE",
	 "  writes Chrome trace-event JSON (Perfetto, chrome://tracing): a\n"
	 "  track per pCPU, guest slices named by exit reason, instants for\n"
	 "  interrupts, kicks, console output; time in guest instructions\n"
	 "  when the trace has them, else in events\n"},
	{"replay", hvtrace_replay,
	 "FILE [--images DIR] [--break N] [--quiet] [--sequential]\n"
	 "        [--no-search] [--no-lock-order] [--park-after LIST]",
	 "  core-only replay: the core, linked with the replay HAL, is driven\n"
	 "  by the trace and every decision is checked against it; exit 1 at\n"
	 "  the first divergence (docs/replay.md)\n"
	 "  --break N  call replay_break_here() when event N is reached (gdb)\n"
	 "  --sequential  replay each run whole, in the order the runs began\n"
	 "      (no interleaving of pCPUs: for comparison)\n"
	 "  --no-search  one replay with the default interleaving, no search\n"
	 "  --no-lock-order  leave out the recorded lock acquisitions (for\n"
	 "      comparison)\n"
	 "  --park-after LIST  one replay with these choice points (a\n"
	 "      search's result: I parks after event I until the pCPU's next\n"
	 "      event, I@K until event K)\n"},
	{"extract", hvtrace_extract, "LOG OUT [--index N]",
	 "  the trace cellvisor-rec printed on a console log (the last one,\n"
	 "  or snapshot N), checked, written to OUT (docs/replay.md)\n"},
	{"cut", hvtrace_cut, "FILE OUT N",
	 "  writes the events before number N as a partial trace (the start\n"
	 "  of a long run, e.g. a Linux boot up to its second CPU)\n"},
	{"unpack", hvtrace_unpack, "FILE DIR",
	 "  writes the recorded config (DIR/config.dtb) and embedded images,\n"
	 "  for hvsim --replay FILE DIR/config.dtb\n"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hvtrace COMMAND [args]\n\n"
		   "Reads Cellvisor trace files (docs/trace-format.md).\n\n"
		   "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "hvtrace %s %s\n%s", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(f, "\n'hvtrace COMMAND --help' shows one command.\n\n"
		   "exit codes:\n"
		   "  0    ok (diff: identical)\n"
		   "  1    diff: the traces differ; or a failed write\n"
		   "  2    usage error, or an unreadable, truncated or "
		   "corrupt trace\n"
		   "       (one line naming the block and file offset)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(NULL, "no command given", NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[1], c->name) != 0)
			continue;
		for (int k = 2; k < argc; k++) {
			if (strcmp(argv[k], "--help") == 0) {
				printf("usage: hvtrace %s %s\n%s", c->name,
				       c->args, c->help);
				return 0;
			}
		}
		return c->run(argc - 1, argv + 1);
	}
	return usage_error(NULL, "unknown command", argv[1]);
}
