/* SPDX-License-Identifier: MIT */
/*
 * The platform and cell configuration, parsed from a flattened devicetree
 * blob with libfdt. docs/config.md is the reference for the source format.
 *
 * Parsing validates everything before it returns: on success the whole
 * struct hv_config is consistent (no overlaps, CPUs in range and given once,
 * every cell with memory); on failure nothing has been applied anywhere and
 * the error names the node and property at fault.
 */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include "types.h"

#define HV_MAX_CELLS 16u
#define HV_MAX_CPUS 64u
#define HV_MAX_VCPUS 8u	     /* per cell */
#define HV_MAX_REGIONS 8u    /* memory regions per cell */
#define HV_NAME_MAX 32u	     /* including the NUL */
#define HV_PATH_MAX 128u     /* including the NUL */
#define HV_BOOTARGS_MAX 256u /* including the NUL */
#define HV_MAX_CHANNELS 8u
#define HV_MAX_DEVICES 8u     /* passthrough devices per cell */
#define HV_MAX_DEVICE_IRQS 4u /* SPIs per passthrough device */
#define HV_COMPAT_MAX 64u     /* device compatible string, with the NUL */

/* Region flags: what the cell may do with it. */
#define HV_MEM_READ 0x1u
#define HV_MEM_WRITE 0x2u
#define HV_MEM_EXEC 0x4u
#define HV_MEM_RWX (HV_MEM_READ | HV_MEM_WRITE | HV_MEM_EXEC)

struct hv_mem_region {
	ipa_t ipa;
	paddr_t pa;
	uint64_t size;
	unsigned flags; /* HV_MEM_* */
};

enum hv_fault_policy {
	HV_FAULT_TERMINATE, /* default: the cell is stopped and reported */
	HV_FAULT_INJECT, /* the guest receives a synchronous external abort */
};

enum hv_wfi_mode {
	HV_WFI_TRAP, /* default: WFI/WFE trap; the vCPU waits for a vIRQ */
	HV_WFI_PASSTHROUGH, /* WFI/WFE run natively (bare metal) */
};

/*
 * A physical device given to one cell (docs/devices.md, "Passthrough"):
 * its MMIO registers appear at the same address in the cell's IPA space,
 * mapped Device-nGnRE, never executable; the pages holding [pa, pa+size)
 * are the unit of ownership. Each SPI in irqs is routed to the cell with
 * the same INTID, hardware-linked so the guest's EOI deactivates it.
 */
struct hv_device_config {
	char name[HV_NAME_MAX];
	char compatible[HV_COMPAT_MAX]; /* for the guest's devicetree */
	paddr_t pa;			/* register base (= guest address) */
	uint64_t size;			/* register size */
	unsigned irq_count;
	uint32_t irqs[HV_MAX_DEVICE_IRQS]; /* SPI INTIDs, physical = virtual */
	uint32_t cap; /* HV_CAP_BLOCK, HV_CAP_NET or HV_CAP_DEVICES */
	bool dma;     /* bus master: the cell's RAM is identity-mapped */
};

/* The pages [*base, *base + *size) a device's registers occupy. */
void config_device_pages(const struct hv_device_config *dev, uint64_t *base,
			 uint64_t *size);

/* Sizes of a cell's virtual GICv3 windows (IHI 0069 12.8, 12.10). */
#define HV_GICD_SIZE UINT64_C(0x10000)		/* distributor: 64 KiB */
#define HV_GICR_SIZE_PER_VCPU UINT64_C(0x20000) /* RD + SGI frames */

struct hv_cell_config {
	char name[HV_NAME_MAX];
	unsigned cpu_count;
	uint32_t cpus[HV_MAX_VCPUS]; /* vCPU n runs on physical CPU cpus[n] */
	unsigned region_count;
	struct hv_mem_region regions[HV_MAX_REGIONS];
	char image[HV_PATH_MAX]; /* raw image name; "" = none */
	char kernel[HV_PATH_MAX]; /* arm64 Linux Image; "" = none (not with image) */
	char initrd[HV_PATH_MAX];	/* with kernel: initramfs; "" = none */
	char bootargs[HV_BOOTARGS_MAX]; /* with kernel: /chosen/bootargs */
	uint64_t boot_arg;		/* raw image: X0 of vCPU 0 at start */
	uint32_t caps;	  /* HV_CAP_* the cell starts with (pledge.h) */
	ipa_t image_load; /* where the image is copied */
	ipa_t entry;	  /* where vCPU 0 starts */
	bool has_console; /* an emulated PL011 at console_ipa */
	ipa_t console_ipa;
	enum hv_fault_policy fault_policy;
	bool has_gic; /* a virtual GICv3 at gicd_ipa / gicr_ipa */
	ipa_t gicd_ipa;
	ipa_t gicr_ipa; /* cpu_count frames of HV_GICR_SIZE_PER_VCPU */
	enum hv_wfi_mode wfi;
	unsigned device_count;
	struct hv_device_config devices[HV_MAX_DEVICES];
};

struct hv_platform_config {
	unsigned cpu_count; /* physical CPUs */
	paddr_t ram_base;   /* RAM cells are carved from */
	uint64_t ram_size;
	paddr_t hv_base; /* part of RAM reserved for the hypervisor */
	uint64_t hv_size;
	paddr_t uart_base; /* hypervisor console (PL011) */
	unsigned ipa_bits; /* stage-2 input size for every cell (default 40) */
};

/*
 * A shared-memory channel between two cells (docs/channels.md): one
 * physical region both see at the same IPA, each with its own rights, and
 * a doorbell SPI raised in each when the other rings (HV_CALL_DOORBELL).
 */
struct hv_channel_config {
	char name[HV_NAME_MAX];
	paddr_t pa;
	uint64_t size;
	ipa_t ipa;
	unsigned cell[2];     /* indexes into hv_config.cells */
	unsigned flags[2];    /* HV_MEM_READ, with HV_MEM_WRITE for "rw" */
	uint32_t doorbell[2]; /* virtual SPI INTID raised in cell[i] */
};

struct hv_config {
	struct hv_platform_config platform;
	unsigned cell_count;
	struct hv_cell_config cells[HV_MAX_CELLS];
	unsigned channel_count;
	struct hv_channel_config channels[HV_MAX_CHANNELS];
};

/* The channel (and which side, 0 or 1) of `cell` in channel `ch`, or
 * false when the cell is not on it. */
bool config_channel_side(const struct hv_channel_config *ch, unsigned cell,
			 unsigned *side);

/* A one-line reason, e.g. "/cells/web: memory: overlaps /cells/db". */
struct hv_config_error {
	char msg[256];
};

/*
 * Parses and validates the blob [blob, blob+size) into *out. On error
 * returns HV_ERR_INVAL (malformed or inconsistent), HV_ERR_OVERLAP or
 * HV_ERR_RANGE, fills err->msg (node path and property first) and leaves
 * *out zeroed. Never reads outside the blob, whatever its content.
 */
HV_MUST_CHECK enum hv_err config_parse(const void *blob, size_t size,
				       struct hv_config *out,
				       struct hv_config_error *err);

/*
 * Checks each cell's image against its memory: the image (looked up with
 * hal_image_get) must exist and [image_load, image_load+size) must lie in
 * one memory region of that cell; entry must lie in a region too.
 */
HV_MUST_CHECK enum hv_err config_check_images(const struct hv_config *cfg,
					      struct hv_config_error *err);

/* Finds the region of `cell` holding [ipa, ipa+size), or NULL. */
const struct hv_mem_region *config_region_find(
	const struct hv_cell_config *cell, ipa_t ipa, uint64_t size);

#endif /* HV_CONFIG_H */
