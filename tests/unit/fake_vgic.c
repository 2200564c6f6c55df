/* SPDX-License-Identifier: MIT */
/* The unit-test list registers: see fake_vgic.h. Host code. */
#include "fake_vgic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hal/vgic.h>

#define FAKE_VGIC_MAX_VCPUS 32u

struct fake_vgic_cpu {
	const struct hv_vcpu *vcpu;
	uint64_t lr[FAKE_VGIC_MAX_LRS];
	unsigned writes;
	bool underflow;
};

static struct {
	unsigned lr_count;
	struct fake_vgic_cpu cpus[FAKE_VGIC_MAX_VCPUS];
	unsigned deact_count;
	uint32_t deact[FAKE_VGIC_MAX_DEACT];
} fv = {.lr_count = 4};

/* The slot of `vcpu`, created on first use. */
static struct fake_vgic_cpu *slot(const struct hv_vcpu *vcpu)
{
	unsigned i;

	for (i = 0; i < FAKE_VGIC_MAX_VCPUS; i++)
		if (fv.cpus[i].vcpu == vcpu)
			return &fv.cpus[i];
	for (i = 0; i < FAKE_VGIC_MAX_VCPUS; i++) {
		if (fv.cpus[i].vcpu == NULL) {
			fv.cpus[i].vcpu = vcpu;
			return &fv.cpus[i];
		}
	}
	fprintf(stderr, "fake_vgic: too many vCPUs\n");
	abort();
}

static void check_lr(unsigned n)
{
	if (n >= fv.lr_count || n >= FAKE_VGIC_MAX_LRS) {
		fprintf(stderr, "fake_vgic: LR %u out of range (%u)\n", n,
			fv.lr_count);
		abort();
	}
}

void fake_vgic_reset(void)
{
	memset(&fv, 0, sizeof(fv));
	fv.lr_count = 4;
}

void fake_vgic_set_lr_count(unsigned n)
{
	fv.lr_count = n;
}

uint64_t fake_vgic_lr(struct hv_vcpu *vcpu, unsigned n)
{
	check_lr(n);
	return slot(vcpu)->lr[n];
}

void fake_vgic_lr_set(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	check_lr(n);
	slot(vcpu)->lr[n] = val;
}

unsigned fake_vgic_lr_writes(struct hv_vcpu *vcpu)
{
	return slot(vcpu)->writes;
}

bool fake_vgic_underflow(struct hv_vcpu *vcpu)
{
	return slot(vcpu)->underflow;
}

unsigned fake_vgic_deact_count(void)
{
	return fv.deact_count;
}

uint32_t fake_vgic_deact(unsigned i)
{
	return i < FAKE_VGIC_MAX_DEACT ? fv.deact[i] : 0;
}

/* ---- HAL contract -------------------------------------------------------- */

unsigned hal_vgic_lr_count(void)
{
	return fv.lr_count;
}

uint64_t hal_vgic_lr_read(struct hv_vcpu *vcpu, unsigned n)
{
	check_lr(n);
	return slot(vcpu)->lr[n];
}

void hal_vgic_lr_write(struct hv_vcpu *vcpu, unsigned n, uint64_t val)
{
	struct fake_vgic_cpu *c = slot(vcpu);

	check_lr(n);
	c->lr[n] = val;
	c->writes++;
}

void hal_vgic_set_underflow(struct hv_vcpu *vcpu, bool on)
{
	slot(vcpu)->underflow = on;
}

void hal_vgic_hw_deactivate(uint32_t pintid)
{
	if (fv.deact_count < FAKE_VGIC_MAX_DEACT)
		fv.deact[fv.deact_count] = pintid;
	fv.deact_count++;
}
