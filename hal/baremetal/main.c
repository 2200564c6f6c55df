/* SPDX-License-Identifier: MIT */
/*
 * The EL2 image's main program: reads the firmware's devicetree (QEMU's
 * or a boot loader's), finds the boot bundle, runs the core on every CPU
 * that has a vCPU, reports and powers off through PSCI.
 *
 * Physical CPU numbering: pCPU n is the n-th cpu node under /cpus in the
 * firmware devicetree; the boot CPU must be pCPU 0 (true on QEMU virt).
 */
#include <libfdt.h>

#include <hv/arm64/esr.h>
#include <hv/cell.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/print.h>
#include <hv/smccc.h>

#include <hal/platform.h>
#include <hal/vcpu.h>

#include "bm.h"

_Static_assert(offsetof(struct bm_pcpu, stack_top) == BM_PCPU_STACK_TOP,
	       "BM_PCPU_STACK_TOP");
_Static_assert(sizeof(struct bm_pcpu) == BM_PCPU_SIZE, "BM_PCPU_SIZE");

extern char bm_stacks[];

struct bm_pcpu bm_pcpus[BM_MAX_PCPUS];
struct bm_machine bm_machine;

/* The whole core state; one per boot. */
static struct hv hv;

/* config.dtb is copied here: cpio members are only 4-byte aligned and
 * libfdt wants the blob 8-byte aligned. */
#define BM_CONFIG_MAX (64 * 1024)
static uint64_t config_copy[BM_CONFIG_MAX / 8];

/* Set by each secondary when its run loop has ended (release), read by
 * CPU 0 (acquire) before it reports. */
static uint32_t pcpu_finished[BM_MAX_PCPUS];

uint64_t bm_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC v1.0 lets the callee clobber x4-x17 as well. */
	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

void bm_system_off(void)
{
	/* PSCI SYSTEM_OFF (DEN 0022 5.10) through the SMC conduit: QEMU
	 * virt with virtualization=on and no EL3 firmware implements PSCI
	 * itself on SMC. It does not return; if it does, park. */
	bm_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void bm_el2_fault(uint64_t kind, const uint64_t *regs)
{
	static const char *const names[] = {
		"sync (SP_EL0)", "irq (SP_EL0)",
		"fiq (SP_EL0)",	 "serror (SP_EL0)",
		"sync",		 "irq",
		"fiq",		 "serror",
	};
	uint64_t esr, far;
	char msg[160];

	__asm__ volatile("mrs %0, esr_el2" : "=r"(esr));
	__asm__ volatile("mrs %0, far_el2" : "=r"(far));
	hv_printf("cellvisor: EL2 exception %s on CPU %u: ESR_EL2 0x%llx "
		  "(EC 0x%x) ELR_EL2 0x%llx FAR_EL2 0x%llx\n",
		  names[kind & 7], bm_this_pcpu(), (unsigned long long)esr,
		  ESR_EL2_EC(esr), (unsigned long long)regs[31],
		  (unsigned long long)far);
	for (unsigned i = 0; i < 31; i += 4) {
		hv_printf(
			"cellvisor:   x%-2u %016llx %016llx %016llx %016llx\n",
			i, (unsigned long long)regs[i],
			(unsigned long long)regs[i + 1],
			(unsigned long long)regs[i + 2],
			(unsigned long long)(i + 3 < 31 ? regs[i + 3] : 0));
	}
	hv_snprintf(msg, sizeof(msg),
		    "exception at EL2 (ESR 0x%llx, ELR 0x%llx)",
		    (unsigned long long)esr, (unsigned long long)regs[31]);
	hal_panic(msg);
}

/* ---- the firmware devicetree --------------------------------------------- */

static uint64_t fdt_read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = v << 32 | fdt32_ld(&p[i]);
	return v;
}

/* A /chosen linux,initrd-* value: 32 or 64 bits wide. */
static bool chosen_addr(const void *fdt, int chosen, const char *name,
			uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, chosen, name, &len);

	if (p == NULL || (len != 4 && len != 8))
		return false;
	*out = fdt_read_cells(p, len / 4);
	return true;
}

/*
 * Fills bm_machine from the devicetree at `fdt`: the first RAM range,
 * the initrd, the CPUs (and their MPIDRs) and the PSCI conduit. Prints
 * and returns false when something the image cannot do without is missing.
 */
static bool machine_from_dtb(const void *fdt)
{
	int ac = bm_fdt_cells(fdt, 0, "#address-cells"),
	    sc = bm_fdt_cells(fdt, 0, "#size-cells");
	int node, len, chosen, cpus;
	const fdt32_t *reg;
	const char *method;

	bm_machine.dtb_size = fdt_totalsize(fdt);

	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
					     sizeof("memory"));
	reg = node < 0 ? NULL : fdt_getprop(fdt, node, "reg", &len);
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || reg == NULL ||
	    len < (ac + sc) * 4) {
		hv_printf("cellvisor: devicetree has no usable /memory node\n");
		return false;
	}
	bm_machine.ram_base = fdt_read_cells(reg, ac);
	bm_machine.ram_size = fdt_read_cells(reg + ac, sc);

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0 ||
	    !chosen_addr(fdt, chosen, "linux,initrd-start",
			 &bm_machine.initrd_start) ||
	    !chosen_addr(fdt, chosen, "linux,initrd-end",
			 &bm_machine.initrd_end) ||
	    bm_machine.initrd_end <= bm_machine.initrd_start) {
		hv_printf("cellvisor: no boot bundle: /chosen has no "
			  "linux,initrd-start/end (pass the bundle with "
			  "-initrd)\n");
		return false;
	}

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus >= 0) {
		int cac = bm_fdt_cells(fdt, cpus, "#address-cells");

		fdt_for_each_subnode(node, fdt, cpus)
		{
			const char *type = fdt_getprop(fdt, node, "device_type",
						       NULL);

			if (type == NULL || strcmp(type, "cpu") != 0)
				continue;
			reg = fdt_getprop(fdt, node, "reg", &len);
			if (reg == NULL || cac < 1 || cac > 2 || len < cac * 4)
				continue;
			if (bm_machine.cpu_count < BM_MAX_PCPUS)
				bm_pcpus[bm_machine.cpu_count].mpidr =
					fdt_read_cells(reg, cac);
			bm_machine.cpu_count++;
		}
	}
	if (bm_machine.cpu_count == 0)
		bm_machine.cpu_count = 1;

	node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci");
	method = node < 0 ? NULL : fdt_getprop(fdt, node, "method", NULL);
	/* At EL2 an HVC would come back to us: only SMC reaches firmware. */
	bm_machine.psci_smc = method != NULL && strcmp(method, "smc") == 0;
	return true;
}

int bm_fdt_cells(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	uint32_t v;

	if (p == NULL)
		return name[1] == 'a' ? 2 : 1;
	if (len != 4)
		return -1;
	v = fdt32_ld(p);
	return v >= 1 && v <= 4 ? (int)v : -1;
}

/* ---- running ----------------------------------------------------------- */

/*
 * Runs this CPU's vCPU, exit after exit, until no cell runs any more.
 * When there is nothing to run (vCPU off or stopped, waiting for a
 * sibling's CPU_ON or a management start, or no vCPU at all after a
 * destroy) the core sleeps in WFI until kicked (hv_pcpu_idle).
 */
static void pcpu_loop(unsigned cpu)
{
	while (!hv_done(&hv)) {
		if (hv_pcpu_run(&hv, cpu) != HV_ACTION_RESUME)
			hv_pcpu_idle(&hv, cpu);
	}
}

void bm_secondary_main(struct bm_pcpu *pcpu)
{
	unsigned cpu = (unsigned)pcpu->index;

	bm_el2_cpu_init();
	bm_gic_cpu_init();
	pcpu_loop(cpu);
	__atomic_store_n(&pcpu_finished[cpu], 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("wfe");
}

/* Starts pCPU `cpu` with PSCI CPU_ON; false if firmware refused. */
static bool start_secondary(unsigned cpu)
{
	struct bm_pcpu *p = &bm_pcpus[cpu];
	int64_t ret;

	p->index = cpu;
	p->stack_top = (uintptr_t)bm_stacks +
		       (uint64_t)(cpu + 1) * BM_STACK_SIZE;
	/* The new CPU reads its bm_pcpu, the page tables and the MMU
	 * register values with its MMU off, i.e. from memory. */
	bm_dcache_clean_inval_poc(p, sizeof(*p));
	bm_mmu_publish();
	ret = (int64_t)bm_smc(PSCI_CPU_ON_64, p->mpidr,
			      (uintptr_t)bm_secondary_entry, (uintptr_t)p);
	if (ret != PSCI_RET_SUCCESS) {
		hv_printf("cellvisor: CPU %u (MPIDR 0x%llx) did not start: "
			  "PSCI error %lld\n",
			  cpu, (unsigned long long)p->mpidr, (long long)ret);
		return false;
	}
	return true;
}

static HV_NORETURN void fail(const char *what,
			     const struct hv_config_error *err)
{
	hv_printf("cellvisor: %s: %s\n", what, err->msg);
	bm_system_off();
}

/* The plain image records nothing: trace_ring.c (cellvisor-rec.elf only)
 * replaces these. */
__attribute__((weak)) void bm_trace_start(const struct hv *h,
					  const void *config, size_t size)
{
	(void)h;
	(void)config;
	(void)size;
}

__attribute__((weak)) void bm_trace_finish(int status)
{
	(void)status;
}

__attribute__((weak)) void bm_trace_panic(void) {}

__attribute__((weak)) bool bm_trace_snapshot(void)
{
	return false;
}

__attribute__((weak)) const bool bm_fast_exits = true;

void bm_main(uint64_t dtb_pa)
{
	const void *fdt = (const void *)(uintptr_t)dtb_pa;
	struct hv_config_error err = {{0}};
	const void *config;
	size_t config_size;
	unsigned cpus;
	uint64_t midr;

	bm_uart_init(BM_UART_BASE);
	bm_el2_cpu_init();
	__asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
	hv_printf("cellvisor: Cellvisor %u.%u EL2 (bare metal), MIDR 0x%llx, "
		  "%u-bit PA, image 0x%llx-0x%llx\n",
		  HV_VERSION_MAJOR, HV_VERSION_MINOR, (unsigned long long)midr,
		  hal_cpu_pa_bits(),
		  (unsigned long long)(uintptr_t)__image_start,
		  (unsigned long long)(uintptr_t)__image_end);

	bm_machine.dtb_pa = dtb_pa;
	if (dtb_pa == 0 || (dtb_pa & 7) != 0 || fdt_check_header(fdt) != 0) {
		hv_printf("cellvisor: x0 0x%llx is not a devicetree\n",
			  (unsigned long long)dtb_pa);
		bm_system_off();
	}
	if (!machine_from_dtb(fdt))
		bm_system_off();
	bm_mmu_map_ram(bm_machine.ram_base, bm_machine.ram_size);
	/* The GIC before hv_init(): cells ask for the list-register count. */
	bm_gic_probe(fdt);
	bm_gic_dist_init();
	bm_gic_cpu_init();
	if (!bm_machine.psci_smc)
		hv_printf("cellvisor: warning: devicetree PSCI method is not "
			  "\"smc\"; power-off and CPU_ON may not work\n");
	hv_printf("cellvisor: RAM 0x%llx+0x%llx, %u CPUs, DTB 0x%llx, "
		  "bundle 0x%llx-0x%llx\n",
		  (unsigned long long)bm_machine.ram_base,
		  (unsigned long long)bm_machine.ram_size, bm_machine.cpu_count,
		  (unsigned long long)dtb_pa,
		  (unsigned long long)bm_machine.initrd_start,
		  (unsigned long long)bm_machine.initrd_end);

	bm_bundle_set((const void *)(uintptr_t)bm_machine.initrd_start,
		      (size_t)(bm_machine.initrd_end -
			       bm_machine.initrd_start));
	if (bm_bundle_find("config.dtb", &config, &config_size) != HV_OK) {
		hv_printf("cellvisor: boot bundle has no config.dtb\n");
		bm_system_off();
	}
	if (config_size > sizeof(config_copy)) {
		hv_printf("cellvisor: config.dtb is larger than %u bytes\n",
			  (unsigned)sizeof(config_copy));
		bm_system_off();
	}
	memcpy(config_copy, config, config_size);
	config = config_copy;

	if (hv_init(&hv, config, config_size, &err) != HV_OK)
		fail("config error", &err);
	if (hv_start(&hv, &err) != HV_OK)
		fail("start error", &err);
	bm_trace_start(&hv, config, config_size);

	/* Secondaries only where a vCPU is pinned; the others stay off. */
	cpus = hv.config.platform.cpu_count;
	if (cpus > BM_MAX_PCPUS)
		cpus = BM_MAX_PCPUS;
	for (unsigned cpu = 1; cpu < cpus; cpu++) {
		if (hv.pcpu_vcpu[cpu] == NULL || !start_secondary(cpu))
			pcpu_finished[cpu] = 1;
	}

	pcpu_loop(0);
	for (unsigned cpu = 1; cpu < cpus; cpu++) {
		while (__atomic_load_n(&pcpu_finished[cpu], __ATOMIC_ACQUIRE) ==
		       0)
			__asm__ volatile("yield");
	}
	bm_trace_finish(hv_report_end(&hv));
	bm_system_off();
}
