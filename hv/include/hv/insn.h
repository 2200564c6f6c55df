/* SPDX-License-Identifier: MIT */
/*
 * A64 instruction decoding that the hardware does for the hypervisor on a
 * real machine and that a synthesizing HAL (the simulator, the fuzz HAL)
 * must do itself: the data-abort syndrome of a load/store, and recognising
 * HVC/SMC/WFx encodings. Arm ARM C4.1 "A64 instruction set encoding" and
 * D24.2.40 for which accesses report ISV = 1.
 */
#ifndef HV_INSN_H
#define HV_INSN_H

#include "types.h"

/*
 * Builds the data-abort ISS (ISV, SAS, SSE, SRT, SF, AR, WnR; DFSC left 0)
 * that an Armv8.0 CPU reports when `insn` faults at stage 2. ISV is 1 only
 * for single general-purpose-register loads and stores without writeback
 * (LDR/STR/LDUR/STUR/LDRS*, register and immediate offsets, LDAR/STLR and
 * LDAPR); pairs, writeback forms, exclusives, atomics and SIMD&FP get ISV =
 * 0 with only WnR set. Returns false if `insn` is not a load or store at all.
 */
bool insn_dabt_iss(uint32_t insn, uint32_t *iss);

/* If insn is HVC/SMC #imm, stores imm and returns true. */
bool insn_is_hvc(uint32_t insn, uint16_t *imm);
bool insn_is_smc(uint32_t insn, uint16_t *imm);

/* WFI (0xd503207f) or WFE (0xd503205f): returns true and sets *is_wfe. */
bool insn_is_wfx(uint32_t insn, bool *is_wfe);

#endif /* HV_INSN_H */
