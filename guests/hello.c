/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest useful guest. Greets on the PL011, reports what the
 * hypervisor says about itself and this cell (HV_CALL_VERSION and
 * HV_CALL_CELL_INFO), checks those values are coherent, and writes one
 * line through HV_CALL_CONSOLE_WRITE. Several cells may run it at once;
 * the output differs only by what CELL_INFO reports.
 */
#include "guest.h"

extern char _start[];

static const char console_line[] = "hello through HV_CALL_CONSOLE_WRITE\n";

int main(void)
{
	struct guest_cell_info info;
	uint64_t version;
	int64_t written;
	bool ok;

	ok = guest_cell_info(&info);
	guest_printf("Hello from cell %lu!\n", info.cell_id);
	check(ok, "HV_CALL_CELL_INFO returns 0");

	version = hvc0(HV_CALL_VERSION, 0, 0);
	guest_printf("hypervisor version %lu.%lu\n", version >> 16,
		     version & 0xffff);
	check_eq("HV_CALL_VERSION", version,
		 (uint64_t)HV_VERSION_MAJOR << 16 | HV_VERSION_MINOR);

	guest_printf("cell %lu: vcpu %lu of %lu, %lu cells\n", info.cell_id,
		     info.vcpu_id, info.vcpu_count, info.cell_count);
	guest_printf("memory 0x%lx size 0x%lx\n", info.mem_base, info.mem_size);
	check(info.cell_id < info.cell_count, "cell id < cell count");
	check(info.vcpu_id < info.vcpu_count, "vcpu id < vcpu count");
	/* Only vCPU 0 is started, and it runs this. */
	check(info.vcpu_id == 0, "running on vcpu 0");
	/* Region 0 is where the image was loaded and entered. */
	check(info.mem_size != 0 && (uint64_t)_start >= info.mem_base &&
		      (uint64_t)_start - info.mem_base < info.mem_size,
	      "memory region 0 holds this image");

	written = hv_console_write(console_line, sizeof(console_line) - 1);
	check_eq("HV_CALL_CONSOLE_WRITE returns the length", (uint64_t)written,
		 sizeof(console_line) - 1);

	/* The hypervisor must not read outside the cell's RAM for it. */
	written = hv_console_write((const void *)UINT64_C(0x0a000000), 4);
	check_eq("HV_CALL_CONSOLE_WRITE of unowned memory", (uint64_t)written,
		 (uint64_t)PSCI_RET_INVALID_ADDRESS);

	if (guest_fail_count()) {
		guest_printf("FAIL: %u checks failed\n", guest_fail_count());
		return 1;
	}
	guest_puts("hello: all checks passed\n");
	return 0;
}
