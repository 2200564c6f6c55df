/* STUB: replaced by the MMIO work. */
#include <hv/insn.h>
bool insn_dabt_iss(uint32_t insn, uint32_t *iss) { (void)insn; (void)iss; return false; }
bool insn_is_hvc(uint32_t insn, uint16_t *imm) { (void)insn; (void)imm; return false; }
bool insn_is_smc(uint32_t insn, uint16_t *imm) { (void)insn; (void)imm; return false; }
bool insn_is_wfx(uint32_t insn, bool *is_wfe) { (void)insn; (void)is_wfe; return false; }
