/* SPDX-License-Identifier: MIT */
/* The isolation invariant (see isolation.h). */
#include <hv/hv.h>
#include <hv/isolation.h>
#include <hv/passthrough.h>
#include <hv/print.h>

struct iso_walk {
	const struct hv *hv;
	const struct hv_cell *cell;
	char *why;
	size_t why_size;
	bool bad;
};

static bool cell_live(const struct hv_cell *cell)
{
	return cell->state != HV_CELL_FREE;
}

/* True when [pa, pa+size) overlaps a memory region of `cell`. */
static bool overlaps_cell(const struct hv_cell *cell, uint64_t pa,
			  uint64_t size)
{
	for (unsigned r = 0; r < cell->cfg->region_count; r++) {
		const struct hv_mem_region *m = &cell->cfg->regions[r];
		if (hv_ranges_overlap(pa_addr(m->pa), m->size, pa, size))
			return true;
	}
	return false;
}

static bool leaf(void *arg, ipa_t ipa, paddr_t pa, uint64_t size,
		 unsigned flags)
{
	struct iso_walk *w = arg;
	const struct hv_cell *cell = w->cell;
	const struct hv *hv = w->hv;
	const struct hv_platform_config *p = &hv->config.platform;
	uint64_t a = pa_addr(pa);

	/* The one sanctioned sharing: a declared channel this cell is on,
	 * mapped at its window with its offset. */
	for (unsigned i = 0; i < hv->config.channel_count; i++) {
		const struct hv_channel_config *ch = &hv->config.channels[i];
		unsigned side;
		if (config_channel_side(ch, cell->id, &side) &&
		    hv_range_contains(ipa_addr(ch->ipa), ch->size,
				      ipa_addr(ipa), size) &&
		    ipa_addr(ipa) - ipa_addr(ch->ipa) == a - pa_addr(ch->pa))
			return true;
	}
	/* A passthrough device: its own pages, at their physical address,
	 * uncached, owned by no other cell. */
	const struct hv_device_config *dev = passthrough_find(cell, a);
	if (dev != NULL) {
		uint64_t base, len;
		config_device_pages(dev, &base, &len);
		if (!(flags & S2_DEVICE) || ipa_addr(ipa) != a ||
		    !hv_range_contains(base, len, a, size)) {
			hv_snprintf(w->why, w->why_size,
				    "cell '%s' maps device '%s' wrongly: IPA "
				    "0x%llx -> PA 0x%llx (0x%llx bytes)",
				    cell->cfg->name, dev->name,
				    (unsigned long long)ipa_addr(ipa),
				    (unsigned long long)a,
				    (unsigned long long)size);
			w->bad = true;
			return false;
		}
		for (unsigned i = 0; i < hv->cell_count; i++) {
			const struct hv_cell *other = &hv->cells[i];
			if (other != cell && cell_live(other) &&
			    passthrough_find(other, a) != NULL) {
				hv_snprintf(w->why, w->why_size,
					    "cell '%s' maps device '%s', which "
					    "belongs to cell '%s'",
					    cell->cfg->name, dev->name,
					    other->cfg->name);
				w->bad = true;
				return false;
			}
		}
		return true;
	}
	const struct hv_mem_region *m = config_region_find(cell->cfg, ipa,
							   size);
	if (m == NULL ||
	    ipa_addr(ipa) - ipa_addr(m->ipa) != a - pa_addr(m->pa)) {
		hv_snprintf(
			w->why, w->why_size,
			"cell '%s' maps IPA 0x%llx -> PA 0x%llx (0x%llx bytes) "
			"outside its configured memory",
			cell->cfg->name, (unsigned long long)ipa_addr(ipa),
			(unsigned long long)a, (unsigned long long)size);
		w->bad = true;
		return false;
	}
	if (hv_ranges_overlap(pa_addr(p->hv_base), p->hv_size, a, size) ||
	    hv_ranges_overlap(pa_addr(hv->pool.base),
			      hv->pool.page_count * HV_PAGE_SIZE, a, size)) {
		hv_snprintf(w->why, w->why_size,
			    "cell '%s' maps hypervisor memory at PA 0x%llx",
			    cell->cfg->name, (unsigned long long)a);
		w->bad = true;
		return false;
	}
	for (unsigned i = 0; i < hv->cell_count; i++) {
		const struct hv_cell *other = &hv->cells[i];
		if (other == cell || !cell_live(other))
			continue;
		if (overlaps_cell(other, a, size)) {
			hv_snprintf(w->why, w->why_size,
				    "cell '%s' maps PA 0x%llx, which belongs "
				    "to cell '%s'",
				    cell->cfg->name, (unsigned long long)a,
				    other->cfg->name);
			w->bad = true;
			return false;
		}
	}
	return true;
}

enum hv_err isolation_check_leaf(const struct hv *hv,
				 const struct hv_cell *cell, ipa_t ipa,
				 paddr_t pa, uint64_t size, unsigned flags,
				 char *why, size_t why_size)
{
	struct iso_walk w = {.hv = hv,
			     .cell = cell,
			     .why = why,
			     .why_size = why_size};

	if (why_size > 0)
		why[0] = '\0';
	return leaf(&w, ipa, pa, size, flags) ? HV_OK : HV_ERR_DENIED;
}

enum hv_err isolation_check(const struct hv *hv, char *why, size_t why_size)
{
	struct iso_walk w = {.hv = hv, .why = why, .why_size = why_size};

	if (why_size > 0)
		why[0] = '\0';
	for (unsigned i = 0; i < hv->cell_count; i++) {
		w.cell = &hv->cells[i];
		if (!cell_live(w.cell))
			continue;
		(void)stage2_for_each(&w.cell->s2, leaf, &w);
		if (w.bad)
			return HV_ERR_DENIED;
	}
	return HV_OK;
}
