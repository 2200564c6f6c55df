/* SPDX-License-Identifier: MIT */
/*
 * The core's top level: build every cell from the config (all or nothing),
 * start them, run a physical CPU's vCPU exit by exit, and report the end.
 */
#include <hal/mem.h>
#include <hal/platform.h>
#include <hal/vcpu.h>
#include <hv/hv.h>
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
			return fail(err, e, "/cells/", cfg->name,
				    "cannot create the cell");
		}
		hv->cell_count = i + 1;
	}
	hv_printf("cellvisor: %u.%u: %u cell%s on %u CPUs, IPA %u bits, "
		  "PA %u bits\n",
		  HV_VERSION_MAJOR, HV_VERSION_MINOR, hv->cell_count,
		  hv->cell_count == 1 ? "" : "s", p->cpu_count, hv->geo.ipa_bits,
		  hal_cpu_pa_bits());
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
	err->msg[0] = '\0';
	for (unsigned i = 0; i < hv->cell_count; i++) {
		struct hv_cell *cell = &hv->cells[i];
		enum hv_err e = cell_start(cell);
		if (e != HV_OK)
			return fail(err, e, "/cells/", cell->cfg->name,
				    "cannot start the cell");
		hv_printf("cellvisor: cell '%s' started: vcpu 0 on CPU %u, "
			  "entry 0x%llx\n",
			  cell->cfg->name, cell->vcpus[0].pcpu,
			  (unsigned long long)ipa_addr(cell->cfg->entry));
	}
	return HV_OK;
}

enum hv_action hv_pcpu_run(struct hv *hv, unsigned pcpu)
{
	if (pcpu >= HV_MAX_CPUS)
		return HV_ACTION_STOP;
	struct hv_vcpu *vcpu = hv->pcpu_vcpu[pcpu];
	if (vcpu == NULL || vcpu->state == HV_VCPU_STOPPED)
		return HV_ACTION_STOP;
	if (vcpu->state == HV_VCPU_ON_PENDING) {
		/* PSCI CPU_ON completes here, on the vCPU's own pCPU. */
		hal_vcpu_reset(vcpu, vcpu->on_entry, vcpu->on_context);
		vcpu->state = HV_VCPU_RUNNING;
	}
	if (vcpu->state == HV_VCPU_WAITING) {
		/* Until virtual interrupts exist nothing can be waited for, and
		 * a WFI may complete at any time (Arm ARM D1.6.2): wake now. */
		vcpu->state = HV_VCPU_RUNNING;
	}
	if (vcpu->state != HV_VCPU_RUNNING)
		return HV_ACTION_WAIT;

	struct hv_exit exit;
	hal_vcpu_run(vcpu, &exit);
	enum hv_action action = exit.kind == HV_EXIT_HANDLED ?
					exit.action :
					hv_exit_handle(vcpu, &exit);
	if (vcpu->state == HV_VCPU_STOPPED)
		return HV_ACTION_STOP;
	return action;
}

bool hv_done(const struct hv *hv)
{
	for (unsigned i = 0; i < hv->cell_count; i++)
		if (!cell_ended(&hv->cells[i]))
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
	for (unsigned i = 0; i < hv->cell_count; i++)
		if (hv->cells[i].state != HV_CELL_FREE &&
		    strcmp(hv->cells[i].cfg->name, name) == 0)
			return &hv->cells[i];
	return NULL;
}
