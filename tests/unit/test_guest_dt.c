/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for guest_dt.c: blobs generated for various cells are read
 * back with libfdt and compared property by property with what Linux and
 * the devicetree bindings expect, then round-tripped through dtc.
 */
/* mkstemp, write, unlink: POSIX, outside strict C11. */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include <hv/guest_dt.h>
#include "check_run.h"

#define BUF_SIZE 8192u
#define RAM_BASE UINT64_C(0x40000000)
#define RAM_SIZE UINT64_C(0x10000000)
#define GICD UINT64_C(0x08000000)
#define GICR UINT64_C(0x080a0000)
#define UART UINT64_C(0x09000000)
#define UART_SPI 1u
#define BOOTARGS "console=ttyAMA0 earlycon root=/dev/vda"

static uint64_t blob_store[BUF_SIZE / 8];
static void *const blob = blob_store;

/* A QEMU-virt-like cell: one RAM region, GICv3, PL011, HVC PSCI. */
static void base_params(struct guest_dt_params *p, unsigned vcpus)
{
	memset(p, 0, sizeof(*p));
	p->mem_count = 1;
	p->mem[0].base = ipa_init(RAM_BASE);
	p->mem[0].size = RAM_SIZE;
	p->vcpu_count = vcpus;
	p->psci_method = GUEST_DT_PSCI_HVC;
	p->gicd_base = ipa_init(GICD);
	p->gicr_base = ipa_init(GICR);
	p->has_uart = true;
	p->uart_base = ipa_init(UART);
	p->uart_spi = UART_SPI;
	p->bootargs = BOOTARGS;
}

/* Adds an initrd and two virtio-mmio transports. */
static void full_params(struct guest_dt_params *p, unsigned vcpus)
{
	base_params(p, vcpus);
	p->mem_count = 2;
	p->mem[1].base = ipa_init(UINT64_C(0x100000000));
	p->mem[1].size = UINT64_C(0x80000000);
	p->has_initrd = true;
	p->initrd_start = ipa_init(RAM_BASE + 0x4000000);
	p->initrd_size = 0x123456;
	p->virtio_count = 2;
	p->virtio[0].base = ipa_init(0x0a000000);
	p->virtio[0].size = 0x200;
	p->virtio[0].spi = 16;
	p->virtio[1].base = ipa_init(0x0a000200);
	p->virtio[1].size = 0x200;
	p->virtio[1].spi = 17;
}

static size_t build(const struct guest_dt_params *p)
{
	size_t size = 0;
	enum hv_err err;

	memset(blob_store, 0xa5, sizeof(blob_store));
	err = guest_dt_build(p, blob, BUF_SIZE, &size);
	ck_assert_msg(err == HV_OK, "guest_dt_build: %s", hv_err_str(err));
	ck_assert_int_eq(fdt_check_header(blob), 0);
	ck_assert_uint_eq(fdt_totalsize(blob), size);
	return size;
}

static int node(const char *path)
{
	int off = fdt_path_offset(blob, path);

	ck_assert_msg(off >= 0, "node %s missing: %s", path, fdt_strerror(off));
	return off;
}

static const void *prop(const char *path, const char *name, int *len)
{
	const void *v = fdt_getprop(blob, node(path), name, len);

	ck_assert_msg(v != NULL, "%s:%s missing", path, name);
	return v;
}

static bool has_prop(const char *path, const char *name)
{
	return fdt_getprop(blob, node(path), name, NULL) != NULL;
}

/* Asserts that path:name is exactly the `count` cells given. */
static void expect_cells(const char *path, const char *name,
			 const uint32_t *want, int count)
{
	int len, i;
	const fdt32_t *v = prop(path, name, &len);

	ck_assert_msg(len == count * 4, "%s:%s has %d bytes, want %d", path,
		      name, len, count * 4);
	for (i = 0; i < count; i++)
		ck_assert_msg(fdt32_to_cpu(v[i]) == want[i],
			      "%s:%s cell %d = 0x%x, want 0x%x", path, name, i,
			      fdt32_to_cpu(v[i]), want[i]);
}

static void expect_u32(const char *path, const char *name, uint32_t want)
{
	expect_cells(path, name, &want, 1);
}

static void expect_u64(const char *path, const char *name, uint64_t want)
{
	int len;
	const fdt64_t *v = prop(path, name, &len);

	ck_assert_int_eq(len, 8);
	ck_assert_uint_eq(fdt64_ld(v), want);
}

static void expect_str(const char *path, const char *name, const char *want)
{
	int len;
	const char *v = prop(path, name, &len);

	ck_assert_int_eq(len, (int)strlen(want) + 1);
	ck_assert_str_eq(v, want);
}

/* A string list compared byte for byte, the NULs included. */
static void expect_bytes(const char *path, const char *name, const void *want,
			 int want_len)
{
	int len;
	const void *v = prop(path, name, &len);

	ck_assert_int_eq(len, want_len);
	ck_assert_int_eq(memcmp(v, want, (size_t)len), 0);
}

/* The root has 2-cell addressing, defaulted model/compatible and the GIC
 * (found by its phandle) as interrupt-parent. */
START_TEST(test_root)
{
	struct guest_dt_params p;
	int gic;

	base_params(&p, 1);
	build(&p);
	expect_u32("/", "#address-cells", 2);
	expect_u32("/", "#size-cells", 2);
	expect_str("/", "model", "Cellvisor cell");
	expect_str("/", "compatible", "cellvisor,cell");
	expect_u32("/", "interrupt-parent", GUEST_DT_PHANDLE_GIC);
	gic = fdt_node_offset_by_phandle(blob, GUEST_DT_PHANDLE_GIC);
	ck_assert_int_eq(gic, node("/interrupt-controller@8000000"));
	ck_assert_int_eq(fdt_num_mem_rsv(blob), 0);

	p.model = "acme,board";
	p.compatible = "acme,cell";
	build(&p);
	expect_str("/", "model", "acme,board");
	expect_str("/", "compatible", "acme,cell");
}
END_TEST

/* Each memory region becomes memory@<base> with its exact 64-bit reg. */
START_TEST(test_memory)
{
	struct guest_dt_params p;
	const uint32_t r0[] = {0, 0x40000000, 0, 0x10000000};
	const uint32_t r1[] = {1, 0, 0, 0x80000000};

	full_params(&p, 2);
	build(&p);
	expect_str("/memory@40000000", "device_type", "memory");
	expect_cells("/memory@40000000", "reg", r0, 4);
	expect_str("/memory@100000000", "device_type", "memory");
	expect_cells("/memory@100000000", "reg", r1, 4);

	base_params(&p, 1);
	build(&p);
	ck_assert_int_lt(fdt_path_offset(blob, "/memory@100000000"), 0);
}
END_TEST

/* There is exactly one cpu@N per vCPU, reg = N (MPIDR Aff0), PSCI enabled. */
START_TEST(test_cpus)
{
	struct guest_dt_params p;
	unsigned n = (unsigned)_i, i;
	char path[32];
	int off, count = 0;

	base_params(&p, n);
	build(&p);
	expect_u32("/cpus", "#address-cells", 1);
	expect_u32("/cpus", "#size-cells", 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		expect_u32(path, "reg", i);
		expect_str(path, "device_type", "cpu");
		expect_str(path, "compatible", "arm,armv8");
		expect_str(path, "enable-method", "psci");
	}
	fdt_for_each_subnode(off, blob, node("/cpus")) count++;
	ck_assert_int_eq(count, (int)n);
}
END_TEST

/* The GICv3 node has the distributor then one 128 KiB redistributor per
 * vCPU in reg, three interrupt cells and phandle 1. */
START_TEST(test_gic)
{
	struct guest_dt_params p;
	unsigned n = (unsigned)_i;
	const char *gic = "/interrupt-controller@8000000";
	const uint32_t reg[] = {0, 0x08000000, 0, 0x10000,
				0, 0x080a0000, 0, 0x20000 * n};
	int len;

	base_params(&p, n);
	build(&p);
	expect_str(gic, "compatible", "arm,gic-v3");
	expect_u32(gic, "#interrupt-cells", 3);
	prop(gic, "interrupt-controller", &len);
	ck_assert_int_eq(len, 0);
	expect_cells(gic, "reg", reg, 8);
	expect_u32(gic, "#redistributor-regions", 1);
	expect_u32(gic, "phandle", GUEST_DT_PHANDLE_GIC);
}
END_TEST

/* The timer lists the secure, non-secure, virtual and hyp PPIs (13, 14,
 * 11, 10) level-high, exactly as QEMU virt does, and is always-on. */
START_TEST(test_timer)
{
	struct guest_dt_params p;
	const uint32_t irqs[] = {1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4};
	int len;

	base_params(&p, 2);
	build(&p);
	expect_str("/timer", "compatible", "arm,armv8-timer");
	expect_cells("/timer", "interrupts", irqs, 12);
	/* PPI 11 is INTID 16 + 11 = 27, the vtimer the core injects. */
	ck_assert_uint_eq(16 + irqs[7], 27);
	prop("/timer", "always-on", &len);
	ck_assert_int_eq(len, 0);
}
END_TEST

/* The psci node advertises PSCI 1.0 and 0.2 and the configured conduit. */
START_TEST(test_psci)
{
	struct guest_dt_params p;
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	base_params(&p, 1);
	build(&p);
	expect_bytes("/psci", "compatible", compat, sizeof(compat));
	expect_str("/psci", "method", "hvc");
	ck_assert(!has_prop("/psci", "cpu_on"));

	p.psci_method = GUEST_DT_PSCI_SMC;
	build(&p);
	expect_str("/psci", "method", "smc");
}
END_TEST

/* The PL011 is an AMBA primecell with its SPI and both clocks pointing at
 * a 24 MHz fixed clock; stdout-path and serial0 name it. */
START_TEST(test_uart)
{
	struct guest_dt_params p;
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char names[] = "uartclk\0apb_pclk";
	const uint32_t reg[] = {0, 0x09000000, 0, 0x1000};
	const uint32_t irq[] = {0, UART_SPI, 4};
	const uint32_t clocks[] = {2, 2};
	const char *uart = "/serial@9000000";
	int len, clk;

	base_params(&p, 1);
	build(&p);
	expect_bytes(uart, "compatible", compat, sizeof(compat));
	expect_cells(uart, "reg", reg, 4);
	expect_cells(uart, "interrupts", irq, 3);
	expect_cells(uart, "clocks", clocks, 2);
	expect_bytes(uart, "clock-names", names, sizeof(names));

	clk = fdt_node_offset_by_phandle(blob, GUEST_DT_PHANDLE_APB_PCLK);
	ck_assert_int_eq(clk, node("/apb-pclk"));
	expect_str("/apb-pclk", "compatible", "fixed-clock");
	expect_u32("/apb-pclk", "clock-frequency", 24000000);
	expect_u32("/apb-pclk", "#clock-cells", 0);

	expect_str("/chosen", "stdout-path", uart);
	expect_str("/aliases", "serial0", uart);
	ck_assert_int_eq(fdt_path_offset(blob,
					 prop("/chosen", "stdout-path", &len)),
			 node(uart));
}
END_TEST

/* Without a UART there is no serial, clock, stdout-path or alias. */
START_TEST(test_no_uart)
{
	struct guest_dt_params p;

	base_params(&p, 1);
	p.has_uart = false;
	build(&p);
	ck_assert_int_lt(fdt_path_offset(blob, "/serial@9000000"), 0);
	ck_assert_int_lt(fdt_path_offset(blob, "/apb-pclk"), 0);
	ck_assert_int_lt(fdt_path_offset(blob, "/aliases"), 0);
	ck_assert(!has_prop("/chosen", "stdout-path"));
	expect_str("/chosen", "bootargs", BOOTARGS);
}
END_TEST

/* /chosen carries bootargs and a 64-bit initrd range whose end is
 * exclusive; both are absent when not asked for. */
START_TEST(test_chosen)
{
	struct guest_dt_params p;

	full_params(&p, 1);
	p.initrd_start = ipa_init(UINT64_C(0x100001000));
	build(&p);
	expect_str("/chosen", "bootargs", BOOTARGS);
	expect_u64("/chosen", "linux,initrd-start", UINT64_C(0x100001000));
	expect_u64("/chosen", "linux,initrd-end",
		   UINT64_C(0x100001000) + 0x123456);

	base_params(&p, 1);
	p.bootargs = NULL;
	build(&p);
	ck_assert(!has_prop("/chosen", "bootargs"));
	ck_assert(!has_prop("/chosen", "linux,initrd-start"));
	ck_assert(!has_prop("/chosen", "linux,initrd-end"));
}
END_TEST

/* Each virtio transport is virtio,mmio with its reg, its SPI edge-rising
 * (as QEMU declares them) and dma-coherent. */
START_TEST(test_virtio)
{
	struct guest_dt_params p;
	const uint32_t reg0[] = {0, 0x0a000000, 0, 0x200};
	const uint32_t irq1[] = {0, 17, 1};
	int len;

	full_params(&p, 2);
	build(&p);
	expect_str("/virtio@a000000", "compatible", "virtio,mmio");
	expect_cells("/virtio@a000000", "reg", reg0, 4);
	prop("/virtio@a000000", "dma-coherent", &len);
	ck_assert_int_eq(len, 0);
	expect_cells("/virtio@a000200", "interrupts", irq1, 3);

	base_params(&p, 2);
	build(&p);
	ck_assert_int_lt(fdt_path_offset(blob, "/virtio@a000000"), 0);
}
END_TEST

/* dtc decompiles every variant with exit status 0 and not one warning
 * (its checks cover interrupt specifiers, clocks, unit addresses, phandle
 * references and cpu nodes). */
START_TEST(test_dtc_roundtrip)
{
	struct guest_dt_params p;
	char dtb_path[] = "/tmp/guest_dt_XXXXXX";
	char err_path[64], cmd[256];
	FILE *f;
	size_t size;
	long err_len;
	int fd, rc;

	if (system("command -v dtc >/dev/null 2>&1") != 0) {
		printf("SKIP test_dtc_roundtrip: dtc not installed "
		       "(Debian package device-tree-compiler)\n");
		return;
	}
	switch (_i) {
	case 0:
		base_params(&p, 1);
		break;
	case 1:
		full_params(&p, 2);
		break;
	case 2:
		full_params(&p, GUEST_DT_MAX_VCPUS);
		p.has_uart = false;
		p.psci_method = GUEST_DT_PSCI_SMC;
		break;
	default:
		base_params(&p, 1);
		p.mem[0].base = ipa_init(UINT64_C(0x8000000000));
		p.bootargs = "";
		break;
	}
	size = build(&p);

	fd = mkstemp(dtb_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, blob, size), (ssize_t)size);
	close(fd);
	snprintf(err_path, sizeof(err_path), "%s.err", dtb_path);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o /dev/null %s 2>%s",
		 dtb_path, err_path);
	rc = system(cmd);

	f = fopen(err_path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	err_len = ftell(f);
	if (err_len > 0) {
		char text[1024] = {0};

		fseek(f, 0, SEEK_SET);
		ck_assert_uint_gt(fread(text, 1, sizeof(text) - 1, f), 0);
		fclose(f);
		unlink(dtb_path);
		unlink(err_path);
		ck_abort_msg("dtc complained (variant %d):\n%s", _i, text);
	}
	fclose(f);
	unlink(dtb_path);
	unlink(err_path);
	ck_assert_int_eq(rc, 0);
}
END_TEST

/* Every buffer size below the blob's size gives HV_ERR_NOMEM, out_size 0
 * and no valid header; the exact size succeeds. */
START_TEST(test_nomem_every_size)
{
	struct guest_dt_params p;
	size_t need, s, out;
	enum hv_err err;

	full_params(&p, 2);
	need = build(&p);
	for (s = 0; s < need; s++) {
		/* Exactly s bytes, so a sanitizer sees any overrun. */
		uint8_t *b = malloc(s ? s : 1);

		ck_assert_ptr_nonnull(b);
		memset(b, 0xd0, s);
		out = 12345;
		err = guest_dt_build(&p, s ? b : NULL, s, &out);
		ck_assert_msg(err == HV_ERR_NOMEM, "size %zu: %s", s,
			      hv_err_str(err));
		ck_assert_uint_eq(out, 0);
		if (s >= 4)
			ck_assert_int_ne(fdt_magic(b), FDT_MAGIC);
		free(b);
	}
	{
		uint8_t *b = malloc(need);

		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(guest_dt_build(&p, b, need, &out), HV_OK);
		ck_assert_uint_eq(out, need);
		ck_assert_int_eq(memcmp(b, blob, need), 0);
		free(b);
	}
}
END_TEST

/* One inconsistent parameter set per entry, with the error it must get. */
struct bad_case {
	const char *what;
	void (*mutate)(struct guest_dt_params *p);
	enum hv_err want;
};

static void no_vcpu(struct guest_dt_params *p)
{
	p->vcpu_count = 0;
}
static void many_vcpus(struct guest_dt_params *p)
{
	p->vcpu_count = GUEST_DT_MAX_VCPUS + 1;
}
static void no_mem(struct guest_dt_params *p)
{
	p->mem_count = 0;
}
static void many_mem(struct guest_dt_params *p)
{
	p->mem_count = GUEST_DT_MAX_MEM + 1;
}
static void mem_zero(struct guest_dt_params *p)
{
	p->mem[1].size = 0;
}
static void mem_wrap(struct guest_dt_params *p)
{
	p->mem[1].base = ipa_init(UINT64_C(0xfffffffff0000000));
	p->mem[1].size = UINT64_C(0x20000000);
}
static void mem_overlap(struct guest_dt_params *p)
{
	p->mem[1].base = ipa_init(RAM_BASE + RAM_SIZE - 1);
}
static void bad_psci(struct guest_dt_params *p)
{
	p->psci_method = (enum guest_dt_psci_method)7;
}
static void gicd_misaligned(struct guest_dt_params *p)
{
	p->gicd_base = ipa_init(GICD + 0x1000);
}
static void gicr_misaligned(struct guest_dt_params *p)
{
	p->gicr_base = ipa_init(GICR + 0x8000);
}
static void gicr_wrap(struct guest_dt_params *p)
{
	p->gicr_base = ipa_init(UINT64_C(0xffffffffffff0000));
}
static void gicr_over_gicd(struct guest_dt_params *p)
{
	p->gicr_base = ipa_init(GICD);
}
static void gicr_over_uart(struct guest_dt_params *p)
{
	/* 8 vCPUs: 1 MiB of redistributors reaches 0x09000000. */
	p->vcpu_count = 8;
	p->gicr_base = ipa_init(UART - 0x80000);
}
static void gic_in_ram(struct guest_dt_params *p)
{
	p->gicd_base = ipa_init(RAM_BASE + 0x10000);
}
static void uart_misaligned(struct guest_dt_params *p)
{
	p->uart_base = ipa_init(UART + 0x800);
}
static void uart_spi_big(struct guest_dt_params *p)
{
	p->uart_spi = GUEST_DT_SPI_MAX + 1;
}
static void many_virtio(struct guest_dt_params *p)
{
	p->virtio_count = GUEST_DT_MAX_VIRTIO + 1;
}
static void virtio_zero(struct guest_dt_params *p)
{
	p->virtio[1].size = 0;
}
static void virtio_spi_big(struct guest_dt_params *p)
{
	p->virtio[0].spi = 988;
}
static void virtio_spi_uart(struct guest_dt_params *p)
{
	p->virtio[1].spi = UART_SPI;
}
static void virtio_spi_twice(struct guest_dt_params *p)
{
	p->virtio[1].spi = p->virtio[0].spi;
}
static void virtio_overlap(struct guest_dt_params *p)
{
	p->virtio[1].base = ipa_init(0x0a0001f0);
}
static void virtio_on_uart(struct guest_dt_params *p)
{
	p->virtio[0].base = ipa_init(UART + 0xf00);
}
static void initrd_zero(struct guest_dt_params *p)
{
	p->initrd_size = 0;
}
static void initrd_wrap(struct guest_dt_params *p)
{
	p->initrd_start = ipa_init(UINT64_C(0xfffffffffffff000));
	p->initrd_size = 0x2000;
}
static void initrd_outside(struct guest_dt_params *p)
{
	p->initrd_start = ipa_init(0x20000000);
}
static void initrd_straddles(struct guest_dt_params *p)
{
	p->initrd_start = ipa_init(RAM_BASE + RAM_SIZE - 0x1000);
}

static const struct bad_case bad_cases[] = {
	{"no vCPU", no_vcpu, HV_ERR_INVAL},
	{"too many vCPUs", many_vcpus, HV_ERR_INVAL},
	{"no memory", no_mem, HV_ERR_INVAL},
	{"too many memory regions", many_mem, HV_ERR_INVAL},
	{"empty memory region", mem_zero, HV_ERR_INVAL},
	{"memory wraps", mem_wrap, HV_ERR_INVAL},
	{"memory overlaps memory", mem_overlap, HV_ERR_OVERLAP},
	{"unknown PSCI method", bad_psci, HV_ERR_INVAL},
	{"GICD misaligned", gicd_misaligned, HV_ERR_INVAL},
	{"GICR misaligned", gicr_misaligned, HV_ERR_INVAL},
	{"GICR wraps", gicr_wrap, HV_ERR_INVAL},
	{"GICR on GICD", gicr_over_gicd, HV_ERR_OVERLAP},
	{"GICR reaches UART", gicr_over_uart, HV_ERR_OVERLAP},
	{"GICD in RAM", gic_in_ram, HV_ERR_OVERLAP},
	{"UART misaligned", uart_misaligned, HV_ERR_INVAL},
	{"UART SPI too big", uart_spi_big, HV_ERR_INVAL},
	{"too many virtio", many_virtio, HV_ERR_INVAL},
	{"empty virtio", virtio_zero, HV_ERR_INVAL},
	{"virtio SPI too big", virtio_spi_big, HV_ERR_INVAL},
	{"virtio SPI = UART SPI", virtio_spi_uart, HV_ERR_INVAL},
	{"virtio SPI twice", virtio_spi_twice, HV_ERR_INVAL},
	{"virtio overlaps virtio", virtio_overlap, HV_ERR_OVERLAP},
	{"virtio on UART", virtio_on_uart, HV_ERR_OVERLAP},
	{"empty initrd", initrd_zero, HV_ERR_INVAL},
	{"initrd wraps", initrd_wrap, HV_ERR_INVAL},
	{"initrd outside RAM", initrd_outside, HV_ERR_RANGE},
	{"initrd past RAM end", initrd_straddles, HV_ERR_RANGE},
};

/* Each inconsistent parameter set is refused with its error, out_size 0
 * and nothing that looks like a blob in the buffer. */
START_TEST(test_invalid_params)
{
	const struct bad_case *c = &bad_cases[_i];
	struct guest_dt_params p;
	size_t out = 99;
	enum hv_err err;

	full_params(&p, 2);
	c->mutate(&p);
	memset(blob_store, 0, sizeof(blob_store));
	err = guest_dt_build(&p, blob, BUF_SIZE, &out);
	ck_assert_msg(err == c->want, "%s: got %s, want %s", c->what,
		      hv_err_str(err), hv_err_str(c->want));
	ck_assert_uint_eq(out, 0);
	ck_assert_int_ne(fdt_magic(blob), FDT_MAGIC);
}
END_TEST

/* NULL params, NULL out_size and a NULL buffer with a size are refused. */
START_TEST(test_null_args)
{
	struct guest_dt_params p;
	size_t out = 7;

	base_params(&p, 1);
	ck_assert_int_eq(guest_dt_build(NULL, blob, BUF_SIZE, &out),
			 HV_ERR_INVAL);
	ck_assert_uint_eq(out, 0);
	ck_assert_int_eq(guest_dt_build(&p, blob, BUF_SIZE, NULL),
			 HV_ERR_INVAL);
	ck_assert_int_eq(guest_dt_build(&p, NULL, BUF_SIZE, &out),
			 HV_ERR_INVAL);
}
END_TEST

/* Same params give byte-identical blobs whatever the buffers held before;
 * a changed parameter changes the bytes. */
START_TEST(test_deterministic)
{
	struct guest_dt_params p;
	static uint64_t other[BUF_SIZE / 8];
	size_t a, b;

	full_params(&p, 2);
	a = build(&p);
	memset(other, 0x3c, sizeof(other));
	ck_assert_int_eq(guest_dt_build(&p, other, sizeof(other), &b), HV_OK);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(memcmp(blob, other, a), 0);

	p.initrd_size++;
	ck_assert_int_eq(guest_dt_build(&p, other, sizeof(other), &b), HV_OK);
	ck_assert_uint_eq(a, b);
	ck_assert_int_ne(memcmp(blob, other, a), 0);
}
END_TEST

static Suite *guest_dt_suite(void)
{
	Suite *s = suite_create("guest_dt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_memory);
	tcase_add_loop_test(tc, test_cpus, 1, GUEST_DT_MAX_VCPUS + 1);
	tcase_add_loop_test(tc, test_gic, 1, 3);
	tcase_add_test(tc, test_timer);
	tcase_add_test(tc, test_psci);
	tcase_add_test(tc, test_uart);
	tcase_add_test(tc, test_no_uart);
	tcase_add_test(tc, test_chosen);
	tcase_add_test(tc, test_virtio);
	tcase_add_loop_test(tc, test_dtc_roundtrip, 0, 4);
	tcase_add_test(tc, test_nomem_every_size);
	tcase_add_loop_test(tc, test_invalid_params, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_null_args);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void);

int main(void)
{
	return check_run(guest_dt_suite());
}
