/* SPDX-License-Identifier: MIT */
/*
 * MMIO emulation: decoding a data abort's syndrome into an access, routing
 * it by address to an emulated device, and completing it in the guest.
 * Arm ARM D24.2.40 (ISS for data aborts).
 */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include "exit.h"
#include "types.h"

struct hv_vcpu;

/* One decoded guest access. */
struct mmio_access {
	ipa_t ipa;	  /* faulting IPA (HPFAR page | FAR page offset) */
	unsigned size;	  /* bytes: 1, 2, 4 or 8 (SAS) */
	bool write;	  /* WnR */
	unsigned reg;	  /* SRT: 0..30, 31 = XZR (reads discard, writes 0) */
	bool sign_extend; /* SSE: loads sign-extend the value */
	bool sf;	  /* SF: the destination is a 64-bit X register */
	bool acq_rel;	  /* AR: load-acquire / store-release */
};

/*
 * Decodes a data-abort ISS plus the fault addresses into *out. Returns
 * HV_ERR_INVAL when ISV is 0 (the hardware gave no syndrome: pair,
 * writeback, SIMD or exclusive accesses), leaving *out zeroed.
 */
HV_MUST_CHECK enum hv_err mmio_decode(uint32_t iss, uint64_t far,
				      uint64_t hpfar, struct mmio_access *out);

/*
 * The register value a load of `raw` (size bytes, zero-extended) leaves in
 * the destination: sign-extended per SSE, and cut to 32 bits with the upper
 * half zero when SF is 0 (a W register).
 */
uint64_t mmio_load_value(const struct mmio_access *acc, uint64_t raw);

/*
 * Device callbacks. `offset` is relative to the region base and the access
 * is naturally aligned unless the device's `unaligned_ok` says otherwise. A
 * callback returns false for an access the device does not accept (bad
 * size or alignment); the core then applies the cell's fault policy.
 * Reserved registers should read as zero and ignore writes (return true).
 * `*val` is zeroed by the core before a read callback runs.
 */
struct mmio_ops {
	bool (*read)(void *dev, uint64_t offset, unsigned size, uint64_t *val);
	bool (*write)(void *dev, uint64_t offset, unsigned size, uint64_t val);
};

/* An emulated device window in a cell's IPA space. */
struct mmio_region {
	ipa_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *dev;
};

#define MMIO_MAX_REGIONS 8u

/* A cell's emulated devices, looked up by address on every MMIO exit. */
struct mmio_bus {
	unsigned region_count;
	/* The region mmio_emulate() found last, tried first next time:
	 * guests access one device in bursts. Only a hint (any value is
	 * safe); updated by mmio_emulate() under its caller's lock. */
	unsigned hint;
	struct mmio_region regions[MMIO_MAX_REGIONS];
};

/* Adds a device window. HV_ERR_OVERLAP if it collides with another one,
 * HV_ERR_NOMEM when the bus is full. */
HV_MUST_CHECK enum hv_err mmio_bus_add(struct mmio_bus *bus, ipa_t base,
				       uint64_t size,
				       const struct mmio_ops *ops, void *dev);

/* Removes the region that starts at `base`. HV_ERR_NOENT if none does. */
HV_MUST_CHECK enum hv_err mmio_bus_remove(struct mmio_bus *bus, ipa_t base);

/* Finds the region holding [ipa, ipa+size), or NULL. */
const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, ipa_t ipa,
					unsigned size);

/* Outcome of emulating one access. */
enum mmio_result {
	MMIO_DONE,	  /* access completed, PC advanced */
	MMIO_NO_SYNDROME, /* ISV = 0: cannot emulate */
	MMIO_UNOWNED,	  /* no emulated device at that address */
	MMIO_REJECTED,	  /* the device refused the access (size/alignment) */
};

/*
 * Emulates the data abort `exit` (EC DABT_LOW) for `vcpu` against `bus`:
 * decode, route, perform, write the loaded value to the destination
 * register through hal_vcpu_reg_write() and advance the PC by 4. On any
 * result other than MMIO_DONE the vCPU state is untouched, so the caller can
 * report or inject faithfully.
 */
enum mmio_result mmio_emulate(struct hv_vcpu *vcpu, struct mmio_bus *bus,
			      const struct hv_exit *exit);

/* mmio_emulate() of an exit its caller knows is a synchronous exit with
 * EC DABT_LOW (the exit dispatch's). */
enum mmio_result mmio_emulate_dabt(struct hv_vcpu *vcpu, struct mmio_bus *bus,
				   const struct hv_exit *exit);

#endif /* HV_MMIO_H */
