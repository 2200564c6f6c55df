/* SPDX-License-Identifier: MIT */
/*
 * How a cell boots: a raw image copied to its load address, or an arm64
 * Linux kernel with an optional initramfs and a devicetree the hypervisor
 * generates from the cell's configuration (Linux Documentation/arm64/
 * booting.rst; docs/linux.md). The same plan serves config validation and
 * the actual load, so what was accepted is exactly what is loaded.
 */
#ifndef HV_BOOT_H
#define HV_BOOT_H

#include "config.h"
#include "linux.h"
#include "types.h"

/* Room reserved for the generated devicetree. */
#define BOOT_DTB_MAX (64u * 1024u)

/* The console PL011's interrupt in a Linux cell: SPI 1, as on QEMU virt. */
#define BOOT_CONSOLE_INTID 33u

struct hv_cell;

struct boot_plan {
	const void *kernel;
	size_t kernel_size;
	const void *initrd; /* NULL: none */
	size_t initrd_size;
	struct linux_image img;
	struct linux_layout layout;
};

/*
 * Plans a Linux cell's boot: fetches `kernel` and `initrd` with
 * hal_image_get(), parses the Image header and places kernel, DTB and
 * initrd in the cell's RAM. On failure returns the error, sets *prop to
 * the config property at fault ("kernel" or "initrd") and writes a reason
 * to why[0..why_size). Touches no memory.
 */
HV_MUST_CHECK enum hv_err boot_plan_linux(const struct hv_cell_config *cfg,
					  struct boot_plan *plan,
					  const char **prop, char *why,
					  size_t why_size);

/*
 * Loads whatever the cell boots into its (already scrubbed) RAM and sets
 * *entry and *x0 for vCPU 0: the raw image at its load address, or the
 * kernel, initramfs and generated devicetree per boot_plan_linux().
 */
HV_MUST_CHECK enum hv_err boot_load(struct hv_cell *cell, ipa_t *entry,
				    uint64_t *x0);

#endif /* HV_BOOT_H */
