/* SPDX-License-Identifier: MIT */
/*
 * A booted hypervisor for unit tests, built from a config written in C
 * (no devicetree), on the fake HAL. Cell i has 2 MiB of RAM at IPA
 * FIX_RAM_IPA backed by PA FIX_CELL_PA(i), a PL011 at FIX_UART_IPA, runs
 * on pCPU i and is started with the tiny image "guest.bin" loaded at its
 * RAM base.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <hv/hv.h>

#define FIX_RAM_BASE UINT64_C(0x40000000)
#define FIX_RAM_SIZE UINT64_C(0x4000000) /* 64 MiB */
#define FIX_HV_SIZE UINT64_C(0x1000000)	 /* first 16 MiB: hypervisor */
#define FIX_RAM_IPA UINT64_C(0x40000000)
#define FIX_CELL_RAM UINT64_C(0x200000)
#define FIX_CELL_PA(i) (UINT64_C(0x41000000) + (uint64_t)(i)*UINT64_C(0x400000))
#define FIX_UART_IPA UINT64_C(0x09000000)
#define FIX_IMAGE_SIZE 64u

/* Fills *cfg with `cells` cells as described above. */
void fixture_config(struct hv_config *cfg, unsigned cells);

/* Builds and starts a hypervisor with `cells` cells; aborts the test on
 * failure. The returned object stays valid until fixture_teardown(). */
struct hv *fixture_boot(unsigned cells);

/* Same, from a caller-modified config. */
struct hv *fixture_boot_config(const struct hv_config *cfg);

void fixture_teardown(void);

/* Completes pending vCPU starts (cell boot, reset, CPU_ON) as each pCPU's
 * run loop would. */
void fixture_settle(struct hv *hv);

/* The bytes of "guest.bin". */
const uint8_t *fixture_image(void);

/* Exits as EL2 hardware reports them. */
struct hv_exit fixture_hvc(uint16_t imm);
struct hv_exit fixture_smc(uint16_t imm);
/* A stage-2 data abort at `ipa` with ISS `iss` (ISV/SAS/SRT... bits). */
struct hv_exit fixture_dabt(uint64_t ipa, uint32_t iss);

/* Register helpers for a vCPU on the fake HAL. */
uint64_t fx_reg(struct hv_vcpu *v, enum hv_reg r);
void fx_set(struct hv_vcpu *v, enum hv_reg r, uint64_t val);

#endif /* FIXTURE_H */
