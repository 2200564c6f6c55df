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
 *
 * With --commands FILE or --prompt the run starts paused and a small
 * command language drives it (run, cells, stop, start, restart, destroy,
 * stats): the management operations of hv/include/hv/mgmt.h with the
 * hvsim user as the manager. Grammar and examples: docs/management.md.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hal/vcpu.h>
#include <hv/hv.h>
#include <hv/mgmt.h>
#include <hv/pledge.h>

#include "hvsim_trace.h"
#include "record.h"
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
	const char *commands; /* --commands FILE, or NULL */
	bool prompt;	      /* --prompt: commands from stdin */
	uint64_t max_insns;   /* 0: no limit */
	uint64_t quantum;
	bool stats;
	const char *record; /* --record FILE */
	const char *replay; /* --replay FILE */
};

/* Static: struct hv is far too large for the stack. */
static struct hv hv;
static struct options opt;
/* Host time at the start of the run, for --stats. */
static double wall_start;

/*
 * Where the simulation stands. Rounds of virtual time (docs/simulator.md,
 * "Virtual time"); a `run N` command may pause it in the middle of a
 * round, even in the middle of a pCPU's turn, and the next run goes on
 * from exactly there.
 */
struct sim_state {
	uint64_t total;	      /* guest instructions retired so far */
	uint64_t clock;	      /* start of the current round */
	uint64_t round_end;   /* its end */
	unsigned pcpu;	      /* the pCPU whose turn it is */
	bool in_round;	      /* a round has begun and not finished */
	bool progress;	      /* an instruction retired in this round */
	unsigned idle_rounds; /* rounds in a row in which nothing retired */
};

static struct sim_state sim;

/* How a call to simulate() ended. */
enum sim_end {
	SIM_DONE,     /* no cell is running any more */
	SIM_PAUSED,   /* the requested number of instructions retired */
	SIM_DEADLOCK, /* every vCPU waits and nothing can wake one */
};

/* The command language, for --help and the `help` command. */
static const char command_help[] =
	"commands (one per line; blank lines and # comments are ignored):\n"
	"  run [N]        run N more guest instructions in total (all "
	"vCPUs),\n"
	"                 or until no cell is running\n"
	"  cells          one line per cell: state, CPUs, memory, classes,\n"
	"                 boots, last exit\n"
	"  stop NAME      stop a cell: it releases everything it holds\n"
	"  start NAME     boot a stopped cell again from its pristine image\n"
	"  restart NAME   stop, then start\n"
	"  destroy NAME   stop a cell for good\n"
	"  stats          hypervisor resources in use (leak counters)\n"
	"  help           this list\n"
	"  quit           end hvsim now, without running further\n";

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
		"  --max-insns N    stop after N guest instructions in total "
		"(all\n"
		"                   vCPUs) and exit 124\n"
		"  --quantum N      guest instructions per vCPU turn (default "
		"%llu)\n"
		"  --stats          print exits by class, instructions, wall "
		"time\n"
		"                   and MIPS to stderr at the end\n"
		"  --commands FILE  start paused and run the management "
		"commands\n"
		"                   in FILE (the first error ends hvsim with "
		"exit 2)\n"
		"  --prompt         start paused and read commands from stdin\n"
		"                   (after FILE when both are given); a "
		"\"hvsim> \"\n"
		"                   prompt when stdin is a terminal\n"
		"  --record FILE    record a trace of the run into FILE\n"
		"                   (docs/replay.md)\n"
		"  --replay FILE    run again and compare every event with "
		"FILE;\n"
		"                   the first divergence ends hvsim with exit "
		"125\n"
		"  --help           show this help and exit 0\n"
		"\n"
		"At the end of the commands the simulation runs to "
		"completion.\n"
		"\n"
		"%s"
		"\n"
		"exit codes:\n"
		"  0    every cell ended cleanly (status 0)\n"
		"  N    the first non-zero test status a guest reported\n"
		"  2    usage error, unreadable file, config error, or an\n"
		"       error in the --commands file\n"
		"  100  a cell was terminated by the hypervisor\n"
		"  124  the --max-insns limit was reached, every vCPU idles "
		"with\n"
		"       nothing left to wake it, or 'quit' with cells still "
		"running\n"
		"  125  --replay: this run diverged from the trace\n",
		(unsigned long long)SIM_QUANTUM_DEFAULT, command_help);
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
			} else if (strcmp(a, "--prompt") == 0) {
				o->prompt = true;
			} else if (strcmp(a, "--commands") == 0) {
				if (i + 1 >= argc)
					usage_error("missing value for",
						    "--commands");
				o->commands = argv[++i];
			} else if (strncmp(a, "--commands=", 11) == 0) {
				o->commands = a + 11;
			} else if (strcmp(a, "--record") == 0 ||
				   strcmp(a, "--replay") == 0) {
				if (i + 1 >= argc)
					usage_error("missing value for", a);
				if (a[3] == 'e' && a[4] == 'c')
					o->record = argv[++i];
				else
					o->replay = argv[++i];
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
	if (o->record != NULL && o->replay != NULL)
		usage_error("--record and --replay exclude each other", NULL);
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

/* A cell that still runs: not a free slot, not ended, not stopped by
 * management (a stopped cell holds nothing until it is started again). */
static bool cell_live(const struct hv_cell *c)
{
	return c->state != HV_CELL_FREE && c->state != HV_CELL_STOPPED &&
	       !cell_ended(c);
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

/* The --max-insns limit: report, and end hvsim with 124. */
_Noreturn static void limit_reached(void)
{
	fflush(stdout);
	fprintf(stderr,
		"hvsim: instruction limit %llu reached; still running: ",
		(unsigned long long)opt.max_insns);
	print_live_cells();
	if (opt.stats)
		print_stats(sim.total, wall_seconds() - wall_start);
	exit(EXIT_LIMIT);
}

/*
 * The pCPU's turn in the current round: runs its vCPU (several
 * hv_pcpu_run() calls when exits end a run early) until the vCPU's local
 * time reaches the round's end, or it idles, or stops. Returns false when
 * it stopped early because sim.total reached `stop_at`; the turn goes on
 * at the next call.
 */
static bool pcpu_turn(unsigned pcpu, uint64_t stop_at)
{
	for (unsigned calls = 0; calls < TURN_CALLS_MAX; calls++) {
		uint64_t before, after, t0v, e0, t1v, e1;
		uint64_t q = opt.quantum;
		struct hv_vcpu *v = hv.pcpu_vcpu[pcpu];
		enum hv_action action;

		if (!sim_pcpu_state(pcpu, &t0v, &e0) || t0v >= sim.round_end)
			break;
		/* Never run past a limit by more than one block. */
		if (opt.max_insns != 0 && opt.max_insns - sim.total < q)
			q = opt.max_insns - sim.total;
		if (stop_at - sim.total < q)
			q = stop_at - sim.total;
		sim_set_quantum(q);
		/* Count what this pCPU's vCPU retires: a management call may
		 * take another cell's vCPUs, and their counts, away. */
		before = v ? hal_vcpu_insn_count(v) : 0;
		action = hv_pcpu_run(&hv, pcpu);
		after = v ? hal_vcpu_insn_count(v) : 0;
		if (after > before) {
			sim.total += after - before;
			sim.progress = true;
		}
		if (opt.max_insns != 0 && sim.total >= opt.max_insns)
			limit_reached();
		if (sim.total >= stop_at)
			return false;
		if (action == HV_ACTION_STOP || hv_done(&hv) ||
		    !sim_pcpu_state(pcpu, &t1v, &e1) ||
		    (t1v == t0v && e1 == e0))
			break; /* off, stopped, or nothing happened */
	}
	return true;
}

/*
 * Runs the simulation until no cell is running, or until `stop_at`
 * instructions have retired in total (UINT64_MAX: no such stop), or a
 * deadlock. In each round every pCPU takes its turn in order; when no
 * instruction retired in a round because every vCPU waits, the clock
 * jumps to the earliest timer deadline: idle time costs nothing. No
 * deadline: a deadlock.
 */
static enum sim_end simulate(uint64_t stop_at)
{
	unsigned cpu_count = hv.config.platform.cpu_count;

	for (;;) {
		if (hv_done(&hv))
			return SIM_DONE;
		if (sim.total >= stop_at)
			return SIM_PAUSED;
		if (!sim.in_round) {
			sim_round_begin(sim.clock, opt.quantum);
			sim.round_end = sim_round_end();
			sim.pcpu = 0;
			sim.progress = false;
			sim.in_round = true;
		}
		for (; sim.pcpu < cpu_count && !hv_done(&hv); sim.pcpu++)
			if (!pcpu_turn(sim.pcpu, stop_at))
				return hv_done(&hv) ? SIM_DONE : SIM_PAUSED;
		sim.in_round = false;
		sim.clock = sim.round_end;
		if (sim.progress) {
			sim.idle_rounds = 0;
			continue;
		}
		/* Nobody retired an instruction: everyone waits. */
		uint64_t next = sim_next_deadline();
		if (next != UINT64_MAX && next > sim.clock) {
			sim.clock = next; /* sleep to the next timer event */
			sim.idle_rounds = 0;
			continue;
		}
		if (hv_done(&hv))
			return SIM_DONE;
		if (++sim.idle_rounds == IDLE_ROUNDS_MAX) {
			sim.idle_rounds = 0;
			fflush(stdout);
			fprintf(stderr, "hvsim: deadlock: every vCPU waits for "
					"an interrupt and no timer is armed; "
					"still running: ");
			print_live_cells();
			return SIM_DEADLOCK;
		}
	}
}

/* ---- commands ------------------------------------------------------------
 *
 * One grammar for --commands FILE and --prompt: a command word and its
 * arguments separated by blanks, one command per line; blank lines and
 * everything from '#' on are ignored. Errors name the file and line; in a
 * file the first one ends hvsim (exit 2), at the prompt it is only printed.
 */

#define CMD_ARGS_MAX 3u
#define CMD_LINE_MAX 1024u

/* Where a command came from, for error messages. */
struct cmd_source {
	const char *file; /* NULL: the prompt */
	unsigned line;
	bool fatal; /* errors end hvsim (command files) */
	bool quit;  /* `quit` was given */
};

HV_PRINTF(2, 3)
static void cmd_error(struct cmd_source *src, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (src->file != NULL)
		fprintf(stderr, "hvsim: %s:%u: ", src->file, src->line);
	else
		fprintf(stderr, "hvsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (src->fatal)
		exit(EXIT_USAGE);
}

/* The id of the cell called `name` (destroyed cells keep their name). */
static bool cell_id_by_name(const char *name, unsigned *id)
{
	for (unsigned i = 0; i < hv.cell_count; i++) {
		if (strcmp(hv.config.cells[i].name, name) == 0) {
			*id = i;
			return true;
		}
	}
	return false;
}

/* "0", "0,1", "0-3": the CPUs of a mask. */
static void format_cpus(uint64_t mask, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < 64 && at < size; c++) {
		unsigned end = c;

		if (!(mask >> c & 1))
			continue;
		while (end + 1 < 64 && (mask >> (end + 1) & 1))
			end++;
		if (end == c)
			at += (size_t)snprintf(buf + at, size - at, "%s%u",
					       at ? "," : "", c);
		else
			at += (size_t)snprintf(buf + at, size - at, "%s%u-%u",
					       at ? "," : "", c, end);
		c = end;
	}
	if (at == 0)
		snprintf(buf, size, "-");
}

/* "16M", "512K", "4096": a memory size. */
static void format_size(uint64_t bytes, char *buf, size_t size)
{
	if (bytes != 0 && bytes % (UINT64_C(1) << 30) == 0)
		snprintf(buf, size, "%lluG", (unsigned long long)(bytes >> 30));
	else if (bytes != 0 && bytes % (UINT64_C(1) << 20) == 0)
		snprintf(buf, size, "%lluM", (unsigned long long)(bytes >> 20));
	else if (bytes != 0 && bytes % (UINT64_C(1) << 10) == 0)
		snprintf(buf, size, "%lluK", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, size, "%llu", (unsigned long long)bytes);
}

/* "all", "none", or the class names joined by ','. */
static void format_caps(uint32_t caps, char *buf, size_t size)
{
	size_t at = 0;

	if (caps == HV_CAP_ALL) {
		snprintf(buf, size, "all");
		return;
	}
	buf[0] = '\0';
	for (unsigned b = 0; b < 32 && at < size; b++)
		if (caps & (1u << b))
			at += (size_t)snprintf(buf + at, size - at, "%s%s",
					       at ? "," : "",
					       pledge_class_name(1u << b));
	if (at == 0)
		snprintf(buf, size, "none");
}

static void cmd_cells(void)
{
	printf("%-3s %-16s %-10s %-6s %-7s %-5s %-24s %s\n", "ID", "NAME",
	       "STATE", "CPUS", "MEMORY", "BOOTS", "CAPS", "LAST EXIT");
	for (unsigned i = 0; i < hv.cell_count; i++) {
		struct hv_mgmt_info in;
		char cpus[64], mem[24], caps[96], last[160];

		mgmt_info(&hv, i, &in);
		in.name[sizeof(in.name) - 1] = '\0';
		in.reason[sizeof(in.reason) - 1] = '\0';
		format_cpus(in.cpus, cpus, sizeof(cpus));
		format_size(in.mem_bytes, mem, sizeof(mem));
		format_caps(in.caps, caps, sizeof(caps));
		if (in.state == HV_MGMT_EXITED)
			snprintf(last, sizeof(last), "%s, status %d",
				 in.reason[0] ? in.reason : "exited",
				 (int)in.exit_status);
		else
			snprintf(last, sizeof(last), "%s",
				 in.reason[0] ? in.reason : "-");
		printf("%-3u %-16s %-10s %-6s %-7s %5llu %-24s %s\n", i,
		       hv.config.cells[i].name,
		       mgmt_state_name((enum hv_mgmt_state)in.state), cpus, mem,
		       (unsigned long long)in.boot_count, caps, last);
	}
}

static void cmd_stats(void)
{
	struct hv_mgmt_stats st;

	mgmt_stats(&hv, &st);
	printf("hvsim: stats: pool pages used %llu, VMIDs used %llu, SPIs "
	       "routed %llu, LRs used %llu, vCPUs %llu\n",
	       (unsigned long long)st.pool_pages_used,
	       (unsigned long long)st.vmids_used,
	       (unsigned long long)st.irqs_routed,
	       (unsigned long long)st.lrs_used, (unsigned long long)st.vcpus);
}

static void cmd_run(struct cmd_source *src, int argc, char **argv)
{
	uint64_t n = 0, stop_at = UINT64_MAX;

	if (argc > 2) {
		cmd_error(src, "run: too many arguments (usage: run [N])");
		return;
	}
	if (argc == 2) {
		if (!parse_count(argv[1], &n)) {
			cmd_error(src,
				  "run: expected a positive whole number of "
				  "instructions, got '%s'",
				  argv[1]);
			return;
		}
		stop_at = n > UINT64_MAX - sim.total ? UINT64_MAX
						     : sim.total + n;
	}
	switch (simulate(stop_at)) {
	case SIM_PAUSED:
		printf("hvsim: paused after %llu instructions\n",
		       (unsigned long long)sim.total);
		break;
	case SIM_DONE:
		printf("hvsim: no cell is running (%llu instructions)\n",
		       (unsigned long long)sim.total);
		break;
	case SIM_DEADLOCK:
		break; /* reported; the user may stop the waiting cells */
	}
}

/* stop / start / restart / destroy NAME. */
static void cmd_manage(struct cmd_source *src, int argc, char **argv)
{
	const char *verb = argv[0];
	struct hv_mgmt_info in;
	struct hv_cell *cell;
	bool starts = false;
	enum hv_err e;
	unsigned id;

	if (argc != 2) {
		cmd_error(src, "%s: expected one cell name (usage: %s NAME)",
			  verb, verb);
		return;
	}
	if (!cell_id_by_name(argv[1], &id)) {
		cmd_error(src, "%s: unknown cell '%s'", verb, argv[1]);
		return;
	}
	cell = &hv.cells[id];
	mgmt_info(&hv, id, &in);
	/* The core reports stops and destroys on its console itself. A
	 * recording brackets the operation (TRACE_HOST_OP). */
	if (strcmp(verb, "stop") == 0) {
		trace_host_op(TRACE_OP_STOP, id);
		e = mgmt_stop(cell, NULL);
	} else if (strcmp(verb, "start") == 0) {
		trace_host_op(TRACE_OP_START, id);
		e = mgmt_start(cell, NULL);
		starts = true;
	} else if (strcmp(verb, "restart") == 0) {
		trace_host_op(TRACE_OP_RESTART, id);
		e = mgmt_restart(cell, NULL);
		starts = true;
	} else {
		trace_host_op(TRACE_OP_DESTROY, id);
		e = mgmt_destroy(cell, NULL);
	}
	trace_host_op_end();
	if (e == HV_ERR_STATE)
		cmd_error(src, "%s: cell '%s' is %s", verb, argv[1],
			  mgmt_state_name((enum hv_mgmt_state)in.state));
	else if (e != HV_OK)
		cmd_error(src,
			  "%s: cell '%s' could not be rebuilt: %s (it is "
			  "stopped)",
			  verb, argv[1], hv_err_str(e));
	else if (starts)
		printf("hvsim: cell '%s' %s, boot %llu\n", argv[1],
		       verb[0] == 's' ? "started" : "restarted",
		       (unsigned long long)cell->boot_count);
}

/*
 * Splits `line` in place into at most CMD_ARGS_MAX words (a comment from
 * '#' on is dropped). Returns the word count, or -1 when there are more.
 */
static int split_words(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	char *hash = strchr(line, '#');

	if (hash != NULL)
		*hash = '\0';
	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return argc;
		if (argc == (int)CMD_ARGS_MAX)
			return -1;
		argv[argc++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

/* Runs one command line. */
static void run_command(struct cmd_source *src, char *line)
{
	char *argv[CMD_ARGS_MAX];
	int argc = split_words(line, argv);

	if (argc == 0)
		return;
	if (argc < 0) {
		cmd_error(src, "too many arguments");
		return;
	}
	if (strcmp(argv[0], "run") == 0) {
		cmd_run(src, argc, argv);
	} else if (strcmp(argv[0], "stop") == 0 ||
		   strcmp(argv[0], "start") == 0 ||
		   strcmp(argv[0], "restart") == 0 ||
		   strcmp(argv[0], "destroy") == 0) {
		cmd_manage(src, argc, argv);
	} else if (strcmp(argv[0], "cells") == 0 ||
		   strcmp(argv[0], "stats") == 0 ||
		   strcmp(argv[0], "help") == 0 ||
		   strcmp(argv[0], "quit") == 0) {
		if (argc != 1) {
			cmd_error(src, "%s: takes no arguments", argv[0]);
			return;
		}
		if (argv[0][0] == 'c')
			cmd_cells();
		else if (argv[0][0] == 's')
			cmd_stats();
		else if (argv[0][0] == 'h')
			fputs(command_help, stdout);
		else
			src->quit = true;
	} else {
		cmd_error(src, "unknown command '%s' (try 'help')", argv[0]);
	}
}

/*
 * Reads and runs commands from `f` until its end or `quit`. At the prompt
 * (`file` NULL) a "hvsim> " prompt is shown when stdin is a terminal.
 * Returns false after `quit`.
 */
static bool run_commands(FILE *f, const char *file)
{
	struct cmd_source src = {file, 0, file != NULL, false};
	bool show_prompt = file == NULL && isatty(fileno(f));
	char buf[CMD_LINE_MAX];

	for (;;) {
		size_t len;

		if (show_prompt) {
			fputs("hvsim> ", stdout);
			fflush(stdout);
		}
		if (fgets(buf, sizeof(buf), f) == NULL)
			break;
		src.line++;
		len = strlen(buf);
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n' &&
		    !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			cmd_error(&src, "line longer than %u characters",
				  CMD_LINE_MAX - 2);
			continue;
		}
		run_command(&src, buf);
		if (src.quit)
			return false;
	}
	if (ferror(f)) {
		fprintf(stderr, "hvsim: cannot read %s: %s\n",
			file ? file : "stdin", strerror(errno));
		exit(EXIT_USAGE);
	}
	if (show_prompt)
		fputc('\n', stdout);
	return true;
}

/* Ends the program the usual way: summary line, --stats, status. */
static int finish(void *blob)
{
	int status = hv_report_end(&hv);

	fflush(stdout);
	if (opt.record != NULL || opt.replay != NULL)
		status = hvsim_trace_end(&hv, status);
	if (opt.stats)
		print_stats(sim.total, wall_seconds() - wall_start);
	hv_shutdown(&hv);
	sim_release();
	free(blob);
	if (status < 0)
		status = 0;
	if (status > 255)
		status = 255;
	return status;
}

int main(int argc, char **argv)
{
	struct hv_config_error err;
	bool go_on = true;
	size_t size;
	void *blob;
	char *dir;

	/* Cell lines should reach a pipe in order with hvsim's own. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &opt);
	blob = read_config(opt.config, &size);
	dir = dir_of(opt.config);
	if (dir == NULL) {
		fprintf(stderr, "hvsim: out of memory\n");
		return EXIT_USAGE;
	}
	sim_set_image_dir(dir);
	free(dir);
	sim_set_quantum(opt.quantum);

	memset(&err, 0, sizeof(err));
	if (hv_init(&hv, blob, size, &err) != HV_OK) {
		fprintf(stderr, "hvsim: config error: %s\n", err.msg);
		sim_release();
		free(blob);
		return EXIT_USAGE;
	}
	if (hv_start(&hv, &err) != HV_OK) {
		fprintf(stderr, "hvsim: config error: %s\n", err.msg);
		hv_shutdown(&hv);
		sim_release();
		free(blob);
		return EXIT_USAGE;
	}

	if (opt.record != NULL || opt.replay != NULL)
		hvsim_trace_begin(&hv, opt.record, opt.replay, blob, size,
				  opt.quantum);
	wall_start = wall_seconds();
	/* With commands the run starts paused; they drive it. */
	if (opt.commands != NULL) {
		FILE *f = fopen(opt.commands, "r");

		if (f == NULL) {
			fprintf(stderr, "hvsim: cannot open %s: %s\n",
				opt.commands, strerror(errno));
			return EXIT_USAGE;
		}
		go_on = run_commands(f, opt.commands);
		fclose(f);
	}
	if (go_on && opt.prompt)
		go_on = run_commands(stdin, NULL);
	if (!go_on && !hv_done(&hv)) {
		/* `quit` with cells still running: no summary, it would lie. */
		fflush(stdout);
		fprintf(stderr, "hvsim: quit; still running: ");
		print_live_cells();
		if (opt.stats)
			print_stats(sim.total, wall_seconds() - wall_start);
		return EXIT_LIMIT;
	}
	/* The end of the commands, or none at all: run to completion. */
	if (simulate(UINT64_MAX) == SIM_DEADLOCK) {
		if (opt.stats)
			print_stats(sim.total, wall_seconds() - wall_start);
		return EXIT_LIMIT;
	}
	return finish(blob);
}
