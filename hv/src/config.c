/* SPDX-License-Identifier: MIT */
/*
 * Configuration parser and validator. The blob comes from outside the
 * hypervisor (a file on the simulator, the boot bundle on bare metal), so
 * every byte of it is treated as hostile: the whole structure is checked
 * with fdt_check_full() before any lookup, every property length is checked
 * before it is read, and every value is range-checked before it is stored.
 *
 * Parsing writes straight into the caller's struct hv_config (it is too big
 * for an EL2 stack) but nothing else: on any error the struct is zeroed
 * again, so a caller can never act on half a configuration.
 *
 * docs/config.md is the reference for the format and lists every rule
 * checked here.
 */
#include <libfdt.h>

#include <hal/platform.h>
#include <hv/boot.h>
#include <hv/config.h>
#include <hv/pledge.h>
#include <hv/print.h>

#define CONFIG_COMPATIBLE "cellvisor,config"
#define CONFIG_IPA_BITS_DEFAULT 40u
#define CONFIG_IPA_BITS_MIN 32u
#define CONFIG_IPA_BITS_MAX 48u
/* An emulated PL011 occupies one 4 KiB page of the cell's IPA space. */
#define CONFIG_CONSOLE_SIZE HV_PAGE_SIZE
/* Longest piece of a name taken from the blob that is put in a message. */
#define CONFIG_SHOWN_NAME 40u

/* Parsing state: the blob, where results go, and the node being read. */
struct config_ctx {
	const void *fdt;
	size_t fdt_size; /* totalsize, already checked against the buffer */
	struct hv_config *cfg;
	struct hv_config_error *err;
	char path[96]; /* "/cells/<name>[/devices/<name>]" being read */
};

/* The properties a node may carry; anything else is a typo or a feature
 * this version does not have, and silently ignoring either is worse. */
struct config_props {
	const char *const *names;
	size_t count;
	const char *list; /* the same, for the error message */
};

static const char *const root_prop_names[] = {
	"compatible",
	"model",
	"#address-cells",
	"#size-cells",
};
static const struct config_props root_props = {
	root_prop_names,
	HV_ARRAY_SIZE(root_prop_names),
	"compatible, model, #address-cells, #size-cells",
};

static const char *const platform_prop_names[] = {
	"cpus", "memory", "hypervisor-memory", "console", "ipa-bits",
};
static const struct config_props platform_props = {
	platform_prop_names,
	HV_ARRAY_SIZE(platform_prop_names),
	"cpus, memory, hypervisor-memory, console, ipa-bits",
};

static const char *const cells_prop_names[] = {
	"#address-cells",
	"#size-cells",
};
static const struct config_props cells_props = {
	cells_prop_names,
	HV_ARRAY_SIZE(cells_prop_names),
	"#address-cells, #size-cells",
};

static const char *const cell_prop_names[] = {
	"cpus",
	"memory",
	"memory-access",
	"image",
	"load-address",
	"entry",
	"console",
	"fault-policy",
	"gic-distributor",
	"gic-redistributors",
	"wfi",
	"kernel",
	"initrd",
	"bootargs",
	"boot-arg",
	"capabilities",
};
static const struct config_props cell_props = {
	cell_prop_names,
	HV_ARRAY_SIZE(cell_prop_names),
	"cpus, memory, memory-access, image, load-address, entry, console, "
	"fault-policy, gic-distributor, gic-redistributors, wfi, kernel, "
	"initrd, bootargs, boot-arg, capabilities",
};

static void config_fail_msg(struct config_ctx *c, const char *prop,
			    const char *fmt, ...) HV_PRINTF(3, 4);

/*
 * Formats "<node path>: <prop>: <reason>" (or "<node path>: <reason>" when
 * prop is NULL) into the caller's error and returns `code`, so that every
 * rejection is one statement. A macro so that static analyzers, which do
 * not follow calls into variadic functions, see that `code` is returned
 * (docs/analysis.md).
 */
#define config_fail(c, code, prop, ...) \
	(config_fail_msg((c), (prop), __VA_ARGS__), (enum hv_err)(code))

static void config_fail_msg(struct config_ctx *c, const char *prop,
			    const char *fmt, ...)
{
	char *msg = c->err->msg;
	size_t cap = sizeof(c->err->msg);
	va_list ap;
	int n;

	if (prop)
		n = hv_snprintf(msg, cap, "%s: %s: ", c->path, prop);
	else
		n = hv_snprintf(msg, cap, "%s: ", c->path);
	if (n >= 0 && (size_t)n < cap) {
		va_start(ap, fmt);
		(void)hv_vsnprintf(msg + n, cap - (size_t)n, fmt, ap);
		va_end(ap);
	}
}

static bool config_name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
}

static bool config_printable(char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

/*
 * Copies at most `len` bytes of a blob-supplied name into dst (size `cap`),
 * replacing unprintable bytes with '?' and cutting long names, so that a
 * crafted blob cannot put control characters or a huge string into a
 * console message.
 */
static void config_show(char *dst, size_t cap, const char *src, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && src[i] != '\0' && n + 1 < cap; i++) {
		if (i == CONFIG_SHOWN_NAME) {
			for (unsigned k = 0; k < 3 && n + 1 < cap; k++)
				dst[n++] = '.';
			break;
		}
		dst[n++] = config_printable(src[i]) ? src[i] : '?';
	}
	dst[n] = '\0';
}

/* Sets the node path used as the prefix of messages. */
static void config_set_path(struct config_ctx *c, const char *prefix,
			    const char *name, size_t name_len)
{
	char shown[CONFIG_SHOWN_NAME + 4];

	config_show(shown, sizeof(shown), name, name_len);
	(void)hv_snprintf(c->path, sizeof(c->path), "%s%s", prefix, shown);
}

static uint64_t config_u64(const uint8_t *p, size_t cell)
{
	const fdt32_t *v = (const fdt32_t *)(const void *)p;

	return ((uint64_t)fdt32_ld(&v[cell]) << 32) | fdt32_ld(&v[cell + 1]);
}

static uint32_t config_u32(const uint8_t *p, size_t cell)
{
	const fdt32_t *v = (const fdt32_t *)(const void *)p;

	return fdt32_ld(&v[cell]);
}

/*
 * Looks `name` up in `node`: *data is NULL when the property is absent.
 * fdt_check_full() has already validated every property, so the bounds
 * check here is a second line of defence against a libfdt that trusts the
 * blob more than it should.
 */
static enum hv_err config_prop(struct config_ctx *c, int node, const char *name,
			       const uint8_t **data, size_t *len)
{
	const uint8_t *base = c->fdt;
	const uint8_t *p;
	size_t off;
	int l;

	*data = NULL;
	*len = 0;
	p = fdt_getprop(c->fdt, node, name, &l);
	if (!p) {
		if (l == -FDT_ERR_NOTFOUND)
			return HV_OK;
		return config_fail(c, HV_ERR_INVAL, name, "unreadable (%s)",
				   fdt_strerror(l));
	}
	if (l < 0 || p < base || (size_t)(p - base) > c->fdt_size)
		return config_fail(c, HV_ERR_INVAL, name, "outside the blob");
	off = (size_t)(p - base);
	if ((size_t)l > c->fdt_size - off)
		return config_fail(c, HV_ERR_INVAL, name, "outside the blob");
	*data = p;
	*len = (size_t)l;
	return HV_OK;
}

/*
 * Reads a property of exactly `count` 32-bit cells. A missing property is
 * an error when `required`; otherwise *data stays NULL.
 */
static enum hv_err config_cells(struct config_ctx *c, int node,
				const char *name, size_t count,
				const char *what, bool required,
				const uint8_t **data)
{
	enum hv_err ret;
	size_t len;

	ret = config_prop(c, node, name, data, &len);
	if (ret)
		return ret;
	if (!*data) {
		if (required)
			return config_fail(c, HV_ERR_INVAL, name,
					   "missing (expected %zu cell%s: %s)",
					   count, count == 1 ? "" : "s", what);
		return HV_OK;
	}
	if (len % 4 != 0)
		return config_fail(c, HV_ERR_INVAL, name,
				   "expected %zu cell%s (%s), got %zu bytes",
				   count, count == 1 ? "" : "s", what, len);
	if (len / 4 != count)
		return config_fail(c, HV_ERR_INVAL, name,
				   "expected %zu cell%s (%s), got %zu", count,
				   count == 1 ? "" : "s", what, len / 4);
	return HV_OK;
}

/*
 * Reads a list of `unit`-cell entries (1..max of them) into *data and
 * *entries. Absent: *data NULL, HV_OK; the caller words the "missing"
 * message because only it knows why the property is needed.
 */
static enum hv_err config_list(struct config_ctx *c, int node, const char *name,
			       size_t unit, size_t max, const char *what,
			       const uint8_t **data, size_t *entries)
{
	enum hv_err ret;
	size_t len;

	*entries = 0;
	ret = config_prop(c, node, name, data, &len);
	if (ret || !*data)
		return ret;
	if (len % 4 != 0)
		return config_fail(
			c, HV_ERR_INVAL, name,
			"expected a multiple of %zu cell%s (%s), got %zu bytes",
			unit, unit == 1 ? "" : "s", what, len);
	if ((len / 4) % unit != 0)
		return config_fail(
			c, HV_ERR_INVAL, name,
			"expected a multiple of %zu cell%s (%s), got %zu", unit,
			unit == 1 ? "" : "s", what, len / 4);
	if (len == 0)
		return config_fail(c, HV_ERR_INVAL, name, "empty (expected %s)",
				   what);
	*entries = len / 4 / unit;
	if (*entries > max)
		return config_fail(c, HV_ERR_INVAL, name,
				   "%zu entries, at most %zu allowed", *entries,
				   max);
	return HV_OK;
}

/*
 * Reads a property holding one printable string (NUL-terminated, no NUL
 * inside, not empty, shorter than `cap`). Absent: *s NULL, HV_OK.
 */
static enum hv_err config_string(struct config_ctx *c, int node,
				 const char *name, size_t cap, const char **s)
{
	const uint8_t *p;
	enum hv_err ret;
	size_t len;

	*s = NULL;
	ret = config_prop(c, node, name, &p, &len);
	if (ret || !p)
		return ret;
	if (len == 0 || p[len - 1] != '\0')
		return config_fail(c, HV_ERR_INVAL, name,
				   "not a NUL-terminated string");
	if (len == 1)
		return config_fail(c, HV_ERR_INVAL, name, "empty string");
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] == '\0')
			return config_fail(c, HV_ERR_INVAL, name,
					   "expected one string, got several");
		if (!config_printable((char)p[i]))
			return config_fail(c, HV_ERR_INVAL, name,
					   "unprintable character in string");
	}
	if (len > cap)
		return config_fail(
			c, HV_ERR_INVAL, name,
			"string too long (%zu characters, at most %zu)",
			len - 1, cap - 1);
	*s = (const char *)p;
	return HV_OK;
}

static bool config_streq(const char *a, const char *b)
{
	return __builtin_strcmp(a, b) == 0;
}

/* Rejects properties of `node` not in `known`, and any property given
 * twice (a crafted blob can do that; fdt_getprop would see only one). */
static enum hv_err config_check_props(struct config_ctx *c, int node,
				      const struct config_props *known)
{
	char shown[CONFIG_SHOWN_NAME + 4];
	uint32_t seen = 0;
	int off;

	fdt_for_each_property_offset(off, c->fdt, node)
	{
		const char *name;
		size_t i;
		int len;

		if (!fdt_getprop_by_offset(c->fdt, off, &name, &len))
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "unreadable property (%s)",
					   fdt_strerror(len));
		/* dtc may add these itself; they carry no configuration. */
		if (config_streq(name, "name") ||
		    config_streq(name, "phandle") ||
		    config_streq(name, "linux,phandle"))
			continue;
		for (i = 0; i < known->count; i++) {
			if (config_streq(name, known->names[i]))
				break;
		}
		config_show(shown, sizeof(shown), name, HV_PATH_MAX);
		if (i == known->count)
			return config_fail(c, HV_ERR_INVAL, shown,
					   "unknown property (known: %s)",
					   known->list);
		if (seen & (UINT32_C(1) << i))
			return config_fail(c, HV_ERR_INVAL, shown,
					   "given twice");
		seen |= UINT32_C(1) << i;
	}
	if (off != -FDT_ERR_NOTFOUND)
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "unreadable property (%s)",
				   fdt_strerror(off));
	return HV_OK;
}

/* Platform and cell nodes are leaves: a subnode is a mistake. */
static enum hv_err config_check_leaf(struct config_ctx *c, int node)
{
	char shown[CONFIG_SHOWN_NAME + 4];
	const char *name;
	int sub, len;

	sub = fdt_first_subnode(c->fdt, node);
	if (sub == -FDT_ERR_NOTFOUND)
		return HV_OK;
	if (sub < 0)
		return config_fail(c, HV_ERR_INVAL, NULL, "unreadable (%s)",
				   fdt_strerror(sub));
	name = fdt_get_name(c->fdt, sub, &len);
	config_show(shown, sizeof(shown), name ? name : "?",
		    len > 0 ? (size_t)len : 1);
	return config_fail(
		c, HV_ERR_INVAL, NULL,
		"unexpected subnode '%s' (this node has no subnodes)", shown);
}

static enum hv_err config_check_range(struct config_ctx *c, const char *prop,
				      uint64_t base, uint64_t size)
{
	if (size == 0)
		return config_fail(c, HV_ERR_INVAL, prop, "size is zero");
	if (hv_range_wraps(base, size))
		return config_fail(c, HV_ERR_RANGE, prop,
				   "0x%llx + 0x%llx wraps past 2^64",
				   (unsigned long long)base,
				   (unsigned long long)size);
	if (!hv_is_aligned(base, HV_PAGE_SIZE) ||
	    !hv_is_aligned(size, HV_PAGE_SIZE))
		return config_fail(c, HV_ERR_INVAL, prop,
				   "base 0x%llx and size 0x%llx must be page "
				   "aligned (4 KiB)",
				   (unsigned long long)base,
				   (unsigned long long)size);
	return HV_OK;
}

static enum hv_err config_parse_platform(struct config_ctx *c, int node)
{
	struct hv_platform_config *p = &c->cfg->platform;
	const uint8_t *v;
	enum hv_err ret;

	ret = config_check_props(c, node, &platform_props);
	if (!ret)
		ret = config_check_leaf(c, node);
	if (!ret)
		ret = config_cells(c, node, "cpus", 1, "CPU count", true, &v);
	if (ret)
		return ret;
	p->cpu_count = config_u32(v, 0);
	if (p->cpu_count == 0 || p->cpu_count > HV_MAX_CPUS)
		return config_fail(c, HV_ERR_RANGE, "cpus",
				   "%u CPUs, expected 1..%u", p->cpu_count,
				   HV_MAX_CPUS);

	ret = config_cells(c, node, "memory", 4, "base, size", true, &v);
	if (ret)
		return ret;
	p->ram_base = pa_init(config_u64(v, 0));
	p->ram_size = config_u64(v, 2);
	ret = config_check_range(c, "memory", pa_addr(p->ram_base),
				 p->ram_size);
	if (ret)
		return ret;

	ret = config_cells(c, node, "hypervisor-memory", 4, "base, size", true,
			   &v);
	if (ret)
		return ret;
	p->hv_base = pa_init(config_u64(v, 0));
	p->hv_size = config_u64(v, 2);
	ret = config_check_range(c, "hypervisor-memory", pa_addr(p->hv_base),
				 p->hv_size);
	if (ret)
		return ret;
	if (!hv_range_contains(pa_addr(p->ram_base), p->ram_size,
			       pa_addr(p->hv_base), p->hv_size))
		return config_fail(c, HV_ERR_RANGE, "hypervisor-memory",
				   "0x%llx + 0x%llx is not inside memory "
				   "(0x%llx + 0x%llx)",
				   (unsigned long long)pa_addr(p->hv_base),
				   (unsigned long long)p->hv_size,
				   (unsigned long long)pa_addr(p->ram_base),
				   (unsigned long long)p->ram_size);

	ret = config_cells(c, node, "console", 2, "PL011 address", true, &v);
	if (ret)
		return ret;
	p->uart_base = pa_init(config_u64(v, 0));
	if (!hv_is_aligned(pa_addr(p->uart_base), HV_PAGE_SIZE))
		return config_fail(c, HV_ERR_INVAL, "console",
				   "0x%llx is not page aligned (4 KiB)",
				   (unsigned long long)pa_addr(p->uart_base));
	if (hv_ranges_overlap(pa_addr(p->ram_base), p->ram_size,
			      pa_addr(p->uart_base), CONFIG_CONSOLE_SIZE))
		return config_fail(c, HV_ERR_OVERLAP, "console",
				   "0x%llx lies inside memory",
				   (unsigned long long)pa_addr(p->uart_base));

	ret = config_cells(c, node, "ipa-bits", 1, "bit count", false, &v);
	if (ret)
		return ret;
	p->ipa_bits = v ? config_u32(v, 0) : CONFIG_IPA_BITS_DEFAULT;
	if (p->ipa_bits < CONFIG_IPA_BITS_MIN ||
	    p->ipa_bits > CONFIG_IPA_BITS_MAX)
		return config_fail(c, HV_ERR_RANGE, "ipa-bits",
				   "%u, expected %u..%u", p->ipa_bits,
				   CONFIG_IPA_BITS_MIN, CONFIG_IPA_BITS_MAX);
	return HV_OK;
}

/* Validates the cell's name (the node name) and makes it the path. */
static enum hv_err config_cell_name(struct config_ctx *c, int node,
				    struct hv_cell_config *cell, unsigned index)
{
	const struct hv_config *cfg = c->cfg;
	const char *name;
	int len;

	name = fdt_get_name(c->fdt, node, &len);
	if (!name || len < 0) {
		(void)hv_snprintf(c->path, sizeof(c->path), "/cells");
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "cell %u: unreadable name (%s)", index,
				   fdt_strerror(len));
	}
	config_set_path(c, "/cells/", name, (size_t)len);
	if (len == 0)
		return config_fail(c, HV_ERR_INVAL, NULL, "empty cell name");
	if ((size_t)len >= HV_NAME_MAX)
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "name too long (%d characters, at most %u)",
				   len, HV_NAME_MAX - 1);
	for (int i = 0; i < len; i++) {
		if (!config_name_char_ok(name[i]))
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "name may only use letters, digits, "
					   "'-', '_' and '.'");
	}
	for (unsigned i = 0; i < index; i++) {
		if (config_streq(cfg->cells[i].name, name))
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "cell name used twice");
	}
	__builtin_memcpy(cell->name, name, (size_t)len);
	cell->name[len] = '\0';
	return HV_OK;
}

/* cpus: distinct physical CPUs that exist and no earlier cell owns. */
static enum hv_err config_cell_cpus(struct config_ctx *c, int node,
				    struct hv_cell_config *cell, unsigned index)
{
	const struct hv_config *cfg = c->cfg;
	const uint8_t *v;
	enum hv_err ret;
	size_t n;

	ret = config_list(c, node, "cpus", 1, HV_MAX_VCPUS,
			  "physical CPU numbers", &v, &n);
	if (ret)
		return ret;
	if (!v)
		return config_fail(
			c, HV_ERR_INVAL, "cpus",
			"missing (every cell needs at least one CPU)");
	for (size_t k = 0; k < n; k++) {
		uint32_t cpu = config_u32(v, k);

		if (cpu >= cfg->platform.cpu_count)
			return config_fail(
				c, HV_ERR_RANGE, "cpus",
				"CPU %u does not exist (the platform has %u)",
				cpu, cfg->platform.cpu_count);
		for (size_t j = 0; j < k; j++) {
			if (cell->cpus[j] == cpu)
				return config_fail(c, HV_ERR_OVERLAP, "cpus",
						   "CPU %u is listed twice",
						   cpu);
		}
		for (unsigned i = 0; i < index; i++) {
			const struct hv_cell_config *o = &cfg->cells[i];

			for (unsigned j = 0; j < o->cpu_count; j++) {
				if (o->cpus[j] == cpu)
					return config_fail(c, HV_ERR_OVERLAP,
							   "cpus",
							   "CPU %u is already "
							   "given to /cells/%s",
							   cpu, o->name);
			}
		}
		cell->cpus[k] = cpu;
	}
	cell->cpu_count = (unsigned)n;
	return HV_OK;
}

/* Checks region `r` of the cell being parsed against the platform, the
 * cell's earlier regions and every region of the earlier cells. */
static enum hv_err config_cell_region(struct config_ctx *c,
				      const struct hv_cell_config *cell,
				      unsigned r, unsigned index)
{
	const struct hv_config *cfg = c->cfg;
	const struct hv_platform_config *p = &cfg->platform;
	const struct hv_mem_region *m = &cell->regions[r];
	uint64_t ipa = ipa_addr(m->ipa), pa = pa_addr(m->pa);
	uint64_t ipa_limit = UINT64_C(1) << p->ipa_bits;

	if (m->size == 0)
		return config_fail(c, HV_ERR_INVAL, "memory",
				   "region %u: size is zero", r);
	if (hv_range_wraps(ipa, m->size) || hv_range_wraps(pa, m->size))
		return config_fail(c, HV_ERR_RANGE, "memory",
				   "region %u: wraps past 2^64", r);
	if (!hv_is_aligned(ipa | pa | m->size, HV_PAGE_SIZE))
		return config_fail(c, HV_ERR_INVAL, "memory",
				   "region %u: IPA, PA and size must be page "
				   "aligned (4 KiB)",
				   r);
	if (!hv_range_contains(0, ipa_limit, ipa, m->size))
		return config_fail(c, HV_ERR_RANGE, "memory",
				   "region %u: IPA 0x%llx + 0x%llx exceeds the "
				   "%u-bit IPA space",
				   r, (unsigned long long)ipa,
				   (unsigned long long)m->size, p->ipa_bits);
	if (!hv_range_contains(pa_addr(p->ram_base), p->ram_size, pa, m->size))
		return config_fail(c, HV_ERR_RANGE, "memory",
				   "region %u: PA 0x%llx + 0x%llx is outside "
				   "platform memory",
				   r, (unsigned long long)pa,
				   (unsigned long long)m->size);
	if (hv_ranges_overlap(pa_addr(p->hv_base), p->hv_size, pa, m->size))
		return config_fail(c, HV_ERR_OVERLAP, "memory",
				   "region %u: PA 0x%llx + 0x%llx overlaps "
				   "hypervisor-memory",
				   r, (unsigned long long)pa,
				   (unsigned long long)m->size);
	for (unsigned k = 0; k < r; k++) {
		const struct hv_mem_region *o = &cell->regions[k];

		if (hv_ranges_overlap(ipa_addr(o->ipa), o->size, ipa, m->size))
			return config_fail(c, HV_ERR_OVERLAP, "memory",
					   "region %u overlaps region %u (IPA)",
					   r, k);
		if (hv_ranges_overlap(pa_addr(o->pa), o->size, pa, m->size))
			return config_fail(c, HV_ERR_OVERLAP, "memory",
					   "region %u overlaps region %u (PA)",
					   r, k);
	}
	/* Physical memory is never shared between cells: that is the
	 * isolation guarantee. (Shared-memory regions will be a separate,
	 * explicit construct.) */
	for (unsigned i = 0; i < index; i++) {
		const struct hv_cell_config *oc = &cfg->cells[i];

		for (unsigned k = 0; k < oc->region_count; k++) {
			const struct hv_mem_region *o = &oc->regions[k];

			if (hv_ranges_overlap(pa_addr(o->pa), o->size, pa,
					      m->size))
				return config_fail(c, HV_ERR_OVERLAP, "memory",
						   "region %u overlaps region "
						   "%u of /cells/%s",
						   r, k, oc->name);
		}
	}
	return HV_OK;
}

static enum hv_err config_cell_memory(struct config_ctx *c, int node,
				      struct hv_cell_config *cell,
				      unsigned index)
{
	const uint8_t *v;
	enum hv_err ret;
	size_t n;

	ret = config_list(c, node, "memory", 6, HV_MAX_REGIONS,
			  "IPA, PA, size triples", &v, &n);
	if (ret)
		return ret;
	if (!v)
		return config_fail(c, HV_ERR_INVAL, "memory",
				   "missing (every cell needs at least one "
				   "memory region)");
	cell->region_count = (unsigned)n;
	for (unsigned r = 0; r < cell->region_count; r++) {
		struct hv_mem_region *m = &cell->regions[r];

		m->ipa = ipa_init(config_u64(v, 6 * (size_t)r));
		m->pa = pa_init(config_u64(v, 6 * (size_t)r + 2));
		m->size = config_u64(v, 6 * (size_t)r + 4);
		m->flags = HV_MEM_RWX;
		ret = config_cell_region(c, cell, r, index);
		if (ret)
			return ret;
	}
	return HV_OK;
}

/* memory-access: a string list, one of "r", "rw", "rx", "rwx" per region. */
static enum hv_err config_cell_access(struct config_ctx *c, int node,
				      struct hv_cell_config *cell)
{
	static const struct {
		const char *name;
		unsigned flags;
	} modes[] = {
		{"r", HV_MEM_READ},
		{"rw", HV_MEM_READ | HV_MEM_WRITE},
		{"rx", HV_MEM_READ | HV_MEM_EXEC},
		{"rwx", HV_MEM_RWX},
	};
	const uint8_t *p;
	enum hv_err ret;
	size_t len, pos = 0;
	unsigned r = 0;

	ret = config_prop(c, node, "memory-access", &p, &len);
	if (ret || !p)
		return ret;
	if (len == 0 || p[len - 1] != '\0')
		return config_fail(c, HV_ERR_INVAL, "memory-access",
				   "not a list of NUL-terminated strings");
	while (pos < len) {
		const char *s = (const char *)p + pos;
		size_t slen = __builtin_strlen(s); /* stops at p[len - 1] */
		size_t m;

		if (r == cell->region_count)
			return config_fail(
				c, HV_ERR_INVAL, "memory-access",
				"more strings than memory regions (%u)",
				cell->region_count);
		for (m = 0; m < HV_ARRAY_SIZE(modes); m++) {
			if (config_streq(s, modes[m].name))
				break;
		}
		if (m == HV_ARRAY_SIZE(modes))
			return config_fail(c, HV_ERR_INVAL, "memory-access",
					   "region %u: expected \"r\", \"rw\", "
					   "\"rx\" or \"rwx\"",
					   r);
		cell->regions[r++].flags = modes[m].flags;
		pos += slen + 1;
	}
	if (r != cell->region_count)
		return config_fail(c, HV_ERR_INVAL, "memory-access",
				   "%u strings for %u memory regions", r,
				   cell->region_count);
	return HV_OK;
}

/* Reads an optional 64-bit IPA property (two cells); `*present` says
 * whether it was there. */
static enum hv_err config_cell_ipa(struct config_ctx *c, int node,
				   const char *name, ipa_t *out, bool *present)
{
	const uint8_t *v;
	enum hv_err ret;

	ret = config_cells(c, node, name, 2, "64-bit IPA", false, &v);
	if (ret)
		return ret;
	*present = v != NULL;
	if (v)
		*out = ipa_init(config_u64(v, 0));
	return HV_OK;
}

static enum hv_err config_cell_boot(struct config_ctx *c, int node,
				    struct hv_cell_config *cell)
{
	const char *image;
	enum hv_err ret;
	bool present;

	ret = config_string(c, node, "image", HV_PATH_MAX, &image);
	if (ret)
		return ret;
	if (image)
		__builtin_memcpy(cell->image, image,
				 __builtin_strlen(image) + 1);

	cell->image_load = cell->regions[0].ipa;
	ret = config_cell_ipa(c, node, "load-address", &cell->image_load,
			      &present);
	if (ret)
		return ret;
	if (!config_region_find(cell, cell->image_load, 1))
		return config_fail(
			c, HV_ERR_RANGE, "load-address",
			"0x%llx is not inside a memory region of this cell",
			(unsigned long long)ipa_addr(cell->image_load));

	cell->entry = cell->image_load;
	ret = config_cell_ipa(c, node, "entry", &cell->entry, &present);
	if (ret)
		return ret;
	/* A64 instructions are 4 bytes and must be aligned (PC alignment
	 * fault otherwise, Arm ARM D1.3.5.1). */
	if (!hv_is_aligned(ipa_addr(cell->entry), 4))
		return config_fail(c, HV_ERR_INVAL, "entry",
				   "0x%llx is not 4-byte aligned",
				   (unsigned long long)ipa_addr(cell->entry));
	if (!config_region_find(cell, cell->entry, 4))
		return config_fail(
			c, HV_ERR_RANGE, "entry",
			"0x%llx is not inside a memory region of this cell",
			(unsigned long long)ipa_addr(cell->entry));
	return HV_OK;
}

/*
 * An emulated device window of the cell at `ipa` (from property `prop`):
 * aligned, inside the IPA space, clear of the cell's RAM and of the
 * windows already accepted (`others`, `other_sizes`, `other_count`).
 */
static enum hv_err config_window(struct config_ctx *c,
				 const struct hv_cell_config *cell,
				 const char *prop, uint64_t ipa, uint64_t size,
				 uint64_t align, const uint64_t *others,
				 const uint64_t *other_sizes,
				 unsigned other_count)
{
	uint64_t ipa_limit = UINT64_C(1) << c->cfg->platform.ipa_bits;

	if (!hv_is_aligned(ipa, align))
		return config_fail(c, HV_ERR_INVAL, prop,
				   "0x%llx is not aligned to 0x%llx",
				   (unsigned long long)ipa,
				   (unsigned long long)align);
	if (!hv_range_contains(0, ipa_limit, ipa, size))
		return config_fail(c, HV_ERR_RANGE, prop,
				   "0x%llx exceeds the %u-bit IPA space",
				   (unsigned long long)ipa,
				   c->cfg->platform.ipa_bits);
	for (unsigned r = 0; r < cell->region_count; r++) {
		const struct hv_mem_region *m = &cell->regions[r];

		if (hv_ranges_overlap(ipa_addr(m->ipa), m->size, ipa, size))
			return config_fail(c, HV_ERR_OVERLAP, prop,
					   "0x%llx overlaps memory region %u",
					   (unsigned long long)ipa, r);
	}
	for (unsigned i = 0; i < other_count; i++)
		if (hv_ranges_overlap(others[i], other_sizes[i], ipa, size))
			return config_fail(
				c, HV_ERR_OVERLAP, prop,
				"0x%llx overlaps another device window "
				"of this cell",
				(unsigned long long)ipa);
	return HV_OK;
}

static enum hv_err config_cell_console(struct config_ctx *c, int node,
				       struct hv_cell_config *cell)
{
	enum hv_err ret;

	ret = config_cell_ipa(c, node, "console", &cell->console_ipa,
			      &cell->has_console);
	if (ret || !cell->has_console)
		return ret;
	return config_window(c, cell, "console", ipa_addr(cell->console_ipa),
			     CONFIG_CONSOLE_SIZE, HV_PAGE_SIZE, NULL, NULL, 0);
}

/* The virtual GICv3: both windows or neither (GICv3 needs both). */
static enum hv_err config_cell_gic(struct config_ctx *c, int node,
				   struct hv_cell_config *cell)
{
	const uint64_t align = UINT64_C(0x10000); /* 64 KiB frames */
	uint64_t others[2], sizes[2];
	unsigned n = 0;
	bool has_d, has_r;
	enum hv_err ret;

	ret = config_cell_ipa(c, node, "gic-distributor", &cell->gicd_ipa,
			      &has_d);
	if (!ret)
		ret = config_cell_ipa(c, node, "gic-redistributors",
				      &cell->gicr_ipa, &has_r);
	if (ret)
		return ret;
	if (has_d != has_r)
		return config_fail(
			c, HV_ERR_INVAL,
			has_d ? "gic-redistributors" : "gic-distributor",
			"missing (a GICv3 needs both gic-distributor "
			"and gic-redistributors)");
	if (!has_d)
		return HV_OK;
	if (cell->has_console) {
		others[n] = ipa_addr(cell->console_ipa);
		sizes[n++] = CONFIG_CONSOLE_SIZE;
	}
	ret = config_window(c, cell, "gic-distributor",
			    ipa_addr(cell->gicd_ipa), HV_GICD_SIZE, align,
			    others, sizes, n);
	if (ret)
		return ret;
	others[n] = ipa_addr(cell->gicd_ipa);
	sizes[n++] = HV_GICD_SIZE;
	ret = config_window(c, cell, "gic-redistributors",
			    ipa_addr(cell->gicr_ipa),
			    HV_GICR_SIZE_PER_VCPU * cell->cpu_count, align,
			    others, sizes, n);
	if (ret)
		return ret;
	cell->has_gic = true;
	return HV_OK;
}

static enum hv_err config_cell_wfi(struct config_ctx *c, int node,
				   struct hv_cell_config *cell)
{
	const char *s;
	enum hv_err ret;

	cell->wfi = HV_WFI_TRAP;
	ret = config_string(c, node, "wfi", 32, &s);
	if (ret || !s)
		return ret;
	if (config_streq(s, "trap"))
		cell->wfi = HV_WFI_TRAP;
	else if (config_streq(s, "passthrough"))
		cell->wfi = HV_WFI_PASSTHROUGH;
	else
		return config_fail(c, HV_ERR_INVAL, "wfi",
				   "expected \"trap\" or \"passthrough\"");
	return HV_OK;
}

/* Copies optional string property `prop` (at most `max` bytes with NUL). */
static enum hv_err config_cell_str(struct config_ctx *c, int node,
				   const char *prop, char *dst, size_t max)
{
	const char *v;
	enum hv_err ret = config_string(c, node, prop, max, &v);
	if (ret)
		return ret;
	if (v)
		__builtin_memcpy(dst, v, __builtin_strlen(v) + 1);
	return HV_OK;
}

/*
 * A Linux cell: `kernel` (an arm64 Image) instead of `image`, optional
 * `initrd` and `bootargs`, and a virtual GIC, without which Linux cannot
 * take its timer interrupt. The layout is checked with the images, in
 * config_check_images().
 */
static enum hv_err config_cell_linux(struct config_ctx *c, int node,
				     struct hv_cell_config *cell)
{
	enum hv_err ret;

	ret = config_cell_str(c, node, "kernel", cell->kernel, HV_PATH_MAX);
	if (!ret)
		ret = config_cell_str(c, node, "initrd", cell->initrd,
				      HV_PATH_MAX);
	if (!ret)
		ret = config_cell_str(c, node, "bootargs", cell->bootargs,
				      HV_BOOTARGS_MAX);
	if (ret)
		return ret;
	const uint8_t *arg;
	ret = config_cells(c, node, "boot-arg", 2, "64-bit value", false, &arg);
	if (ret)
		return ret;
	if (arg)
		cell->boot_arg = config_u64(arg, 0);
	if (cell->kernel[0] == '\0') {
		if (cell->initrd[0] != '\0')
			return config_fail(
				c, HV_ERR_INVAL, "initrd",
				"only for a Linux cell (set kernel)");
		if (cell->bootargs[0] != '\0')
			return config_fail(
				c, HV_ERR_INVAL, "bootargs",
				"only for a Linux cell (set kernel)");
		return HV_OK;
	}
	if (cell->image[0] != '\0')
		return config_fail(
			c, HV_ERR_INVAL, "kernel",
			"a cell boots either an image or a kernel, not both");
	if (!cell->has_gic)
		return config_fail(c, HV_ERR_INVAL, "kernel",
				   "a Linux cell needs gic-distributor and "
				   "gic-redistributors");
	return HV_OK;
}

/* capabilities: the classes the cell starts with (pledge.h); all when
 * absent. A string list of "console", "block", "network", "ipc",
 * "management", "devices". */
static enum hv_err config_cell_caps(struct config_ctx *c, int node,
				    struct hv_cell_config *cell)
{
	static const struct {
		const char *name;
		uint32_t cap;
	} classes[] = {
		{"console", HV_CAP_CONSOLE}, {"block", HV_CAP_BLOCK},
		{"network", HV_CAP_NET},     {"ipc", HV_CAP_IPC},
		{"management", HV_CAP_MGMT}, {"devices", HV_CAP_DEVICES},
	};
	const uint8_t *p;
	size_t len, pos = 0;
	enum hv_err ret = config_prop(c, node, "capabilities", &p, &len);

	cell->caps = HV_CAP_ALL;
	if (ret || !p)
		return ret;
	if (len == 0 || p[len - 1] != '\0')
		return config_fail(c, HV_ERR_INVAL, "capabilities",
				   "not a list of NUL-terminated strings");
	cell->caps = 0;
	while (pos < len) {
		const char *s = (const char *)p + pos;
		size_t k;
		for (k = 0; k < HV_ARRAY_SIZE(classes); k++)
			if (config_streq(s, classes[k].name))
				break;
		if (k == HV_ARRAY_SIZE(classes))
			return config_fail(
				c, HV_ERR_INVAL, "capabilities",
				"unknown class '%.20s' (known: console, "
				"block, network, ipc, management, "
				"devices)",
				s);
		cell->caps |= classes[k].cap;
		pos += __builtin_strlen(s) + 1;
	}
	return HV_OK;
}

static enum hv_err config_cell_policy(struct config_ctx *c, int node,
				      struct hv_cell_config *cell)
{
	const char *s;
	enum hv_err ret;

	cell->fault_policy = HV_FAULT_TERMINATE;
	ret = config_string(c, node, "fault-policy", 32, &s);
	if (ret || !s)
		return ret;
	if (config_streq(s, "terminate"))
		cell->fault_policy = HV_FAULT_TERMINATE;
	else if (config_streq(s, "inject-abort"))
		cell->fault_policy = HV_FAULT_INJECT;
	else
		return config_fail(
			c, HV_ERR_INVAL, "fault-policy",
			"expected \"terminate\" or \"inject-abort\"");
	return HV_OK;
}

/* True when [ipa, ipa+size) collides with any window of `cell`. */
static bool config_ipa_taken(const struct hv_cell_config *cell, uint64_t ipa,
			     uint64_t size)
{
	for (unsigned r = 0; r < cell->region_count; r++)
		if (hv_ranges_overlap(ipa_addr(cell->regions[r].ipa),
				      cell->regions[r].size, ipa, size))
			return true;
	if (cell->has_console &&
	    hv_ranges_overlap(ipa_addr(cell->console_ipa), CONFIG_CONSOLE_SIZE,
			      ipa, size))
		return true;
	if (cell->has_gic &&
	    (hv_ranges_overlap(ipa_addr(cell->gicd_ipa), HV_GICD_SIZE, ipa,
			       size) ||
	     hv_ranges_overlap(ipa_addr(cell->gicr_ipa),
			       HV_GICR_SIZE_PER_VCPU * cell->cpu_count, ipa,
			       size)))
		return true;
	for (unsigned d = 0; d < cell->device_count; d++) {
		uint64_t base, len;
		config_device_pages(&cell->devices[d], &base, &len);
		if (hv_ranges_overlap(base, len, ipa, size))
			return true;
	}
	return false;
}

/* ---- passthrough devices (/cells/<name>/devices/<name>) ---------------- */

static const char *const device_prop_names[] = {
	"compatible", "reg", "interrupts", "class", "dma",
};
static const struct config_props device_props = {
	device_prop_names,
	HV_ARRAY_SIZE(device_prop_names),
	"compatible, reg, interrupts, class, dma",
};

/* The SPIs a cell's virtual GIC has: 32 .. 32 + VGIC_MAX_SPIS - 1. */
#define CONFIG_SPI_END (32u + 96u)

void config_device_pages(const struct hv_device_config *dev, uint64_t *base,
			 uint64_t *size)
{
	uint64_t pa = pa_addr(dev->pa);
	*base = pa & ~HV_PAGE_MASK;
	*size = ((pa + dev->size + HV_PAGE_MASK) & ~HV_PAGE_MASK) - *base;
}

/* The device of any cell up to `cell` (the current one: its first `count`
 * devices) whose pages overlap [base, base+size) or that takes SPI
 * `intid` (0: none); NULL when there is none. */
static const struct hv_device_config *config_device_clash(
	const struct hv_config *cfg, unsigned cell, unsigned count,
	uint64_t base, uint64_t size, uint32_t intid, const char **owner)
{
	for (unsigned i = 0; i <= cell; i++) {
		const struct hv_cell_config *oc = &cfg->cells[i];
		unsigned n = i == cell ? count : oc->device_count;
		for (unsigned d = 0; d < n; d++) {
			const struct hv_device_config *o = &oc->devices[d];
			uint64_t ob, os;
			config_device_pages(o, &ob, &os);
			bool hit = size != 0 &&
				   hv_ranges_overlap(ob, os, base, size);
			for (unsigned k = 0; !hit && k < o->irq_count; k++)
				hit = intid != 0 && o->irqs[k] == intid;
			if (hit) {
				*owner = oc->name;
				return o;
			}
		}
	}
	return NULL;
}

static enum hv_err config_device_reg(struct config_ctx *c, int node,
				     struct hv_cell_config *cell,
				     unsigned index,
				     struct hv_device_config *dev)
{
	const struct hv_platform_config *p = &c->cfg->platform;
	const struct hv_device_config *o;
	const char *owner;
	const uint8_t *v;
	uint64_t base, size;
	enum hv_err ret;

	ret = config_cells(c, node, "reg", 4, "base, size", true, &v);
	if (ret)
		return ret;
	dev->pa = pa_init(config_u64(v, 0));
	dev->size = config_u64(v, 2);
	if (dev->size == 0 || hv_range_wraps(pa_addr(dev->pa), dev->size) ||
	    hv_range_wraps(pa_addr(dev->pa), dev->size + HV_PAGE_SIZE))
		return config_fail(c, HV_ERR_RANGE, "reg",
				   "size must be non-zero and the range must "
				   "not wrap");
	config_device_pages(dev, &base, &size);
	if (!hv_range_contains(0, UINT64_C(1) << p->ipa_bits, base, size))
		return config_fail(c, HV_ERR_RANGE, "reg",
				   "0x%llx is outside the %u-bit IPA space "
				   "(devices keep their physical address)",
				   (unsigned long long)base, p->ipa_bits);
	if (hv_ranges_overlap(pa_addr(p->ram_base), p->ram_size, base, size))
		return config_fail(c, HV_ERR_OVERLAP, "reg",
				   "0x%llx is platform memory, not a device",
				   (unsigned long long)base);
	if (hv_ranges_overlap(pa_addr(p->uart_base), HV_PAGE_SIZE, base, size))
		return config_fail(c, HV_ERR_OVERLAP, "reg",
				   "0x%llx is the hypervisor's console",
				   (unsigned long long)base);
	if (config_ipa_taken(cell, base, size))
		return config_fail(
			c, HV_ERR_OVERLAP, "reg",
			"0x%llx collides with a window of this cell "
			"(memory, console, GIC or an earlier device)",
			(unsigned long long)base);
	o = config_device_clash(c->cfg, index, cell->device_count, base, size,
				0, &owner);
	if (o != NULL)
		return config_fail(c, HV_ERR_OVERLAP, "reg",
				   "shares a page with /cells/%s/devices/%s "
				   "(devices are assigned by 4 KiB page)",
				   owner, o->name);
	return HV_OK;
}

static enum hv_err config_device_irqs(struct config_ctx *c, int node,
				      struct hv_cell_config *cell,
				      unsigned index,
				      struct hv_device_config *dev)
{
	const struct hv_device_config *o;
	const char *owner;
	const uint8_t *v;
	enum hv_err ret;
	size_t n;

	ret = config_list(c, node, "interrupts", 1, HV_MAX_DEVICE_IRQS,
			  "SPI INTIDs", &v, &n);
	if (ret || !v)
		return ret;
	if (!cell->has_gic)
		return config_fail(c, HV_ERR_INVAL, "interrupts",
				   "the cell has no virtual GIC to receive "
				   "them");
	for (unsigned i = 0; i < n; i++) {
		uint32_t intid = config_u32(v, i);
		if (intid < 32 || intid >= CONFIG_SPI_END ||
		    intid == BOOT_CONSOLE_INTID)
			return config_fail(c, HV_ERR_RANGE, "interrupts",
					   "INTID %u: passthrough interrupts "
					   "are SPIs 34..%u (33 is the "
					   "console's)",
					   intid, CONFIG_SPI_END - 1);
		for (unsigned k = 0; k < i; k++)
			if (dev->irqs[k] == intid)
				return config_fail(c, HV_ERR_INVAL,
						   "interrupts",
						   "INTID %u given twice",
						   intid);
		o = config_device_clash(c->cfg, index, cell->device_count, 0, 0,
					intid, &owner);
		if (o != NULL)
			return config_fail(c, HV_ERR_OVERLAP, "interrupts",
					   "INTID %u already belongs to "
					   "/cells/%s/devices/%s",
					   intid, owner, o->name);
		dev->irqs[i] = intid;
	}
	dev->irq_count = (unsigned)n;
	return HV_OK;
}

static enum hv_err config_device_class(struct config_ctx *c, int node,
				       const struct hv_cell_config *cell,
				       struct hv_device_config *dev)
{
	const char *s;
	const uint8_t *dma;
	size_t len;
	enum hv_err ret = config_string(c, node, "class", 32, &s);

	if (ret)
		return ret;
	dev->cap = HV_CAP_DEVICES;
	if (s != NULL && config_streq(s, "block"))
		dev->cap = HV_CAP_BLOCK;
	else if (s != NULL && config_streq(s, "network"))
		dev->cap = HV_CAP_NET;
	else if (s != NULL && !config_streq(s, "devices"))
		return config_fail(c, HV_ERR_INVAL, "class",
				   "expected \"block\", \"network\" or "
				   "\"devices\"");
	ret = config_prop(c, node, "dma", &dma, &len);
	if (ret || !dma)
		return ret;
	if (len != 0)
		return config_fail(c, HV_ERR_INVAL, "dma",
				   "a flag: takes no value");
	/* Without an SMMU the device reaches physical addresses: the guest
	 * can only program correct ones if its IPAs are those addresses. */
	for (unsigned r = 0; r < cell->region_count; r++)
		if (ipa_addr(cell->regions[r].ipa) !=
		    pa_addr(cell->regions[r].pa))
			return config_fail(c, HV_ERR_INVAL, "dma",
					   "memory region %u is not "
					   "identity-mapped (IPA != PA); a "
					   "bus-master device needs IPA == PA "
					   "(no SMMU)",
					   r);
	dev->dma = true;
	return HV_OK;
}

static enum hv_err config_parse_device(struct config_ctx *c, int node,
				       struct hv_cell_config *cell,
				       unsigned index)
{
	struct hv_device_config *dev = &cell->devices[cell->device_count];
	const char *compat;
	enum hv_err ret;
	int nlen;
	const char *name = fdt_get_name(c->fdt, node, &nlen);

	if (!name || nlen <= 0 || (size_t)nlen >= HV_NAME_MAX)
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "device names are 1..%u characters",
				   HV_NAME_MAX - 1);
	char prefix[HV_NAME_MAX + 20];
	(void)hv_snprintf(prefix, sizeof(prefix), "/cells/%s/devices/",
			  cell->name);
	config_set_path(c, prefix, name, (size_t)nlen);
	__builtin_memcpy(dev->name, name, (size_t)nlen);
	ret = config_check_props(c, node, &device_props);
	if (!ret)
		ret = config_check_leaf(c, node);
	if (!ret)
		ret = config_string(c, node, "compatible", HV_COMPAT_MAX,
				    &compat);
	if (ret)
		return ret;
	if (!compat)
		return config_fail(c, HV_ERR_INVAL, "compatible",
				   "missing (the guest's driver matches it)");
	__builtin_memcpy(dev->compatible, compat, __builtin_strlen(compat) + 1);
	ret = config_device_reg(c, node, cell, index, dev);
	if (!ret)
		ret = config_device_irqs(c, node, cell, index, dev);
	if (!ret)
		ret = config_device_class(c, node, cell, dev);
	return ret;
}

/* The optional `devices` subnode, the only subnode a cell may have. */
static enum hv_err config_cell_devices(struct config_ctx *c, int node,
				       struct hv_cell_config *cell,
				       unsigned index)
{
	enum hv_err ret;
	int sub, devs = -1;

	/* dtc merges nodes given twice: at most one `devices` reaches us. */
	fdt_for_each_subnode(sub, c->fdt, node)
	{
		char shown[CONFIG_SHOWN_NAME + 4];
		int len;
		const char *name = fdt_get_name(c->fdt, sub, &len);
		if (name == NULL || len < 0)
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "unreadable subnode (%s)",
					   fdt_strerror(len));
		config_show(shown, sizeof(shown), name, (size_t)len);
		if (!config_streq(name, "devices"))
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "unexpected subnode '%s' (a cell's "
					   "only subnode is 'devices')",
					   shown);
		devs = sub;
	}
	if (devs < 0)
		return HV_OK;
	ret = config_check_props(c, devs, &cells_props);
	if (ret)
		return ret;
	fdt_for_each_subnode(sub, c->fdt, devs)
	{
		if (cell->device_count == HV_MAX_DEVICES)
			return config_fail(c, HV_ERR_RANGE, NULL,
					   "more than %u devices in a cell",
					   HV_MAX_DEVICES);
		ret = config_parse_device(c, sub, cell, index);
		if (ret) {
			__builtin_memset(&cell->devices[cell->device_count], 0,
					 sizeof(cell->devices[0]));
			return ret;
		}
		cell->device_count++;
	}
	return HV_OK;
}

static enum hv_err config_parse_cell(struct config_ctx *c, int node,
				     unsigned index)
{
	struct hv_cell_config *cell = &c->cfg->cells[index];
	enum hv_err ret;

	ret = config_cell_name(c, node, cell, index);
	if (!ret)
		ret = config_check_props(c, node, &cell_props);
	if (!ret)
		ret = config_cell_cpus(c, node, cell, index);
	if (!ret)
		ret = config_cell_memory(c, node, cell, index);
	if (!ret)
		ret = config_cell_access(c, node, cell);
	if (!ret)
		ret = config_cell_boot(c, node, cell);
	if (!ret)
		ret = config_cell_console(c, node, cell);
	if (!ret)
		ret = config_cell_gic(c, node, cell);
	if (!ret)
		ret = config_cell_policy(c, node, cell);
	if (!ret)
		ret = config_cell_wfi(c, node, cell);
	if (!ret)
		ret = config_cell_linux(c, node, cell);
	if (!ret)
		ret = config_cell_caps(c, node, cell);
	if (!ret)
		ret = config_cell_devices(c, node, cell, index);
	return ret;
}

static enum hv_err config_parse_cells(struct config_ctx *c, int node)
{
	enum hv_err ret;
	unsigned count = 0;
	int sub;

	ret = config_check_props(c, node, &cells_props);
	if (ret)
		return ret;
	fdt_for_each_subnode(sub, c->fdt, node)
	{
		if (count == HV_MAX_CELLS) {
			(void)hv_snprintf(c->path, sizeof(c->path), "/cells");
			return config_fail(c, HV_ERR_RANGE, NULL,
					   "more than %u cells", HV_MAX_CELLS);
		}
		ret = config_parse_cell(c, sub, count);
		if (ret)
			return ret;
		c->cfg->cell_count = ++count;
	}
	(void)hv_snprintf(c->path, sizeof(c->path), "/cells");
	if (sub != -FDT_ERR_NOTFOUND)
		return config_fail(c, HV_ERR_INVAL, NULL, "unreadable (%s)",
				   fdt_strerror(sub));
	if (count == 0)
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "no cells (at least one is needed)");
	return HV_OK;
}

static const char *const channel_prop_names[] = {
	"cells", "memory", "ipa", "access", "doorbells",
};
static const struct config_props channel_props = {
	channel_prop_names,
	HV_ARRAY_SIZE(channel_prop_names),
	"cells, memory, ipa, access, doorbells",
};

/* Reads a property holding exactly two NUL-terminated strings. */
static enum hv_err config_string_pair(struct config_ctx *c, int node,
				      const char *prop, const char *out[2])
{
	const uint8_t *p;
	size_t len, pos = 0;
	unsigned n = 0;
	enum hv_err ret = config_prop(c, node, prop, &p, &len);

	if (ret)
		return ret;
	if (!p)
		return config_fail(c, HV_ERR_INVAL, prop, "missing");
	if (len == 0 || p[len - 1] != '\0')
		return config_fail(c, HV_ERR_INVAL, prop,
				   "not a list of NUL-terminated strings");
	while (pos < len) {
		const char *s = (const char *)p + pos;
		if (n == 2)
			return config_fail(c, HV_ERR_INVAL, prop,
					   "expected exactly two strings");
		out[n++] = s;
		pos += __builtin_strlen(s) + 1;
	}
	if (n != 2)
		return config_fail(c, HV_ERR_INVAL, prop,
				   "expected exactly two strings");
	return HV_OK;
}

/* The cell called `name`, or false. */
static bool config_cell_index(const struct hv_config *cfg, const char *name,
			      unsigned *index)
{
	for (unsigned i = 0; i < cfg->cell_count; i++)
		if (config_streq(cfg->cells[i].name, name)) {
			*index = i;
			return true;
		}
	return false;
}

static enum hv_err config_parse_channel(struct config_ctx *c, int node,
					unsigned index)
{
	struct hv_config *cfg = c->cfg;
	const struct hv_platform_config *p = &cfg->platform;
	struct hv_channel_config *ch = &cfg->channels[index];
	const char *names[2], *access[2];
	const uint8_t *v;
	enum hv_err ret;
	int nlen;
	const char *name = fdt_get_name(c->fdt, node, &nlen);

	if (!name || nlen <= 0 || (size_t)nlen >= HV_NAME_MAX)
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "channel names are 1..%u characters",
				   HV_NAME_MAX - 1);
	config_set_path(c, "/channels/", name, (size_t)nlen);
	__builtin_memcpy(ch->name, name, (size_t)nlen);
	ret = config_check_props(c, node, &channel_props);
	if (!ret)
		ret = config_check_leaf(c, node);
	if (!ret)
		ret = config_string_pair(c, node, "cells", names);
	if (ret)
		return ret;
	for (unsigned i = 0; i < 2; i++)
		if (!config_cell_index(cfg, names[i], &ch->cell[i]))
			return config_fail(c, HV_ERR_INVAL, "cells",
					   "no cell named '%.40s'", names[i]);
	if (ch->cell[0] == ch->cell[1])
		return config_fail(c, HV_ERR_INVAL, "cells",
				   "a channel joins two different cells");

	ret = config_cells(c, node, "memory", 4, "base, size", true, &v);
	if (ret)
		return ret;
	ch->pa = pa_init(config_u64(v, 0));
	ch->size = config_u64(v, 2);
	uint64_t pa = pa_addr(ch->pa);
	if (ch->size == 0 || !hv_is_aligned(pa, HV_PAGE_SIZE) ||
	    !hv_is_aligned(ch->size, HV_PAGE_SIZE) ||
	    hv_range_wraps(pa, ch->size))
		return config_fail(c, HV_ERR_INVAL, "memory",
				   "base and size must be non-zero multiples "
				   "of 4 KiB");
	if (!hv_range_contains(pa_addr(p->ram_base), p->ram_size, pa,
			       ch->size) ||
	    hv_ranges_overlap(pa_addr(p->hv_base), p->hv_size, pa, ch->size))
		return config_fail(c, HV_ERR_RANGE, "memory",
				   "0x%llx must be inside RAM and outside "
				   "hypervisor-memory",
				   (unsigned long long)pa);
	for (unsigned i = 0; i < cfg->cell_count; i++)
		for (unsigned r = 0; r < cfg->cells[i].region_count; r++) {
			const struct hv_mem_region *m =
				&cfg->cells[i].regions[r];
			if (hv_ranges_overlap(pa_addr(m->pa), m->size, pa,
					      ch->size))
				return config_fail(c, HV_ERR_OVERLAP, "memory",
						   "overlaps memory region %u "
						   "of /cells/%s",
						   r, cfg->cells[i].name);
		}
	for (unsigned i = 0; i < index; i++)
		if (hv_ranges_overlap(pa_addr(cfg->channels[i].pa),
				      cfg->channels[i].size, pa, ch->size))
			return config_fail(c, HV_ERR_OVERLAP, "memory",
					   "overlaps /channels/%s",
					   cfg->channels[i].name);

	ret = config_cells(c, node, "ipa", 2, "64-bit IPA", true, &v);
	if (ret)
		return ret;
	ch->ipa = ipa_init(config_u64(v, 0));
	uint64_t ipa = ipa_addr(ch->ipa);
	if (!hv_is_aligned(ipa, HV_PAGE_SIZE) ||
	    !hv_range_contains(0, UINT64_C(1) << p->ipa_bits, ipa, ch->size))
		return config_fail(c, HV_ERR_RANGE, "ipa",
				   "0x%llx must be page aligned and inside "
				   "the %u-bit IPA space",
				   (unsigned long long)ipa, p->ipa_bits);
	for (unsigned s = 0; s < 2; s++) {
		const struct hv_cell_config *cell = &cfg->cells[ch->cell[s]];
		if (config_ipa_taken(cell, ipa, ch->size))
			return config_fail(c, HV_ERR_OVERLAP, "ipa",
					   "0x%llx collides with a window of "
					   "/cells/%s",
					   (unsigned long long)ipa, cell->name);
		for (unsigned i = 0; i < index; i++) {
			unsigned side;
			const struct hv_channel_config *o = &cfg->channels[i];
			if (config_channel_side(o, ch->cell[s], &side) &&
			    hv_ranges_overlap(ipa_addr(o->ipa), o->size, ipa,
					      ch->size))
				return config_fail(
					c, HV_ERR_OVERLAP, "ipa",
					"0x%llx collides with /channels/%s in "
					"/cells/%s",
					(unsigned long long)ipa, o->name,
					cell->name);
		}
	}

	ret = config_string_pair(c, node, "access", access);
	if (ret)
		return ret;
	for (unsigned s = 0; s < 2; s++) {
		if (config_streq(access[s], "r"))
			ch->flags[s] = HV_MEM_READ;
		else if (config_streq(access[s], "rw"))
			ch->flags[s] = HV_MEM_READ | HV_MEM_WRITE;
		else
			return config_fail(c, HV_ERR_INVAL, "access",
					   "expected \"r\" or \"rw\" per cell");
	}

	ret = config_cells(c, node, "doorbells", 2, "INTID per cell", true, &v);
	if (ret)
		return ret;
	for (unsigned s = 0; s < 2; s++) {
		ch->doorbell[s] = config_u32(v, s);
		if (!cfg->cells[ch->cell[s]].has_gic)
			return config_fail(c, HV_ERR_INVAL, "doorbells",
					   "/cells/%s has no virtual GIC for "
					   "its doorbell",
					   cfg->cells[ch->cell[s]].name);
		if (ch->doorbell[s] < 32 + 2 || ch->doorbell[s] >= 32 + 96)
			return config_fail(
				c, HV_ERR_RANGE, "doorbells",
				"INTID %u: doorbells are SPIs 34..127 "
				"(33 is the console's)",
				ch->doorbell[s]);
		const struct hv_cell_config *cell = &cfg->cells[ch->cell[s]];
		for (unsigned d = 0; d < cell->device_count; d++)
			for (unsigned k = 0; k < cell->devices[d].irq_count;
			     k++)
				if (cell->devices[d].irqs[k] == ch->doorbell[s])
					return config_fail(
						c, HV_ERR_OVERLAP, "doorbells",
						"INTID %u is device '%s' of "
						"/cells/%s",
						ch->doorbell[s],
						cell->devices[d].name,
						cell->name);
	}
	return HV_OK;
}

static enum hv_err config_parse_channels(struct config_ctx *c, int node)
{
	unsigned count = 0;
	int sub;

	enum hv_err ret = config_check_props(c, node, &cells_props);
	if (ret)
		return ret;
	fdt_for_each_subnode(sub, c->fdt, node)
	{
		if (count == HV_MAX_CHANNELS)
			return config_fail(c, HV_ERR_RANGE, NULL,
					   "more than %u channels",
					   HV_MAX_CHANNELS);
		ret = config_parse_channel(c, sub, count);
		if (ret)
			return ret;
		count++;
		c->cfg->channel_count = count;
	}
	return HV_OK;
}

bool config_channel_side(const struct hv_channel_config *ch, unsigned cell,
			 unsigned *side)
{
	for (unsigned s = 0; s < 2; s++)
		if (ch->cell[s] == cell) {
			*side = s;
			return true;
		}
	return false;
}

/*
 * The root: the compatible string, known properties, and exactly the
 * subnodes platform and cells. Finds both so that the platform can be
 * parsed first (cells are checked against it) whatever the node order.
 */
static enum hv_err config_parse_root(struct config_ctx *c, int *platform,
				     int *cells, int *channels)
{
	const uint8_t *p;
	enum hv_err ret;
	size_t len;
	int sub;

	*platform = -1;
	*cells = -1;
	*channels = -1;
	(void)hv_snprintf(c->path, sizeof(c->path), "/");
	ret = config_check_props(c, 0, &root_props);
	if (!ret)
		ret = config_prop(c, 0, "compatible", &p, &len);
	if (ret)
		return ret;
	if (!p || fdt_stringlist_contains((const char *)p, (int)len,
					  CONFIG_COMPATIBLE) == 0)
		return config_fail(c, HV_ERR_INVAL, "compatible",
				   "%s (expected \"" CONFIG_COMPATIBLE "\")",
				   p ? "wrong value" : "missing");

	fdt_for_each_subnode(sub, c->fdt, 0)
	{
		const char *name;
		int nlen;
		int *slot;

		name = fdt_get_name(c->fdt, sub, &nlen);
		if (!name || nlen < 0)
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "unreadable subnode (%s)",
					   fdt_strerror(nlen));
		config_set_path(c, "/", name, (size_t)nlen);
		if (config_streq(name, "platform"))
			slot = platform;
		else if (config_streq(name, "cells"))
			slot = cells;
		else if (config_streq(name, "channels"))
			slot = channels;
		else
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "unknown node (expected /platform, "
					   "/cells and /channels)");
		if (*slot >= 0)
			return config_fail(c, HV_ERR_INVAL, NULL,
					   "node given twice");
		*slot = sub;
	}
	(void)hv_snprintf(c->path, sizeof(c->path), "/");
	if (sub != -FDT_ERR_NOTFOUND)
		return config_fail(c, HV_ERR_INVAL, NULL, "unreadable (%s)",
				   fdt_strerror(sub));
	if (*platform < 0) {
		(void)hv_snprintf(c->path, sizeof(c->path), "/platform");
		return config_fail(
			c, HV_ERR_INVAL, NULL,
			"missing (the config needs a platform node)");
	}
	if (*cells < 0) {
		(void)hv_snprintf(c->path, sizeof(c->path), "/cells");
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "missing (the config needs a cells node)");
	}
	return HV_OK;
}

/* fdt_strerror() of some libfdt versions does not know every code. */
static const char *config_fdt_strerror(int e)
{
	if (e == -FDT_ERR_ALIGNMENT)
		return "not 8-byte aligned";
	return fdt_strerror(e);
}

static enum hv_err config_parse_blob(struct config_ctx *c, size_t size)
{
	enum hv_err ret;
	int platform, cells, channels, e;

	(void)hv_snprintf(c->path, sizeof(c->path), "config");
	if (!c->fdt || size == 0)
		return config_fail(c, HV_ERR_INVAL, NULL, "empty blob");
	/* fdt_check_full() reads the header before it can know the size;
	 * make sure that much is there. */
	if (size < sizeof(struct fdt_header))
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "not a devicetree blob (%s: %zu bytes)",
				   fdt_strerror(-FDT_ERR_TRUNCATED), size);
	e = fdt_check_header(c->fdt);
	if (e == 0 && fdt_totalsize(c->fdt) > size)
		e = -FDT_ERR_TRUNCATED;
	/* Only version 17 (what dtc writes): libfdt 1.6.1's fdt_check_full()
	 * dereferences NULL on a pre-16 blob whose node names have no '/'
	 * (found by fuzz/, regression fuzz/regressions/config/). */
	if (e == 0 && fdt_version(c->fdt) < 17)
		e = -FDT_ERR_BADVERSION;
	/* libfdt 1.6.1's fdt_check_full() never returns when a property's
	 * length brings the next tag back to the same offset (found by
	 * fuzz/, as above): walk the tags once, refusing one that does not
	 * advance. */
	for (int off = 0, next = 0; e == 0; off = next) {
		uint32_t tag = fdt_next_tag(c->fdt, off, &next);
		if (next <= off)
			e = next < 0 ? next : -FDT_ERR_BADSTRUCTURE;
		else if (tag == FDT_END)
			break;
	}
	/* Walks every tag, name and property once, so that later lookups
	 * cannot meet a malformed structure. */
	if (e == 0)
		e = fdt_check_full(c->fdt, size);
	if (e != 0)
		return config_fail(c, HV_ERR_INVAL, NULL,
				   "not a devicetree blob (%s)",
				   config_fdt_strerror(e));
	c->fdt_size = fdt_totalsize(c->fdt);

	ret = config_parse_root(c, &platform, &cells, &channels);
	if (ret)
		return ret;
	(void)hv_snprintf(c->path, sizeof(c->path), "/platform");
	ret = config_parse_platform(c, platform);
	if (ret)
		return ret;
	(void)hv_snprintf(c->path, sizeof(c->path), "/cells");
	ret = config_parse_cells(c, cells);
	if (ret || channels < 0)
		return ret;
	(void)hv_snprintf(c->path, sizeof(c->path), "/channels");
	return config_parse_channels(c, channels);
}

enum hv_err config_parse(const void *blob, size_t size, struct hv_config *out,
			 struct hv_config_error *err)
{
	struct config_ctx c = {.fdt = blob, .cfg = out, .err = err};
	enum hv_err ret;

	__builtin_memset(out, 0, sizeof(*out));
	err->msg[0] = '\0';
	ret = config_parse_blob(&c, size);
	if (ret)
		__builtin_memset(out, 0, sizeof(*out));
	return ret;
}

const struct hv_mem_region *config_region_find(
	const struct hv_cell_config *cell, ipa_t ipa, uint64_t size)
{
	uint64_t a = ipa_addr(ipa);

	/* A zero-sized query asks about the one address. */
	if (size == 0)
		size = 1;
	if (hv_range_wraps(a, size))
		return NULL;
	for (unsigned r = 0; r < cell->region_count && r < HV_MAX_REGIONS;
	     r++) {
		const struct hv_mem_region *m = &cell->regions[r];

		if (hv_range_contains(ipa_addr(m->ipa), m->size, a, size))
			return m;
	}
	return NULL;
}

enum hv_err config_check_images(const struct hv_config *cfg,
				struct hv_config_error *err)
{
	struct config_ctx c = {.err = err};

	err->msg[0] = '\0';
	for (unsigned i = 0; i < cfg->cell_count && i < HV_MAX_CELLS; i++) {
		const struct hv_cell_config *cell = &cfg->cells[i];
		const struct hv_mem_region *m;
		const void *data;
		size_t size;

		config_set_path(&c, "/cells/", cell->name, HV_NAME_MAX);
		if (cell->kernel[0] != '\0') {
			struct boot_plan plan;
			const char *prop = "kernel";
			char why[96];
			enum hv_err e = boot_plan_linux(cell, &plan, &prop, why,
							sizeof(why));
			if (e != HV_OK)
				return config_fail(&c, e, prop, "%s", why);
			continue;
		}
		if (!config_region_find(cell, cell->entry, 4))
			return config_fail(&c, HV_ERR_RANGE, "entry",
					   "0x%llx is not inside a memory "
					   "region of this cell",
					   (unsigned long long)ipa_addr(
						   cell->entry));
		if (cell->image[0] == '\0')
			continue;
		if (hal_image_get(cell->image, &data, &size) != HV_OK)
			return config_fail(&c, HV_ERR_NOENT, "image",
					   "'%s' not found", cell->image);
		m = config_region_find(cell, cell->image_load, 1);
		if (!m)
			return config_fail(&c, HV_ERR_RANGE, "load-address",
					   "0x%llx is not inside a memory "
					   "region of this cell",
					   (unsigned long long)ipa_addr(
						   cell->image_load));
		if (!hv_range_contains(ipa_addr(m->ipa), m->size,
				       ipa_addr(cell->image_load), size))
			return config_fail(
				&c, HV_ERR_RANGE, "image",
				"'%s' (%zu bytes) does not fit in its memory "
				"region at 0x%llx (size 0x%llx)",
				cell->image, size,
				(unsigned long long)ipa_addr(m->ipa),
				(unsigned long long)m->size);
	}
	return HV_OK;
}
