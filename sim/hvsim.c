/* SPDX-License-Identifier: MIT */
/*
 * hvsim: runs the cells of a Cellvisor config on the simulator HAL.
 *
 *   hvsim [options] CONFIG.dtb
 *
 * Reads the blob, brings the hypervisor up with hv_init()/hv_start() and
 * runs every physical CPU round-robin, one quantum at a time, until all
 * cells have ended. The exit code is the run's status (docs/simulator.md).
 * Host time appears only in --stats, which the core never sees.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hal/vcpu.h>
#include <hv/hv.h>

#include "sim.h"

#define EXIT_USAGE 2
#define EXIT_LIMIT 124
/* A config blob larger than this is refused before parsing. */
#define CONFIG_MAX_SIZE (16u << 20)
/* Rounds in which no vCPU retires an instruction before hvsim gives up:
 * every vCPU waits for an interrupt that nothing can raise. */
#define IDLE_ROUNDS_MAX 1000u
/* hv_pcpu_run() calls per pCPU turn at most: a vCPU caught in exits that
 * retire nothing (an interrupt storm) must not hold the others back. */
#define TURN_CALLS_MAX 100000u

struct options {
	const char *config;
	uint64_t max_insns; /* 0: no limit */
	uint64_t quantum;
	bool stats;
};

/* Static: struct hv is far too large for the stack. */
static struct hv hv;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvsim [options] CONFIG.dtb\n"
		"\n"
		"Runs the cells described by CONFIG.dtb on the Unicorn-based\n"
		"simulator. Images named in the config are read relative to "
		"the\n"
		"config file's directory.\n"
		"\n"
		"options:\n"
		"  --max-insns N  stop after N guest instructions in total "
		"(all\n"
		"                 vCPUs) and exit 124\n"
		"  --quantum N    guest instructions per vCPU turn (default "
		"%llu)\n"
		"  --stats        print exits by class, instructions, wall "
		"time\n"
		"                 and MIPS to stderr at the end\n"
		"  --help         show this help and exit 0\n"
		"\n"
		"exit codes:\n"
		"  0    every cell ended cleanly (status 0)\n"
		"  N    the first non-zero test status a guest reported\n"
		"  2    usage error, unreadable file or config error\n"
		"  100  a cell was terminated by the hypervisor\n"
		"  124  the --max-insns limit was reached, or every vCPU "
		"idles\n"
		"       with nothing left to wake it\n",
		(unsigned long long)SIM_QUANTUM_DEFAULT);
}

_Noreturn static void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "hvsim: %s%s%s\n", msg, arg ? ": " : "",
		arg ? arg : "");
	fprintf(stderr, "hvsim: try 'hvsim --help'\n");
	exit(EXIT_USAGE);
}

/* A positive decimal number, all of the string, no overflow. */
static bool parse_count(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return false;
	*out = v;
	return true;
}

/* Handles "--name N" and "--name=N"; *i is advanced past the value. */
static bool count_option(int argc, char **argv, int *i, const char *name,
			 uint64_t *out)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	const char *val;

	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=') {
		val = a + n + 1;
	} else if (a[n] == '\0') {
		if (*i + 1 >= argc)
			usage_error("missing value for", name);
		val = argv[++*i];
	} else {
		return false;
	}
	if (!parse_count(val, out))
		usage_error("expected a positive whole number for", name);
	return true;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	bool end_of_options = false;

	memset(o, 0, sizeof(*o));
	o->quantum = SIM_QUANTUM_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!end_of_options && a[0] == '-' && a[1] != '\0') {
			if (strcmp(a, "--") == 0) {
				end_of_options = true;
			} else if (strcmp(a, "--help") == 0 ||
				   strcmp(a, "-h") == 0) {
				usage(stdout);
				exit(0);
			} else if (strcmp(a, "--stats") == 0) {
				o->stats = true;
			} else if (!count_option(argc, argv, &i, "--max-insns",
						 &o->max_insns) &&
				   !count_option(argc, argv, &i, "--quantum",
						 &o->quantum)) {
				usage_error("unknown option", a);
			}
			continue;
		}
		if (o->config != NULL)
			usage_error("more than one config file", a);
		o->config = a;
	}
	if (o->config == NULL)
		usage_error("no config file given", NULL);
}

/* Reads the whole config file; exits 2 with a message on failure. */
static void *read_config(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t len;

	if (f == NULL) {
		fprintf(stderr, "hvsim: cannot open %s: %s\n", path,
			strerror(errno));
		exit(EXIT_USAGE);
	}
	buf = malloc(CONFIG_MAX_SIZE + 1);
	if (buf == NULL) {
		fprintf(stderr, "hvsim: out of memory\n");
		exit(EXIT_USAGE);
	}
	len = fread(buf, 1, CONFIG_MAX_SIZE + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "hvsim: cannot read %s: %s\n", path,
			strerror(errno));
		exit(EXIT_USAGE);
	}
	fclose(f);
	if (len > CONFIG_MAX_SIZE) {
		fprintf(stderr, "hvsim: %s: larger than %u bytes\n", path,
			CONFIG_MAX_SIZE);
		exit(EXIT_USAGE);
	}
	*size = len;
	return buf;
}

/* The directory part of path ("." when it has none); caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	d = strndup(path, (size_t)(slash - path));
	return d;
}

static bool cell_live(const struct hv_cell *c)
{
	return c->state != HV_CELL_FREE && !cell_ended(c);
}

/* Instructions retired by every vCPU that exists now. */
static uint64_t insns_now(void)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < HV_MAX_CELLS; i++) {
		struct hv_cell *c = &hv.cells[i];

		if (c->state == HV_CELL_FREE)
			continue;
		for (unsigned v = 0; v < c->vcpu_count; v++)
			sum += hal_vcpu_insn_count(&c->vcpus[v]);
	}
	return sum;
}

static void print_live_cells(void)
{
	bool first = true;

	for (unsigned i = 0; i < HV_MAX_CELLS; i++) {
		const struct hv_cell *c = &hv.cells[i];

		if (!cell_live(c))
			continue;
		fprintf(stderr, "%s%s", first ? "" : " ",
			c->cfg ? c->cfg->name : "?");
		first = false;
	}
	fprintf(stderr, "%s\n", first ? "(none)" : "");
}

static double wall_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void print_stats(uint64_t total, double wall)
{
	for (unsigned i = 0; i < HV_MAX_CELLS; i++) {
		struct hv_cell *c = &hv.cells[i];
		uint64_t by_class[HV_EXCLASS_COUNT] = {0};
		uint64_t insns = 0, virqs = 0;

		if (c->state == HV_CELL_FREE)
			continue;
		for (unsigned v = 0; v < c->vcpu_count; v++) {
			insns += hal_vcpu_insn_count(&c->vcpus[v]);
			virqs += sim_vcpu_irqs(&c->vcpus[v]);
			for (unsigned k = 0; k < HV_EXCLASS_COUNT; k++)
				by_class[k] += c->vcpus[v].exits[k];
		}
		fprintf(stderr, "hvsim: stats: [%s] insns %llu, exits:",
			c->cfg ? c->cfg->name : "?", (unsigned long long)insns);
		for (unsigned k = 0; k < HV_EXCLASS_COUNT; k++)
			fprintf(stderr, " %s %llu",
				hv_exit_class_name((enum hv_exit_class)k),
				(unsigned long long)by_class[k]);
		fprintf(stderr, "; virtual irqs taken %llu\n",
			(unsigned long long)virqs);
	}
	fprintf(stderr,
		"hvsim: stats: total insns %llu, wall %.3f s, %.1f MIPS\n",
		(unsigned long long)total, wall,
		wall > 0 ? (double)total / wall / 1e6 : 0.0);
}

int main(int argc, char **argv)
{
	struct options o;
	struct hv_config_error err;
	uint64_t total = 0;
	unsigned idle_rounds = 0, cpu_count;
	size_t size;
	void *blob;
	char *dir;
	double t0;
	int status;

	/* Cell lines should reach a pipe in order with hvsim's own. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &o);
	blob = read_config(o.config, &size);
	dir = dir_of(o.config);
	if (dir == NULL) {
		fprintf(stderr, "hvsim: out of memory\n");
		return EXIT_USAGE;
	}
	sim_set_image_dir(dir);
	free(dir);
	sim_set_quantum(o.quantum);

	memset(&err, 0, sizeof(err));
	if (hv_init(&hv, blob, size, &err) != HV_OK) {
		fprintf(stderr, "hvsim: config error: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (hv_start(&hv, &err) != HV_OK) {
		fprintf(stderr, "hvsim: config error: %s\n", err.msg);
		return EXIT_USAGE;
	}

	t0 = wall_seconds();
	cpu_count = hv.config.platform.cpu_count;
	/*
	 * Rounds of virtual time (docs/simulator.md, "Virtual time"): in each
	 * round every pCPU runs its vCPU until that vCPU's local time reaches
	 * the round's end (several hv_pcpu_run() calls when exits end a run
	 * early), or it idles, or it stops. When no instruction retired in a
	 * round because every vCPU waits, the clock jumps to the earliest
	 * timer deadline: idle time costs nothing. No deadline: a deadlock.
	 */
	uint64_t clock = 0;
	while (!hv_done(&hv)) {
		bool progress = false;
		uint64_t round_end;

		sim_round_begin(clock, o.quantum);
		round_end = sim_round_end();
		for (unsigned pcpu = 0; pcpu < cpu_count && !hv_done(&hv);
		     pcpu++) {
			for (unsigned calls = 0; calls < TURN_CALLS_MAX;
			     calls++) {
				uint64_t before, after, t0v, e0, t1v, e1;
				uint64_t q = o.quantum;
				enum hv_action action;

				if (!sim_pcpu_state(pcpu, &t0v, &e0) ||
				    t0v >= round_end)
					break;
				/* Never run past the limit by more than one block. */
				if (o.max_insns != 0 && o.max_insns - total < q)
					q = o.max_insns - total;
				sim_set_quantum(q);
				before = insns_now();
				action = hv_pcpu_run(&hv, pcpu);
				after = insns_now();
				/* A destroyed cell takes its count with it. */
				if (after > before) {
					total += after - before;
					progress = true;
				}
				if (o.max_insns != 0 && total >= o.max_insns) {
					fflush(stdout);
					fprintf(stderr,
						"hvsim: instruction limit %llu "
						"reached; still running: ",
						(unsigned long long)o.max_insns);
					print_live_cells();
					if (o.stats)
						print_stats(total,
							    wall_seconds() -
								    t0);
					return EXIT_LIMIT;
				}
				if (action == HV_ACTION_STOP || hv_done(&hv) ||
				    !sim_pcpu_state(pcpu, &t1v, &e1) ||
				    (t1v == t0v && e1 == e0))
					break; /* off, stopped, or nothing happened */
			}
		}
		clock = round_end;
		if (progress) {
			idle_rounds = 0;
			continue;
		}
		/* Nobody retired an instruction: everyone waits. */
		uint64_t next = sim_next_deadline();
		if (next != UINT64_MAX && next > clock) {
			clock = next; /* sleep to the next timer event */
			idle_rounds = 0;
			continue;
		}
		if (++idle_rounds == IDLE_ROUNDS_MAX) {
			fflush(stdout);
			fprintf(stderr, "hvsim: deadlock: every vCPU waits for "
					"an interrupt and no timer is armed; "
					"still running: ");
			print_live_cells();
			return EXIT_LIMIT;
		}
	}

	status = hv_report_end(&hv);
	fflush(stdout);
	if (o.stats)
		print_stats(total, wall_seconds() - t0);
	hv_shutdown(&hv);
	sim_release();
	free(blob);
	if (status < 0)
		status = 0;
	if (status > 255)
		status = 255;
	return status;
}
