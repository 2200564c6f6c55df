/* SPDX-License-Identifier: MIT */
/*
 * The devicetree a cell's Linux boots with, generated from a parameter
 * struct with libfdt's sequential-write API into a caller-provided buffer
 * (no allocation, no global state).
 *
 * The tree follows what QEMU's "virt" board gives Linux, since that is the
 * platform the cell imitates and the one Debian's kernel is tested on:
 * GICv3 (bindings: interrupt-controller/arm,gic-v3), the architected timer
 * (timer/arm,arch_timer), PSCI (arm/psci), a PL011 with the fixed 24 MHz
 * "apb-pclk" the AMBA bus needs to probe it (serial/pl011), optional
 * virtio-mmio devices (virtio/mmio) and /chosen for the boot arguments
 * (chosen.yaml). docs/linux.md shows the result as DTS.
 */
#ifndef HV_GUEST_DT_H
#define HV_GUEST_DT_H

#include "types.h"

#define GUEST_DT_MAX_MEM 8u
#define GUEST_DT_MAX_VCPUS 8u
#define GUEST_DT_MAX_VIRTIO 8u

/* GICv3 frame sizes (GICv3/v4 architecture spec, 12.1: Distributor one
 * 64 KiB frame; each Redistributor two 64 KiB frames, RD_base and SGI_base). */
#define GUEST_DT_GICD_SIZE UINT64_C(0x10000)
#define GUEST_DT_GICR_STRIDE UINT64_C(0x20000)
#define GUEST_DT_PL011_SIZE UINT64_C(0x1000)

/* The 24 MHz reference clock QEMU virt gives its PL011 (hw/arm/virt.c). */
#define GUEST_DT_APB_PCLK_HZ 24000000u

/* Last SPI number: SPIs are INTIDs 32..1019 (GICv3 spec, 2.2.1). */
#define GUEST_DT_SPI_MAX 987u

/* Fixed phandles: deterministic output, and easy to read in a dump. */
#define GUEST_DT_PHANDLE_GIC 1u
#define GUEST_DT_PHANDLE_APB_PCLK 2u

/* How the guest calls PSCI (the "method" property of the psci node). */
enum guest_dt_psci_method {
	GUEST_DT_PSCI_HVC,
	GUEST_DT_PSCI_SMC,
};

/* A guest-physical range: a RAM region or a device's registers. */
struct guest_dt_range {
	ipa_t base;
	uint64_t size;
};

/* A passed-through device (a virtio-mmio transport unless `compatible`
 * says otherwise) and its SPI (0 = INTID 32). */
struct guest_dt_virtio {
	ipa_t base;
	uint64_t size;
	uint32_t spi;
	const char *compatible; /* NULL: "virtio,mmio" */
	bool no_irq;		/* true: no interrupts property */
};

struct guest_dt_params {
	const char *model;	/* NULL: "Cellvisor cell" */
	const char *compatible; /* NULL: "cellvisor,cell" */

	unsigned mem_count; /* 1..GUEST_DT_MAX_MEM, one memory node each */
	struct guest_dt_range mem[GUEST_DT_MAX_MEM];

	unsigned vcpu_count; /* 1..GUEST_DT_MAX_VCPUS; vCPU n has Aff0 = n */
	enum guest_dt_psci_method psci_method;

	ipa_t gicd_base; /* 64 KiB aligned, GUEST_DT_GICD_SIZE bytes */
	ipa_t gicr_base; /* 64 KiB aligned, vcpu_count * GICR_STRIDE bytes */

	bool has_uart;	 /* PL011 + apb-pclk, stdout-path, alias serial0 */
	ipa_t uart_base; /* 4 KiB aligned, GUEST_DT_PL011_SIZE bytes */
	uint32_t uart_spi;

	unsigned virtio_count; /* 0..GUEST_DT_MAX_VIRTIO */
	struct guest_dt_virtio virtio[GUEST_DT_MAX_VIRTIO];

	const char *bootargs; /* NULL: no bootargs property */

	bool has_initrd; /* linux,initrd-start/-end, 64-bit cells */
	ipa_t initrd_start;
	uint64_t initrd_size;
};

/*
 * Writes the cell's devicetree blob for `p` into [buf, buf+buf_size) and
 * sets *out_size to its total size. Same params give the same bytes.
 *
 * Returns HV_ERR_INVAL for inconsistent params (no vCPU or memory, too
 * many of something, zero sizes, wrapping ranges, misaligned GIC or UART,
 * SPI out of range or used twice, unknown PSCI method), HV_ERR_OVERLAP when
 * two of memory/GICD/GICR/UART/virtio ranges share a byte, HV_ERR_RANGE
 * when the initrd is not inside one memory region, and HV_ERR_NOMEM when
 * buf_size is too small. On any error *out_size is 0 and the buffer does
 * not start with a valid FDT header. Pure function: callable from any
 * context, no locking; `p` is validated here, callers need not.
 */
HV_MUST_CHECK enum hv_err guest_dt_build(const struct guest_dt_params *p,
					 void *buf, size_t buf_size,
					 size_t *out_size);

#endif /* HV_GUEST_DT_H */
