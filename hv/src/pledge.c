/* SPDX-License-Identifier: MIT */
/* Pledges (see pledge.h; ABI in docs/hypercalls.md). */
#include <hv/cell.h>
#include <hv/check.h>
#include <hv/hv.h>
#include <hv/passthrough.h>
#include <hv/pledge.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

#include <hv/boot.h>

const char *pledge_class_name(uint32_t cap)
{
	switch (cap) {
	case HV_CAP_CONSOLE:
		return "console";
	case HV_CAP_BLOCK:
		return "block";
	case HV_CAP_NET:
		return "network";
	case HV_CAP_IPC:
		return "ipc";
	case HV_CAP_MGMT:
		return "management";
	case HV_CAP_DEVICES:
		return "devices";
	default:
		return "?";
	}
}

/* Calls fn for each channel window of the cell; stops at an error. */
static enum hv_err each_window(
	struct hv_cell *cell,
	enum hv_err (*fn)(struct hv_cell *cell,
			  const struct hv_channel_config *ch, unsigned side))
{
	const struct hv_config *cfg = &cell->hv->config;
	for (unsigned i = 0; i < cfg->channel_count; i++) {
		unsigned side;
		if (!config_channel_side(&cfg->channels[i], cell->id, &side))
			continue;
		enum hv_err e = fn(cell, &cfg->channels[i], side);
		if (e != HV_OK)
			return e;
	}
	return HV_OK;
}

static enum hv_err unmap_window(struct hv_cell *cell,
				const struct hv_channel_config *ch,
				unsigned side)
{
	(void)side;
	/* Unmapping invalidates the range's TLB entries on every CPU
	 * (hal_tlb_flush_range) before it returns. */
	return stage2_unmap(&cell->s2, ch->ipa, ch->size);
}

static enum hv_err map_window(struct hv_cell *cell,
			      const struct hv_channel_config *ch, unsigned side)
{
	struct stage2_walk w;
	if (stage2_walk(&cell->s2, ch->ipa, &w))
		return HV_OK; /* still mapped: never pledged away */
	return stage2_map(&cell->s2, ch->ipa, ch->pa, ch->size,
			  ch->flags[side]);
}

/* Takes away what `lost` (a set of HV_CAP_*) gave the cell. Called with
 * the cell lock held; cannot fail (unmapping needs no new table page
 * because channel windows are page-aligned leaves of their own). */
static void drop(struct hv_cell *cell, uint32_t lost)
{
	const struct hv_cell_config *cfg = cell->cfg;

	if ((lost & HV_CAP_CONSOLE) && cfg->has_console) {
		enum hv_err e = mmio_bus_remove(&cell->bus, cfg->console_ipa);
		CHECK(e == HV_OK || e == HV_ERR_NOENT);
		if (cfg->has_gic) {
			e = vgic_set_level(&cell->vgic, 0, BOOT_CONSOLE_INTID,
					   false);
			CHECK(e == HV_OK);
		}
	}
	if (lost & HV_CAP_IPC) {
		enum hv_err e = each_window(cell, unmap_window);
		CHECK(e == HV_OK);
	}
	/* Passthrough devices: no more interrupts, then no more access. */
	passthrough_irqs(cell, lost, false);
	passthrough_unmap(cell, lost);
	cell->caps &= ~lost;
}

enum hv_err pledge_restore(struct hv_cell *cell)
{
	const struct hv_cell_config *cfg = cell->cfg;
	enum hv_err e = HV_OK;

	if (cfg->has_console && !(cell->caps & HV_CAP_CONSOLE) &&
	    mmio_bus_find(&cell->bus, cfg->console_ipa, 1) == NULL)
		e = mmio_bus_add(&cell->bus, cfg->console_ipa, PL011_MMIO_SIZE,
				 &pl011_mmio_ops, &cell->uart);
	if (e == HV_OK)
		e = each_window(cell, map_window);
	if (e == HV_OK)
		e = passthrough_map(cell, cfg->caps);
	if (e == HV_OK) {
		cell->caps = cfg->caps;
		passthrough_irqs(cell, cfg->caps, true);
	}
	return e;
}

const char *pledge_forfeited(const struct hv_cell *cell, ipa_t ipa)
{
	const struct hv_cell_config *cfg = cell->cfg;
	const struct hv_config *hcfg = &cell->hv->config;
	uint64_t a = ipa_addr(ipa);

	if (!(cell->caps & HV_CAP_CONSOLE) && cfg->has_console &&
	    hv_range_contains(ipa_addr(cfg->console_ipa), PL011_MMIO_SIZE, a,
			      1))
		return pledge_class_name(HV_CAP_CONSOLE);
	const struct hv_device_config *dev = passthrough_find(cell, a);
	if (dev != NULL && !(cell->caps & dev->cap) && (cfg->caps & dev->cap))
		return pledge_class_name(dev->cap);
	if (!(cell->caps & HV_CAP_IPC)) {
		for (unsigned i = 0; i < hcfg->channel_count; i++) {
			const struct hv_channel_config *ch = &hcfg->channels[i];
			unsigned side;
			if (config_channel_side(ch, cell->id, &side) &&
			    hv_range_contains(ipa_addr(ch->ipa), ch->size, a,
					      1))
				return pledge_class_name(HV_CAP_IPC);
		}
	}
	return NULL;
}

enum hv_action pledge_call(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	uint64_t op = vcpu_gpr_read(vcpu, 0);
	int64_t ret = PSCI_RET_SUCCESS;

	if (op == HV_PLEDGE_QUERY) {
		vcpu_gpr_write(vcpu, 1, cell->caps);
	} else if (op == HV_PLEDGE_KEEP) {
		uint64_t keep = vcpu_gpr_read(vcpu, 1);
		hv_spin_lock(&cell->lock);
		if (keep & ~(uint64_t)HV_CAP_ALL)
			ret = PSCI_RET_INVALID_PARAMETERS;
		else if (keep & ~(uint64_t)cell->caps)
			ret = PSCI_RET_DENIED; /* one way: nothing comes back */
		else
			drop(cell, cell->caps & ~(uint32_t)keep);
		hv_spin_unlock(&cell->lock);
		vcpu_gpr_write(vcpu, 1, cell->caps);
	} else {
		ret = SMCCC_RET_NOT_SUPPORTED;
	}
	vcpu_gpr_write(vcpu, 0, (uint64_t)ret);
	return HV_ACTION_RESUME;
}
