/* SPDX-License-Identifier: MIT */
/*
 * MMIO emulation: a stage-2 data abort on an address the cell has no memory
 * at is decoded from its syndrome, routed to the emulated device that owns
 * the address and completed in the guest as if the access had reached real
 * hardware. Arm ARM D24.2.40 (ISS for data aborts) and D24.2.71 (HPFAR_EL2).
 *
 * Validate, then act: every check that can refuse the access (syndrome,
 * routing, the device's own size/alignment check) happens before the vCPU
 * is changed, so a refused access leaves the guest exactly as it trapped.
 */
#include <hv/arm64/esr.h>
#include <hv/mmio.h>
#include <hv/vcpu.h>

/* The bits above an access of `bytes` bytes (1, 2, 4 or 8): 56, 48, 32
 * or 0 (the & 63 keeps the shifts below defined for any value). */
static unsigned above_bits(unsigned bytes)
{
	return (64u - bytes * 8u) & 63u;
}

/* All-ones in the low `bytes` bytes (1, 2, 4 or 8). */
static uint64_t size_mask(unsigned bytes)
{
	return ~UINT64_C(0) >> above_bits(bytes);
}

enum hv_err mmio_decode(uint32_t iss, uint64_t far, uint64_t hpfar,
			struct mmio_access *out)
{
	*out = (struct mmio_access){0};

	/* With ISV = 0 bits [23:14] are RES0: nothing says which register
	 * or size the access had, so it cannot be emulated. */
	if (!(iss & ESR_ISS_DABT_ISV))
		return HV_ERR_INVAL;

	/*
	 * HPFAR_EL2 holds only the faulting IPA's page number; FAR_EL2 holds
	 * the full virtual address, whose low 12 bits equal the IPA's
	 * because stage-1 granules are at least 4 KiB (D24.2.71).
	 */
	out->ipa = ipa_init(HPFAR_EL2_TO_IPA(hpfar) | (far & HV_PAGE_MASK));
	out->size = 1u << ((iss & ESR_ISS_DABT_SAS_MASK) >>
			   ESR_ISS_DABT_SAS_SHIFT);
	out->write = (iss & ESR_ISS_DABT_WNR) != 0;
	out->reg = (iss & ESR_ISS_DABT_SRT_MASK) >> ESR_ISS_DABT_SRT_SHIFT;
	out->sign_extend = (iss & ESR_ISS_DABT_SSE) != 0;
	out->sf = (iss & ESR_ISS_DABT_SF) != 0;
	out->acq_rel = (iss & ESR_ISS_DABT_AR) != 0;
	return HV_OK;
}

uint64_t mmio_load_value(const struct mmio_access *acc, uint64_t raw)
{
	unsigned above = above_bits(acc->size);
	uint64_t val = raw & size_mask(acc->size);

	/* SSE: the loaded value's top bit fills the rest of the register
	 * (LDRSB/LDRSH/LDRSW): shifted to bit 63 and back, arithmetically
	 * (GCC and Clang define >> of a negative value so). */
	if (acc->sign_extend)
		val = (uint64_t)((int64_t)(val << above) >> above);
	/* SF = 0: a W destination; writing Wn zeroes bits [63:32] of Xn
	 * (Arm ARM C1.2.5, "Register names"). */
	if (!acc->sf)
		val &= UINT64_C(0xffffffff);
	return val;
}

enum hv_err mmio_bus_add(struct mmio_bus *bus, ipa_t base, uint64_t size,
			 const struct mmio_ops *ops, void *dev)
{
	unsigned i;

	if (size == 0 || hv_range_wraps(ipa_addr(base), size) || ops == NULL ||
	    ops->read == NULL || ops->write == NULL)
		return HV_ERR_INVAL;
	for (i = 0; i < bus->region_count; i++) {
		const struct mmio_region *r = &bus->regions[i];

		if (hv_ranges_overlap(ipa_addr(r->base), r->size,
				      ipa_addr(base), size))
			return HV_ERR_OVERLAP;
	}
	if (bus->region_count >= MMIO_MAX_REGIONS)
		return HV_ERR_NOMEM;
	bus->regions[bus->region_count] = (struct mmio_region){
		.base = base,
		.size = size,
		.ops = ops,
		.dev = dev,
	};
	bus->region_count++;
	return HV_OK;
}

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, ipa_t ipa,
					unsigned size)
{
	unsigned i;

	if (size == 0)
		return NULL;
	for (i = 0; i < bus->region_count && i < MMIO_MAX_REGIONS; i++) {
		const struct mmio_region *r = &bus->regions[i];

		if (hv_range_contains(ipa_addr(r->base), r->size, ipa_addr(ipa),
				      size))
			return r;
	}
	return NULL;
}

/* mmio_bus_find() that tries the region of the previous access first. */
static const struct mmio_region *bus_lookup(struct mmio_bus *bus, ipa_t ipa,
					    unsigned size)
{
	const struct mmio_region *r;
	unsigned h = bus->hint;

	/* region_count <= MMIO_MAX_REGIONS (mmio_bus_add) */
	if (size != 0 && h < bus->region_count) {
		r = &bus->regions[h];
		if (hv_range_contains(ipa_addr(r->base), r->size, ipa_addr(ipa),
				      size))
			return r;
	}
	r = mmio_bus_find(bus, ipa, size);
	if (r != NULL)
		bus->hint = (unsigned)(r - bus->regions);
	return r;
}

enum mmio_result mmio_emulate(struct hv_vcpu *vcpu, struct mmio_bus *bus,
			      const struct hv_exit *exit)
{
	/* Only a data abort from the guest describes an access. */
	if (exit->kind != HV_EXIT_SYNC ||
	    ESR_EL2_EC(exit->esr) != ESR_EC_DABT_LOW)
		return MMIO_NO_SYNDROME;
	return mmio_emulate_dabt(vcpu, bus, exit);
}

enum mmio_result mmio_emulate_dabt(struct hv_vcpu *vcpu, struct mmio_bus *bus,
				   const struct hv_exit *exit)
{
	struct mmio_access acc;
	const struct mmio_region *r;
	uint64_t offset, val = 0;
	uint32_t iss = ESR_EL2_ISS(exit->esr);

	/* A fault on the guest's own stage-1 table walk (S1PTW) is not a
	 * device access even if a syndrome were present: refuse it like
	 * ISV = 0. */
	if (iss & ESR_ISS_DABT_S1PTW)
		return MMIO_NO_SYNDROME;
	if (mmio_decode(iss, exit->far, exit->hpfar, &acc) != HV_OK)
		return MMIO_NO_SYNDROME;

	/* The whole access must lie in one device window. */
	r = bus_lookup(bus, acc.ipa, acc.size);
	if (r == NULL)
		return MMIO_UNOWNED;
	offset = ipa_addr(acc.ipa) - ipa_addr(r->base);

	if (acc.write) {
		/* Rt = 31 is XZR here, so a store of it writes 0. */
		val = vcpu_gpr_read(vcpu, acc.reg) & size_mask(acc.size);
		if (!r->ops->write(r->dev, offset, acc.size, val))
			return MMIO_REJECTED;
	} else {
		/* Zeroed before the call so a device that forgets to set it
		 * cannot hand the guest stale hypervisor data. */
		val = 0;
		if (!r->ops->read(r->dev, offset, acc.size, &val))
			return MMIO_REJECTED;
		vcpu_gpr_write(vcpu, acc.reg, mmio_load_value(&acc, val));
	}
	vcpu_skip_insn(vcpu);
	return MMIO_DONE;
}

enum hv_err mmio_bus_remove(struct mmio_bus *bus, ipa_t base)
{
	for (unsigned i = 0; i < bus->region_count; i++) {
		if (ipa_addr(bus->regions[i].base) != ipa_addr(base))
			continue;
		for (unsigned j = i + 1; j < bus->region_count; j++)
			bus->regions[j - 1] = bus->regions[j];
		bus->region_count--;
		return HV_OK;
	}
	return HV_ERR_NOENT;
}
