/* SPDX-License-Identifier: MIT */
/*
 * hvtrace replay: drives the core, linked with the replay HAL
 * (hal/replay) and no Unicorn, with a recorded trace, and checks every
 * decision it takes against the recording (docs/replay.md). This is how a
 * bug seen on bare metal or in the simulator is reproduced on the host
 * under gdb, ASan and UBSan.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
 * host operations and the ends). A thread replaying pCPU p draws from p's
 * stream only; the scheduler below decides when it may take its next
 * event (docs/replay.md, "Several pCPUs").
 */
#define NCPU 256u

struct store {
	uint64_t *arena; /* per event: type | pcpu << 8 | nargs << 16, seq, args */
	size_t arena_len, arena_cap;
	size_t *at; /* arena offset of event i */
	size_t count, cap;
	size_t *queue[NCPU]; /* event indexes of each pCPU (255: none) */
	size_t qlen[NCPU], qcap[NCPU], qpos[NCPU];
	uint8_t *done; /* done[i]: event i consumed */
	size_t next;   /* the first event not consumed yet */
};

/* The stream the calling thread draws from (its pCPU). */
static _Thread_local unsigned my_cpu = TRACE_PCPU_NONE;

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

static unsigned store_pcpu(const struct store *st, size_t i)
{
	return (unsigned)(st->arena[st->at[i]] >> 8) & 0xffu;
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

/* ---- the scheduler ------------------------------------------------------
 *
 * A bare-metal trace interleaves the events of several pCPUs in the one
 * global order the recorder's lock gave them. Each pCPU is replayed on a
 * host thread of its own running the core's per-pCPU loop (hv_pcpu_run
 * whenever its next event is a `run`); the driver's thread (SCHED_MAIN)
 * takes the events of no pCPU (host operations, the end). Exactly one
 * thread runs at a time: the one holding the token (`turn`). A thread
 * that needs its next event (a HAL call) while an earlier event of
 * another pCPU is still unconsumed passes the token to that event's
 * owner and sleeps until it comes back. So the core's HAL calls happen in
 * the recorded order, and what each pCPU computes between two of its HAL
 * calls runs right after the first, as it does on hardware.
 *
 * Two exceptions keep that from deadlocking on what the core waits for:
 *
 * - A thread holding a cell lock never sleeps: it takes its own next
 *   events ahead of the global order until it lets go (on hardware the
 *   others' events it skips were made by pCPUs that did not hold, so did
 *   not touch, what the lock guards). So a sleeping thread holds no lock
 *   and the token holder never spins on a cell lock.
 * - A thread that busy-waits for another pCPU with no HAL call in the
 *   loop (hv_pcpu_detach waiting for pcpu_in[] to clear) is found by the
 *   watchdog (no scheduling point for SCHED_STUCK_NS of its CPU time) and
 *   preempted by a signal in its spin, which has no side effect; the
 *   token goes to the owner of the next event, and comes back when the
 *   next event is the spinner's own. If it then still spins, or spins
 *   holding a lock, the replay is deadlocked: reported as a divergence at
 *   that event (exit 1), never a hang.
 */
#define SCHED_MAIN HV_MAX_CPUS
#define SCHED_IDS (HV_MAX_CPUS + 1u)
#define SCHED_STUCK_NS 200000000ull  /* CPU time without a HAL call */
#define SCHED_WALL_NS 60000000000ull /* wall time without progress */
#define SCHED_TICK_NS 20000000l	     /* the watchdog's period */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv[SCHED_IDS];
	pthread_t thread[SCHED_IDS];
	bool have[SCHED_IDS]; /* a thread exists for this id */
	unsigned turn;	      /* the id that may run */
	uint64_t progress;    /* scheduling points passed (watchdog) */
	unsigned preempted;   /* the id the watchdog stopped, or SCHED_IDS */
	unsigned acked;	      /* the preempted thread is in the handler */
	bool stop;	      /* the replay is over */
	bool sequential;      /* --sequential: whole runs, in start order */
	/* A thread parked until a global event (park "I@K"): it gets the
	 * token back once every event before release[id] is consumed, 0
	 * when none. */
	size_t release[SCHED_IDS];
	pthread_t watchdog;
	bool watching;
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER, .preempted = SCHED_IDS};

static _Thread_local unsigned my_id = SCHED_MAIN;

static struct store st;
static struct hv hv;

static unsigned id_of(unsigned pcpu)
{
	return pcpu == TRACE_PCPU_NONE ? SCHED_MAIN : pcpu;
}

/*
 * Lock order (docs/replay.md, "Lock order"). A trace with
 * TRACE_FLAG_LOCKS holds a `lock` event for every lock the core took
 * while recording, in the order the pCPUs took each lock. Then the
 * wrappers at the end of this section make hv_spin_lock a scheduling
 * point: the thread waits until its recorded acquisition is the next
 * event in the global order (even holding another lock: that order is
 * the point), and releasing its last lock is a choice point like a HAL
 * call (what it computes next may depend on a pCPU that took the lock
 * after it). Without the flag the wrappers only count.
 */
static bool lock_order;
/* Locks each thread holds, counted by the wrappers. Only a thread that
 * waits for its turn to take a lock (lock order) sleeps holding one. */
static unsigned held[SCHED_IDS];
/* The last event the calling thread consumed: the key of the choice
 * point at its next release of its last lock. */
static _Thread_local size_t my_last = SIZE_MAX;

static unsigned locks_of(unsigned id)
{
	return __atomic_load_n(&held[id], __ATOMIC_RELAXED);
}

static bool locks_held(void)
{
	return locks_of(my_id) != 0;
}

/* The id whose event comes next (SCHED_MAIN when the replay is over).
 * Called with sched.mu held, by the token holder or the watchdog. */
static unsigned who_next(void)
{
	while (st.next < st.count && st.done[st.next])
		st.next++;
	if (sched.stop || replay_diverged() || replay_ran_out() ||
	    st.next >= st.count)
		return SCHED_MAIN;
	for (unsigned id = 0; id < SCHED_IDS; id++)
		if (sched.release[id] != 0 && sched.release[id] <= st.next) {
			sched.release[id] = 0;
			return id;
		}
	unsigned c = store_pcpu(&st, st.next);
	if (c != TRACE_PCPU_NONE && c >= HV_MAX_CPUS) {
		struct trace_ev ev;
		store_get(&st, st.next, &ev);
		replay_diverge("event %llu: %s on pCPU %u, which no "
			       "hypervisor has",
			       (unsigned long long)ev.seq,
			       trace_event_name(ev.type), c);
		return SCHED_MAIN;
	}
	return id_of(c);
}

/* Gives the token to the owner of the next event and sleeps until it is
 * the caller's again (at once when the caller owns it). */
static void pass_and_wait(void)
{
	unsigned me = my_id;
	pthread_mutex_lock(&sched.mu);
	unsigned to = who_next();
	__atomic_add_fetch(&sched.progress, 1, __ATOMIC_RELAXED);
	if (to != me) {
		__atomic_store_n(&sched.turn, to, __ATOMIC_RELEASE);
		pthread_cond_signal(&sched.cv[to]);
		while (__atomic_load_n(&sched.turn, __ATOMIC_ACQUIRE) != me)
			pthread_cond_wait(&sched.cv[me], &sched.mu);
	}
	/* Running again, whatever woke it: a park until a later event
	 * (release) ends here too. Left set, it would hand the token back
	 * to this thread at that event, even after it ran out of events
	 * and ended, and the replay would hang. */
	sched.release[me] = 0;
	pthread_mutex_unlock(&sched.mu);
}

/*
 * Where the recording leaves the order open. The events fix the order of
 * HAL calls, not of what pCPUs compute between them: after taking event
 * i, a pCPU whose next event is not the next one may go on at once
 * (default: on hardware it computes right after its HAL call returns)
 * or only just before its own next event (the QEMU thread behind it may
 * have been descheduled), or just before some later event of another
 * pCPU (it computed meanwhile: a state another pCPU polls flips between
 * two of its polls). Such an i, taken holding no lock, is a choice
 * point; `park` lists those where the replay does not go on at once,
 * each with `until`: 0 for "before its own next event", else the event
 * before which it goes on. The search in replay_main() finds them when
 * the default diverges.
 */
static struct {
	size_t *park;  /* sorted event indexes */
	size_t *until; /* per park */
	size_t park_count;
	size_t *seen; /* choice points met, in order */
	size_t seen_count, seen_cap;
} choices;

/* The index of park i in choices, or SIZE_MAX. */
static size_t park_find(size_t i)
{
	size_t lo = 0, hi = choices.park_count;
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (choices.park[m] == i)
			return m;
		if (choices.park[m] < i)
			lo = m + 1;
		else
			hi = m;
	}
	return SIZE_MAX;
}

static bool is_park(size_t i)
{
	return park_find(i) != SIZE_MAX;
}

/* The calling thread's latest choice point (SIZE_MAX: none yet). */
static _Thread_local size_t my_choice = SIZE_MAX;

/*
 * The first lock the core took, or did not take, against the recording
 * (lock order only): the pCPU, the lock, the pCPU's latest choice point
 * and its next recorded event. The usual cause is a read without the lock
 * of what another pCPU changes under it (the pending-kick bits, a vCPU's
 * state) made too early or too late; the search then tries going on from
 * that choice point just after the other pCPUs' acquisitions of the lock
 * in between (search_lock_miss).
 */
static struct {
	bool set;
	unsigned pcpu, id;
	size_t from, to;
} lock_miss;

static void note_lock_miss(unsigned id)
{
	unsigned c = my_cpu;
	if (lock_miss.set || my_choice == SIZE_MAX || c == TRACE_PCPU_NONE)
		return;
	lock_miss.set = true;
	lock_miss.pcpu = c;
	lock_miss.id = id;
	lock_miss.from = my_choice;
	lock_miss.to = st.qpos[c] < st.qlen[c] ? st.queue[c][st.qpos[c]]
					       : st.count;
}

static void choice_point(size_t i)
{
	while (st.next < st.count && st.done[st.next])
		st.next++;
	if (st.next >= st.count || store_pcpu(&st, st.next) == my_cpu)
		return; /* its own event is next: nothing to choose */
	if (grow((void **)&choices.seen, &choices.seen_cap,
		 choices.seen_count + 1, sizeof(size_t)))
		choices.seen[choices.seen_count++] = i;
	my_choice = i;
	size_t k = park_find(i);
	if (k == SIZE_MAX)
		return;
	if (choices.until[k] != 0) {
		pthread_mutex_lock(&sched.mu);
		sched.release[my_id] = choices.until[k];
		pthread_mutex_unlock(&sched.mu);
	}
	pass_and_wait();
}

/* True when a thread parked until a global event may go on now. */
static bool release_due(void)
{
	bool due = false;
	pthread_mutex_lock(&sched.mu);
	for (unsigned id = 0; id < SCHED_IDS && !due; id++)
		due = sched.release[id] != 0 && sched.release[id] <= st.next;
	pthread_mutex_unlock(&sched.mu);
	return due;
}

static bool src_peek(void *ctx, struct trace_ev *ev)
{
	struct store *s = ctx;
	unsigned c = my_cpu;
	if (s->qpos[c] >= s->qlen[c])
		return false;
	store_get(s, s->queue[c][s->qpos[c]], ev);
	return true;
}

static bool src_next(void *ctx, struct trace_ev *ev)
{
	struct store *s = ctx;
	unsigned c = my_cpu;
	if (s->qpos[c] >= s->qlen[c])
		return false;
	size_t i = s->queue[c][s->qpos[c]];
	/* Wait for the turn of this event, unless holding a lock; a lock
	 * acquisition always waits for its turn. */
	bool lock_ev = (s->arena[s->at[i]] & 0xffu) == TRACE_LOCK;
	while (!sched.sequential && (lock_ev || !locks_held()) &&
	       !replay_diverged()) {
		while (s->next < s->count && s->done[s->next])
			s->next++;
		if (s->next == i && !release_due())
			break;
		pass_and_wait();
	}
	__atomic_add_fetch(&sched.progress, 1, __ATOMIC_RELAXED);
	store_get(s, i, ev);
	s->qpos[c]++;
	s->done[i] = 1;
	my_last = i;
	if (ev->seq == break_seq)
		replay_break_here(ev);
	/* After a lock event the pCPU takes the lock at once: no choice
	 * (its release is one: __wrap_hv_spin_unlock). */
	if (!lock_ev && !sched.sequential && !locks_held() &&
	    !replay_diverged())
		choice_point(i);
	return true;
}

/* Switches the calling thread's stream (and the replay HAL) to `cpu`. */
static void set_cpu(unsigned cpu)
{
	my_cpu = cpu;
	replay_set_cpu(cpu);
}

/* A pCPU's thread: the core's per-pCPU loop, one hv_pcpu_run() per
 * recorded `run` of this pCPU, when its turn comes. */
static void *pcpu_thread(void *arg)
{
	unsigned c = (unsigned)(uintptr_t)arg;
	my_id = c;
	set_cpu(c);
	pthread_mutex_lock(&sched.mu);
	while (__atomic_load_n(&sched.turn, __ATOMIC_ACQUIRE) != c)
		pthread_cond_wait(&sched.cv[c], &sched.mu);
	pthread_mutex_unlock(&sched.mu);
	for (;;) {
		struct trace_ev ev;
		if (!src_peek(&st, &ev))
			break; /* not given the token without an event */
		if (ev.type == TRACE_RUN) {
			(void)src_next(&st, &ev);
			(void)hv_pcpu_run(&hv, c);
			/* A lock recorded in the run, not taken in this one. */
			if (lock_order && src_peek(&st, &ev) &&
			    ev.type == TRACE_LOCK)
				note_lock_miss((unsigned)ev.args[0]);
		} else {
			replay_diverge("divergence at event %llu: recorded %s "
				       "on pCPU %u, which the core's run "
				       "there did not make",
				       (unsigned long long)ev.seq,
				       trace_event_name(ev.type), ev.pcpu);
		}
		pass_and_wait();
	}
	return NULL;
}

/* ---- the watchdog: busy-waits and deadlocks ------------------------------ */

static void preempt_handler(int sig)
{
	(void)sig;
	unsigned me = my_id;
	struct timespec t = {0, 100000};
	__atomic_store_n(&sched.acked, 1u, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sched.turn, __ATOMIC_ACQUIRE) != me)
		nanosleep(&t, NULL);
}

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static uint64_t thread_cpu_ns(unsigned id)
{
	clockid_t clk;
	struct timespec t;
	if (pthread_getcpuclockid(sched.thread[id], &clk) != 0 ||
	    clock_gettime(clk, &t) != 0)
		return 0;
	return ns_of(&t);
}

static uint64_t wall_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ns_of(&t);
}

static void attempt_report(bool ok);
static unsigned search_tries; /* attempts the search made */

/* The token holder makes no progress: a deadlock, reported as a
 * divergence at the next event; the stuck thread cannot be unwound, so
 * the process ends here. */
static void stuck(unsigned id, bool locked)
{
	struct trace_ev ev = {0};
	if (st.next < st.count)
		store_get(&st, st.next, &ev);
	char who[32];
	if (id == SCHED_MAIN)
		snprintf(who, sizeof(who), "the host operation");
	else
		snprintf(who, sizeof(who), "pCPU %u", id);
	fflush(stdout);
	fprintf(stderr,
		"hvtrace: replay: divergence at event %llu: deadlock: %s "
		"makes no HAL call (it busy-waits%s) and the next recorded "
		"event, #%llu %s on pCPU %u, cannot come before it goes on\n",
		(unsigned long long)ev.seq, who,
		locked ? ", holding a cell lock" : " for another pCPU",
		(unsigned long long)ev.seq, trace_event_name(ev.type), ev.pcpu);
	/* In a search attempt: how far it got, so the search can go on
	 * from a deadlock like from any divergence. */
	attempt_report(false);
	_exit(EXIT_DIVERGED);
}

static void *watchdog_thread(void *arg)
{
	(void)arg;
	uint64_t seen = UINT64_MAX, cpu0 = 0, wall0 = 0;
	unsigned holder = SCHED_IDS;
	struct timespec tick = {0, SCHED_TICK_NS};
	while (!__atomic_load_n(&sched.stop, __ATOMIC_ACQUIRE)) {
		nanosleep(&tick, NULL);
		unsigned h = __atomic_load_n(&sched.turn, __ATOMIC_ACQUIRE);
		uint64_t p = __atomic_load_n(&sched.progress, __ATOMIC_RELAXED);
		uint64_t cpu = thread_cpu_ns(h), wall = wall_ns();
		if (p != seen || h != holder) {
			seen = p;
			holder = h;
			cpu0 = cpu;
			wall0 = wall;
			continue;
		}
		if (cpu - cpu0 < SCHED_STUCK_NS && wall - wall0 < SCHED_WALL_NS)
			continue;
		/* The holder spins: it is not in pass_and_wait (progress
		 * would have moved), so the mutex is free for us. */
		pthread_mutex_lock(&sched.mu);
		if (__atomic_load_n(&sched.stop, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&sched.progress, __ATOMIC_RELAXED) != p) {
			pthread_mutex_unlock(&sched.mu);
			continue;
		}
		bool locked = locks_of(h) != 0;
		unsigned to = who_next();
		if (locked || to == h || replay_diverged() || !sched.have[h])
			stuck(h, locked);
		__atomic_store_n(&sched.acked, 0u, __ATOMIC_SEQ_CST);
		sched.preempted = h;
		pthread_kill(sched.thread[h], SIGUSR1);
		while (!__atomic_load_n(&sched.acked, __ATOMIC_SEQ_CST))
			nanosleep(&(struct timespec){0, 100000}, NULL);
		/* Parked in its spin: hand its token on. */
		__atomic_add_fetch(&sched.progress, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&sched.turn, to, __ATOMIC_RELEASE);
		pthread_cond_signal(&sched.cv[to]);
		pthread_mutex_unlock(&sched.mu);
	}
	return NULL;
}

/* Starts a thread per pCPU with events, and the watchdog. */
static bool sched_start(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = preempt_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return false;
	for (unsigned i = 0; i < SCHED_IDS; i++)
		pthread_cond_init(&sched.cv[i], NULL);
	sched.turn = SCHED_MAIN;
	sched.thread[SCHED_MAIN] = pthread_self();
	sched.have[SCHED_MAIN] = true;
	for (unsigned c = 0; c < HV_MAX_CPUS; c++) {
		if (st.qlen[c] == 0)
			continue;
		if (pthread_create(&sched.thread[c], NULL, pcpu_thread,
				   (void *)(uintptr_t)c) != 0)
			return false;
		pthread_detach(sched.thread[c]);
		sched.have[c] = true;
	}
	if (pthread_create(&sched.watchdog, NULL, watchdog_thread, NULL) != 0)
		return false;
	sched.watching = true;
	return true;
}

/* Ends the replay: pCPU threads stay asleep where they are (inside a run
 * after a divergence: they cannot be unwound) and end with the process. */
static void sched_stop(void)
{
	pthread_mutex_lock(&sched.mu);
	__atomic_store_n(&sched.stop, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&sched.mu);
	if (sched.watching)
		pthread_join(sched.watchdog, NULL);
	sched.watching = false;
}

/* ---- lock order: hv_spin_lock / hv_spin_unlock, wrapped ------------------
 *
 * hvtrace is linked with --wrap for both (sim/meson.build); the core's
 * calls land here (see "Lock order" above).
 */
void __real_hv_spin_lock(struct hv_spinlock *l);
void __real_hv_spin_unlock(struct hv_spinlock *l);
void __wrap_hv_spin_lock(struct hv_spinlock *l);
void __wrap_hv_spin_unlock(struct hv_spinlock *l);

/* The id the recorder gives `l`: its cell's index (hal/baremetal/
 * trace_ring.c). */
static unsigned lock_id(const struct hv_spinlock *l)
{
	uintptr_t off = (uintptr_t)l - (uintptr_t)&hv.cells[0].lock;
	if (off % sizeof(struct hv_cell) == 0 &&
	    off / sizeof(struct hv_cell) < hv.cell_count)
		return (unsigned)(off / sizeof(struct hv_cell));
	return TRACE_LOCK_OTHER;
}

void __wrap_hv_spin_lock(struct hv_spinlock *l)
{
	if (!lock_order) {
		__real_hv_spin_lock(l);
		__atomic_add_fetch(&held[my_id], 1u, __ATOMIC_RELAXED);
		return;
	}
	/* Waits for the recorded acquisition's turn and checks it. */
	if (replay_checking()) {
		struct trace_ev next;
		unsigned id = lock_id(l);
		if (!src_peek(&st, &next) || next.type != TRACE_LOCK ||
		    next.args[0] != id)
			note_lock_miss(id); /* a divergence: noted at once */
		replay_lock_taken(id);
	}
	/* At its turn the lock is free: whoever took it before has let go
	 * (a thread sleeps holding a lock only while waiting for a later
	 * acquisition). A busy lock means the recorded order cannot be
	 * kept: a divergence, not a spin. */
	if (__atomic_exchange_n(&l->locked, 1u, __ATOMIC_ACQUIRE) != 0) {
		struct trace_ev ev = {0};
		if (my_last < st.count)
			store_get(&st, my_last, &ev);
		replay_diverge("divergence at event %llu: pCPU %u takes the "
			       "lock of cell %u at its recorded turn, but "
			       "another pCPU still holds it (the recorded "
			       "lock order cannot be kept)",
			       (unsigned long long)ev.seq, my_cpu, lock_id(l));
		for (;;)
			pass_and_wait(); /* the replay is over */
	}
	__atomic_add_fetch(&held[my_id], 1u, __ATOMIC_RELAXED);
}

void __wrap_hv_spin_unlock(struct hv_spinlock *l)
{
	__real_hv_spin_unlock(l);
	if (__atomic_sub_fetch(&held[my_id], 1u, __ATOMIC_RELAXED) == 0 &&
	    lock_order && !sched.sequential && replay_checking() &&
	    my_last != SIZE_MAX && my_cpu != TRACE_PCPU_NONE)
		choice_point(my_last);
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

static int host_op(struct hv *h, const struct trace_ev *ev)
{
	if (ev->nargs < 2 || ev->args[1] >= h->cell_count) {
		replay_diverge("event %llu: host operation on cell %llu, "
			       "which does not exist",
			       (unsigned long long)ev->seq,
			       (unsigned long long)ev->args[1]);
		return -1;
	}
	struct hv_cell *c = &h->cells[ev->args[1]];
	switch (ev->args[0]) {
	case TRACE_OP_STOP:
		return (int)mgmt_stop(c, NULL);
	case TRACE_OP_START:
		return (int)mgmt_start(c, NULL);
	case TRACE_OP_RESTART:
		return (int)mgmt_restart(c, NULL);
	case TRACE_OP_DESTROY:
		return (int)mgmt_destroy(c, NULL);
	default:
		replay_diverge("event %llu: unknown host operation %llu",
			       (unsigned long long)ev->seq,
			       (unsigned long long)ev->args[0]);
		return -1;
	}
}

/* What a replay holds, released by replay_cleanup() on every way out. */
static struct trace_reader *replay_reader;
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
	free(st.done);
	for (unsigned c = 0; c < NCPU; c++)
		free(st.queue[c]);
	memset(&st, 0, sizeof(st));
	for (unsigned i = 0; i < loaded_count; i++)
		free(loaded[i]);
	loaded_count = 0;
}

/*
 * FNV-1a of the console output, as the recorder hashed it: in the
 * recorded order of the console events. Each was compared with the bytes
 * the core wrote when it was consumed, but a pCPU holding a lock takes its
 * events ahead of that order, so the order the core wrote them in may
 * differ. Called at the end, when every event before it is consumed.
 */
static uint64_t console_hash(void)
{
	uint64_t h = TRACE_FNV_INIT;
	struct trace_ev ev;
	for (size_t i = 0; i < st.count; i++) {
		if ((st.arena[st.at[i]] & 0xffu) != TRACE_CONSOLE ||
		    !st.done[i])
			continue;
		store_get(&st, i, &ev);
		uint8_t b[TRACE_MAX_ARGS * 8];
		size_t len;
		if (trace_ev_bytes(&ev, b, sizeof(b), &len))
			h = trace_fnv1a(h, b, len);
	}
	return h;
}

/* One replay of the loaded trace with the current choices: the core
 * built from the recorded config, every pCPU on its thread. */
static int replay_run(const struct trace_header_info *h,
		      const struct replay_source *rs,
		      const struct replay_image *im, unsigned n,
		      const struct replay_platform *plat, bool partial,
		      bool quiet)
{
	struct trace_ev ev;
	replay_init(rs, im, n, plat);
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

	/* Every pCPU on its thread, the token passed in recorded order; this
	 * thread takes the events of no pCPU (host operations, the end). */
	bool ended = false;
	st.done = calloc(st.count, 1);
	if (st.done == NULL) {
		fprintf(stderr, "hvtrace: replay: out of memory\n");
		return EXIT_USAGE;
	}
	st.qpos[TRACE_PCPU_NONE] = 1; /* the platform event */
	st.done[0] = 1;
	set_cpu(TRACE_PCPU_NONE);
	if (!sched_start()) {
		fprintf(stderr, "hvtrace: replay: cannot start threads\n");
		return EXIT_USAGE;
	}
	for (;;) {
		pass_and_wait();
		if (replay_diverged() || replay_ran_out() ||
		    st.next >= st.count)
			break;
		if (!src_next(&st, &ev))
			break;
		if (ev.type == TRACE_HOST_OP) {
			(void)host_op(&hv, &ev);
		} else if (ev.type == TRACE_END && ev.nargs >= 2) {
			int status = hv_status(&hv);
			uint64_t hash = trace_state_hash(&hv, console_hash());
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
				       "with no pCPU, which the replay does "
				       "not make",
				       (unsigned long long)ev.seq,
				       trace_event_name(ev.type));
		}
	}
	sched_stop();
	fflush(stdout);
	if (!quiet && choices.park_count > 0) {
		fprintf(stderr,
			"hvtrace: replay: interleaving: %zu pCPU(s) went on "
			"later than at once (just before their next event, "
			"or before event K for I@K) after event",
			choices.park_count);
		for (size_t k = 0; k < choices.park_count; k++) {
			fprintf(stderr, "%s%zu", k ? "," : " ",
				choices.park[k]);
			if (choices.until[k] != 0)
				fprintf(stderr, "@%zu", choices.until[k]);
		}
		fprintf(stderr,
			" (%u attempts; replay it alone with --park-after "
			"and that list)\n",
			search_tries);
	}
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

/* ---- the search for the interleaving ------------------------------------
 *
 * Each attempt replays the whole trace in a child process (forked before
 * any thread exists) with a set of park choices and reports how far it
 * got (the first event not consumed) and the choice points it met. On a
 * divergence the parent adds, greedily, the latest of the last
 * SEARCH_BACK choice points before it whose park moves the divergence
 * further (or removes it). Attempts are deterministic, so the result is.
 */
#define SEARCH_BACK 6u
#define SEARCH_TRIES 48u
#define SEARCH_TAIL 64u

struct attempt {
	int ok;		  /* 1: every decision matched */
	uint64_t reached; /* the first event not consumed */
	uint64_t tail_count;
	uint64_t tail[SEARCH_TAIL]; /* the last choice points met */
	/* lock_miss of the attempt */
	uint64_t miss_set, miss_pcpu, miss_id, miss_from, miss_to;
};

static int attempt_fd = -1;

/* In an attempt's child: tells the parent how it went. */
static void attempt_report(bool ok)
{
	struct attempt a;
	memset(&a, 0, sizeof(a));
	a.ok = ok;
	a.reached = st.next;
	size_t from = choices.seen_count > SEARCH_TAIL
			      ? choices.seen_count - SEARCH_TAIL
			      : 0;
	for (size_t i = from; i < choices.seen_count; i++)
		a.tail[a.tail_count++] = choices.seen[i];
	a.miss_set = lock_miss.set;
	a.miss_pcpu = lock_miss.pcpu;
	a.miss_id = lock_miss.id;
	a.miss_from = lock_miss.from;
	a.miss_to = lock_miss.to;
	if (attempt_fd >= 0 && write(attempt_fd, &a, sizeof(a)) != sizeof(a))
		_exit(EXIT_USAGE);
}

static bool park_add(size_t i, size_t until)
{
	size_t cap = choices.park_count, cap2 = choices.park_count, k;
	if (!grow((void **)&choices.park, &cap, choices.park_count + 1,
		  sizeof(size_t)) ||
	    !grow((void **)&choices.until, &cap2, choices.park_count + 1,
		  sizeof(size_t)))
		return false;
	for (k = choices.park_count; k > 0 && choices.park[k - 1] > i; k--) {
		choices.park[k] = choices.park[k - 1];
		choices.until[k] = choices.until[k - 1];
	}
	choices.park[k] = i;
	choices.until[k] = until;
	choices.park_count++;
	return true;
}

static void park_drop(size_t i)
{
	size_t k = park_find(i);
	if (k == SIZE_MAX)
		return;
	memmove(&choices.park[k], &choices.park[k + 1],
		(choices.park_count - k - 1) * sizeof(size_t));
	memmove(&choices.until[k], &choices.until[k + 1],
		(choices.park_count - k - 1) * sizeof(size_t));
	choices.park_count--;
}

static bool attempt(const struct trace_header_info *h,
		    const struct replay_source *rs,
		    const struct replay_image *im, unsigned n,
		    const struct replay_platform *plat, bool partial,
		    struct attempt *out)
{
	int fds[2];
	memset(out, 0, sizeof(*out));
	if (pipe(fds) != 0)
		return false;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		close(fds[0]);
		attempt_fd = fds[1];
		FILE *null = freopen("/dev/null", "w", stdout);
		(void)null;
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		int rc = replay_run(h, rs, im, n, plat, partial, true);
		attempt_report(rc == 0);
		_exit(0);
	}
	close(fds[1]);
	ssize_t k = read(fds[0], out, sizeof(*out));
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	if (k != (ssize_t)sizeof(*out))
		memset(out, 0, sizeof(*out)); /* died: no progress */
	return true;
}

/* Distances before the divergence tried as release points. */
static const size_t release_back[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32};

/*
 * When no new park helps: a parked pCPU may have computed between two
 * events of another (a vCPU state another pCPU polls flipped between two
 * polls). Tries, for the latest parks, going on just before an event
 * shortly before the divergence instead. Returns true when an attempt
 * got further (cur updated), false when none did.
 */
static bool release_search(const struct trace_header_info *h,
			   const struct replay_source *rs,
			   const struct replay_image *im, unsigned n,
			   const struct replay_platform *plat, bool partial,
			   struct attempt *cur, unsigned *tries)
{
	struct attempt next;
	unsigned back = 0;
	for (size_t k = choices.park_count; k-- > 0 && back < SEARCH_BACK;) {
		size_t at = choices.park[k], was = choices.until[k];
		if (was != 0)
			continue;
		back++;
		for (size_t j = 0; j < HV_ARRAY_SIZE(release_back); j++) {
			if (cur->reached < release_back[j] + at + 1 ||
			    *tries >= SEARCH_TRIES)
				break;
			choices.until[k] = (size_t)cur->reached -
					   release_back[j];
			(*tries)++;
			if (attempt(h, rs, im, n, plat, partial, &next) &&
			    (next.ok || next.reached > cur->reached)) {
				*cur = next;
				return true;
			}
		}
		choices.until[k] = was;
	}
	return false;
}

/* Choice points, from the latest back, tried as new parks I@K. */
#define SEARCH_BACK_RELEASE 2u

/*
 * When neither a new park nor moving an old one helps: the latest choice
 * points tried as new parks that go on just before an event shortly
 * before the divergence (I@K). A pCPU that read, with no lock, what
 * another pCPU changes under one (the pending-kick bits before taking
 * a cell's lock) needs exactly that: going on at once reads too early,
 * parking until its own next event too late, and neither gets further,
 * so the greedy search above never takes the step. Returns true when an
 * attempt got further (cur updated, the park kept).
 */
static bool park_release_search(const struct trace_header_info *h,
				const struct replay_source *rs,
				const struct replay_image *im, unsigned n,
				const struct replay_platform *plat,
				bool partial, struct attempt *cur,
				unsigned *tries)
{
	struct attempt next;
	unsigned back = 0;
	for (uint64_t k = cur->tail_count;
	     k-- > 0 && back < SEARCH_BACK_RELEASE;) {
		size_t d = (size_t)cur->tail[k];
		if (d >= cur->reached || is_park(d))
			continue;
		back++;
		for (size_t j = 0; j < HV_ARRAY_SIZE(release_back); j++) {
			if (cur->reached < release_back[j] + d + 2 ||
			    *tries >= SEARCH_TRIES)
				break;
			if (!park_add(d,
				      (size_t)cur->reached - release_back[j]))
				return false;
			(*tries)++;
			if (attempt(h, rs, im, n, plat, partial, &next) &&
			    (next.ok || next.reached > cur->reached)) {
				*cur = next;
				return true;
			}
			park_drop(d);
		}
	}
	return false;
}

/* Candidates search_lock_miss tries per lock miss. */
#define SEARCH_MISS_TRIES 8u

/*
 * An attempt that took a lock the recording did not, or did not take one
 * it did (lock_miss): the pCPU read something guarded by that lock
 * without it, before or after another pCPU changed it. Tries going on
 * from the pCPU's latest choice point just after each acquisition of the
 * lock by another pCPU between that point and the pCPU's next event (the
 * latest first). Returns true when an attempt got further (cur updated).
 */
static bool search_lock_miss(const struct trace_header_info *h,
			     const struct replay_source *rs,
			     const struct replay_image *im, unsigned n,
			     const struct replay_platform *plat, bool partial,
			     struct attempt *cur, unsigned *tries)
{
	struct attempt next;
	struct trace_ev ev;
	if (!cur->miss_set || cur->miss_to > st.count)
		return false;
	size_t i = (size_t)cur->miss_from, k = park_find(i);
	if (k != SIZE_MAX && choices.until[k] != 0)
		return false; /* already going on before a given event */
	unsigned tried = 0;
	for (size_t j = (size_t)cur->miss_to; j-- > i + 1;) {
		if (tried >= SEARCH_MISS_TRIES || *tries >= SEARCH_TRIES)
			break;
		if ((st.arena[st.at[j]] & 0xffu) != TRACE_LOCK ||
		    store_pcpu(&st, j) == cur->miss_pcpu)
			continue;
		store_get(&st, j, &ev);
		if (ev.args[0] != cur->miss_id)
			continue;
		tried++;
		if (k != SIZE_MAX)
			choices.until[k] = j + 1;
		else if (!park_add(i, j + 1))
			return false;
		(*tries)++;
		if (attempt(h, rs, im, n, plat, partial, &next) &&
		    (next.ok || next.reached > cur->reached)) {
			*cur = next;
			return true;
		}
		if (k != SIZE_MAX)
			choices.until[k] = 0;
		else
			park_drop(i);
	}
	return false;
}

/* Finds park choices under which every decision matches (or the ones that
 * get furthest); leaves them in `choices` for the final replay. */
static int search(const struct trace_header_info *h,
		  const struct replay_source *rs, const struct replay_image *im,
		  unsigned n, const struct replay_platform *plat, bool partial)
{
	struct attempt cur, next;
	unsigned tries = 1;
	if (!attempt(h, rs, im, n, plat, partial, &cur)) {
		fprintf(stderr, "hvtrace: replay: cannot fork\n");
		return EXIT_USAGE;
	}
	while (!cur.ok && tries < SEARCH_TRIES) {
		bool better = false;
		unsigned back = 0;
		if (search_lock_miss(h, rs, im, n, plat, partial, &cur, &tries))
			continue;
		for (uint64_t k = cur.tail_count;
		     k-- > 0 && back < SEARCH_BACK;) {
			size_t d = (size_t)cur.tail[k];
			if (d >= cur.reached || is_park(d))
				continue;
			back++;
			if (!park_add(d, 0))
				return EXIT_USAGE;
			tries++;
			if (!attempt(h, rs, im, n, plat, partial, &next))
				return EXIT_USAGE;
			if (next.ok || next.reached > cur.reached) {
				cur = next;
				better = true;
				break;
			}
			park_drop(d);
		}
		if (!better &&
		    !release_search(h, rs, im, n, plat, partial, &cur,
				    &tries) &&
		    !park_release_search(h, rs, im, n, plat, partial, &cur,
					 &tries))
			break;
	}
	search_tries = tries;
	return 0;
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
	bool quiet = false, no_search = false, ignore_locks = false;
	char err[256];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--images") == 0 && i + 1 < argc)
			images_dir = argv[++i];
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = true;
		else if (strcmp(argv[i], "--sequential") == 0)
			sched.sequential = true;
		else if (strcmp(argv[i], "--no-search") == 0)
			no_search = true;
		else if (strcmp(argv[i], "--no-lock-order") == 0)
			ignore_locks = true;
		else if (strcmp(argv[i], "--park-after") == 0 && i + 1 < argc) {
			/* A schedule found by an earlier search: replay it
			 * in this process alone (for gdb). */
			no_search = true;
			for (char *p = argv[++i]; *p != '\0';) {
				char *end;
				unsigned long long v = strtoull(p, &end, 10);
				unsigned long long u = 0;
				if (end != p && *end == '@') {
					char *e2;
					u = strtoull(end + 1, &e2, 10);
					if (e2 == end + 1)
						return EXIT_USAGE;
					end = e2;
				}
				if (end == p || !park_add((size_t)v, (size_t)u))
					return EXIT_USAGE;
				p = *end == ',' ? end + 1 : end;
				if (end == p && *p != '\0')
					return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--break") == 0 && i + 1 < argc)
			break_seq = strtoull(argv[++i], NULL, 10);
		else if (argv[i][0] == '-' || path != NULL) {
			/* (--help never gets here: hvtrace.c answers it from
			 * its command table.) */
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
	lock_order = (h->flags & TRACE_FLAG_LOCKS) != 0 && !ignore_locks;

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
		if ((ev.type != TRACE_LOCK || lock_order) &&
		    !store_add(&st, &ev)) {
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

	/* The simulator runs one pCPU at a time, so its traces are sequential
	 * by construction: replayed run by run, without threads or search
	 * (exact, and many times faster). */
	if (h->hal == TRACE_HAL_SIM)
		sched.sequential = true;
	if (!sched.sequential && !no_search) {
		int rc = search(h, &rs, im, n, &plat, partial);
		if (rc != 0)
			return rc;
	}
	return replay_run(h, &rs, im, n, &plat, partial, quiet);
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
