/* SPDX-License-Identifier: MIT */
/*
 * Guest devicetree generator. Validate first (nothing is written for bad
 * params), then emit the tree with libfdt's sequential-write functions
 * through a small writer whose first error sticks, so the emitting code
 * reads as the tree it builds.
 *
 * Property values mirror what QEMU's virt board emits (hw/arm/virt.c) for
 * the same devices, because that is what Linux on "virt" is known to
 * accept: interrupt specifiers are <type number flags> with type 0 = SPI,
 * 1 = PPI (arm,gic-v3 binding), flags 4 = level-high for the timer and the
 * PL011, 1 = edge-rising for virtio-mmio.
 */
#include <libfdt.h>

#include <hv/check.h>
#include <hv/guest_dt.h>
#include <hv/lib.h>
#include <hv/print.h>

/* Interrupt specifier cells (arm,gic-v3 binding, #interrupt-cells = 3). */
#define GIC_SPI 0u
#define GIC_PPI 1u
#define IRQ_TYPE_EDGE_RISING 1u
#define IRQ_TYPE_LEVEL_HIGH 4u

/*
 * Architected timer PPIs as QEMU virt wires them and the Arm BSA/SBSA
 * recommends: secure EL1 physical 13, non-secure EL1 physical 14, virtual
 * 11 (INTID 27), non-secure EL2 physical 10. The arm,armv8-timer binding
 * fixes this order. QEMU reports level-high for virt-2.9 and later (only
 * older machine versions claim edge), and Linux since 4.8 programs them
 * as level regardless.
 */
#define TIMER_PPI_SEC_PHYS 13u
#define TIMER_PPI_PHYS 14u
#define TIMER_PPI_VIRT 11u
#define TIMER_PPI_HYP_PHYS 10u

/* A GIC redistributor and distributor frame must be 64 KiB aligned. */
#define GIC_FRAME_ALIGN UINT64_C(0x10000)

/* Distinct ranges checked for overlap: memory, GICD, GICR, UART, virtio. */
#define RANGES_MAX (GUEST_DT_MAX_MEM + 3u + GUEST_DT_MAX_VIRTIO)

#define NODE_NAME_MAX 48u

struct dt_writer {
	void *fdt;
	int err; /* first libfdt error, 0 while all went well */
};

static void w_begin(struct dt_writer *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

/* Node "<name>@<addr>" with the unit address in lower-case hex, as the
 * devicetree spec (2.2.1) and dtc's unit_address_vs_reg check expect. */
static void w_begin_at(struct dt_writer *w, const char *name, uint64_t addr)
{
	char node[NODE_NAME_MAX];

	hv_snprintf(node, sizeof(node), "%s@%llx", name,
		    (unsigned long long)addr);
	w_begin(w, node);
}

static void w_end(struct dt_writer *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void w_prop(struct dt_writer *w, const char *name, const void *val,
		   size_t len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, (int)len);
}

static void w_empty(struct dt_writer *w, const char *name)
{
	w_prop(w, name, NULL, 0);
}

static void w_u32(struct dt_writer *w, const char *name, uint32_t val)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, val);
}

static void w_u64(struct dt_writer *w, const char *name, uint64_t val)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, val);
}

static void w_str(struct dt_writer *w, const char *name, const char *s)
{
	w_prop(w, name, s, strlen(s) + 1);
}

/* A string list ("a\0b\0"): `len` counts every NUL, the last one too. */
static void w_strlist(struct dt_writer *w, const char *name, const char *s,
		      size_t len)
{
	w_prop(w, name, s, len);
}

/* An array of 32-bit cells, converted to big-endian. */
static void w_cells(struct dt_writer *w, const char *name,
		    const uint32_t *cells, size_t count)
{
	fdt32_t be[12];
	size_t i;

	/* Callers pass fixed arrays of at most 12 cells (the timer). */
	CHECK(count <= HV_ARRAY_SIZE(be));
	if (w->err)
		return;
	for (i = 0; i < count; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	w_prop(w, name, be, count * sizeof(be[0]));
}

/* reg = <base size> pairs with #address-cells = #size-cells = 2. */
static void w_reg2(struct dt_writer *w, const struct guest_dt_range *r,
		   size_t count)
{
	uint32_t cells[8];
	size_t i;

	for (i = 0; i < count && i < 2; i++) {
		cells[4 * i + 0] = (uint32_t)(ipa_addr(r[i].base) >> 32);
		cells[4 * i + 1] = (uint32_t)ipa_addr(r[i].base);
		cells[4 * i + 2] = (uint32_t)(r[i].size >> 32);
		cells[4 * i + 3] = (uint32_t)r[i].size;
	}
	w_cells(w, "reg", cells, 4 * i);
}

static void w_spi(struct dt_writer *w, uint32_t spi, uint32_t type)
{
	const uint32_t cells[3] = {GIC_SPI, spi, type};

	w_cells(w, "interrupts", cells, 3);
}

static bool range_ok(ipa_t base, uint64_t size)
{
	return size != 0 && !hv_range_wraps(ipa_addr(base), size);
}

/* Every check that does not need the tree: see guest_dt_build(). */
static enum hv_err validate(const struct guest_dt_params *p)
{
	struct guest_dt_range r[RANGES_MAX];
	unsigned n = 0, i, j;

	if (p->vcpu_count == 0 || p->vcpu_count > GUEST_DT_MAX_VCPUS ||
	    p->mem_count == 0 || p->mem_count > GUEST_DT_MAX_MEM ||
	    p->virtio_count > GUEST_DT_MAX_VIRTIO)
		return HV_ERR_INVAL;
	if (p->psci_method != GUEST_DT_PSCI_HVC &&
	    p->psci_method != GUEST_DT_PSCI_SMC)
		return HV_ERR_INVAL;

	for (i = 0; i < p->mem_count; i++) {
		if (!range_ok(p->mem[i].base, p->mem[i].size))
			return HV_ERR_INVAL;
		r[n++] = p->mem[i];
	}

	r[n].base = p->gicd_base;
	r[n++].size = GUEST_DT_GICD_SIZE;
	r[n].base = p->gicr_base;
	r[n++].size = p->vcpu_count * GUEST_DT_GICR_STRIDE;
	if (!hv_is_aligned(ipa_addr(p->gicd_base), GIC_FRAME_ALIGN) ||
	    !hv_is_aligned(ipa_addr(p->gicr_base), GIC_FRAME_ALIGN) ||
	    !range_ok(r[n - 2].base, r[n - 2].size) ||
	    !range_ok(r[n - 1].base, r[n - 1].size))
		return HV_ERR_INVAL;

	if (p->has_uart) {
		if (!hv_is_aligned(ipa_addr(p->uart_base), HV_PAGE_SIZE) ||
		    !range_ok(p->uart_base, GUEST_DT_PL011_SIZE) ||
		    p->uart_spi > GUEST_DT_SPI_MAX)
			return HV_ERR_INVAL;
		r[n].base = p->uart_base;
		r[n++].size = GUEST_DT_PL011_SIZE;
	}

	for (i = 0; i < p->virtio_count; i++) {
		const struct guest_dt_virtio *v = &p->virtio[i];

		if (!range_ok(v->base, v->size) || v->spi > GUEST_DT_SPI_MAX)
			return HV_ERR_INVAL;
		/* One line per device: a shared SPI would need the guest
		 * driver to share it, which virtio-mmio does not expect. */
		if (p->has_uart && v->spi == p->uart_spi)
			return HV_ERR_INVAL;
		for (j = 0; j < i; j++)
			if (p->virtio[j].spi == v->spi)
				return HV_ERR_INVAL;
		r[n].base = v->base;
		r[n++].size = v->size;
	}

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (hv_ranges_overlap(ipa_addr(r[i].base), r[i].size,
					      ipa_addr(r[j].base), r[j].size))
				return HV_ERR_OVERLAP;

	if (p->has_initrd) {
		if (!range_ok(p->initrd_start, p->initrd_size))
			return HV_ERR_INVAL;
		for (i = 0; i < p->mem_count; i++)
			if (hv_range_contains(ipa_addr(p->mem[i].base),
					      p->mem[i].size,
					      ipa_addr(p->initrd_start),
					      p->initrd_size))
				break;
		if (i == p->mem_count)
			return HV_ERR_RANGE;
	}
	return HV_OK;
}

static void emit_memory(struct dt_writer *w, const struct guest_dt_params *p)
{
	unsigned i;

	/* One node per region, like QEMU's NUMA layout: each reg stays a
	 * single pair and the unit address names it. */
	for (i = 0; i < p->mem_count; i++) {
		w_begin_at(w, "memory", ipa_addr(p->mem[i].base));
		w_str(w, "device_type", "memory");
		w_reg2(w, &p->mem[i], 1);
		w_end(w);
	}
}

static void emit_cpus(struct dt_writer *w, const struct guest_dt_params *p)
{
	unsigned i;

	w_begin(w, "cpus");
	/* reg of a cpu node is its MPIDR_EL1 affinity (arm/cpus.yaml); with
	 * Aff1..Aff3 zero one cell is enough. */
	w_u32(w, "#address-cells", 1);
	w_u32(w, "#size-cells", 0);
	for (i = 0; i < p->vcpu_count; i++) {
		w_begin_at(w, "cpu", i);
		w_str(w, "device_type", "cpu");
		w_str(w, "compatible", "arm,armv8");
		w_u32(w, "reg", i);
		w_str(w, "enable-method", "psci");
		w_end(w);
	}
	w_end(w);
}

static void emit_psci(struct dt_writer *w, const struct guest_dt_params *p)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	/* PSCI 0.2+ function IDs are fixed by the spec, so no cpu_on & co
	 * properties (those are only for the "arm,psci" 0.1 binding). */
	w_begin(w, "psci");
	w_strlist(w, "compatible", compat, sizeof(compat));
	w_str(w, "method", p->psci_method == GUEST_DT_PSCI_SMC ? "smc" : "hvc");
	w_end(w);
}

static void emit_gic(struct dt_writer *w, const struct guest_dt_params *p)
{
	struct guest_dt_range reg[2] = {
		{p->gicd_base, GUEST_DT_GICD_SIZE},
		{p->gicr_base, p->vcpu_count * GUEST_DT_GICR_STRIDE},
	};

	w_begin_at(w, "interrupt-controller", ipa_addr(p->gicd_base));
	w_str(w, "compatible", "arm,gic-v3");
	w_u32(w, "#interrupt-cells", 3);
	w_empty(w, "interrupt-controller");
	/* Contiguous redistributors for all vCPUs: one region. dtc 1.6
	 * wants #address-cells in every interrupt provider; 0 also states
	 * that interrupt-map entries need no parent unit address. */
	w_u32(w, "#address-cells", 0);
	w_u32(w, "#redistributor-regions", 1);
	w_reg2(w, reg, 2);
	w_u32(w, "phandle", GUEST_DT_PHANDLE_GIC);
	w_end(w);
}

static void emit_timer(struct dt_writer *w)
{
	static const uint32_t irqs[12] = {
		GIC_PPI, TIMER_PPI_SEC_PHYS, IRQ_TYPE_LEVEL_HIGH,
		GIC_PPI, TIMER_PPI_PHYS,     IRQ_TYPE_LEVEL_HIGH,
		GIC_PPI, TIMER_PPI_VIRT,     IRQ_TYPE_LEVEL_HIGH,
		GIC_PPI, TIMER_PPI_HYP_PHYS, IRQ_TYPE_LEVEL_HIGH,
	};

	w_begin(w, "timer");
	w_str(w, "compatible", "arm,armv8-timer");
	w_cells(w, "interrupts", irqs, HV_ARRAY_SIZE(irqs));
	/* The counter keeps running in every state the cell can enter
	 * (CPU_SUSPEND is a WFI here), as on QEMU virt. */
	w_empty(w, "always-on");
	w_end(w);
}

static void emit_uart(struct dt_writer *w, const struct guest_dt_params *p)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clk_names[] = "uartclk\0apb_pclk";
	const uint32_t clocks[2] = {GUEST_DT_PHANDLE_APB_PCLK,
				    GUEST_DT_PHANDLE_APB_PCLK};
	struct guest_dt_range reg = {p->uart_base, GUEST_DT_PL011_SIZE};

	/* The AMBA bus enables "apb_pclk" before reading the PrimeCell ID
	 * registers; without a clock the pl011 driver never probes. */
	w_begin(w, "apb-pclk");
	w_str(w, "compatible", "fixed-clock");
	w_u32(w, "#clock-cells", 0);
	w_u32(w, "clock-frequency", GUEST_DT_APB_PCLK_HZ);
	w_str(w, "clock-output-names", "clk24mhz");
	w_u32(w, "phandle", GUEST_DT_PHANDLE_APB_PCLK);
	w_end(w);

	w_begin_at(w, "serial", ipa_addr(p->uart_base));
	w_strlist(w, "compatible", compat, sizeof(compat));
	w_reg2(w, &reg, 1);
	w_spi(w, p->uart_spi, IRQ_TYPE_LEVEL_HIGH);
	w_cells(w, "clocks", clocks, 2);
	w_strlist(w, "clock-names", clk_names, sizeof(clk_names));
	w_end(w);
}

static void emit_virtio(struct dt_writer *w, const struct guest_dt_params *p)
{
	unsigned i;

	for (i = 0; i < p->virtio_count; i++) {
		const struct guest_dt_virtio *v = &p->virtio[i];
		struct guest_dt_range reg = {v->base, v->size};

		bool virtio = v->compatible == NULL ||
			      strcmp(v->compatible, "virtio,mmio") == 0;

		w_begin_at(w, virtio ? "virtio" : "device", ipa_addr(v->base));
		w_str(w, "compatible", virtio ? "virtio,mmio" : v->compatible);
		w_reg2(w, &reg, 1);
		/* Edge-rising as QEMU virt declares its transports. */
		if (!v->no_irq)
			w_spi(w, v->spi, IRQ_TYPE_EDGE_RISING);
		/* Passthrough devices do DMA into cell RAM that the cell
		 * maps cacheable; coherent on virt and Graviton. */
		w_empty(w, "dma-coherent");
		w_end(w);
	}
}

static void emit_chosen(struct dt_writer *w, const struct guest_dt_params *p,
			const char *uart_path)
{
	w_begin(w, "chosen");
	if (p->bootargs)
		w_str(w, "bootargs", p->bootargs);
	if (p->has_uart)
		w_str(w, "stdout-path", uart_path);
	if (p->has_initrd) {
		/* Linux reads these with of_read_number() on the property
		 * length, so 64-bit values work at any address. The end is
		 * exclusive (chosen.yaml). */
		w_u64(w, "linux,initrd-start", ipa_addr(p->initrd_start));
		w_u64(w, "linux,initrd-end",
		      ipa_addr(p->initrd_start) + p->initrd_size);
	}
	w_end(w);

	if (p->has_uart) {
		w_begin(w, "aliases");
		w_str(w, "serial0", uart_path);
		w_end(w);
	}
}

enum hv_err guest_dt_build(const struct guest_dt_params *p, void *buf,
			   size_t buf_size, size_t *out_size)
{
	struct dt_writer w = {buf, 0};
	char uart_path[NODE_NAME_MAX];
	enum hv_err err;

	if (out_size)
		*out_size = 0;
	if (!p || !out_size || (!buf && buf_size))
		return HV_ERR_INVAL;
	err = validate(p);
	if (err)
		return err;
	/* libfdt sizes are int; larger buffers gain nothing (the DTB a
	 * kernel accepts is at most 2 MiB anyway). */
	if (buf_size > INT32_MAX)
		buf_size = INT32_MAX;
	hv_snprintf(uart_path, sizeof(uart_path), "/serial@%llx",
		    (unsigned long long)ipa_addr(p->uart_base));

	w.err = fdt_create(buf, (int)buf_size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	w_begin(&w, "");
	w_u32(&w, "#address-cells", 2);
	w_u32(&w, "#size-cells", 2);
	w_str(&w, "model", p->model ? p->model : "Cellvisor cell");
	w_str(&w, "compatible",
	      p->compatible ? p->compatible : "cellvisor,cell");
	w_u32(&w, "interrupt-parent", GUEST_DT_PHANDLE_GIC);
	emit_chosen(&w, p, uart_path);
	emit_memory(&w, p);
	emit_cpus(&w, p);
	emit_psci(&w, p);
	emit_gic(&w, p);
	emit_timer(&w);
	if (p->has_uart)
		emit_uart(&w, p);
	emit_virtio(&w, p);
	w_end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);

	if (w.err) {
		/* A partial blob carries the sequential-write magic, not
		 * FDT_MAGIC; clear it anyway so nobody mistakes it. */
		if (buf_size >= sizeof(fdt32_t))
			memset(buf, 0, sizeof(fdt32_t));
		return w.err == -FDT_ERR_NOSPACE ? HV_ERR_NOMEM : HV_ERR_INVAL;
	}
	*out_size = fdt_totalsize(buf);
	return HV_OK;
}
