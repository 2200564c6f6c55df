/* SPDX-License-Identifier: MIT */
/*
 * A HAL for unit tests: simulated RAM in a host buffer, vCPU registers in
 * arrays, scripted exits, captured console output and counted TLB flushes.
 * Every test links the core with this file instead of a real HAL.
 */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <hv/exit.h>
#include <hv/types.h>
#include <hv/vcpu.h>

/* Gives the fake machine RAM [base, base+size) (zeroed) and makes
 * [pool_base, pool_base+pool_size) the core's page pool. Frees any previous
 * RAM and clears all other fake state. hal_platform_init() only replaces
 * the RAM (keeping images, console text and queued exits), with the pool =
 * the whole hypervisor region. */
void fake_hal_setup(uint64_t ram_base, uint64_t ram_size, uint64_t pool_base,
		    uint64_t pool_size);

/* Releases the RAM and every recorded item. */
void fake_hal_teardown(void);

/* Console output captured since setup (NUL-terminated). */
const char *fake_hal_console(void);
void fake_hal_console_clear(void);

/* Registers an image for hal_image_get(); data is not copied. */
void fake_hal_add_image(const char *name, const void *data, size_t size);

/* Forgets every registered image (to make hal_image_get fail). */
void fake_hal_remove_images(void);

/* Queues an exit that the next hal_vcpu_run() for any vCPU returns; with
 * the queue empty, hal_vcpu_run() returns HV_EXIT_BUDGET. */
void fake_hal_push_exit(const struct hv_exit *exit);

/* pCPUs kicked with hal_cpu_kick() since the last call (bit n = pCPU n). */
uint64_t fake_hal_kicks_take(void);

/* Passthrough: the CPU physical SPI `intid` is routed to, -1 when off. */
#define FAKE_MAX_INTID 1020u
int fake_hal_irq_cpu(uint32_t intid);
/* Makes hal_device_assignable() refuse everything (like the simulator). */
void fake_hal_refuse_devices(bool refuse);

/* TLB flush calls seen since setup. */
unsigned fake_hal_tlb_flushes(void);

/* Physical-address bits hal_cpu_pa_bits() reports (default 40). */
void fake_hal_set_pa_bits(unsigned bits);

/* A stand-alone vCPU with HAL register storage, for tests that drive a
 * handler without building a cell. Zeroes *vcpu; cell stays NULL unless
 * the test sets it. fake_vcpu_free() releases it. */
void fake_vcpu_init(struct hv_vcpu *vcpu);
void fake_vcpu_free(struct hv_vcpu *vcpu);

/* Set by hal_vcpu_reset(): the last entry point and x0 given per vCPU. */
uint64_t fake_vcpu_reset_count(const struct hv_vcpu *vcpu);

#endif /* FAKE_HAL_H */
