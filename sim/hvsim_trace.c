/* SPDX-License-Identifier: MIT */
/* hvsim's record and replay (see hvsim_trace.h; docs/replay.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/platform.h>
#include <hv/hv.h>
#include <hv/smccc.h>

#include "hvsim_trace.h"
#include "record.h"
#include "trace_io.h"

#define EMBED_MAX (16u * 1024u * 1024u) /* images larger: hash only */

static struct trace_file *out;
static struct trace_reader *in;
static const char *in_path;
static bool diverged;

static bool record_sink(void *ctx, const struct trace_ev *ev)
{
	(void)ctx;
	trace_put(&out->w, ev->type, ev->pcpu, ev->args, ev->nargs);
	return true;
}

static void print_ev(FILE *f, const char *label, const struct trace_ev *ev)
{
	fprintf(f, "hvsim:   %s: #%llu %s pcpu %u", label,
		(unsigned long long)ev->seq, trace_event_name(ev->type),
		ev->pcpu);
	for (unsigned i = 0; i < ev->nargs && i < 8; i++)
		fprintf(f, " 0x%llx", (unsigned long long)ev->args[i]);
	fprintf(f, "%s\n", ev->nargs > 8 ? " ..." : "");
}

/* Compares each fresh event with the next recorded one; the first
 * difference is reported and ends the run. */
static bool replay_sink(void *ctx, const struct trace_ev *ev)
{
	(void)ctx;
	struct trace_ev rec;
	int r = trace_next(in, &rec);
	bool same = r == 1 && rec.type == ev->type && rec.pcpu == ev->pcpu &&
		    rec.nargs == ev->nargs &&
		    memcmp(rec.args, ev->args, ev->nargs * sizeof(uint64_t)) ==
			    0;
	if (same)
		return true;
	fflush(stdout);
	fprintf(stderr, "hvsim: replay of %s diverged at event %llu\n", in_path,
		(unsigned long long)ev->seq);
	if (r == 1)
		print_ev(stderr, "recorded", &rec);
	else if (r == 0)
		fprintf(stderr, "hvsim:   recorded: (end of trace)\n");
	else
		fprintf(stderr, "hvsim:   recorded: unreadable: %s\n",
			trace_error(in));
	print_ev(stderr, "this run", ev);
	diverged = true;
	exit(EXIT_DIVERGED);
}

/* The images the cells name, embedded when small. */
static unsigned collect_images(const struct hv *hv, struct trace_image_info *im,
			       unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < hv->config.cell_count; i++) {
		const struct hv_cell_config *c = &hv->config.cells[i];
		const char *names[3] = {c->image, c->kernel, c->initrd};
		for (unsigned k = 0; k < 3 && n < max; k++) {
			const void *data;
			size_t size;
			bool seen = false;
			if (names[k][0] == '\0' ||
			    hal_image_get(names[k], &data, &size) != HV_OK)
				continue;
			for (unsigned j = 0; j < n; j++)
				seen = seen ||
				       strcmp(im[j].name, names[k]) == 0;
			if (seen)
				continue;
			im[n].name = names[k];
			im[n].hash = trace_fnv1a(TRACE_FNV_INIT, data, size);
			im[n].data = size <= EMBED_MAX ? data : NULL;
			im[n].size = size <= EMBED_MAX ? size : 0;
			n++;
		}
	}
	return n;
}

void hvsim_trace_begin(const struct hv *hv, const char *record,
		       const char *replay, const void *config,
		       size_t config_size, uint64_t quantum)
{
	char err[256];

	if (record != NULL) {
		static struct trace_image_info im[3 * HV_MAX_CELLS];
		struct trace_header_info h = {0};
		h.hv_version = (uint16_t)(HV_VERSION_MAJOR << 8 |
					  HV_VERSION_MINOR);
		h.hal = TRACE_HAL_SIM;
		h.quantum = quantum;
		h.config = config;
		h.config_size = (uint32_t)config_size;
		h.images = im;
		h.image_count = collect_images(hv, im, 3 * HV_MAX_CELLS);
		out = trace_file_create(record, &h, 0, err, sizeof(err));
		if (out == NULL) {
			fprintf(stderr, "hvsim: --record: %s\n", err);
			exit(2);
		}
		trace_rec_start(record_sink, NULL);
		return;
	}
	in_path = replay;
	in = trace_open(replay, err, sizeof(err));
	if (in == NULL) {
		fprintf(stderr, "hvsim: --replay: %s\n", err);
		exit(2);
	}
	const struct trace_header_info *h = trace_header(in);
	if (h->hal != TRACE_HAL_SIM) {
		fprintf(stderr,
			"hvsim: --replay: %s was recorded on bare metal; "
			"replay it with 'hvtrace replay'\n",
			replay);
		exit(2);
	}
	if (h->config_hash !=
	    trace_fnv1a(TRACE_FNV_INIT, config, config_size)) {
		fprintf(stderr,
			"hvsim: --replay: %s was recorded with another "
			"config (hash 0x%016llx)\n",
			replay, (unsigned long long)h->config_hash);
		exit(2);
	}
	if (h->quantum != quantum) {
		fprintf(stderr,
			"hvsim: --replay: %s was recorded with --quantum "
			"%llu (this run: %llu)\n",
			replay, (unsigned long long)h->quantum,
			(unsigned long long)quantum);
		exit(2);
	}
	trace_rec_start(replay_sink, NULL);
}

int hvsim_trace_end(const struct hv *hv, int status)
{
	char err[256];
	uint64_t hash = trace_state_hash(hv, trace_rec_console_hash());

	trace_rec_end(status, hash);
	uint64_t n = trace_rec_count();
	trace_rec_start(NULL, NULL);
	if (out != NULL) {
		if (trace_file_close(out, err, sizeof(err)) != 0) {
			fprintf(stderr, "hvsim: --record: %s\n", err);
			return 2;
		}
		fprintf(stderr,
			"hvsim: recorded %llu events, state hash 0x%016llx\n",
			(unsigned long long)n, (unsigned long long)hash);
		return status;
	}
	struct trace_ev rec;
	int r = trace_next(in, &rec);
	if (r != 0) {
		fprintf(stderr,
			"hvsim: replay of %s diverged: the trace goes on "
			"after this run ended\n",
			in_path);
		if (r == 1)
			print_ev(stderr, "recorded", &rec);
		trace_close(in);
		return EXIT_DIVERGED;
	}
	trace_close(in);
	fprintf(stderr,
		"hvsim: replay identical: %llu events, state hash 0x%016llx\n",
		(unsigned long long)n, (unsigned long long)hash);
	return diverged ? EXIT_DIVERGED : status;
}
