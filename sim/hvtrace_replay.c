/* SPDX-License-Identifier: MIT */
/*
 * hvtrace replay: drives the core, linked with the replay HAL
 * (hal/replay) and no Unicorn, with a recorded trace, and checks every
 * decision it takes against the recording (docs/replay.md). This is how a
 * bug seen on bare metal or in the simulator is reproduced on the host
 * under gdb, ASan and UBSan.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/hv.h>
#include <hv/mgmt.h>

#include "hvtrace.h"
#include "record.h"
#include "replay.h"
#include "trace_io.h"

#define EXIT_DIVERGED 1
#define EXIT_USAGE 2

/*
 * The events, loaded whole and split by pCPU: the recorder tags each
 * event with the pCPU whose hv_pcpu_run() made it (TRACE_PCPU_NONE for
 * host operations and the ends). While the driver replays a run of pCPU
 * p, the HAL draws from p's stream only; runs are replayed in the order
 * their TRACE_RUN events were recorded.
 */
#define NCPU 256u

struct store {
	uint64_t *arena; /* per event: type | pcpu << 8 | nargs << 16, seq, args */
	size_t arena_len, arena_cap;
	size_t *at; /* arena offset of event i */
	size_t count, cap;
	size_t *queue[NCPU]; /* event indexes of each pCPU (255: none) */
	size_t qlen[NCPU], qcap[NCPU], qpos[NCPU];
	unsigned cpu; /* the stream the HAL draws from now */
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap : 1024;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (q == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static bool store_add(struct store *st, const struct trace_ev *ev)
{
	size_t need = st->arena_len + 2u + ev->nargs;
	if (!grow((void **)&st->arena, &st->arena_cap, need,
		  sizeof(uint64_t)) ||
	    !grow((void **)&st->at, &st->cap, st->count + 1, sizeof(size_t)) ||
	    !grow((void **)&st->queue[ev->pcpu], &st->qcap[ev->pcpu],
		  st->qlen[ev->pcpu] + 1, sizeof(size_t)))
		return false;
	st->at[st->count] = st->arena_len;
	st->arena[st->arena_len++] = (uint64_t)ev->type |
				     (uint64_t)ev->pcpu << 8 |
				     (uint64_t)ev->nargs << 16;
	st->arena[st->arena_len++] = ev->seq;
	for (unsigned i = 0; i < ev->nargs; i++)
		st->arena[st->arena_len++] = ev->args[i];
	st->queue[ev->pcpu][st->qlen[ev->pcpu]++] = st->count;
	st->count++;
	return true;
}

static void store_get(const struct store *st, size_t i, struct trace_ev *ev)
{
	const uint64_t *a = st->arena + st->at[i];
	ev->type = (uint8_t)a[0];
	ev->pcpu = (uint8_t)(a[0] >> 8);
	ev->nargs = (uint16_t)(a[0] >> 16);
	ev->seq = a[1];
	for (unsigned k = 0; k < ev->nargs; k++)
		ev->args[k] = a[2 + k];
}

/* --break N: the event at which replay_break_here() is called. */
static uint64_t break_seq = UINT64_MAX;

/*
 * Called just before the core is handed event `--break N`: put a gdb
 * breakpoint here (`break replay_break_here`), then step into the core
 * from the caller. noinline and visible so the debugger always finds it.
 */
__attribute__((noinline)) void replay_break_here(const struct trace_ev *ev);
__attribute__((noinline)) void replay_break_here(const struct trace_ev *ev)
{
	fprintf(stderr, "hvtrace: replay: at event %llu (%s, pCPU %u)\n",
		(unsigned long long)ev->seq, trace_event_name(ev->type),
		ev->pcpu);
	__asm__ volatile("" ::: "memory");
}

static bool src_peek(void *ctx, struct trace_ev *ev)
{
	struct store *st = ctx;
	unsigned c = st->cpu;
	if (st->qpos[c] >= st->qlen[c])
		return false;
	store_get(st, st->queue[c][st->qpos[c]], ev);
	return true;
}

static bool src_next(void *ctx, struct trace_ev *ev)
{
	struct store *st = ctx;
	if (!src_peek(ctx, ev))
		return false;
	st->qpos[st->cpu]++;
	if (ev->seq == break_seq)
		replay_break_here(ev);
	return true;
}

/* Switches the stream (and the replay HAL) to pCPU `cpu`. */
static void set_cpu(struct store *st, unsigned cpu)
{
	st->cpu = cpu;
	replay_set_cpu(cpu);
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	*size = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static int host_op(struct hv *hv, const struct trace_ev *ev)
{
	if (ev->nargs < 2 || ev->args[1] >= hv->cell_count) {
		replay_diverge("event %llu: host operation on cell %llu, "
			       "which does not exist",
			       (unsigned long long)ev->seq,
			       (unsigned long long)ev->args[1]);
		return -1;
	}
	struct hv_cell *c = &hv->cells[ev->args[1]];
	switch (ev->args[0]) {
	case TRACE_OP_STOP:
		return mgmt_stop(c, NULL);
	case TRACE_OP_START:
		return mgmt_start(c, NULL);
	case TRACE_OP_RESTART:
		return mgmt_restart(c, NULL);
	case TRACE_OP_DESTROY:
		return mgmt_destroy(c, NULL);
	default:
		replay_diverge("event %llu: unknown host operation %llu",
			       (unsigned long long)ev->seq,
			       (unsigned long long)ev->args[0]);
		return -1;
	}
}

/* What a replay holds, released by replay_cleanup() on every way out. */
static struct trace_reader *replay_reader;
static struct store st;
static struct hv hv;
static bool hv_up;
static void *loaded[3 * HV_MAX_CELLS]; /* images read from --images */
static unsigned loaded_count;

static void replay_cleanup(void)
{
	if (hv_up)
		hv_shutdown(&hv);
	hv_up = false;
	replay_release();
	if (replay_reader != NULL)
		trace_close(replay_reader);
	replay_reader = NULL;
	free(st.arena);
	free(st.at);
	for (unsigned c = 0; c < NCPU; c++)
		free(st.queue[c]);
	memset(&st, 0, sizeof(st));
	for (unsigned i = 0; i < loaded_count; i++)
		free(loaded[i]);
	loaded_count = 0;
}

static int replay_main(int argc, char **argv);

int hvtrace_replay(int argc, char **argv)
{
	int rc = replay_main(argc, argv);
	replay_cleanup();
	return rc;
}

static int replay_main(int argc, char **argv)
{
	const char *path = NULL, *images_dir = NULL;
	bool quiet = false;
	char err[256];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--images") == 0 && i + 1 < argc)
			images_dir = argv[++i];
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else if (strcmp(argv[i], "--break") == 0 && i + 1 < argc)
			break_seq = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: hvtrace replay FILE [--images DIR] "
			       "[--break N] [--quiet]\n"
			       "  --break N  call replay_break_here() when "
			       "event N is reached (for gdb)\n");
			return 0;
		} else if (argv[i][0] == '-' || path != NULL) {
			fprintf(stderr, "hvtrace: replay: unexpected '%s'\n",
				argv[i]);
			return EXIT_USAGE;
		} else
			path = argv[i];
	}
	if (path == NULL) {
		fprintf(stderr, "hvtrace: replay: no trace file given\n");
		return EXIT_USAGE;
	}
	struct trace_reader *r = trace_open(path, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "hvtrace: %s\n", err);
		return EXIT_USAGE;
	}
	replay_reader = r;
	const struct trace_header_info *h = trace_header(r);
	bool partial = (h->flags & TRACE_FLAG_PARTIAL) != 0;

	/* Images: embedded, or read from --images DIR by name. */
	static struct replay_image im[3 * HV_MAX_CELLS];
	unsigned n = 0;
	for (unsigned i = 0; i < h->image_count && n < 3 * HV_MAX_CELLS; i++) {
		const struct trace_image_info *t = &h->images[i];
		im[n].name = t->name;
		im[n].data = t->data;
		im[n].size = (size_t)t->size;
		if (t->data == NULL && images_dir != NULL) {
			char p[1024];
			size_t sz = 0;
			snprintf(p, sizeof(p), "%s/%s", images_dir, t->name);
			im[n].data = loaded[loaded_count++] = read_file(p, &sz);
			im[n].size = sz;
			if (im[n].data == NULL ||
			    trace_fnv1a(TRACE_FNV_INIT, im[n].data, sz) !=
				    t->hash) {
				fprintf(stderr,
					"hvtrace: replay: %s is missing or "
					"not the recorded image\n",
					p);
				return EXIT_USAGE;
			}
		} else if (t->data == NULL) {
			fprintf(stderr,
				"hvtrace: replay: image '%s' is not in the "
				"trace: give --images DIR\n",
				t->name);
			return EXIT_USAGE;
		}
		n++;
	}

	/* Every event, split by pCPU. A damaged block ends the trace here:
	 * what precedes it is replayed, then the damage is reported. */
	struct trace_ev ev;
	int k;
	while ((k = trace_next(r, &ev)) == 1)
		if (!store_add(&st, &ev)) {
			fprintf(stderr, "hvtrace: replay: out of memory\n");
			return EXIT_USAGE;
		}
	/* A damaged trace is refused whole: a replay of its first part would
	 * end in a confusing divergence at the damage. */
	if (k < 0) {
		fprintf(stderr, "hvtrace: replay: %s: %s\n", path,
			trace_error(r));
		return EXIT_USAGE;
	}
	if (st.count == 0) {
		fprintf(stderr, "hvtrace: replay: %s: no events\n", path);
		return EXIT_USAGE;
	}
	store_get(&st, 0, &ev);
	if (ev.type != TRACE_PLATFORM || ev.nargs < 4) {
		fprintf(stderr,
			"hvtrace: replay: %s does not start with a platform "
			"event\n",
			path);
		return EXIT_USAGE;
	}
	struct replay_platform plat = {(unsigned)ev.args[0],
				       (unsigned)ev.args[1], ev.args[2],
				       ev.args[3]};
	struct replay_source rs = {src_next, src_peek, &st};
	replay_init(&rs, im, n, &plat);
	replay_set_partial(partial);

	struct hv_config_error cerr;
	if (hv_init(&hv, h->config, h->config_size, &cerr) == HV_OK)
		hv_up = true;
	if (!hv_up || hv_start(&hv, &cerr) != HV_OK) {
		fprintf(stderr, "hvtrace: replay: the recorded config: %s\n",
			cerr.msg);
		return EXIT_USAGE;
	}
	replay_check(true);

	/* Walk the events in recorded order; each run, host operation or
	 * end is replayed when its event comes up. */
	bool ended = false;
	st.qpos[TRACE_PCPU_NONE] = 1; /* the platform event */
	for (size_t i = 1;
	     i < st.count && !replay_diverged() && !ended && !replay_ran_out();
	     i++) {
		store_get(&st, i, &ev);
		unsigned c = ev.pcpu;
		if (st.qpos[c] >= st.qlen[c] || st.queue[c][st.qpos[c]] != i)
			continue; /* consumed by a run or host operation */
		set_cpu(&st, c);
		(void)src_next(&st, &ev);
		if (ev.type == TRACE_RUN && c < HV_MAX_CPUS) {
			(void)hv_pcpu_run(&hv, c);
		} else if (ev.type == TRACE_HOST_OP) {
			(void)host_op(&hv, &ev);
		} else if (ev.type == TRACE_END && ev.nargs >= 2) {
			int status = hv_status(&hv);
			uint64_t hash = trace_state_hash(&hv,
							 replay_console_hash());
			if ((int64_t)ev.args[0] != status || ev.args[1] != hash)
				replay_diverge(
					"the end differs: recorded status "
					"%lld, "
					"state hash 0x%016llx; replayed status "
					"%d, state hash 0x%016llx",
					(long long)ev.args[0],
					(unsigned long long)ev.args[1], status,
					(unsigned long long)hash);
			ended = true;
		} else {
			replay_diverge("divergence at event %llu: recorded %s "
				       "on pCPU %u, which the core's run "
				       "there did not make",
				       (unsigned long long)ev.seq,
				       trace_event_name(ev.type), ev.pcpu);
		}
		set_cpu(&st, TRACE_PCPU_NONE);
	}
	fflush(stdout);
	if (!replay_diverged() && !ended && !partial)
		replay_diverge("the trace ends without an end event "
			       "(truncated recording?)");
	if (replay_diverged()) {
		fprintf(stderr, "hvtrace: replay: %s\n", replay_report());
		return EXIT_DIVERGED;
	}
	if (!quiet && partial && !ended)
		fprintf(stderr,
			"hvtrace: replay: partial trace: %llu events, every "
			"decision up to its end matches\n",
			(unsigned long long)replay_events());
	else if (!quiet)
		fprintf(stderr,
			"hvtrace: replay: %llu events, every decision "
			"matches; status %d\n",
			(unsigned long long)replay_events(), hv_status(&hv));
	return 0;
}

static bool write_file(const char *dir, const char *name, const void *data,
		       size_t size)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	bool ok = f != NULL && fwrite(data, 1, size, f) == size;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "hvtrace: unpack: cannot write %s\n", p);
	return ok;
}

int hvtrace_unpack(int argc, char **argv)
{
	char err[256];

	if (argc != 3) {
		fprintf(stderr, "usage: hvtrace unpack FILE DIR\n");
		return EXIT_USAGE;
	}
	struct trace_reader *r = trace_open(argv[1], err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "hvtrace: %s\n", err);
		return EXIT_USAGE;
	}
	const struct trace_header_info *h = trace_header(r);
	int rc = write_file(argv[2], "config.dtb", h->config, h->config_size)
			 ? 0
			 : EXIT_USAGE;
	for (unsigned i = 0; rc == 0 && i < h->image_count; i++) {
		const struct trace_image_info *t = &h->images[i];
		if (t->data == NULL) {
			fprintf(stderr,
				"hvtrace: unpack: image '%s' is not embedded "
				"(hash 0x%016llx): copy it into %s yourself\n",
				t->name, (unsigned long long)t->hash, argv[2]);
			continue;
		}
		if (strchr(t->name, '/') != NULL) {
			fprintf(stderr,
				"hvtrace: unpack: unsafe image name "
				"'%s'\n",
				t->name);
			rc = EXIT_USAGE;
			break;
		}
		if (!write_file(argv[2], t->name, t->data, (size_t)t->size))
			rc = EXIT_USAGE;
	}
	trace_close(r);
	return rc;
}

/* ---- hvtrace extract ---------------------------------------------------- */

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Appends the bytes of one base64 line; false on a malformed line. */
static bool b64_line(const char *s, uint8_t **buf, size_t *len, size_t *cap)
{
	size_t n = strcspn(s, "\r\n");
	if (n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = s[i + (size_t)k] == '='
				       ? 0
				       : b64_value(s[i + (size_t)k]);
		if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
			return false;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		int out = s[i + 2] == '=' ? 1 : s[i + 3] == '=' ? 2 : 3;
		if (*len + 3 > *cap) {
			*cap = *cap ? *cap * 2 : 1 << 20;
			uint8_t *nb = realloc(*buf, *cap);
			if (nb == NULL)
				return false;
			*buf = nb;
		}
		for (int k = 0; k < out; k++)
			(*buf)[(*len)++] = (uint8_t)(w >> (16 - 8 * k));
	}
	return true;
}

int hvtrace_extract(int argc, char **argv)
{
	const char *log = NULL, *outp = NULL;
	long want = -1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--index") == 0 && i + 1 < argc)
			want = strtol(argv[++i], NULL, 10);
		else if (log == NULL)
			log = argv[i];
		else if (outp == NULL)
			outp = argv[i];
		else {
			fprintf(stderr, "usage: hvtrace extract LOG OUT "
					"[--index N]\n");
			return EXIT_USAGE;
		}
	}
	if (log == NULL || outp == NULL) {
		fprintf(stderr, "usage: hvtrace extract LOG OUT [--index N]\n");
		return EXIT_USAGE;
	}
	FILE *f = fopen(log, "r");
	if (f == NULL) {
		fprintf(stderr, "hvtrace: extract: cannot open %s\n", log);
		return EXIT_USAGE;
	}
	static char line[4096];
	uint8_t *buf = NULL, *best = NULL;
	size_t len = 0, cap = 0, best_len = 0;
	long idx = -1, frames = 0, lineno = 0;
	bool in = false;
	int rc = 0;
	const char *tag = "cellvisor-trace: ";
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		const char *p = strstr(line, tag);
		if (p == NULL)
			continue;
		p += strlen(tag);
		unsigned long long total, hash;
		long n;
		if (sscanf(p, "begin %ld", &n) == 1) {
			in = true;
			idx = n;
			len = 0;
		} else if (sscanf(p, "end %ld %llu %llx", &n, &total, &hash) ==
			   3) {
			if (!in || n != idx || total != len ||
			    trace_fnv1a(TRACE_FNV_INIT, buf, len) != hash) {
				fprintf(stderr,
					"hvtrace: extract: %s:%ld: trace %ld "
					"is damaged (length or hash differs)\n",
					log, lineno, n);
				rc = 1;
			} else {
				frames++;
				if (want < 0 || want == n) {
					free(best);
					best = malloc(len ? len : 1);
					if (best != NULL)
						memcpy(best, buf, len);
					best_len = len;
				}
			}
			in = false;
		} else if (in && !b64_line(p, &buf, &len, &cap)) {
			fprintf(stderr,
				"hvtrace: extract: %s:%ld: not a trace line\n",
				log, lineno);
			in = false;
			rc = 1;
		}
	}
	fclose(f);
	free(buf);
	if (best == NULL) {
		fprintf(stderr, "hvtrace: extract: no %s trace in %s\n",
			rc ? "intact" : "complete", log);
		return rc ? rc : 1;
	}
	FILE *o = fopen(outp, "wb");
	bool ok = o != NULL && fwrite(best, 1, best_len, o) == best_len;
	if (o != NULL && fclose(o) != 0)
		ok = false;
	free(best);
	if (!ok) {
		fprintf(stderr, "hvtrace: extract: cannot write %s\n", outp);
		return EXIT_USAGE;
	}
	fprintf(stderr,
		"hvtrace: extract: %ld trace%s in %s; wrote %zu bytes "
		"to %s\n",
		frames, frames == 1 ? "" : "s", log, best_len, outp);
	return 0;
}

/* ---- hvtrace cut -------------------------------------------------------- */

int hvtrace_cut(int argc, char **argv)
{
	char err[256];

	if (argc != 4) {
		fprintf(stderr, "usage: hvtrace cut FILE OUT N\n");
		return EXIT_USAGE;
	}
	uint64_t n = strtoull(argv[3], NULL, 10);
	struct trace_reader *r = trace_open(argv[1], err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "hvtrace: %s\n", err);
		return EXIT_USAGE;
	}
	struct trace_header_info h = *trace_header(r);
	h.flags |= TRACE_FLAG_PARTIAL;
	struct trace_file *tf = trace_file_create(argv[2], &h, 0, err,
						  sizeof(err));
	if (tf == NULL) {
		fprintf(stderr, "hvtrace: cut: %s\n", err);
		return EXIT_USAGE;
	}
	struct trace_ev ev;
	int k;
	uint64_t kept = 0;
	while ((k = trace_next(r, &ev)) == 1 && ev.seq < n) {
		trace_put(&tf->w, ev.type, ev.pcpu, ev.args, ev.nargs);
		kept++;
	}
	if (k < 0) {
		fprintf(stderr, "hvtrace: cut: %s\n", trace_error(r));
		return EXIT_USAGE;
	}
	trace_close(r);
	if (trace_file_close(tf, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvtrace: cut: %s\n", err);
		return EXIT_USAGE;
	}
	fprintf(stderr, "hvtrace: cut: kept %llu events (marked partial)\n",
		(unsigned long long)kept);
	return 0;
}
