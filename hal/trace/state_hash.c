/* SPDX-License-Identifier: MIT */
/* The end-of-run state hash shared by the recorder and the replayers. */
#include <hv/hv.h>

#include "record.h"

uint64_t trace_state_hash(const struct hv *hv, uint64_t console_hash)
{
	uint64_t h = console_hash;
	for (unsigned i = 0; i < hv->cell_count; i++) {
		const struct hv_cell *c = &hv->cells[i];
		uint64_t v[4] = {c->state, (uint64_t)(int64_t)c->exit_status,
				 c->boot_count, c->caps};
		h = trace_fnv1a(h, v, sizeof(v));
		for (unsigned k = 0; k < c->vcpu_count; k++) {
			uint64_t s = c->vcpus[k].state;
			h = trace_fnv1a(h, &s, sizeof(s));
		}
	}
	return h;
}
