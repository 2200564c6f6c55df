/* SPDX-License-Identifier: MIT */
/* Passthrough devices (see passthrough.h; docs/devices.md). */
#include <hal/platform.h>
#include <hv/cell.h>
#include <hv/check.h>
#include <hv/hv.h>
#include <hv/passthrough.h>

enum hv_err passthrough_link(struct hv_cell *cell)
{
	const struct hv_cell_config *cfg = cell->cfg;

	for (unsigned d = 0; d < cfg->device_count; d++)
		for (unsigned k = 0; k < cfg->devices[d].irq_count; k++) {
			uint32_t intid = cfg->devices[d].irqs[k];
			enum hv_err e = vgic_hw_link(&cell->vgic, 0, intid,
						     intid);
			if (e != HV_OK)
				return e;
		}
	return HV_OK;
}

enum hv_err passthrough_map(struct hv_cell *cell, uint32_t caps)
{
	const struct hv_cell_config *cfg = cell->cfg;

	for (unsigned d = 0; d < cfg->device_count; d++) {
		const struct hv_device_config *dev = &cfg->devices[d];
		struct stage2_walk w;
		uint64_t base, size;

		if (!(dev->cap & caps))
			continue;
		config_device_pages(dev, &base, &size);
		if (stage2_walk(&cell->s2, ipa_init(base), &w))
			continue; /* held since the last start */
		/* Defence in depth: the config said it is a device, the
		 * platform must agree that it is not the hypervisor's. */
		if (!hal_device_assignable(pa_init(base), size))
			return HV_ERR_DENIED;
		enum hv_err e = stage2_map(&cell->s2, ipa_init(base),
					   pa_init(base), size,
					   S2_READ | S2_WRITE | S2_DEVICE);
		if (e != HV_OK)
			return e;
	}
	return HV_OK;
}

void passthrough_unmap(struct hv_cell *cell, uint32_t caps)
{
	const struct hv_cell_config *cfg = cell->cfg;

	for (unsigned d = 0; d < cfg->device_count; d++) {
		uint64_t base, size;
		if (!(cfg->devices[d].cap & caps))
			continue;
		config_device_pages(&cfg->devices[d], &base, &size);
		/* Device pages are leaves of their own (4 KiB mappings of
		 * a page-aligned range): unmapping needs no table page. */
		enum hv_err e = stage2_unmap(&cell->s2, ipa_init(base), size);
		CHECK(e == HV_OK || e == HV_ERR_NOENT);
	}
}

void passthrough_irqs(struct hv_cell *cell, uint32_t caps, bool on)
{
	const struct hv_cell_config *cfg = cell->cfg;

	for (unsigned d = 0; d < cfg->device_count; d++) {
		const struct hv_device_config *dev = &cfg->devices[d];
		uint32_t bit = UINT32_C(1) << d;

		if (!(dev->cap & caps) || dev->irq_count == 0 ||
		    ((cell->dev_routed & bit) != 0) == on)
			continue;
		for (unsigned k = 0; k < dev->irq_count; k++)
			hal_irq_route(dev->irqs[k], cfg->cpus[0], on);
		if (on) {
			cell->dev_routed |= bit;
			cell->hv->irqs_routed += dev->irq_count;
		} else {
			cell->dev_routed &= ~bit;
			cell->hv->irqs_routed -= dev->irq_count;
		}
	}
}

const struct hv_device_config *passthrough_find(const struct hv_cell *cell,
						uint64_t pa)
{
	const struct hv_cell_config *cfg = cell->cfg;

	for (unsigned d = 0; d < cfg->device_count; d++) {
		uint64_t base, size;
		config_device_pages(&cfg->devices[d], &base, &size);
		if (hv_range_contains(base, size, pa, 1))
			return &cfg->devices[d];
	}
	return NULL;
}
