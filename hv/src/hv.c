/* SPDX-License-Identifier: MIT */
/*
 * The core's top level: build every cell from the config (all or nothing),
 * start them, run a physical CPU's vCPU exit by exit, and report the end.
 */
#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hal/vgic.h>
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/lib.h>
#include <hv/print.h>
#include <hv/smccc.h>

/* Words a non-config failure like config errors: node first. */
static enum hv_err fail(struct hv_config_error *err, enum hv_err code,
			const char *node, const char *name, const char *what)
{
	hv_snprintf(err->msg, sizeof(err->msg), "%s%s: %s (%s)", node, name,
		    what, hv_err_str(code));
	return code;
}

static void destroy_cells(struct hv *hv)
{
	for (unsigned i = 0; i < HV_MAX_CELLS; i++)
		cell_destroy(&hv->cells[i]);
	hv->cell_count = 0;
}

/* Builds everything from hv->config (already validated). */
static enum hv_err setup(struct hv *hv, struct hv_config_error *err)
{
	enum hv_err e;
	paddr_t pool_base;
	uint64_t pool_size;
	const struct hv_platform_config *p = &hv->config.platform;

	e = hal_platform_init(p);
	if (e != HV_OK)
		return fail(err, e, "/platform", "",
			    "this machine cannot provide it");
	e = stage2_geometry(p->ipa_bits, hal_cpu_pa_bits(), &hv->geo);
	if (e != HV_OK) {
		hv_snprintf(err->msg, sizeof(err->msg),
			    "/platform: ipa-bits: %u bits are not supported by "
			    "CPUs with %u physical address bits",
			    p->ipa_bits, hal_cpu_pa_bits());
		return e;
	}
	hal_mem_pool(&pool_base, &pool_size);
	if (!hv_range_contains(pa_addr(p->hv_base), p->hv_size,
			       pa_addr(pool_base), pool_size)) {
		hv_snprintf(err->msg, sizeof(err->msg),
			    "/platform: hypervisor-memory: does not hold the "
			    "hypervisor's page pool at 0x%llx (size 0x%llx)",
			    (unsigned long long)pa_addr(pool_base),
			    (unsigned long long)pool_size);
		return HV_ERR_RANGE;
	}
	e = page_pool_init(&hv->pool, pool_base, pool_size);
	if (e != HV_OK)
		return fail(err, e, "/platform", "",
			    "cannot use the page pool");
	e = config_check_images(&hv->config, err);
	if (e != HV_OK)
		return e;

	for (unsigned i = 0; i < hv->config.cell_count; i++) {
		const struct hv_cell_config *cfg = &hv->config.cells[i];
		e = cell_create(hv, &hv->cells[i], i, cfg);
		if (e != HV_OK) {
			destroy_cells(hv);
			if (e == HV_ERR_DENIED && cfg->device_count > 0)
				return fail(err, e, "/cells/", cfg->name,
					    "this platform cannot give it its "
					    "passthrough devices (the "
					    "simulator has none; use QEMU or "
					    "hardware)");
			return fail(err, e, "/cells/", cfg->name,
				    "cannot create the cell");
		}
		hv->cell_count = i + 1;
	}
	hv_printf("cellvisor: %u.%u: %u cell%s on %u CPUs, IPA %u bits, "
		  "PA %u bits\n",
		  HV_VERSION_MAJOR, HV_VERSION_MINOR, hv->cell_count,
		  hv->cell_count == 1 ? "" : "s", p->cpu_count,
		  hv->geo.ipa_bits, hal_cpu_pa_bits());
	return HV_OK;
}

enum hv_err hv_init(struct hv *hv, const void *blob, size_t size,
		    struct hv_config_error *err)
{
	memset(hv, 0, sizeof(*hv));
	err->msg[0] = '\0';
	enum hv_err e = config_parse(blob, size, &hv->config, err);
	if (e != HV_OK)
		return e;
	return setup(hv, err);
}

enum hv_err hv_init_config(struct hv *hv, const struct hv_config *cfg,
			   struct hv_config_error *err)
{
	memset(hv, 0, sizeof(*hv));
	err->msg[0] = '\0';
	hv->config = *cfg;
	return setup(hv, err);
}

enum hv_err hv_start(struct hv *hv, struct hv_config_error *err)
{
	char why[160];

	err->msg[0] = '\0';
	/* Before any guest runs: what the tables map must be exactly what
	 * the config gave each cell. A violation is a hypervisor bug. */
	if (isolation_check(hv, why, sizeof(why)) != HV_OK)
		hal_panic(why);
	/* Channels start empty: nothing of a previous owner in them. */
	for (unsigned i = 0; i < hv->config.channel_count; i++)
		hal_mem_scrub(hv->config.channels[i].pa,
			      hv->config.channels[i].size);
	for (unsigned i = 0; i < hv->cell_count; i++) {
		struct hv_cell *cell = &hv->cells[i];
		enum hv_err e = cell_start(cell);
		if (e != HV_OK)
			return fail(err, e, "/cells/", cell->cfg->name,
				    "cannot start the cell");
		hv_printf("cellvisor: cell '%s' started: vcpu 0 on CPU %u, "
			  "entry 0x%llx\n",
			  cell->cfg->name, cell->vcpus[0].pcpu,
			  (unsigned long long)ipa_addr(
				  cell->vcpus[0].on_entry));
	}
	return HV_OK;
}

/* Idles a waiting vCPU's pCPU until an interrupt may have woken it. */
static enum hv_action wait(struct hv_vcpu *vcpu)
{
	if (!cell_vcpu_wakeable(vcpu)) {
		struct hv_exit exit;
		hal_vcpu_idle(vcpu, &exit);
		if (exit.kind == HV_EXIT_IRQ)
			(void)exit_irq(vcpu, exit.intid);
		if (!cell_vcpu_wakeable(vcpu))
			return HV_ACTION_WAIT;
	}
	if (!vcpu_state_move(vcpu, HV_VCPU_WAITING, HV_VCPU_RUNNING))
		return HV_ACTION_STOP; /* stopped (or reset) meanwhile */
	return HV_ACTION_RESUME;
}

/* pCPU `pcpu` is about to use its vCPU pointer: announce it, then read
 * the pointer (sequentially consistent with hv_pcpu_detach's clear and
 * check, so one of the two sees the other). */
static struct hv_vcpu *pcpu_enter(struct hv *hv, unsigned pcpu)
{
	__atomic_store_n(&hv->pcpu_in[pcpu], 1u, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&hv->pcpu_vcpu[pcpu], __ATOMIC_SEQ_CST);
}

static void pcpu_leave(struct hv *hv, unsigned pcpu)
{
	__atomic_store_n(&hv->pcpu_in[pcpu], 0u, __ATOMIC_RELEASE);
}

static enum hv_action pcpu_run(struct hv_vcpu *vcpu);

enum hv_action hv_pcpu_run(struct hv *hv, unsigned pcpu)
{
	if (pcpu >= HV_MAX_CPUS)
		return HV_ACTION_STOP;
	struct hv_vcpu *vcpu = pcpu_enter(hv, pcpu);
	enum hv_action a = vcpu == NULL ? HV_ACTION_STOP : pcpu_run(vcpu);
	pcpu_leave(hv, pcpu);
	return a;
}

void hv_pcpu_idle(struct hv *hv, unsigned pcpu)
{
	if (pcpu >= HV_MAX_CPUS)
		return;
	struct hv_vcpu *vcpu = pcpu_enter(hv, pcpu);
	struct hv_exit exit;
	if (vcpu == NULL) {
		/* Nothing to hold on to: sleep without blocking a detach. */
		pcpu_leave(hv, pcpu);
		if (!hv_done(hv)) {
			hal_vcpu_idle(NULL, &exit);
			if (exit.kind == HV_EXIT_IRQ)
				hal_vgic_hw_deactivate(exit.intid);
		}
		return;
	}
	enum hv_vcpu_state st = __atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE);
	if ((st == HV_VCPU_OFF || st == HV_VCPU_STOPPED) && !hv_done(hv)) {
		/* Nothing to run until a sibling's CPU_ON, a restart or the
		 * end, all of which kick this pCPU. */
		hal_vcpu_idle(vcpu, &exit);
		if (exit.kind == HV_EXIT_IRQ)
			(void)exit_irq(vcpu, exit.intid);
	}
	pcpu_leave(hv, pcpu);
}

void hv_pcpu_detach(struct hv *hv, struct hv_cell *cell)
{
	for (unsigned i = 0; i < cell->vcpu_count; i++) {
		unsigned p = cell->vcpus[i].pcpu;
		__atomic_store_n(&hv->pcpu_vcpu[p], NULL, __ATOMIC_SEQ_CST);
		hal_cpu_kick(p);
		while (__atomic_load_n(&hv->pcpu_in[p], __ATOMIC_SEQ_CST) != 0)
			;
	}
}

void hv_kick_if_done(struct hv *hv)
{
	if (!hv_done(hv))
		return;
	for (unsigned p = 0;
	     p < hv->config.platform.cpu_count && p < HV_MAX_CPUS; p++)
		hal_cpu_kick(p);
}

static enum hv_action pcpu_run(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;

	/* Other pCPUs change this state (CPU_ON, termination): read it once. */
	switch (__atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE)) {
	case HV_VCPU_STOPPED:
		return HV_ACTION_STOP;
	case HV_VCPU_OFF:
		return HV_ACTION_WAIT;
	case HV_VCPU_ON_PENDING:
		/* PSCI CPU_ON completes here, on the vCPU's own pCPU. */
		hal_vcpu_reset(vcpu, vcpu->on_entry, vcpu->on_context);
		if (!vcpu_state_move(vcpu, HV_VCPU_ON_PENDING, HV_VCPU_RUNNING))
			return HV_ACTION_WAIT; /* stopped meanwhile: next call says */
		break;
	case HV_VCPU_WAITING: {
		enum hv_action a = wait(vcpu);
		if (a != HV_ACTION_RESUME)
			return a == HV_ACTION_STOP ? HV_ACTION_WAIT : a;
		break;
	}
	case HV_VCPU_RUNNING:
	default:
		break;
	}

	struct hv_exit exit;
	if (cell->cfg->has_gic) {
		hv_spin_lock(&cell->lock);
		vgic_flush(&cell->vgic, vcpu);
		hv_spin_unlock(&cell->lock);
	}
	hal_vcpu_run(vcpu, &exit);
	if (cell->cfg->has_gic) {
		hv_spin_lock(&cell->lock);
		vgic_sync(&cell->vgic, vcpu);
		hv_spin_unlock(&cell->lock);
	}
	enum hv_action action = exit.kind == HV_EXIT_HANDLED
					? exit.action
					: hv_exit_handle(vcpu, &exit);
	/* Interrupts this exit queued for other vCPUs (SGIs, SPIs routed
	 * elsewhere): make their pCPUs notice. */
	cell_kick_pending(cell, vcpu);
	if (__atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE) == HV_VCPU_STOPPED)
		return HV_ACTION_STOP;
	return action;
}

bool hv_exit_inplace(struct hv_vcpu *vcpu, const struct hv_exit *exit,
		     enum hv_action *action)
{
	struct hv_cell *cell = vcpu->cell;
	const struct vgic_cpu *vc = vcpu->vgic; /* NULL: no vGIC */

	/* The same order as pcpu_run(): the model takes back what the guest
	 * did with its LRs before the exit is decided (an MMIO read of
	 * GICR_ISACTIVER0 must see an acknowledged interrupt as active).
	 * With no LR in use there is nothing to take back. */
	if (vc != NULL && !vgic_quiet(&cell->vgic, vc)) {
		hv_spin_lock(&cell->lock);
		vgic_sync(&cell->vgic, vcpu);
		hv_spin_unlock(&cell->lock);
	}
	*action = hv_exit_sync(vcpu, exit);
	if (vc != NULL &&
	    __atomic_load_n(&cell->vgic.kicks, __ATOMIC_RELAXED) != 0)
		cell_kick_pending(cell, vcpu);
	if (*action != HV_ACTION_RESUME ||
	    __atomic_load_n(&vcpu->state, __ATOMIC_ACQUIRE) != HV_VCPU_RUNNING)
		return false;
	if (vc != NULL && !vgic_quiet(&cell->vgic, vc)) {
		hv_spin_lock(&cell->lock);
		vgic_flush(&cell->vgic, vcpu);
		hv_spin_unlock(&cell->lock);
	}
	return true;
}

bool hv_done(const struct hv *hv)
{
	for (unsigned i = 0; i < hv->cell_count; i++)
		if (__atomic_load_n(&hv->cells[i].state, __ATOMIC_ACQUIRE) ==
		    HV_CELL_RUNNING)
			return false;
	return true;
}

int hv_status(const struct hv *hv)
{
	for (unsigned i = 0; i < hv->cell_count; i++) {
		const struct hv_cell *cell = &hv->cells[i];
		if (cell->state == HV_CELL_TERMINATED)
			return HV_STATUS_TERMINATED;
		if (cell->state == HV_CELL_EXITED && cell->exit_status != 0)
			return cell->exit_status;
	}
	return HV_STATUS_OK;
}

int hv_report_end(const struct hv *hv)
{
	int status = hv_status(hv);
	hv_printf("cellvisor: all cells ended, status %d\n", status);
	return status;
}

void hv_shutdown(struct hv *hv)
{
	destroy_cells(hv);
}

struct hv_cell *hv_cell_by_name(struct hv *hv, const char *name)
{
	/* By config: a destroyed cell (FREE) is still found, so callers can
	 * say "destroyed" rather than "no such cell". */
	for (unsigned i = 0; i < hv->cell_count; i++)
		if (strcmp(hv->config.cells[i].name, name) == 0)
			return &hv->cells[i];
	return NULL;
}
