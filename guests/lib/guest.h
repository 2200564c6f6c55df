/* SPDX-License-Identifier: MIT */
/*
 * The small runtime shared by Cellvisor's test guests: console output on
 * the cell's emulated PL011, SMCCC calls by HVC #0 and SMC #0, the pledge
 * entry, test exit, and MMIO accessors that pin the exact instruction used.
 *
 * Guests run at EL1h with the MMU off, so a VA is an IPA and every data
 * access is Device-nGnRnE: that is why the build uses -mstrict-align and
 * why nothing here may rely on unaligned accesses.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hv/smccc.h>

/* The cell's console, as every test config places it. */
#define GUEST_UART_BASE UINT64_C(0x09000000)

/* Where the image is linked, loaded and entered (guest.ld). */
#define GUEST_LOAD_IPA UINT64_C(0x40000000)

/*
 * crt0.S starts the image with a fixed header so a guest can check that the
 * first bytes of its RAM are what was loaded: the first instruction is
 * `b` over the header (offset 16, hence this encoding), then a pad word,
 * then the 64-bit magic "CVGUEST0" in little-endian byte order.
 */
#define GUEST_HEADER_INSN UINT32_C(0x14000004)
#define GUEST_HEADER_MAGIC UINT64_C(0x3054534555475643)

/* The status crt0's vector table exits with on an unexpected exception. */
#define GUEST_STATUS_EXCEPTION 99

/* x0..x7 after an SMCCC call (most calls only define x0..x3). */
struct smccc_res {
	uint64_t x[8];
};

/* Console output on the PL011 (32-bit DR stores, FR.TXFF polled). */
void guest_putc(char c);
void guest_puts(const char *s); /* no newline added */
/* %s %c %d %u %x %X %p %%, with 'l'/'ll', '0' flag and a width. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* SMCCC calls: function ID in x0, arguments in x1..x6, results x0..x7. */
struct smccc_res smccc_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4, uint64_t a5, uint64_t a6);
struct smccc_res smccc_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4, uint64_t a5, uint64_t a6);
/* The same with `hvc #0x4E58` (pledge entry) and `hvc #1` (no entry). */
struct smccc_res smccc_hvc_pledge(uint64_t fid, uint64_t a1, uint64_t a2,
				  uint64_t a3, uint64_t a4, uint64_t a5,
				  uint64_t a6);
struct smccc_res smccc_hvc_imm1(uint64_t fid, uint64_t a1, uint64_t a2,
				uint64_t a3, uint64_t a4, uint64_t a5,
				uint64_t a6);
/* Shorthands returning x0 only. */
uint64_t hvc0(uint64_t fid, uint64_t a1, uint64_t a2);
uint64_t smc0(uint64_t fid, uint64_t a1, uint64_t a2);
/* `hvc #0x4E58` (the pledge entry) and `hvc #1` (not an SMCCC entry). */
uint64_t hvc_pledge(uint64_t x0, uint64_t x1, uint64_t x2);
uint64_t hvc_imm1(uint64_t x0);

/*
 * Makes an SMCCC call by HVC (smc=false) or SMC with x4..x17 set to
 * known values and returns the number of those registers that did not
 * survive: SMCCC v1.1 says the callee preserves them.
 */
unsigned smccc_preserve_check(bool smc, uint64_t fid, uint64_t *x0);

/* Ends the test: HV_CALL_TEST_EXIT with x1 = status. */
_Noreturn void test_exit(int status);

/* HV_CALL_CONSOLE_WRITE of [buf, buf+len): returns x0 (bytes or error). */
int64_t hv_console_write(const void *buf, size_t len);

/* HV_CALL_CELL_INFO; returns false when x0 != 0. */
struct guest_cell_info {
	uint64_t cell_id, vcpu_id, vcpu_count, cell_count, mem_base, mem_size;
};
bool guest_cell_info(struct guest_cell_info *info);

/*
 * MMIO accessors. Each is exactly one load or store instruction of the
 * named form, so the hypervisor's decoding of that form is what is tested.
 * Loads return the whole destination X register, which is preloaded with a
 * poison value: an emulator that forgets to zero- or sign-extend into the
 * upper bits is caught by comparing the full 64-bit result.
 */
uint64_t mmio_ldrb(uint64_t addr);	    /* ldrb  wN  (zero-extends to 64) */
uint64_t mmio_ldrh(uint64_t addr);	    /* ldrh  wN */
uint64_t mmio_ldr32(uint64_t addr);	    /* ldr   wN */
uint64_t mmio_ldr64(uint64_t addr);	    /* ldr   xN */
uint64_t mmio_ldrsb_w(uint64_t addr);	    /* ldrsb wN  (upper 32 bits zero) */
uint64_t mmio_ldrsb_x(uint64_t addr);	    /* ldrsb xN */
uint64_t mmio_ldrsh_w(uint64_t addr);	    /* ldrsh wN */
uint64_t mmio_ldrsh_x(uint64_t addr);	    /* ldrsh xN */
uint64_t mmio_ldrsw(uint64_t addr);	    /* ldrsw xN */
void mmio_strb(uint64_t addr, uint64_t v);  /* strb wN */
void mmio_strh(uint64_t addr, uint64_t v);  /* strh wN */
void mmio_str32(uint64_t addr, uint64_t v); /* str  wN */
void mmio_str64(uint64_t addr, uint64_t v); /* str  xN */
/* Stores of the zero register (Rt = 31 means WZR/XZR, not SP). */
void mmio_strb_wzr(uint64_t addr);
void mmio_strh_wzr(uint64_t addr);
void mmio_str32_wzr(uint64_t addr);
void mmio_str64_xzr(uint64_t addr);
/*
 * Loads into the zero register: the value is discarded. They return how
 * far SP moved across the load (0 when correct): an emulator that treats
 * Rt = 31 as SP would move it.
 */
uint64_t mmio_ldrb_wzr(uint64_t addr);
uint64_t mmio_ldrh_wzr(uint64_t addr);
uint64_t mmio_ldr32_wzr(uint64_t addr);
uint64_t mmio_ldr64_xzr(uint64_t addr);
uint64_t mmio_ldrsb_xzr(uint64_t addr);
uint64_t mmio_ldrsw_xzr(uint64_t addr);

/*
 * Check bookkeeping shared by the guests: check() prints "PASS what" or
 * "FAIL: what" and counts failures; guest_fail_count() reads the count.
 */
bool check(bool ok, const char *what);
/* As check(), printing "PASS what: 0xV" or "FAIL: what: got 0xG, want
 * 0xW" so a failure shows the values. */
bool check_eq(const char *what, uint64_t got, uint64_t want);
unsigned guest_fail_count(void);
/* Counts a failure whose "FAIL: ..." line the caller printed itself. */
void guest_count_failure(void);

/* ---- system registers, barriers, interrupts, PSCI, SMP ----------------
 *
 * For the interrupt, timer and SMP guests (irq, timer, smp, psci). The GIC
 * helpers are in gic.h. Everything here also works on bare QEMU virt at EL1
 * with no hypervisor (PSCI then comes from QEMU through the HVC conduit):
 * see guest_hv_present().
 */

/* MRS/MSR by register name (GNU statement expression). */
#define read_sysreg(reg)                                                 \
	({                                                               \
		uint64_t __v;                                            \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v)::"memory"); \
		__v;                                                     \
	})
#define write_sysreg(reg, v) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

#define isb() __asm__ volatile("isb" ::: "memory")
#define dmb_sy() __asm__ volatile("dmb sy" ::: "memory")
#define dsb_sy() __asm__ volatile("dsb sy" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
/* PSTATE.I: IRQs masked / unmasked (the ISB makes a pending IRQ be taken
 * right after the unmask, not some instructions later). */
#define irq_mask() __asm__ volatile("msr daifset, #2" ::: "memory")
#define irq_unmask() __asm__ volatile("msr daifclr, #2\n\tisb" ::: "memory")

/* A plain shared flag or counter: one writer, any readers (MMU off, so
 * no exclusives; see guests/README.md). */
static inline uint32_t shared_read(const volatile uint32_t *p)
{
	uint32_t v = *p;

	dmb_sy();
	return v;
}

static inline void shared_write(volatile uint32_t *p, uint32_t v)
{
	dmb_sy();
	*p = v;
	dsb_sy();
}

/* The most CPUs (MPIDR Aff0 0..GUEST_MAX_CPUS-1) crt0 has stacks for. */
#define GUEST_MAX_CPUS 8u

/* MPIDR_EL1.Aff0 of the running CPU: vCPU n of a cell has Aff0 = n. */
unsigned guest_cpu_id(void);

/*
 * True when Cellvisor answers HV_CALL_VERSION, false on a machine without
 * it (bare QEMU at EL1, where the call returns NOT_SUPPORTED). Without
 * Cellvisor test_exit() prints the status and powers off with PSCI
 * SYSTEM_OFF instead.
 */
bool guest_hv_present(void);

/*
 * A PSCI call through HVC #0 (the conduit on Cellvisor and on QEMU at EL1
 * without EL2/EL3). For SMC32 function IDs only W0 is defined (DEN 0028
 * 2.6): the result is W0 sign-extended; SMC64 results are all of X0.
 */
int64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * Secondary entry point for PSCI CPU_ON (crt0.S): masks interrupts, takes
 * the stack of its MPIDR Aff0 (GUEST_MAX_CPUS of them, separate from
 * main()'s), installs the vector table and calls secondary_main(x0 =
 * context id). If that returns, the CPU turns itself off (CPU_OFF).
 * A CPU whose Aff0 has no stack turns off at once.
 */
void _secondary_entry(void);
/* Weak default: returns at once (so the CPU turns off). */
void secondary_main(uint64_t context);

/*
 * IRQ handler: crt0's vector for an IRQ taken from EL1 with SP_EL1
 * (VBAR_EL1 + 0x280) saves x0-x18, x29, x30, ELR_EL1 and SPSR_EL1, calls
 * guest_irq() and returns with ERET. The weak default reports an
 * unexpected IRQ and exits with GUEST_STATUS_EXCEPTION. Interrupts stay
 * masked (PSTATE.I) while it runs. Every other vector still reports an
 * unexpected exception.
 */
void guest_irq(void);

/*
 * Synchronous exception handler, optional: crt0's vector for a synchronous
 * exception taken from EL1 with SP_EL1 (VBAR_EL1 + 0x200) calls it when a
 * guest defines it (crt0 refers to it weakly, so guests that do not define
 * it keep the report-and-exit behaviour). It runs on the interrupted
 * stack with x0-x18, x29, x30, ELR_EL1 and SPSR_EL1 saved, exceptions
 * masked, and returns the address to resume at (elr + 4 skips the
 * faulting instruction). Exceptions it does not expect can be passed on
 * to guest_exception(), which reports them and exits with
 * GUEST_STATUS_EXCEPTION.
 */
uint64_t guest_sync_hook(uint64_t esr, uint64_t elr, uint64_t far);
void guest_exception(uint64_t esr, uint64_t elr, uint64_t far);

/*
 * CPU_SUSPEND with a powerdown state that may resume at an entry point
 * (crt0.S): saves x19-x30 and SP, then calls `fid` (CPU_SUSPEND_32/64) by
 * HVC #0 with x1 = power_state, x2 = entry, x3 = context. entry == 0 means
 * guest_suspend_resume, which restores the saved registers, stores the X0
 * it was entered with in guest_resume_x0, reinstalls the vector table and
 * returns GUEST_SUSPEND_RESUMED (1, which PSCI never returns) from this
 * call, with interrupts masked. If the call returns normally (standby, an
 * error, or an implementation that treats powerdown as standby), its X0
 * is returned. One CPU at a time.
 */
#define GUEST_SUSPEND_RESUMED INT64_C(1)
int64_t guest_suspend_powerdown(uint64_t fid, uint64_t power_state,
				uint64_t entry, uint64_t context);
void guest_suspend_resume(void);
extern volatile uint64_t guest_resume_x0;

/* The C entry point, called by crt0.S; its return value is the status. */
int main(void);

/* Freestanding helpers the compiler may call. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* GUEST_H */
