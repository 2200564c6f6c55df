/* SPDX-License-Identifier: MIT */
/*
 * The trace recorder (see record.h). Each __wrap_X forwards to __real_X
 * (the HAL's own function, renamed by the linker's --wrap=X) and turns
 * the crossing into an event while the core is at work on a pCPU.
 */
#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>
#include <hv/exit.h>
#include <hv/hv.h>
#include <hv/spinlock.h>

#include "record.h"

/* The real HAL (and core) entry points behind the wrappers. */
enum hv_action __real_hv_pcpu_run(struct hv *hv, unsigned pcpu);
enum hv_action __real_hv_exit_handle(struct hv_vcpu *vcpu,
				     const struct hv_exit *exit);
void __real_hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit);
void __real_hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit);
uint64_t __real_hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg);
void __real_hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg,
			       uint64_t val);
void __real_hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0);
uint64_t __real_hal_vcpu_insn_count(struct hv_vcpu *vcpu);
uint64_t __real_hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n);
void __real_hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val);
void __real_hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on);
void __real_hal_vgic_hw_deactivate(uint32_t pintid);
void __real_hal_tlb_flush_vmid(uint16_t vmid);
void __real_hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size);
void __real_hal_irq_route(uint32_t intid, unsigned cpu, bool on);
void __real_hal_cpu_kick(unsigned pcpu);
void __real_hal_console_write(const char *s, size_t len);
void *__real_hal_phys_map(paddr_t pa, uint64_t size);
bool __real_hal_trace_snapshot(void);
bool __wrap_hal_trace_snapshot(void);
void __real_hal_mem_scrub(paddr_t pa, uint64_t size);

enum hv_action __wrap_hv_pcpu_run(struct hv *hv, unsigned pcpu);
enum hv_action __wrap_hv_exit_handle(struct hv_vcpu *vcpu,
				     const struct hv_exit *exit);
void __wrap_hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit);
void __wrap_hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit);
uint64_t __wrap_hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg);
void __wrap_hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg,
			       uint64_t val);
void __wrap_hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0);
uint64_t __wrap_hal_vcpu_insn_count(struct hv_vcpu *vcpu);
uint64_t __wrap_hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n);
void __wrap_hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val);
void __wrap_hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on);
void __wrap_hal_vgic_hw_deactivate(uint32_t pintid);
void __wrap_hal_tlb_flush_vmid(uint16_t vmid);
void __wrap_hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size);
void __wrap_hal_irq_route(uint32_t intid, unsigned cpu, bool on);
void __wrap_hal_cpu_kick(unsigned pcpu);
void __wrap_hal_console_write(const char *s, size_t len);
void *__wrap_hal_phys_map(paddr_t pa, uint64_t size);
void __wrap_hal_mem_scrub(paddr_t pa, uint64_t size);

static trace_sink_fn sink;
static void *sink_ctx;
static uint64_t count;
static bool failed;
/*
 * Serialises events from several pCPUs (bare metal) into one order.
 * Taken with hv_spin_lock_raw, not hv_spin_lock: the recording image
 * wraps that one to record the core's lock acquisitions
 * (trace_rec_lock_taken), which would then record itself.
 */
static struct hv_spinlock lock;
static uint64_t console_hash = TRACE_FNV_INIT;
static paddr_t pool_base;
static uint64_t pool_size;

/*
 * Per physical CPU: the pCPU the core works for (the simulator runs them
 * all on one thread, one at a time: slot 0), how deep inside
 * hv_pcpu_run / a host operation it is, whether inside hal_vcpu_run, and
 * in_hal > 0 while the HAL itself runs (inside a __real_ call): what it
 * calls then is its own business, not the core's, and is not recorded.
 */
struct rec_cpu {
	unsigned cur_pcpu;
	unsigned inside;
	unsigned in_vcpu_run;
	unsigned in_hal;
	bool paused; /* trace_rec_pause() on this CPU */
};
#define REC_CPUS 64u
static struct rec_cpu cpus[REC_CPUS];

/* The calling physical CPU. Weak: the simulator (one thread) keeps the
 * default; the bare-metal recorder returns bm_this_pcpu(). */
__attribute__((weak)) unsigned trace_cpu(void)
{
	return 0;
}

static struct rec_cpu *me(void)
{
	unsigned c = trace_cpu();
	return &cpus[c < REC_CPUS ? c : 0];
}

static void emit(unsigned type, unsigned pcpu, const uint64_t *args,
		 unsigned n);

void trace_rec_start(trace_sink_fn fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
	count = 0;
	failed = false;
	console_hash = TRACE_FNV_INIT;
	for (unsigned i = 0; i < REC_CPUS; i++)
		cpus[i] = (struct rec_cpu){.cur_pcpu = TRACE_PCPU_NONE};
	hal_mem_pool(&pool_base, &pool_size);
	if (sink != NULL) {
		uint64_t a[4] = {hal_vgic_lr_count(), hal_cpu_pa_bits(),
				 pa_addr(pool_base), pool_size};
		emit(TRACE_PLATFORM, TRACE_PCPU_NONE, a, 4);
	}
}

uint64_t trace_rec_count(void)
{
	return count;
}

bool trace_rec_failed(void)
{
	return failed;
}

static bool on(void)
{
	const struct rec_cpu *c = me();
	return sink != NULL && c->inside > 0 && c->in_hal == 0 && !failed &&
	       !c->paused;
}

static void emit(unsigned type, unsigned pcpu, const uint64_t *args, unsigned n)
{
	struct trace_ev ev;

	ev.type = (uint8_t)type;
	ev.pcpu = (uint8_t)pcpu;
	ev.nargs = (uint16_t)n;
	for (unsigned i = 0; i < n && i < TRACE_MAX_ARGS; i++)
		ev.args[i] = args[i];
	hv_spin_lock_raw(&lock);
	ev.seq = count++;
	if (!sink(sink_ctx, &ev))
		failed = true;
	/* Console output is hashed here, under the lock, so the hash is
	 * of the bytes in event order (the order a replay sees them), not
	 * in the order racing pCPUs happened to call the HAL. */
	if (type == TRACE_CONSOLE && n > 0) {
		for (uint64_t i = 0; i < args[0]; i++) {
			uint8_t b = (uint8_t)(args[1 + i / 8] >> (8 * (i % 8)));
			console_hash = trace_fnv1a(console_hash, &b, 1);
		}
	}
	hv_spin_unlock_raw(&lock);
}

/* Byte payloads: lead args, the byte count, then the bytes 8 per arg;
 * split into several events when longer than one can hold. */
static void emit_bytes(unsigned type, unsigned pcpu, const uint64_t *lead,
		       unsigned nlead, const uint8_t *p, size_t len)
{
	const size_t max = (TRACE_MAX_ARGS - 1u - nlead) * 8u;
	do {
		uint64_t args[TRACE_MAX_ARGS] = {0};
		size_t chunk = len < max ? len : max;
		unsigned n = 0;
		for (unsigned i = 0; i < nlead; i++)
			args[n++] = lead[i];
		args[n++] = chunk;
		for (size_t i = 0; i < chunk; i++)
			args[n + i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
		n += (unsigned)((chunk + 7) / 8);
		emit(type, pcpu, args, n);
		p += chunk;
		len -= chunk;
	} while (len > 0);
}

/* Events carry the pCPU whose hv_pcpu_run() made the call (TRACE_PCPU_NONE
 * for a host operation), not the vCPU's: a replay feeds each pCPU its own
 * stream, whichever vCPU the core acts on. */
static unsigned vcpu_pcpu(const struct hv_vcpu *vcpu)
{
	(void)vcpu;
	return me()->cur_pcpu;
}

void trace_host_op(unsigned op, unsigned cell)
{
	me()->inside++;
	if (on()) {
		uint64_t a[2] = {op, cell};
		emit(TRACE_HOST_OP, TRACE_PCPU_NONE, a, 2);
	}
}

void trace_host_op_end(void)
{
	me()->inside--;
}

void trace_rec_pause(bool on_)
{
	me()->paused = on_;
}

void trace_rec_lock(void)
{
	hv_spin_lock_raw(&lock);
}

void trace_rec_unlock(void)
{
	hv_spin_unlock_raw(&lock);
}

void trace_rec_lock_taken(unsigned id)
{
	if (on()) {
		uint64_t a[1] = {id};
		emit(TRACE_LOCK, me()->cur_pcpu, a, 1);
	}
}

void trace_rec_end(int status, uint64_t state_hash)
{
	if (sink != NULL && !failed) {
		uint64_t a[2] = {(uint64_t)(int64_t)status, state_hash};
		emit(TRACE_END, TRACE_PCPU_NONE, a, 2);
	}
}

/* ---- core entry points ------------------------------------------------ */

/*
 * The hot wrappers (calls made on every exit) go straight to the real
 * function while nothing records: a program that links the recorder but
 * runs without --record pays one load and branch per call. The per-CPU
 * bookkeeping they skip is only read while recording, which starts
 * before the core runs (trace_rec_start).
 */

enum hv_action __wrap_hv_pcpu_run(struct hv *hv, unsigned pcpu)
{
	if (sink == NULL)
		return __real_hv_pcpu_run(hv, pcpu);
	struct rec_cpu *c = me();
	unsigned saved = c->cur_pcpu;
	c->cur_pcpu = pcpu;
	c->inside++;
	if (on())
		emit(TRACE_RUN, pcpu, NULL, 0);
	enum hv_action a = __real_hv_pcpu_run(hv, pcpu);
	c->inside--;
	c->cur_pcpu = saved;
	return a;
}

static void exit_args(uint64_t a[7], struct hv_vcpu *vcpu,
		      const struct hv_exit *exit)
{
	a[0] = exit->kind;
	a[1] = exit->esr;
	a[2] = exit->far;
	a[3] = exit->hpfar;
	a[4] = exit->intid;
	a[5] = exit->action;
	a[6] = vcpu != NULL ? __real_hal_vcpu_insn_count(vcpu) : 0;
}

/* Recorded only for exits a HAL fast path handles inside hal_vcpu_run:
 * the core's own call after TRACE_RUN_EXIT is implied by that event. */
enum hv_action __wrap_hv_exit_handle(struct hv_vcpu *vcpu,
				     const struct hv_exit *exit)
{
	if (sink == NULL)
		return __real_hv_exit_handle(vcpu, exit);
	/* A fast path hands the exit back to the core: core context. */
	struct rec_cpu *c = me();
	unsigned saved = c->in_hal;
	c->in_hal = 0;
	if (on() && c->in_vcpu_run > 0) {
		uint64_t a[7];
		exit_args(a, vcpu, exit);
		a[5] = a[6]; /* TRACE_EXIT has no action */
		emit(TRACE_EXIT, vcpu_pcpu(vcpu), a, 6);
	}
	enum hv_action act = __real_hv_exit_handle(vcpu, exit);
	c->in_hal = saved;
	return act;
}

/* ---- hal/vcpu.h --------------------------------------------------------- */

void __wrap_hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	if (sink == NULL) {
		__real_hal_vcpu_run(vcpu, exit);
		return;
	}
	struct rec_cpu *c = me();
	c->in_vcpu_run++;
	c->in_hal++;
	__real_hal_vcpu_run(vcpu, exit);
	c->in_hal--;
	c->in_vcpu_run--;
	if (on()) {
		uint64_t a[7];
		exit_args(a, vcpu, exit);
		emit(TRACE_RUN_EXIT, vcpu_pcpu(vcpu), a, 7);
	}
}

void __wrap_hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	me()->in_hal++;
	__real_hal_vcpu_idle(vcpu, exit);
	me()->in_hal--;
	if (on()) {
		uint64_t a[2] = {exit->kind, exit->intid};
		emit(TRACE_IDLE, vcpu_pcpu(vcpu), a, 2);
	}
}

uint64_t __wrap_hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg)
{
	if (sink == NULL)
		return __real_hal_vcpu_reg_read(vcpu, reg);
	me()->in_hal++;
	uint64_t v = __real_hal_vcpu_reg_read(vcpu, reg);
	me()->in_hal--;
	if (on()) {
		uint64_t a[2] = {(uint64_t)reg, v};
		emit(TRACE_REG_READ, vcpu_pcpu(vcpu), a, 2);
	}
	return v;
}

void __wrap_hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg,
			       uint64_t val)
{
	if (sink == NULL) {
		__real_hal_vcpu_reg_write(vcpu, reg, val);
		return;
	}
	if (on()) {
		uint64_t a[2] = {(uint64_t)reg, val};
		emit(TRACE_REG_WRITE, vcpu_pcpu(vcpu), a, 2);
	}
	me()->in_hal++;
	__real_hal_vcpu_reg_write(vcpu, reg, val);
	me()->in_hal--;
}

void __wrap_hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	if (on()) {
		uint64_t a[2] = {ipa_addr(entry), x0};
		emit(TRACE_RESET, vcpu_pcpu(vcpu), a, 2);
	}
	me()->in_hal++;
	__real_hal_vcpu_reset(vcpu, entry, x0);
	me()->in_hal--;
}

uint64_t __wrap_hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	if (sink == NULL)
		return __real_hal_vcpu_insn_count(vcpu);
	me()->in_hal++;
	uint64_t v = __real_hal_vcpu_insn_count(vcpu);
	me()->in_hal--;
	if (on()) {
		uint64_t a[1] = {v};
		emit(TRACE_INSNS, vcpu_pcpu(vcpu), a, 1);
	}
	return v;
}

void __wrap_hal_cpu_kick(unsigned pcpu)
{
	if (on()) {
		uint64_t a[1] = {pcpu};
		emit(TRACE_KICK, me()->cur_pcpu, a, 1);
	}
	me()->in_hal++;
	__real_hal_cpu_kick(pcpu);
	me()->in_hal--;
}

/* ---- hal/vgic.h ----------------------------------------------------------- */

uint64_t __wrap_hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	if (sink == NULL)
		return __real_hal_vgic_lr_read(vcpu, n);
	me()->in_hal++;
	uint64_t v = __real_hal_vgic_lr_read(vcpu, n);
	me()->in_hal--;
	if (on()) {
		uint64_t a[2] = {n, v};
		emit(TRACE_LR_READ, vcpu_pcpu(vcpu), a, 2);
	}
	return v;
}

void __wrap_hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	if (sink == NULL) {
		__real_hal_vgic_lr_write(vcpu, n, val);
		return;
	}
	if (on()) {
		uint64_t a[2] = {n, val};
		emit(TRACE_LR_WRITE, vcpu_pcpu(vcpu), a, 2);
	}
	me()->in_hal++;
	__real_hal_vgic_lr_write(vcpu, n, val);
	me()->in_hal--;
}

void __wrap_hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on_)
{
	if (on()) {
		uint64_t a[1] = {on_};
		emit(TRACE_UNDERFLOW, vcpu_pcpu(vcpu), a, 1);
	}
	me()->in_hal++;
	__real_hal_vgic_set_underflow(vcpu, on_);
	me()->in_hal--;
}

void __wrap_hal_vgic_hw_deactivate(uint32_t pintid)
{
	if (on()) {
		uint64_t a[1] = {pintid};
		emit(TRACE_HW_DEACTIVATE, me()->cur_pcpu, a, 1);
	}
	me()->in_hal++;
	__real_hal_vgic_hw_deactivate(pintid);
	me()->in_hal--;
}

/* ---- hal/mem.h, hal/platform.h ------------------------------------------- */

void __wrap_hal_tlb_flush_vmid(uint16_t vmid)
{
	if (on()) {
		uint64_t a[1] = {vmid};
		emit(TRACE_TLB_VMID, me()->cur_pcpu, a, 1);
	}
	me()->in_hal++;
	__real_hal_tlb_flush_vmid(vmid);
	me()->in_hal--;
}

void __wrap_hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	if (on()) {
		uint64_t a[3] = {vmid, ipa_addr(ipa), size};
		emit(TRACE_TLB_RANGE, me()->cur_pcpu, a, 3);
	}
	me()->in_hal++;
	__real_hal_tlb_flush_range(vmid, ipa, size);
	me()->in_hal--;
}

void __wrap_hal_irq_route(uint32_t intid, unsigned cpu, bool on_)
{
	if (on()) {
		uint64_t a[3] = {intid, cpu, on_};
		emit(TRACE_IRQ_ROUTE, me()->cur_pcpu, a, 3);
	}
	me()->in_hal++;
	__real_hal_irq_route(intid, cpu, on_);
	me()->in_hal--;
}

uint64_t trace_rec_console_hash(void)
{
	return console_hash;
}

void __wrap_hal_console_write(const char *s, size_t len)
{
	if (on())
		emit_bytes(TRACE_CONSOLE, me()->cur_pcpu, NULL, 0,
			   (const uint8_t *)s, len);
	me()->in_hal++;
	__real_hal_console_write(s, len);
	me()->in_hal--;
}

void *__wrap_hal_phys_map(paddr_t pa, uint64_t size)
{
	if (sink == NULL)
		return __real_hal_phys_map(pa, size);
	me()->in_hal++;
	void *p = __real_hal_phys_map(pa, size);
	me()->in_hal--;
	/* Guest memory the core is about to read (a console buffer, an
	 * instruction to decode): its bytes are input the core's own state
	 * does not determine. Page-pool pages (stage-2 tables) are. */
	if (on() && p != NULL && size <= TRACE_MEM_MAX &&
	    !hv_ranges_overlap(pa_addr(pool_base), pool_size, pa_addr(pa),
			       size)) {
		uint64_t lead[1] = {pa_addr(pa)};
		emit_bytes(TRACE_MEM, me()->cur_pcpu, lead, 1, p, (size_t)size);
	}
	return p;
}

void __wrap_hal_mem_scrub(paddr_t pa, uint64_t size)
{
	if (on()) {
		uint64_t a[2] = {pa_addr(pa), size};
		emit(TRACE_SCRUB, me()->cur_pcpu, a, 2);
	}
	me()->in_hal++;
	__real_hal_mem_scrub(pa, size);
	me()->in_hal--;
}

bool __wrap_hal_trace_snapshot(void)
{
	/* Recorded after the call: the snapshot pauses recording. */
	me()->in_hal++;
	bool ok = __real_hal_trace_snapshot();
	me()->in_hal--;
	if (on()) {
		uint64_t a[1] = {ok};
		emit(TRACE_SNAPSHOT, me()->cur_pcpu, a, 1);
	}
	return ok;
}
