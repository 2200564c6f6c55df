/* SPDX-License-Identifier: MIT */
/* Cellvisor's own hypercalls (docs/hypercalls.md). */
#include <hv/cell.h>
#include <hv/check.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/mgmt.h>
#include <hv/pledge.h>
#include <hv/smccc.h>
#include <hv/vcpu.h>

static __attribute__((noinline)) enum hv_action cell_info(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	const struct hv_mem_region *r0 = &cell->cfg->regions[0];

	vcpu_gpr_write(vcpu, 0, 0);
	vcpu_gpr_write(vcpu, 1, cell->id);
	vcpu_gpr_write(vcpu, 2, vcpu->id);
	vcpu_gpr_write(vcpu, 3, cell->vcpu_count);
	vcpu_gpr_write(vcpu, 4, cell->hv->cell_count);
	vcpu_gpr_write(vcpu, 5, ipa_addr(r0->ipa));
	vcpu_gpr_write(vcpu, 6, r0->size);
	vcpu_gpr_write(vcpu, 7, cell->boot_count);
	return HV_ACTION_RESUME;
}

/* Writes up to HV_CONSOLE_WRITE_MAX bytes from the guest buffer at x1 to
 * the cell's console line; x0 = bytes written, or INVALID_ADDRESS when the
 * buffer is not readable cell RAM. */
static __attribute__((noinline)) enum hv_action console_write(
	struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	ipa_t buf = ipa_init(vcpu_gpr_read(vcpu, 1));
	uint64_t len = vcpu_gpr_read(vcpu, 2);

	if (!(cell->caps & HV_CAP_CONSOLE)) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)PSCI_RET_DENIED);
		return HV_ACTION_RESUME;
	}
	if (len > HV_CONSOLE_WRITE_MAX)
		len = HV_CONSOLE_WRITE_MAX;
	const uint8_t *p = cell_guest_ptr(cell, buf, len, S2_READ);
	if (p == NULL) {
		vcpu_gpr_write(vcpu, 0, (uint64_t)PSCI_RET_INVALID_ADDRESS);
		return HV_ACTION_RESUME;
	}
	hv_spin_lock(&cell->lock);
	for (uint64_t i = 0; i < len; i++)
		console_line_putc(&cell->con, p[i]);
	hv_spin_unlock(&cell->lock);
	vcpu_gpr_write(vcpu, 0, len);
	return HV_ACTION_RESUME;
}

/*
 * Rings the doorbell of channel x1: the peer cell's doorbell SPI becomes
 * pending in its vGIC (routed by its GICD_IROUTER) and its pCPUs are
 * kicked. The lock's release orders the caller's ring writes before the
 * interrupt the peer will see.
 */
static __attribute__((noinline)) enum hv_action doorbell(struct hv_vcpu *vcpu)
{
	struct hv_cell *cell = vcpu->cell;
	const struct hv_config *cfg = &cell->hv->config;
	uint64_t n = vcpu_gpr_read(vcpu, 1);
	unsigned side;
	int64_t ret = PSCI_RET_SUCCESS;

	if (n >= cfg->channel_count) {
		ret = PSCI_RET_INVALID_PARAMETERS;
	} else if (!config_channel_side(&cfg->channels[n], cell->id, &side) ||
		   !(cell->caps & HV_CAP_IPC)) {
		ret = PSCI_RET_DENIED;
	} else {
		const struct hv_channel_config *ch = &cfg->channels[n];
		struct hv_cell *peer = &cell->hv->cells[ch->cell[1 - side]];
		/* A peer that has ended has nobody to wake: the ring just
		 * waits for its restart. */
		/* Checked under the peer's lock: management stops a cell
		 * under it before releasing its vGIC. */
		hv_spin_lock(&peer->lock);
		bool live = peer->state == HV_CELL_RUNNING &&
			    (peer->caps & HV_CAP_IPC);
		if (live) {
			enum hv_err e = vgic_inject(&peer->vgic, 0,
						    ch->doorbell[1 - side]);
			CHECK(e == HV_OK); /* config_parse checked the INTID */
		}
		hv_spin_unlock(&peer->lock);
		if (live)
			cell_kick_pending(peer, NULL);
	}
	vcpu_gpr_write(vcpu, 0, (uint64_t)ret);
	return HV_ACTION_RESUME;
}

static __attribute__((noinline)) enum hv_action test_exit(struct hv_vcpu *vcpu)
{
	/* Statuses are ints in reports; the guest passes 64 bits. */
	cell_exit(vcpu->cell, (int)(int32_t)vcpu_gpr_read(vcpu, 1),
		  "test exit");
	return HV_ACTION_STOP;
}

/*
 * Each call's handler is out of line and reached by a tail call, so this
 * dispatch needs no stack frame (docs/performance.md, "EL2").
 */
enum hv_action hypercall_call(struct hv_vcpu *vcpu, uint32_t fid)
{
	/* The null hypercall first: it is what exit costs are measured
	 * with (bench/el2.py), and the switch below is a compare chain. */
	if (fid == HV_CALL_VERSION) {
		vcpu_gpr_write(vcpu, 0,
			       (HV_VERSION_MAJOR << 16) | HV_VERSION_MINOR);
		return HV_ACTION_RESUME;
	}
	switch (fid) {
	case HV_CALL_CELL_INFO:
		return cell_info(vcpu);
	case HV_CALL_CONSOLE_WRITE:
		return console_write(vcpu);
	case HV_CALL_DOORBELL:
		return doorbell(vcpu);
	case HV_CALL_TEST_EXIT:
		return test_exit(vcpu);
	case HV_CALL_MGMT_INFO:
	case HV_CALL_MGMT_STOP:
	case HV_CALL_MGMT_START:
	case HV_CALL_MGMT_RESTART:
	case HV_CALL_MGMT_DESTROY:
	case HV_CALL_MGMT_STATS:
	case HV_CALL_MGMT_TRACE:
		return mgmt_call(vcpu, fid);
	default:
		vcpu_gpr_write(vcpu, 0, (uint64_t)SMCCC_RET_NOT_SUPPORTED);
		return HV_ACTION_RESUME;
	}
}

/* Out of line: the exit dispatch reaches it by a tail call. */
__attribute__((noinline)) enum hv_action hypercall_pledge(struct hv_vcpu *vcpu)
{
	return pledge_call(vcpu);
}
