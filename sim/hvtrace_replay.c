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

/* The event source over the reader, with one event of look-ahead. */
struct source {
	struct trace_reader *r;
	struct trace_ev ahead;
	bool have;
	bool broken;
};

static bool src_peek(void *ctx, struct trace_ev *ev)
{
	struct source *s = ctx;
	if (!s->have && !s->broken) {
		int k = trace_next(s->r, &s->ahead);
		if (k < 0) {
			s->broken = true;
			replay_diverge("the trace is unreadable: %s",
				       trace_error(s->r));
		}
		s->have = k == 1;
	}
	if (s->have)
		*ev = s->ahead;
	return s->have;
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

static bool src_next(void *ctx, struct trace_ev *ev)
{
	struct source *s = ctx;
	if (!src_peek(ctx, ev))
		return false;
	s->have = false;
	if (ev->seq == break_seq)
		replay_break_here(ev);
	return true;
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

int hvtrace_replay(int argc, char **argv)
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
	static struct source s;
	s.r = trace_open(path, err, sizeof(err));
	if (s.r == NULL) {
		fprintf(stderr, "hvtrace: %s\n", err);
		return EXIT_USAGE;
	}
	const struct trace_header_info *h = trace_header(s.r);

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
			im[n].data = read_file(p, &sz);
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

	struct trace_ev ev;
	if (!src_next(&s, &ev) || ev.type != TRACE_PLATFORM || ev.nargs < 4) {
		fprintf(stderr,
			"hvtrace: replay: %s does not start with a platform "
			"event\n",
			path);
		return EXIT_USAGE;
	}
	struct replay_platform plat = {(unsigned)ev.args[0],
				       (unsigned)ev.args[1], ev.args[2],
				       ev.args[3]};
	struct replay_source rs = {src_next, src_peek, &s};
	replay_init(&rs, im, n, &plat);

	static struct hv hv;
	struct hv_config_error cerr;
	if (hv_init(&hv, h->config, h->config_size, &cerr) != HV_OK ||
	    hv_start(&hv, &cerr) != HV_OK) {
		fprintf(stderr, "hvtrace: replay: the recorded config: %s\n",
			cerr.msg);
		return EXIT_USAGE;
	}
	replay_check(true);

	bool ended = false;
	while (!replay_diverged() && src_next(&s, &ev)) {
		if (ev.type == TRACE_RUN && ev.pcpu < HV_MAX_CPUS) {
			(void)hv_pcpu_run(&hv, ev.pcpu);
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
			break;
		} else {
			replay_diverge("divergence at event %llu: recorded %s "
				       "on pCPU %u outside any run; the core "
				       "made no such call",
				       (unsigned long long)ev.seq,
				       trace_event_name(ev.type), ev.pcpu);
		}
	}
	fflush(stdout);
	if (!replay_diverged() && !ended)
		replay_diverge("the trace ends without an end event "
			       "(truncated recording?)");
	if (replay_diverged()) {
		fprintf(stderr, "hvtrace: replay: %s\n", replay_report());
		return EXIT_DIVERGED;
	}
	if (!quiet)
		fprintf(stderr,
			"hvtrace: replay: %llu events, every decision "
			"matches; status %d\n",
			(unsigned long long)replay_events(), hv_status(&hv));
	trace_close(s.r);
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
