/* SPDX-License-Identifier: MIT */
/*
 * HAL contract: platform bring-up, the hypervisor console, images and
 * fatal errors.
 */
#ifndef HAL_PLATFORM_H
#define HAL_PLATFORM_H

#include <hv/config.h>
#include <hv/types.h>

/*
 * Called once by hv_init() with the validated platform description before
 * anything else touches memory: the HAL checks it can honour it (RAM where
 * the config says, console UART) and sets up what it needs (the simulator
 * allocates simulated RAM). HV_ERR_RANGE / HV_ERR_INVAL when the platform
 * described does not match the machine; err is then the caller's to word.
 */
HV_MUST_CHECK enum hv_err hal_platform_init(const struct hv_platform_config *p);

/* Physical address bits the CPUs implement (ID_AA64MMFR0_EL1.PARange). */
unsigned hal_cpu_pa_bits(void);

/* Writes bytes to the hypervisor console. Callable from any context. */
void hal_console_write(const char *s, size_t len);

/*
 * Finds the image `name` from a cell config: the simulator reads the file
 * (relative to the config file's directory), bare metal looks it up in the
 * boot bundle. The data stays valid and unchanged until the program ends
 * (restarts reload from it). HV_ERR_NOENT when there is no such image.
 */
HV_MUST_CHECK enum hv_err hal_image_get(const char *name, const void **data,
					size_t *size);

/*
 * Passthrough devices (docs/devices.md). True when physical [pa, pa+size)
 * may be given to a cell: a device the hypervisor does not use itself
 * (not RAM, not its console, not the GIC). The simulator has no physical
 * devices and answers false, so a config with passthrough devices fails
 * there with a clear error.
 */
bool hal_device_assignable(paddr_t pa, uint64_t size);
/*
 * Physical SPI `intid` belongs to a cell: on = route it to physical CPU
 * `cpu` and enable it; off = disable it and clear its pending state (an
 * active one stays active until its owner deactivates it or the core
 * calls hal_vgic_hw_deactivate). The simulator records nothing.
 */
void hal_irq_route(uint32_t intid, unsigned cpu, bool on);
/*
 * Prints the trace recorded so far on the console (docs/replay.md, "Bare
 * metal"): true when this HAL records (cellvisor-rec.elf), false otherwise
 * (the plain EL2 image, the simulator, whose hvsim --record writes a file).
 */
bool hal_trace_snapshot(void);

/* Stops the whole machine after a hypervisor bug (never for a guest
 * error): prints `msg` and halts every CPU (the simulator aborts). */
HV_NORETURN void hal_panic(const char *msg);

#endif /* HAL_PLATFORM_H */
