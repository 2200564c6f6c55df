/* SPDX-License-Identifier: MIT */
/* The replay HAL (see replay.h; docs/replay.md). Host code. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>
#include <hv/exit.h>
#include <hv/hv.h>

#include "replay.h"

static struct replay_source src;
static const struct replay_image *images;
static unsigned image_count;
static struct replay_platform plat = {4, 40, 0, 0};
static bool checking, diverged, partial, ran_out;
static char report[1024];
static uint64_t consumed;
static uint8_t *ram;
static uint64_t ram_base, ram_size;

void replay_init(const struct replay_source *s, const struct replay_image *im,
		 unsigned n, const struct replay_platform *p)
{
	src = *s;
	images = im;
	image_count = n;
	plat = *p;
}

void replay_release(void)
{
	free(ram);
	ram = NULL;
}

void replay_check(bool on)
{
	checking = on;
}

bool replay_checking(void)
{
	return checking && !diverged;
}

void replay_set_partial(bool on)
{
	partial = on;
}

bool replay_ran_out(void)
{
	return ran_out;
}

/* The trace ended under the core's feet: a divergence, unless the trace
 * is partial (it stops mid-run by design); then nothing more is checked. */
static void out_of_events(const char *what)
{
	if (partial) {
		ran_out = true;
		checking = false;
		return;
	}
	replay_diverge("the core did %s after the end of the trace", what);
}

bool replay_diverged(void)
{
	return diverged;
}

const char *replay_report(void)
{
	return report;
}

uint64_t replay_events(void)
{
	return consumed;
}

void replay_diverge(const char *fmt, ...)
{
	va_list ap;
	if (diverged)
		return;
	diverged = true;
	va_start(ap, fmt);
	vsnprintf(report, sizeof(report), fmt, ap);
	va_end(ap);
}

static void describe(char *buf, size_t cap, const struct trace_ev *ev)
{
	int n = snprintf(buf, cap, "#%llu %s pcpu %u",
			 (unsigned long long)ev->seq,
			 trace_event_name(ev->type), ev->pcpu);
	for (unsigned i = 0; i < ev->nargs && i < 8 && n > 0 && (size_t)n < cap;
	     i++)
		n += snprintf(buf + n, cap - (size_t)n, " 0x%llx",
			      (unsigned long long)ev->args[i]);
}

/*
 * Takes the next event, which must be `type` with the first `n` args
 * equal to `want` (the core's decision); on a mismatch records the
 * divergence. Returns the event in *ev (for values to hand back).
 */
static bool take(unsigned type, unsigned pcpu, const uint64_t *want, unsigned n,
		 struct trace_ev *ev, const char *what)
{
	if (!checking)
		return false;
	if (diverged)
		return false;
	if (!src.next(src.ctx, ev)) {
		out_of_events(what);
		return false;
	}
	consumed++;
	bool same = ev->type == type && ev->pcpu == pcpu && ev->nargs >= n;
	for (unsigned i = 0; same && i < n; i++)
		same = ev->args[i] == want[i];
	if (!same) {
		char exp[256];
		describe(exp, sizeof(exp), ev);
		char act[200];
		int k = snprintf(act, sizeof(act), "%s pcpu %u", what, pcpu);
		for (unsigned i = 0; i < n && k > 0 && (size_t)k < sizeof(act);
		     i++)
			k += snprintf(act + k, sizeof(act) - (size_t)k,
				      " 0x%llx", (unsigned long long)want[i]);
		replay_diverge("divergence at event %llu: recorded %s; "
			       "the core did %s",
			       (unsigned long long)ev->seq, exp, act);
		return false;
	}
	return true;
}

/* The pCPU whose run the calling thread replays (TRACE_PCPU_NONE: a host
 * operation); every event must come from it. Per thread: the driver may
 * replay each pCPU on its own thread (sim/hvtrace_replay.c), one at a
 * time, handing over at HAL calls. */
static _Thread_local unsigned cur_cpu = TRACE_PCPU_NONE;

void replay_set_cpu(unsigned pcpu)
{
	cur_cpu = pcpu;
}

static unsigned pcpu_of(const struct hv_vcpu *v)
{
	(void)v;
	return cur_cpu;
}

void replay_lock_taken(unsigned id)
{
	struct trace_ev ev;
	uint64_t want[1] = {id};
	(void)take(TRACE_LOCK, cur_cpu, want, 1, &ev, "hv_spin_lock");
}

/* ---- platform ----------------------------------------------------------- */

enum hv_err hal_platform_init(const struct hv_platform_config *p)
{
	free(ram);
	ram_base = pa_addr(p->ram_base);
	ram_size = p->ram_size;
	ram = calloc(1, (size_t)ram_size);
	return ram ? HV_OK : HV_ERR_NOMEM;
}

unsigned hal_cpu_pa_bits(void)
{
	return plat.pa_bits;
}

void hal_console_write(const char *s, size_t len)
{
	/* The recorder split long writes into events of at most `max`
	 * bytes: compare chunk by chunk. */
	const size_t max = (TRACE_MAX_ARGS - 1u) * 8u;
	if (checking && !diverged) {
		size_t off = 0;
		do {
			struct trace_ev ev;
			size_t k = len - off < max ? len - off : max;
			uint64_t want[1] = {k};
			if (!take(TRACE_CONSOLE, cur_cpu, want, 1, &ev,
				  "console output"))
				break;
			for (size_t i = 0; i < k; i++)
				if ((uint8_t)(ev.args[1 + i / 8] >>
					      (8 * (i % 8))) !=
				    (uint8_t)s[off + i]) {
					replay_diverge(
						"divergence at event %llu: "
						"console bytes differ at byte "
						"%zu",
						(unsigned long long)ev.seq,
						off + i);
					break;
				}
			off += k;
		} while (off < len && !diverged);
	}
	fwrite(s, 1, len, stdout);
}

bool hal_trace_snapshot(void)
{
	struct trace_ev ev;
	if (take(TRACE_SNAPSHOT, cur_cpu, NULL, 0, &ev, "hal_trace_snapshot"))
		return ev.args[0] != 0;
	return false;
}

bool hal_device_assignable(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);
	return !hv_ranges_overlap(ram_base, ram_size, a, size);
}

void hal_irq_route(uint32_t intid, unsigned cpu, bool on)
{
	struct trace_ev ev;
	uint64_t want[3] = {intid, cpu, on};
	(void)take(TRACE_IRQ_ROUTE, cur_cpu, want, 3, &ev, "hal_irq_route");
}

enum hv_err hal_image_get(const char *name, const void **data, size_t *size)
{
	for (unsigned i = 0; i < image_count; i++)
		if (strcmp(images[i].name, name) == 0 && images[i].data) {
			*data = images[i].data;
			*size = images[i].size;
			return HV_OK;
		}
	return HV_ERR_NOENT;
}

void hal_panic(const char *msg)
{
	fprintf(stderr, "hvtrace replay: hypervisor panic: %s\n", msg);
	fflush(stdout);
	abort();
}

/* ---- memory ------------------------------------------------------------- */

void *hal_phys_map(paddr_t pa, uint64_t size)
{
	uint64_t a = pa_addr(pa);
	if (ram == NULL || !hv_range_contains(ram_base, ram_size, a, size))
		return NULL;
	uint8_t *p = ram + (a - ram_base);
	/* Guest bytes the core read while recording come back here. */
	struct trace_ev ev;
	uint64_t off = 0;
	while (checking && !diverged && src.peek(src.ctx, &ev) &&
	       ev.type == TRACE_MEM && ev.nargs >= 2 && ev.args[0] == a + off) {
		(void)src.next(src.ctx, &ev);
		consumed++;
		uint64_t k = ev.args[1];
		for (uint64_t i = 0; i < k && off + i < size; i++)
			p[off + i] = (uint8_t)(ev.args[2 + i / 8] >>
					       (8 * (i % 8)));
		off += k;
		if (off >= size)
			break;
	}
	return p;
}

void hal_mem_scrub(paddr_t pa, uint64_t size)
{
	struct trace_ev ev;
	uint64_t want[2] = {pa_addr(pa), size};
	(void)take(TRACE_SCRUB, cur_cpu, want, 2, &ev, "hal_mem_scrub");
	void *p = hal_phys_map(pa, size);
	if (p)
		memset(p, 0, (size_t)size);
}

void hal_dcache_clean(paddr_t pa, uint64_t size)
{
	(void)pa;
	(void)size;
}

void hal_mem_pool(paddr_t *base, uint64_t *size)
{
	/* Where the recording HAL had it: same pages, same decisions. */
	*base = pa_init(plat.pool_base);
	*size = plat.pool_size;
}

void hal_tlb_flush_vmid(uint16_t vmid)
{
	struct trace_ev ev;
	uint64_t want[1] = {vmid};
	(void)take(TRACE_TLB_VMID, cur_cpu, want, 1, &ev, "hal_tlb_flush_vmid");
}

void hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	struct trace_ev ev;
	uint64_t want[3] = {vmid, ipa_addr(ipa), size};
	(void)take(TRACE_TLB_RANGE, cur_cpu, want, 3, &ev,
		   "hal_tlb_flush_range");
}

/* ---- vCPUs ---------------------------------------------------------------- */

enum hv_err hal_vcpu_create(struct hv_vcpu *vcpu)
{
	vcpu->hal = vcpu; /* nothing of our own: the trace holds the state */
	return HV_OK;
}

void hal_vcpu_destroy(struct hv_vcpu *vcpu)
{
	vcpu->hal = NULL;
}

void hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	struct trace_ev ev;
	uint64_t want[2] = {ipa_addr(entry), x0};
	(void)take(TRACE_RESET, pcpu_of(vcpu), want, 2, &ev, "hal_vcpu_reset");
}

static void fill_exit(struct hv_exit *exit, const struct trace_ev *ev)
{
	memset(exit, 0, sizeof(*exit));
	exit->kind = (enum hv_exit_kind)ev->args[0];
	exit->esr = ev->args[1];
	exit->far = ev->args[2];
	exit->hpfar = ev->args[3];
	exit->intid = (uint32_t)ev->args[4];
	if (ev->type == TRACE_RUN_EXIT)
		exit->action = (enum hv_action)ev->args[5];
}

void hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct trace_ev ev;

	memset(exit, 0, sizeof(*exit));
	exit->kind = HV_EXIT_BUDGET;
	if (!checking)
		return;
	/* Exits the recording HAL handled inside its run (a fast path)
	 * are handed to the core here, in the same place. */
	while (!diverged && src.peek(src.ctx, &ev) && ev.type == TRACE_EXIT &&
	       ev.pcpu == cur_cpu) {
		(void)src.next(src.ctx, &ev);
		consumed++;
		struct hv_exit inner;
		fill_exit(&inner, &ev);
		(void)hv_exit_handle(vcpu, &inner);
	}
	if (diverged)
		return;
	if (!src.next(src.ctx, &ev)) {
		out_of_events("a vCPU run");
		return;
	}
	consumed++;
	if (ev.type != TRACE_RUN_EXIT || ev.pcpu != cur_cpu) {
		char exp[256];
		describe(exp, sizeof(exp), &ev);
		replay_diverge(
			"divergence at event %llu: recorded %s; the core "
			"ran the vCPU of pCPU %u",
			(unsigned long long)ev.seq, exp, vcpu->pcpu);
		return;
	}
	fill_exit(exit, &ev);
}

uint64_t hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg)
{
	struct trace_ev ev;
	uint64_t want[1] = {(uint64_t)reg};
	if (take(TRACE_REG_READ, pcpu_of(vcpu), want, 1, &ev,
		 "hal_vcpu_reg_read"))
		return ev.args[1];
	return 0;
}

void hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg, uint64_t val)
{
	struct trace_ev ev;
	uint64_t want[2] = {(uint64_t)reg, val};
	(void)take(TRACE_REG_WRITE, pcpu_of(vcpu), want, 2, &ev,
		   "hal_vcpu_reg_write");
}

void hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct trace_ev ev;
	memset(exit, 0, sizeof(*exit));
	exit->kind = HV_EXIT_BUDGET;
	if (take(TRACE_IDLE, pcpu_of(vcpu), NULL, 0, &ev, "hal_vcpu_idle")) {
		exit->kind = (enum hv_exit_kind)ev.args[0];
		exit->intid = (uint32_t)ev.args[1];
	}
}

void hal_cpu_kick(unsigned pcpu)
{
	struct trace_ev ev;
	uint64_t want[1] = {pcpu};
	(void)take(TRACE_KICK, cur_cpu, want, 1, &ev, "hal_cpu_kick");
}

uint64_t hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	struct trace_ev ev;
	if (take(TRACE_INSNS, pcpu_of(vcpu), NULL, 0, &ev,
		 "hal_vcpu_insn_count"))
		return ev.args[0];
	return 0;
}

/* ---- list registers -------------------------------------------------------- */

unsigned hal_vgic_lr_count(void)
{
	return plat.lr_count;
}

uint64_t hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	struct trace_ev ev;
	uint64_t want[1] = {n};
	if (take(TRACE_LR_READ, pcpu_of(vcpu), want, 1, &ev,
		 "hal_vgic_lr_read"))
		return ev.args[1];
	return 0;
}

void hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	struct trace_ev ev;
	uint64_t want[2] = {n, val};
	(void)take(TRACE_LR_WRITE, pcpu_of(vcpu), want, 2, &ev,
		   "hal_vgic_lr_write");
}

void hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on)
{
	struct trace_ev ev;
	uint64_t want[1] = {on};
	(void)take(TRACE_UNDERFLOW, pcpu_of(vcpu), want, 1, &ev,
		   "hal_vgic_set_underflow");
}

void hal_vgic_hw_deactivate(uint32_t pintid)
{
	struct trace_ev ev;
	uint64_t want[1] = {pintid};
	(void)take(TRACE_HW_DEACTIVATE, cur_cpu, want, 1, &ev,
		   "hal_vgic_hw_deactivate");
}
