/* SPDX-License-Identifier: MIT */
/*
 * The entry point every harness defines (libFuzzer's convention), called
 * by the AFL++ persistent-mode main (afl_main.c), by the replay driver
 * (regress_main.c) or by libFuzzer itself. Returns 0; an oracle violation
 * or a hypervisor panic aborts the process instead.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Harness bookkeeping that depends on earlier inputs (restoring the booted
 * world, the oracles' comparisons) runs with AFL++ coverage off, so that
 * one input always produces the same coverage (stability): AFL++'s
 * selective coverage (README.instrument_list.md, enabled by
 * __AFL_COVERAGE() in afl_main.c). No-ops in other builds.
 */
#ifdef __AFL_COMPILER
void __afl_coverage_on(void);
void __afl_coverage_off(void);
#define FUZZ_COVERAGE_OFF() __afl_coverage_off()
#define FUZZ_COVERAGE_ON() __afl_coverage_on()
#else
#define FUZZ_COVERAGE_OFF() ((void)0)
#define FUZZ_COVERAGE_ON() ((void)0)
#endif

#endif /* FUZZ_H */
