/* SPDX-License-Identifier: MIT */
/* Cell boot: raw images and Linux (see boot.h). */
#include <hal/mem.h>
#include <hal/platform.h>
#include <hv/boot.h>
#include <hv/cell.h>
#include <hv/guest_dt.h>
#include <hv/lib.h>
#include <hv/print.h>

enum hv_err boot_plan_linux(const struct hv_cell_config *cfg,
			    struct boot_plan *plan, const char **prop,
			    char *why, size_t why_size)
{
	const char *reason = NULL;
	enum hv_err e;

	memset(plan, 0, sizeof(*plan));
	*prop = "kernel";
	if (hal_image_get(cfg->kernel, &plan->kernel, &plan->kernel_size) !=
	    HV_OK) {
		hv_snprintf(why, why_size, "'%s' not found", cfg->kernel);
		return HV_ERR_NOENT;
	}
	if (cfg->initrd[0] != '\0' &&
	    hal_image_get(cfg->initrd, &plan->initrd, &plan->initrd_size) !=
		    HV_OK) {
		*prop = "initrd";
		hv_snprintf(why, why_size, "'%s' not found", cfg->initrd);
		return HV_ERR_NOENT;
	}
	e = linux_image_parse(plan->kernel, plan->kernel_size, &plan->img,
			      &reason);
	if (e != HV_OK) {
		hv_snprintf(why, why_size, "'%s' is not an arm64 Image: %s",
			    cfg->kernel, reason);
		return e;
	}
	e = linux_plan_layout(&plan->img, cfg->regions, cfg->region_count,
			      plan->initrd_size, BOOT_DTB_MAX, &plan->layout,
			      &reason);
	if (e != HV_OK) {
		hv_snprintf(why, why_size,
			    "does not fit in the cell's memory: %s", reason);
		return e;
	}
	return HV_OK;
}

/* Copies `size` bytes to cell RAM at `ipa` (inside one region, as the
 * plan or the config guarantees) and makes them visible to the guest. */
static enum hv_err copy_in(const struct hv_cell_config *cfg, ipa_t ipa,
			   const void *data, size_t size)
{
	const struct hv_mem_region *r = config_region_find(cfg, ipa, size);
	if (r == NULL)
		return HV_ERR_RANGE;
	paddr_t pa = pa_add(r->pa, ipa_addr(ipa) - ipa_addr(r->ipa));
	void *dst = hal_phys_map(pa, size);
	if (dst == NULL)
		return HV_ERR_RANGE;
	memcpy(dst, data, size);
	hal_dcache_clean(pa, size);
	return HV_OK;
}

/* The devicetree a Linux cell boots with: its own view of the machine. */
static enum hv_err build_dt(const struct hv_cell_config *cfg,
			    const struct boot_plan *plan, void *buf,
			    size_t *size)
{
	struct guest_dt_params p;

	memset(&p, 0, sizeof(p));
	p.mem_count = cfg->region_count;
	for (unsigned i = 0; i < cfg->region_count && i < GUEST_DT_MAX_MEM;
	     i++) {
		p.mem[i].base = cfg->regions[i].ipa;
		p.mem[i].size = cfg->regions[i].size;
	}
	p.vcpu_count = cfg->cpu_count;
	p.psci_method = GUEST_DT_PSCI_HVC;
	p.gicd_base = cfg->gicd_ipa;
	p.gicr_base = cfg->gicr_ipa;
	p.has_uart = cfg->has_console;
	p.uart_base = cfg->console_ipa;
	p.uart_spi = BOOT_CONSOLE_INTID - 32u;
	p.bootargs = cfg->bootargs[0] != '\0' ? cfg->bootargs : NULL;
	/* Every passthrough device the cell is configured to hold (a
	 * class it pledges away later just stops answering). */
	for (unsigned i = 0; i < cfg->device_count; i++) {
		const struct hv_device_config *d = &cfg->devices[i];
		struct guest_dt_virtio *v = &p.virtio[p.virtio_count];
		if (!(cfg->caps & d->cap) ||
		    p.virtio_count == GUEST_DT_MAX_VIRTIO)
			continue;
		v->base = ipa_init(pa_addr(d->pa));
		v->size = d->size;
		v->compatible = d->compatible;
		v->no_irq = d->irq_count == 0;
		v->spi = d->irq_count ? d->irqs[0] - 32u : 0;
		p.virtio_count++;
	}
	p.has_initrd = plan->initrd != NULL;
	p.initrd_start = plan->layout.initrd;
	p.initrd_size = plan->initrd_size;
	return guest_dt_build(&p, buf, BOOT_DTB_MAX, size);
}

static enum hv_err load_linux(struct hv_cell *cell, ipa_t *entry, uint64_t *x0)
{
	const struct hv_cell_config *cfg = cell->cfg;
	struct boot_plan plan;
	const char *prop;
	char why[96];
	size_t dtb_size;

	enum hv_err e = boot_plan_linux(cfg, &plan, &prop, why, sizeof(why));
	if (e == HV_OK)
		e = copy_in(cfg, plan.layout.kernel, plan.kernel,
			    (size_t)plan.img.copy_size);
	if (e == HV_OK && plan.initrd != NULL)
		e = copy_in(cfg, plan.layout.initrd, plan.initrd,
			    plan.initrd_size);
	if (e != HV_OK)
		return e;
	/* The devicetree is generated in place, in the cell's own RAM. */
	const struct hv_mem_region *r = config_region_find(cfg, plan.layout.dtb,
							   BOOT_DTB_MAX);
	if (r == NULL)
		return HV_ERR_RANGE;
	paddr_t pa = pa_add(r->pa,
			    ipa_addr(plan.layout.dtb) - ipa_addr(r->ipa));
	void *dtb = hal_phys_map(pa, BOOT_DTB_MAX);
	if (dtb == NULL)
		return HV_ERR_RANGE;
	e = build_dt(cfg, &plan, dtb, &dtb_size);
	if (e != HV_OK)
		return e;
	hal_dcache_clean(pa, dtb_size);
	*entry = plan.layout.entry.pc;
	*x0 = plan.layout.entry.x[0];
	return HV_OK;
}

enum hv_err boot_load(struct hv_cell *cell, ipa_t *entry, uint64_t *x0)
{
	const struct hv_cell_config *cfg = cell->cfg;
	const void *data;
	size_t size;

	if (cfg->kernel[0] != '\0')
		return load_linux(cell, entry, x0);
	*entry = cfg->entry;
	*x0 = cfg->boot_arg;
	if (cfg->image[0] == '\0')
		return HV_OK;
	enum hv_err e = hal_image_get(cfg->image, &data, &size);
	if (e != HV_OK)
		return e;
	return copy_in(cfg, cfg->image_load, data, size);
}
