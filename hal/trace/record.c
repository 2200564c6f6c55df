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
/* The pCPU the core works for now (the simulator runs one at a time), and
 * how deep inside hv_pcpu_run / hal_vcpu_run / a host operation it is. */
static unsigned cur_pcpu = TRACE_PCPU_NONE;
static unsigned inside;
static unsigned in_vcpu_run;
/* > 0 while the HAL itself runs (inside a __real_ call): what it calls
 * then is its own business, not the core's, and is not recorded. */
static unsigned in_hal;
static uint64_t console_hash = TRACE_FNV_INIT;
static paddr_t pool_base;
static uint64_t pool_size;

static void emit(unsigned type, unsigned pcpu, const uint64_t *args,
		 unsigned n);

void trace_rec_start(trace_sink_fn fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
	count = 0;
	failed = false;
	console_hash = TRACE_FNV_INIT;
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
	return sink != NULL && inside > 0 && in_hal == 0 && !failed;
}

static void emit(unsigned type, unsigned pcpu, const uint64_t *args, unsigned n)
{
	struct trace_ev ev;

	ev.type = (uint8_t)type;
	ev.pcpu = (uint8_t)pcpu;
	ev.nargs = (uint16_t)n;
	ev.seq = count++;
	for (unsigned i = 0; i < n && i < TRACE_MAX_ARGS; i++)
		ev.args[i] = args[i];
	if (!sink(sink_ctx, &ev))
		failed = true;
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

static unsigned vcpu_pcpu(const struct hv_vcpu *vcpu)
{
	return vcpu != NULL ? vcpu->pcpu : TRACE_PCPU_NONE;
}

void trace_host_op(unsigned op, unsigned cell)
{
	inside++;
	if (on()) {
		uint64_t a[2] = {op, cell};
		emit(TRACE_HOST_OP, TRACE_PCPU_NONE, a, 2);
	}
}

void trace_host_op_end(void)
{
	inside--;
}

void trace_rec_end(int status, uint64_t state_hash)
{
	if (sink != NULL && !failed) {
		uint64_t a[2] = {(uint64_t)(int64_t)status, state_hash};
		emit(TRACE_END, TRACE_PCPU_NONE, a, 2);
	}
}

/* ---- core entry points ------------------------------------------------ */

enum hv_action __wrap_hv_pcpu_run(struct hv *hv, unsigned pcpu)
{
	unsigned saved = cur_pcpu;
	cur_pcpu = pcpu;
	inside++;
	if (on())
		emit(TRACE_RUN, pcpu, NULL, 0);
	enum hv_action a = __real_hv_pcpu_run(hv, pcpu);
	inside--;
	cur_pcpu = saved;
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
	/* A fast path hands the exit back to the core: core context. */
	unsigned saved = in_hal;
	in_hal = 0;
	if (on() && in_vcpu_run > 0) {
		uint64_t a[7];
		exit_args(a, vcpu, exit);
		a[5] = a[6]; /* TRACE_EXIT has no action */
		emit(TRACE_EXIT, vcpu_pcpu(vcpu), a, 6);
	}
	enum hv_action act = __real_hv_exit_handle(vcpu, exit);
	in_hal = saved;
	return act;
}

/* ---- hal/vcpu.h --------------------------------------------------------- */

void __wrap_hal_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	in_vcpu_run++;
	in_hal++;
	__real_hal_vcpu_run(vcpu, exit);
	in_hal--;
	in_vcpu_run--;
	if (on()) {
		uint64_t a[7];
		exit_args(a, vcpu, exit);
		emit(TRACE_RUN_EXIT, vcpu_pcpu(vcpu), a, 7);
	}
}

void __wrap_hal_vcpu_idle(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	in_hal++;
	__real_hal_vcpu_idle(vcpu, exit);
	in_hal--;
	if (on()) {
		uint64_t a[2] = {exit->kind, exit->intid};
		emit(TRACE_IDLE, vcpu_pcpu(vcpu), a, 2);
	}
}

uint64_t __wrap_hal_vcpu_reg_read(struct hv_vcpu *vcpu, enum hv_reg reg)
{
	in_hal++;
	uint64_t v = __real_hal_vcpu_reg_read(vcpu, reg);
	in_hal--;
	if (on()) {
		uint64_t a[2] = {(uint64_t)reg, v};
		emit(TRACE_REG_READ, vcpu_pcpu(vcpu), a, 2);
	}
	return v;
}

void __wrap_hal_vcpu_reg_write(struct hv_vcpu *vcpu, enum hv_reg reg,
			       uint64_t val)
{
	if (on()) {
		uint64_t a[2] = {(uint64_t)reg, val};
		emit(TRACE_REG_WRITE, vcpu_pcpu(vcpu), a, 2);
	}
	in_hal++;
	__real_hal_vcpu_reg_write(vcpu, reg, val);
	in_hal--;
}

void __wrap_hal_vcpu_reset(struct hv_vcpu *vcpu, ipa_t entry, uint64_t x0)
{
	if (on()) {
		uint64_t a[2] = {ipa_addr(entry), x0};
		emit(TRACE_RESET, vcpu_pcpu(vcpu), a, 2);
	}
	in_hal++;
	__real_hal_vcpu_reset(vcpu, entry, x0);
	in_hal--;
}

uint64_t __wrap_hal_vcpu_insn_count(struct hv_vcpu *vcpu)
{
	in_hal++;
	uint64_t v = __real_hal_vcpu_insn_count(vcpu);
	in_hal--;
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
		emit(TRACE_KICK, cur_pcpu, a, 1);
	}
	in_hal++;
	__real_hal_cpu_kick(pcpu);
	in_hal--;
}

/* ---- hal/vgic.h ----------------------------------------------------------- */

uint64_t __wrap_hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	in_hal++;
	uint64_t v = __real_hal_vgic_lr_read(vcpu, n);
	in_hal--;
	if (on()) {
		uint64_t a[2] = {n, v};
		emit(TRACE_LR_READ, vcpu_pcpu(vcpu), a, 2);
	}
	return v;
}

void __wrap_hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	if (on()) {
		uint64_t a[2] = {n, val};
		emit(TRACE_LR_WRITE, vcpu_pcpu(vcpu), a, 2);
	}
	in_hal++;
	__real_hal_vgic_lr_write(vcpu, n, val);
	in_hal--;
}

void __wrap_hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on_)
{
	if (on()) {
		uint64_t a[1] = {on_};
		emit(TRACE_UNDERFLOW, vcpu_pcpu(vcpu), a, 1);
	}
	in_hal++;
	__real_hal_vgic_set_underflow(vcpu, on_);
	in_hal--;
}

void __wrap_hal_vgic_hw_deactivate(uint32_t pintid)
{
	if (on()) {
		uint64_t a[1] = {pintid};
		emit(TRACE_HW_DEACTIVATE, cur_pcpu, a, 1);
	}
	in_hal++;
	__real_hal_vgic_hw_deactivate(pintid);
	in_hal--;
}

/* ---- hal/mem.h, hal/platform.h ------------------------------------------- */

void __wrap_hal_tlb_flush_vmid(uint16_t vmid)
{
	if (on()) {
		uint64_t a[1] = {vmid};
		emit(TRACE_TLB_VMID, cur_pcpu, a, 1);
	}
	in_hal++;
	__real_hal_tlb_flush_vmid(vmid);
	in_hal--;
}

void __wrap_hal_tlb_flush_range(uint16_t vmid, ipa_t ipa, uint64_t size)
{
	if (on()) {
		uint64_t a[3] = {vmid, ipa_addr(ipa), size};
		emit(TRACE_TLB_RANGE, cur_pcpu, a, 3);
	}
	in_hal++;
	__real_hal_tlb_flush_range(vmid, ipa, size);
	in_hal--;
}

void __wrap_hal_irq_route(uint32_t intid, unsigned cpu, bool on_)
{
	if (on()) {
		uint64_t a[3] = {intid, cpu, on_};
		emit(TRACE_IRQ_ROUTE, cur_pcpu, a, 3);
	}
	in_hal++;
	__real_hal_irq_route(intid, cpu, on_);
	in_hal--;
}

uint64_t trace_rec_console_hash(void)
{
	return console_hash;
}

void __wrap_hal_console_write(const char *s, size_t len)
{
	if (on())
		console_hash = trace_fnv1a(console_hash, s, len);
	if (on())
		emit_bytes(TRACE_CONSOLE, cur_pcpu, NULL, 0, (const uint8_t *)s,
			   len);
	in_hal++;
	__real_hal_console_write(s, len);
	in_hal--;
}

void *__wrap_hal_phys_map(paddr_t pa, uint64_t size)
{
	in_hal++;
	void *p = __real_hal_phys_map(pa, size);
	in_hal--;
	/* Guest memory the core is about to read (a console buffer, an
	 * instruction to decode): its bytes are input the core's own state
	 * does not determine. Page-pool pages (stage-2 tables) are. */
	if (on() && p != NULL && size <= TRACE_MEM_MAX &&
	    !hv_ranges_overlap(pa_addr(pool_base), pool_size, pa_addr(pa),
			       size)) {
		uint64_t lead[1] = {pa_addr(pa)};
		emit_bytes(TRACE_MEM, cur_pcpu, lead, 1, p, (size_t)size);
	}
	return p;
}

void __wrap_hal_mem_scrub(paddr_t pa, uint64_t size)
{
	if (on()) {
		uint64_t a[2] = {pa_addr(pa), size};
		emit(TRACE_SCRUB, cur_pcpu, a, 2);
	}
	in_hal++;
	__real_hal_mem_scrub(pa, size);
	in_hal--;
}
