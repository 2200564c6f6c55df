/* SPDX-License-Identifier: MIT */
/*
 * The simulator HAL's own API, for the programs that link it (hvsim and
 * scenario tests). Everything in the HAL contract (hv/include/hal/) is implemented
 * in sim_platform.c and sim_vcpu.c; this header only adds the knobs that
 * exist because the simulator is a host process: where images come from
 * and how long a vCPU runs before it yields. docs/simulator.md describes
 * the whole simulator.
 *
 * Host code, single-threaded: none of these functions may be called while
 * a vCPU is inside hal_vcpu_run().
 */
#ifndef HAL_SIM_SIM_H
#define HAL_SIM_SIM_H

#include <stdint.h>

/* Guest instructions one hal_vcpu_run() executes at most by default. */
#define SIM_QUANTUM_DEFAULT UINT64_C(100000)

/*
 * Sets the directory image names from the config are relative to
 * (normally the config file's directory). Absolute image names ignore it.
 * The string is copied; NULL or "" means the current directory. Images
 * already loaded stay cached under their names.
 */
void sim_set_image_dir(const char *dir);

/*
 * Sets the run budget: hal_vcpu_run() returns HV_EXIT_BUDGET once the vCPU
 * has retired about `insns` guest instructions (it stops at the last
 * translation-block boundary that keeps within the budget, but always runs
 * at least one block). 0 restores SIM_QUANTUM_DEFAULT.
 */
void sim_set_quantum(uint64_t insns);

/* The current run budget in instructions. */
uint64_t sim_quantum(void);

/*
 * Frees the simulated RAM and every cached image. For leak checkers at the
 * end of a program; the HAL must not be used afterwards except through a
 * new hal_platform_init().
 */
void sim_release(void);

#endif /* HAL_SIM_SIM_H */
