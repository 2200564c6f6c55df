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

#include <stdbool.h>
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
 * Virtual time (docs/simulator.md, "Virtual time"). The generic timer
 * counts SIM_TICKS_PER_INSN ticks per guest instruction at a nominal
 * SIM_CNTFRQ_HZ (CNTFRQ_EL0), so 62.5 M instructions are one virtual
 * second. Host time never enters it.
 */
#define SIM_CNTFRQ_HZ UINT64_C(62500000)
#define SIM_TICKS_PER_INSN UINT64_C(1)

/* List registers per vCPU (ICH_VTR_EL2.ListRegs + 1): 4, as QEMU's GICv3
 * model and Cortex-A72 / Neoverse N1 implement. */
#define SIM_LR_COUNT 4u

/*
 * Starts a scheduling round: the global clock is `start` (in instructions)
 * and every vCPU may run until its local time reaches start + length. A
 * vCPU that did not run up to `start` (waiting, off) catches up to it when
 * it runs or idles next. Local time never goes backwards.
 */
void sim_round_begin(uint64_t start, uint64_t length);

/* The end of the current round: the next round's start. */
uint64_t sim_round_end(void);

/*
 * For the vCPU pinned to `pcpu`: its local time and a counter that changes
 * whenever it did something (retired instructions, exits, interrupts,
 * state changes). False when no vCPU is pinned there.
 */
bool sim_pcpu_state(unsigned pcpu, uint64_t *time, uint64_t *events);

/* The earliest local time at which a timer of a running or waiting vCPU
 * fires, UINT64_MAX when none is armed. */
uint64_t sim_next_deadline(void);

struct hv_vcpu;

/* Virtual IRQs/FIQs the guest on `vcpu` has taken (for --stats). */
uint64_t sim_vcpu_irqs(const struct hv_vcpu *vcpu);

/*
 * Frees the simulated RAM and every cached image. For leak checkers at the
 * end of a program; the HAL must not be used afterwards except through a
 * new hal_platform_init().
 */
void sim_release(void);

#endif /* HAL_SIM_SIM_H */
