/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for hv/src/config.c. Each test describes its config as a few
 * lists of properties that build() turns into a blob with libfdt's
 * sequential-write API: a standard platform and standard cells, plus
 * per-test overrides (a property given again replaces the earlier one,
 * .omit removes it), so a test shows only what it changes.
 */
#include <check.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/config.h>
#include <hv/pledge.h>

#include "fake_hal.h"
#include "check_run.h"

/* The property tables below name only the fields they use. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MAX_V 64u
#define MAX_FLAT 256u

/* One property of the config being built. */
struct tprop {
	const char *
		node; /* "", "platform", "cells", "cells/<name>"; NULL ends a list */
	const char *
		name; /* NULL: the node itself (exists even without properties) */
	unsigned n;   /* 32-bit cells in v (when neither str nor raw) */
	uint32_t v[MAX_V];
	const char *str; /* a string value, NUL included */
	const char *raw; /* raw bytes, raw_len of them */
	int raw_len;
	int len_adj; /* added to the byte length written (off-by-one tests) */
	bool omit;   /* removes an earlier property (or node, with name NULL) */
};

#define CELLS(...)                                                             \
	.n = (unsigned)(sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)), \
	.v = {__VA_ARGS__}
#define END                  \
	{                    \
		.node = NULL \
	}
#define LIST(...) ((const struct tprop[]){__VA_ARGS__, END})

static const struct tprop platform_std[] = {
	{"", "compatible", .str = "cellvisor,config"},
	{"platform", "cpus", CELLS(4)},
	{"platform", "memory", CELLS(0, 0x40000000, 0, 0x40000000)},
	{"platform", "hypervisor-memory", CELLS(0, 0x40000000, 0, 0x10000000)},
	{"platform", "console", CELLS(0, 0x09000000)},
	END};

static const struct tprop cell_a[] = {{"cells/a", "cpus", CELLS(0)},
				      {"cells/a", "memory",
				       CELLS(0, 0x40000000, 0, 0x50000000, 0,
					     0x01000000)},
				      END};

static const struct tprop cell_b[] = {{"cells/b", "cpus", CELLS(1)},
				      {"cells/b", "memory",
				       CELLS(0, 0x40000000, 0, 0x51000000, 0,
					     0x01000000)},
				      END};

static _Alignas(8) uint8_t blob[64 * 1024];
static size_t blob_size;
static struct hv_config cfg;
static struct hv_config_error err;

static const struct tprop *flat[MAX_FLAT];
static unsigned flat_count;

static bool same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* True when `node` is `parent` or lies below it. */
static bool under(const char *node, const char *parent)
{
	size_t n = strlen(parent);

	return strncmp(node, parent, n) == 0 &&
	       (node[n] == '\0' || node[n] == '/');
}

static void flat_add(const struct tprop *p)
{
	unsigned i, k;

	if (p->omit) {
		for (i = 0, k = 0; i < flat_count; i++) {
			bool drop = p->name ? same(flat[i]->node, p->node) &&
						      same(flat[i]->name,
							   p->name)
					    : under(flat[i]->node, p->node);
			if (!drop)
				flat[k++] = flat[i];
		}
		flat_count = k;
		return;
	}
	for (i = 0; i < flat_count; i++) {
		if (p->name && same(flat[i]->node, p->node) &&
		    same(flat[i]->name, p->name)) {
			flat[i] = p;
			return;
		}
	}
	ck_assert_uint_lt(flat_count, MAX_FLAT);
	flat[flat_count++] = p;
}

static void emit_props(const char *node)
{
	for (unsigned i = 0; i < flat_count; i++) {
		const struct tprop *p = flat[i];
		uint32_t be[MAX_V + 4] = {0};
		const void *data;
		int len;

		if (!p->name || strcmp(p->node, node) != 0)
			continue;
		if (p->raw) {
			data = p->raw;
			len = p->raw_len;
		} else if (p->str) {
			data = p->str;
			len = (int)strlen(p->str) + 1;
		} else {
			for (unsigned k = 0; k < p->n; k++)
				be[k] = cpu_to_fdt32(p->v[k]);
			data = be;
			len = (int)(p->n * 4);
		}
		ck_assert_int_eq(fdt_property(blob, p->name, data,
					      len + p->len_adj),
				 0);
	}
}

/* The first path component of `node` after `prefix` ("" or "cells/"),
 * copied into buf; false when node is not below prefix. */
static bool component(const char *node, const char *prefix, char *buf,
		      size_t cap)
{
	size_t n = strlen(prefix);
	size_t len;

	if (node[0] == '\0' || strncmp(node, prefix, n) != 0 || node[n] == '\0')
		return false;
	len = strcspn(node + n, "/");
	ck_assert_uint_lt(len, cap);
	memcpy(buf, node + n, len);
	buf[len] = '\0';
	return true;
}

static bool seen_before(unsigned upto, const char *prefix, const char *name)
{
	char buf[128];

	for (unsigned i = 0; i < upto; i++) {
		if (component(flat[i]->node, prefix, buf, sizeof(buf)) &&
		    strcmp(buf, name) == 0)
			return true;
	}
	return false;
}

/* Emits the subnodes of `path` ("" for the root's, else "a/b/"), each
 * with its properties and its own subnodes, in first-appearance order. */
static void emit_subnodes(const char *path)
{
	for (unsigned i = 0; i < flat_count; i++) {
		char sub[128], full[256];

		if (!component(flat[i]->node, path, sub, sizeof(sub)) ||
		    seen_before(i, path, sub))
			continue;
		ck_assert_int_eq(fdt_begin_node(blob, sub), 0);
		snprintf(full, sizeof(full), "%s%s", path, sub);
		emit_props(full);
		snprintf(full, sizeof(full), "%s%s/", path, sub);
		emit_subnodes(full);
		ck_assert_int_eq(fdt_end_node(blob), 0);
	}
}

/* Builds the blob from NULL-terminated varargs of property lists: nodes
 * appear in the order their first property appears, at any depth. */
static void build(const struct tprop *first, ...)
{
	const struct tprop *list;
	va_list ap;

	flat_count = 0;
	va_start(ap, first);
	for (list = first; list; list = va_arg(ap, const struct tprop *)) {
		for (const struct tprop *p = list; p->node; p++)
			flat_add(p);
	}
	va_end(ap);

	ck_assert_int_eq(fdt_create(blob, sizeof(blob)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(blob), 0);
	ck_assert_int_eq(fdt_begin_node(blob, ""), 0);
	emit_props("");
	emit_subnodes("");
	ck_assert_int_eq(fdt_end_node(blob), 0);
	ck_assert_int_eq(fdt_finish(blob), 0);
	blob_size = fdt_totalsize(blob);
}

static bool cfg_is_zero(void)
{
	const uint8_t *p = (const uint8_t *)&cfg;

	for (size_t i = 0; i < sizeof(cfg); i++) {
		if (p[i])
			return false;
	}
	return true;
}

static enum hv_err parse_buf(const void *buf, size_t size)
{
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(&err, 0x5a, sizeof(err));
	return config_parse(buf, size, &cfg, &err);
}

/* Parses a copy of [src, src+size) in a heap block of exactly that size,
 * so that valgrind or ASan catch any read past the end. */
static enum hv_err parse_exact(const void *src, size_t size)
{
	void *copy = malloc(size ? size : 1);
	enum hv_err ret;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, src, size);
	ret = parse_buf(copy, size);
	free(copy);
	return ret;
}

static enum hv_err parse(void)
{
	return parse_buf(blob, blob_size);
}

/* Parses the current blob and asserts a rejection with `code` whose
 * message starts with `prefix`, is one line, and left cfg zeroed. */
static void expect_reject(enum hv_err code, const char *prefix)
{
	enum hv_err ret = parse();

	ck_assert_msg(ret == code, "expected error %d, got %d (msg '%s')",
		      (int)code, (int)ret, ret ? err.msg : "");
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
		      "message '%s' does not start with '%s'", err.msg, prefix);
	ck_assert_msg(strchr(err.msg, '\n') == NULL, "multi-line message");
	ck_assert_msg(cfg_is_zero(), "config not zeroed after an error");
}

#define REJECT(code, prefix, ...)            \
	do {                                 \
		build(__VA_ARGS__, NULL);    \
		expect_reject(code, prefix); \
	} while (0)

static void expect_accept(void)
{
	enum hv_err ret = parse();

	ck_assert_msg(ret == HV_OK, "rejected (%d): %s", (int)ret, err.msg);
	ck_assert_str_eq(err.msg, "");
}

static void setup(void)
{
	fake_hal_teardown();
}

static void teardown(void)
{
	fake_hal_teardown();
}

/* --- accepted configs ------------------------------------------------------ */

START_TEST(test_minimal_config_parsed_with_defaults)
{
	/* The smallest valid config parses with every optional field defaulted. */
	build(platform_std, cell_a, NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.platform.cpu_count, 4);
	ck_assert_uint_eq(pa_addr(cfg.platform.ram_base), 0x40000000);
	ck_assert_uint_eq(cfg.platform.ram_size, 0x40000000);
	ck_assert_uint_eq(pa_addr(cfg.platform.hv_base), 0x40000000);
	ck_assert_uint_eq(cfg.platform.hv_size, 0x10000000);
	ck_assert_uint_eq(pa_addr(cfg.platform.uart_base), 0x09000000);
	ck_assert_uint_eq(cfg.platform.ipa_bits, 40);
	ck_assert_uint_eq(cfg.cell_count, 1);
	ck_assert_str_eq(cfg.cells[0].name, "a");
	ck_assert_uint_eq(cfg.cells[0].cpu_count, 1);
	ck_assert_uint_eq(cfg.cells[0].cpus[0], 0);
	ck_assert_uint_eq(cfg.cells[0].region_count, 1);
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].regions[0].ipa), 0x40000000);
	ck_assert_uint_eq(pa_addr(cfg.cells[0].regions[0].pa), 0x50000000);
	ck_assert_uint_eq(cfg.cells[0].regions[0].size, 0x01000000);
	ck_assert_uint_eq(cfg.cells[0].regions[0].flags, HV_MEM_RWX);
	ck_assert_str_eq(cfg.cells[0].image, "");
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].image_load), 0x40000000);
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].entry), 0x40000000);
	ck_assert(!cfg.cells[0].has_console);
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].console_ipa), 0);
	ck_assert_int_eq(cfg.cells[0].fault_policy, HV_FAULT_TERMINATE);
	/* Untouched cell slots stay zero. */
	ck_assert_str_eq(cfg.cells[1].name, "");
	ck_assert_uint_eq(cfg.cells[1].region_count, 0);
}
END_TEST

START_TEST(test_full_cell_parsed)
{
	/* Every optional cell property is read into the right field, with 64-bit values from two cells. */
	build(platform_std, cell_a,
	      LIST({"platform", "ipa-bits", CELLS(44)},
		   {"cells/a", "cpus", CELLS(2, 0)},
		   {"cells/a", "memory",
		    CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x01000000, 0x8,
			  0x00000000, 0, 0x60000000, 0, 0x00100000)},
		   {"cells/a", "memory-access", .raw = "rx\0rw", .raw_len = 6},
		   {"cells/a", "image", .str = "dir/a.bin"},
		   {"cells/a", "load-address", CELLS(0x8, 0x00000000)},
		   {"cells/a", "entry", CELLS(0x8, 0x00001000)},
		   {"cells/a", "console", CELLS(0, 0x09000000)},
		   {"cells/a", "fault-policy", .str = "inject-abort"}),
	      NULL);
	expect_accept();
	const struct hv_cell_config *c = &cfg.cells[0];
	ck_assert_uint_eq(cfg.platform.ipa_bits, 44);
	ck_assert_uint_eq(c->cpu_count, 2);
	ck_assert_uint_eq(c->cpus[0], 2);
	ck_assert_uint_eq(c->cpus[1], 0);
	ck_assert_uint_eq(c->region_count, 2);
	ck_assert_uint_eq(c->regions[0].flags, HV_MEM_READ | HV_MEM_EXEC);
	ck_assert_uint_eq(ipa_addr(c->regions[1].ipa), UINT64_C(0x800000000));
	ck_assert_uint_eq(pa_addr(c->regions[1].pa), 0x60000000);
	ck_assert_uint_eq(c->regions[1].size, 0x00100000);
	ck_assert_uint_eq(c->regions[1].flags, HV_MEM_READ | HV_MEM_WRITE);
	ck_assert_str_eq(c->image, "dir/a.bin");
	ck_assert_uint_eq(ipa_addr(c->image_load), UINT64_C(0x800000000));
	ck_assert_uint_eq(ipa_addr(c->entry), UINT64_C(0x800001000));
	ck_assert(c->has_console);
	ck_assert_uint_eq(ipa_addr(c->console_ipa), 0x09000000);
	ck_assert_int_eq(c->fault_policy, HV_FAULT_INJECT);
}
END_TEST

START_TEST(test_entry_defaults_to_load_address)
{
	/* Without entry, vCPU 0 starts at the load address, not at region 0. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "load-address", CELLS(0, 0x40100000)}), NULL);
	expect_accept();
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].image_load), 0x40100000);
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].entry), 0x40100000);
}
END_TEST

START_TEST(test_several_cells_share_ipas_not_pas)
{
	/* Cells may use the same IPAs; each keeps its own PA, CPU and name, in node order. */
	build(platform_std, cell_a, cell_b,
	      LIST({"cells/c", "cpus", CELLS(3)},
		   {"cells/c", "memory",
		    CELLS(0, 0x40000000, 0, 0x52000000, 0, 0x01000000)},
		   {"cells/c", "console", CELLS(0, 0x09000000)}),
	      NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.cell_count, 3);
	ck_assert_str_eq(cfg.cells[0].name, "a");
	ck_assert_str_eq(cfg.cells[1].name, "b");
	ck_assert_str_eq(cfg.cells[2].name, "c");
	ck_assert_uint_eq(cfg.cells[1].cpus[0], 1);
	ck_assert_uint_eq(pa_addr(cfg.cells[1].regions[0].pa), 0x51000000);
	ck_assert_uint_eq(pa_addr(cfg.cells[2].regions[0].pa), 0x52000000);
	ck_assert(!cfg.cells[1].has_console);
	ck_assert(cfg.cells[2].has_console);
}
END_TEST

START_TEST(test_memory_access_modes)
{
	/* Each memory-access string maps to exactly its flag set. */
	static const struct {
		const char *s;
		unsigned flags;
	} modes[] = {
		{"r", HV_MEM_READ},
		{"rw", HV_MEM_READ | HV_MEM_WRITE},
		{"rx", HV_MEM_READ | HV_MEM_EXEC},
		{"rwx", HV_MEM_RWX},
	};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct tprop p[] = {{"cells/a", "memory-access",
				     .str = modes[i].s},
				    END};

		build(platform_std, cell_a, p, NULL);
		expect_accept();
		ck_assert_uint_eq(cfg.cells[0].regions[0].flags,
				  modes[i].flags);
	}
}
END_TEST

START_TEST(test_node_order_and_dtc_extras_accepted)
{
	/* /cells may come before /platform, and dtc's phandle/name and #-cells properties are ignored. */
	build(LIST({"cells", "#address-cells", CELLS(2)}), cell_a, platform_std,
	      LIST({"cells/a", "phandle", CELLS(1)},
		   {"cells/a", "name", .str = "a"},
		   {"", "model", .str = "test"},
		   {"cells/a", "fault-policy", .str = "terminate"}),
	      NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.cell_count, 1);
	ck_assert_uint_eq(cfg.platform.cpu_count, 4);
	ck_assert_int_eq(cfg.cells[0].fault_policy, HV_FAULT_TERMINATE);
}
END_TEST

START_TEST(test_limits_accepted)
{
	/* The largest allowed counts and lengths are accepted: 8 vCPUs, 8 regions, a 31-character name, a 127-character image. */
	char name[32], node[64], image[128];

	memset(name, 'n', 31);
	name[31] = '\0';
	snprintf(node, sizeof(node), "cells/%s", name);
	memset(image, 'i', 127);
	image[127] = '\0';
	build(platform_std,
	      LIST({"platform", "cpus", CELLS(64)},
		   {node, "cpus", CELLS(0, 1, 2, 3, 4, 5, 6, 63)},
		   {node, "memory",
		    CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1000, 0,
			  0x40001000, 0, 0x50001000, 0, 0x1000, 0, 0x40002000,
			  0, 0x50002000, 0, 0x1000, 0, 0x40003000, 0,
			  0x50003000, 0, 0x1000, 0, 0x40004000, 0, 0x50004000,
			  0, 0x1000, 0, 0x40005000, 0, 0x50005000, 0, 0x1000, 0,
			  0x40006000, 0, 0x50006000, 0, 0x1000, 0, 0x40007000,
			  0, 0x50007000, 0, 0x1000)},
		   {node, "image", .str = image}),
	      NULL);
	expect_accept();
	ck_assert_str_eq(cfg.cells[0].name, name);
	ck_assert_uint_eq(cfg.cells[0].cpu_count, 8);
	ck_assert_uint_eq(cfg.cells[0].cpus[7], 63);
	ck_assert_uint_eq(cfg.cells[0].region_count, 8);
	ck_assert_uint_eq(pa_addr(cfg.cells[0].regions[7].pa), 0x50007000);
	ck_assert_str_eq(cfg.cells[0].image, image);
}
END_TEST

/* Builds `count` cells c0, c1, ... on pCPU i and PA 0x50000000 + i MiB. */
static void build_many_cells(unsigned count)
{
	static char nodes[HV_MAX_CELLS + 2][24];
	static struct tprop props[2 * (HV_MAX_CELLS + 2) + 2];
	unsigned k = 0;

	ck_assert_uint_le(count, HV_MAX_CELLS + 2);
	memset(props, 0, sizeof(props));
	props[k++] = (struct tprop){"platform", "cpus", CELLS(64)};
	for (unsigned i = 0; i < count; i++) {
		snprintf(nodes[i], sizeof(nodes[i]), "cells/c%u", i);
		props[k++] = (struct tprop){nodes[i], "cpus", CELLS(i)};
		props[k++] = (struct tprop){nodes[i], "memory",
					    CELLS(0, 0x40000000, 0,
						  0x50000000 + (i << 20), 0,
						  0x100000)};
	}
	build(platform_std, props, NULL);
}

START_TEST(test_cell_count_limit)
{
	/* HV_MAX_CELLS cells are accepted and one more is refused at /cells. */
	build_many_cells(HV_MAX_CELLS);
	expect_accept();
	ck_assert_uint_eq(cfg.cell_count, HV_MAX_CELLS);
	ck_assert_str_eq(cfg.cells[HV_MAX_CELLS - 1].name, "c15");
	build_many_cells(HV_MAX_CELLS + 1);
	expect_reject(HV_ERR_RANGE, "/cells: more than 16 cells");
}
END_TEST

START_TEST(test_ipa_bits_bound_region_and_console)
{
	/* A region or console ending exactly at 2^ipa-bits is accepted; one page further is refused. */
	build(platform_std, cell_a,
	      LIST({"platform", "ipa-bits", CELLS(32)},
		   {"cells/a", "memory",
		    CELLS(0, 0x40000000, 0, 0x50000000, 0, 0xc0000000)},
		   {"platform", "memory",
		    CELLS(0, 0x40000000, 0x1, 0x00000000)}),
	      NULL);
	expect_accept();
	REJECT(HV_ERR_RANGE,
	       "/cells/a: memory: region 0: IPA 0x40000000 + 0xc0001000 "
	       "exceeds the 32-bit IPA space",
	       platform_std, cell_a,
	       LIST({"platform", "ipa-bits", CELLS(32)},
		    {"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0xc0001000)},
		    {"platform", "memory",
		     CELLS(0, 0x40000000, 0x1, 0x00000000)}));
	build(platform_std, cell_a,
	      LIST({"platform", "ipa-bits", CELLS(48)},
		   {"cells/a", "console", CELLS(0xffff, 0xfffff000)}),
	      NULL);
	expect_accept();
	REJECT(HV_ERR_RANGE,
	       "/cells/a: console: 0x1000000000000 exceeds the 48-bit IPA "
	       "space",
	       platform_std, cell_a,
	       LIST({"platform", "ipa-bits", CELLS(48)},
		    {"cells/a", "console", CELLS(0x10000, 0)}));
}
END_TEST

/* --- the blob itself ------------------------------------------------------- */

START_TEST(test_empty_blob_rejected)
{
	/* A zero-length or NULL blob is refused without being read. */
	ck_assert_int_eq(parse_buf(blob, 0), HV_ERR_INVAL);
	ck_assert_str_eq(err.msg, "config: empty blob");
	ck_assert(cfg_is_zero());
	ck_assert_int_eq(parse_buf(NULL, 100), HV_ERR_INVAL);
	ck_assert_str_eq(err.msg, "config: empty blob");
}
END_TEST

START_TEST(test_garbage_rejected_by_magic)
{
	/* Text passed as a blob is refused by its magic number. */
	static const char text[] = "// raw\nThis is not a flattened devicetree "
				   "at all, just text.\n";

	memcpy(blob, text, sizeof(text));
	ck_assert_int_eq(parse_buf(blob, sizeof(text)), HV_ERR_INVAL);
	ck_assert_str_eq(err.msg,
			 "config: not a devicetree blob (FDT_ERR_BADMAGIC)");
	ck_assert(cfg_is_zero());
}
END_TEST

START_TEST(test_short_buffer_rejected)
{
	/* A buffer shorter than an FDT header is refused as truncated even when it starts with the magic. */
	build(platform_std, cell_a, NULL);
	ck_assert_int_eq(parse_buf(blob, 12), HV_ERR_INVAL);
	ck_assert_str_eq(
		err.msg,
		"config: not a devicetree blob (FDT_ERR_TRUNCATED: 12 bytes)");
	ck_assert(cfg_is_zero());
}
END_TEST

START_TEST(test_size_below_totalsize_rejected)
{
	/* Every size below the header's totalsize is refused; a larger buffer is fine. */
	build(platform_std, cell_a, NULL);
	for (size_t s = 1; s < blob_size; s++) {
		ck_assert_int_eq(parse_exact(blob, s), HV_ERR_INVAL);
		ck_assert_msg(strncmp(err.msg,
				      "config: not a devicetree blob (",
				      31) == 0,
			      "size %zu: %s", s, err.msg);
		ck_assert(cfg_is_zero());
	}
	ck_assert_int_eq(parse_buf(blob, blob_size - 1), HV_ERR_INVAL);
	ck_assert_str_eq(err.msg,
			 "config: not a devicetree blob (FDT_ERR_TRUNCATED)");
	ck_assert_int_eq(parse_buf(blob, blob_size + 100), HV_OK);
}
END_TEST

START_TEST(test_totalsize_lie_rejected)
{
	/* A header claiming more bytes than the buffer holds is refused. */
	build(platform_std, cell_a, NULL);
	fdt_set_totalsize(blob, 0x7fffffff);
	ck_assert_int_eq(parse_buf(blob, blob_size), HV_ERR_INVAL);
	ck_assert_str_eq(err.msg,
			 "config: not a devicetree blob (FDT_ERR_TRUNCATED)");
}
END_TEST

START_TEST(test_corrupted_bytes_never_crash)
{
	/* Flipping any byte of a valid blob yields OK or a one-line error, never a crash, and a zeroed config on error. */
	static _Alignas(8) uint8_t copy[4096];
	static const uint8_t xors[] = {0x01, 0x80, 0xff, 0x7f};
	unsigned rejected = 0;

	build(platform_std, cell_a, cell_b,
	      LIST({"cells/a", "image", .str = "a.bin"},
		   {"cells/b", "memory-access", .str = "rw"}),
	      NULL);
	ck_assert_uint_le(blob_size, sizeof(copy));
	for (size_t i = 0; i < blob_size; i++) {
		for (size_t x = 0; x < sizeof(xors); x++) {
			memcpy(copy, blob, blob_size);
			copy[i] ^= xors[x];
			if (parse_exact(copy, blob_size) != HV_OK) {
				rejected++;
				ck_assert(err.msg[0] != '\0');
				ck_assert(strchr(err.msg, '\n') == NULL);
				ck_assert(cfg_is_zero());
			}
		}
	}
	/* Most corruptions (header, structure, names, values) must be caught. */
	ck_assert_uint_gt(rejected, blob_size);
}
END_TEST

START_TEST(test_huge_property_length_rejected)
{
	/* A property whose length field points past the blob is refused as malformed, not read. */
	build(platform_std, cell_a, NULL);
	int node = fdt_path_offset(blob, "/cells/a");
	int len;
	const struct fdt_property *p;

	ck_assert_int_ge(node, 0);
	p = fdt_get_property(blob, node, "memory", &len);
	ck_assert_ptr_nonnull(p);
	for (uint32_t l = 25; l < 0x100; l += 7) {
		((struct fdt_property *)(uintptr_t)p)->len = cpu_to_fdt32(
			l + 0xffffff00u);
		ck_assert_int_eq(parse(), HV_ERR_INVAL);
		ck_assert_msg(strncmp(err.msg,
				      "config: not a devicetree blob (",
				      31) == 0,
			      "%s", err.msg);
	}
}
END_TEST

START_TEST(test_unaligned_blob_handled)
{
	/* A blob at an odd address is either parsed or refused by the header check, never misread. */
	static _Alignas(8) uint8_t copy[4096 + 8];

	build(platform_std, cell_a, NULL);
	memcpy(copy + 1, blob, blob_size);
	if (parse_buf(copy + 1, blob_size) == HV_OK)
		ck_assert_str_eq(cfg.cells[0].name, "a");
	else
		ck_assert_str_eq(
			err.msg,
			"config: not a devicetree blob (not 8-byte aligned)");
}
END_TEST

/* --- root ------------------------------------------------------------------ */

START_TEST(test_root_compatible_required)
{
	/* The root must be compatible with "cellvisor,config". */
	REJECT(HV_ERR_INVAL, "/: compatible: missing", platform_std, cell_a,
	       LIST({"", "compatible", .omit = true}));
	REJECT(HV_ERR_INVAL, "/: compatible: wrong value", platform_std, cell_a,
	       LIST({"", "compatible", .str = "linux,dummy-virt"}));
}
END_TEST

START_TEST(test_root_unknowns_rejected)
{
	/* Unknown root properties and nodes are refused, naming them. */
	REJECT(HV_ERR_INVAL, "/: foo: unknown property", platform_std, cell_a,
	       LIST({"", "foo", CELLS(1)}));
	REJECT(HV_ERR_INVAL, "/chosen: unknown node", platform_std, cell_a,
	       LIST({"chosen", NULL}));
}
END_TEST

START_TEST(test_missing_platform_or_cells)
{
	/* A config without /platform or /cells, or with no cell, is refused. */
	REJECT(HV_ERR_INVAL, "/platform: missing", platform_std, cell_a,
	       LIST({"platform", NULL, .omit = true}));
	REJECT(HV_ERR_INVAL, "/cells: missing", platform_std);
	REJECT(HV_ERR_INVAL, "/cells: no cells", platform_std,
	       LIST({"cells", NULL}));
	REJECT(HV_ERR_INVAL, "/cells: foo: unknown property", platform_std,
	       cell_a, LIST({"cells", "foo", CELLS(1)}));
}
END_TEST

/* Begins a hand-built blob (for what build() cannot express: duplicate
 * names) with the standard platform. */
static void raw_begin(void)
{
	ck_assert_int_eq(fdt_create(blob, sizeof(blob)), 0);
	ck_assert_int_eq(fdt_finish_reservemap(blob), 0);
	ck_assert_int_eq(fdt_begin_node(blob, ""), 0);
	ck_assert_int_eq(fdt_property_string(blob, "compatible",
					     "cellvisor,config"),
			 0);
}

static void raw_platform(void)
{
	const fdt32_t mem[] = {0, cpu_to_fdt32(0x40000000), 0,
			       cpu_to_fdt32(0x40000000)};
	const fdt32_t hv[] = {0, cpu_to_fdt32(0x40000000), 0,
			      cpu_to_fdt32(0x10000000)};
	const fdt32_t uart[] = {0, cpu_to_fdt32(0x09000000)};

	ck_assert_int_eq(fdt_begin_node(blob, "platform"), 0);
	ck_assert_int_eq(fdt_property_u32(blob, "cpus", 4), 0);
	ck_assert_int_eq(fdt_property(blob, "memory", mem, sizeof(mem)), 0);
	ck_assert_int_eq(fdt_property(blob, "hypervisor-memory", hv,
				      sizeof(hv)),
			 0);
	ck_assert_int_eq(fdt_property(blob, "console", uart, sizeof(uart)), 0);
	ck_assert_int_eq(fdt_end_node(blob), 0);
}

static void raw_cell(const char *name, uint32_t cpu, uint32_t pa, bool twice)
{
	fdt32_t mem[] = {0, cpu_to_fdt32(0x40000000), 0, cpu_to_fdt32(pa),
			 0, cpu_to_fdt32(0x01000000)};

	ck_assert_int_eq(fdt_begin_node(blob, name), 0);
	ck_assert_int_eq(fdt_property_u32(blob, "cpus", cpu), 0);
	ck_assert_int_eq(fdt_property(blob, "memory", mem, sizeof(mem)), 0);
	if (twice)
		ck_assert_int_eq(fdt_property(blob, "memory", mem, sizeof(mem)),
				 0);
	ck_assert_int_eq(fdt_end_node(blob), 0);
}

static void raw_end(void)
{
	ck_assert_int_eq(fdt_end_node(blob), 0);
	ck_assert_int_eq(fdt_finish(blob), 0);
	blob_size = fdt_totalsize(blob);
}

START_TEST(test_duplicates_rejected)
{
	/* A node, cell name or property given twice (possible in a crafted blob) is refused. */
	raw_begin();
	raw_platform();
	raw_platform();
	raw_end();
	expect_reject(HV_ERR_INVAL, "/platform: node given twice");

	raw_begin();
	raw_platform();
	ck_assert_int_eq(fdt_begin_node(blob, "cells"), 0);
	raw_cell("a", 0, 0x50000000, false);
	raw_cell("a", 1, 0x51000000, false);
	ck_assert_int_eq(fdt_end_node(blob), 0);
	raw_end();
	expect_reject(HV_ERR_INVAL, "/cells/a: cell name used twice");

	raw_begin();
	raw_platform();
	ck_assert_int_eq(fdt_begin_node(blob, "cells"), 0);
	raw_cell("a", 0, 0x50000000, true);
	ck_assert_int_eq(fdt_end_node(blob), 0);
	raw_end();
	expect_reject(HV_ERR_INVAL, "/cells/a: memory: given twice");
}
END_TEST

START_TEST(test_odd_names_shown_safely)
{
	/* An empty cell name is refused, and a very long one is cut short in the message. */
	char node[80];

	raw_begin();
	raw_platform();
	ck_assert_int_eq(fdt_begin_node(blob, "cells"), 0);
	raw_cell("", 0, 0x50000000, false);
	ck_assert_int_eq(fdt_end_node(blob), 0);
	raw_end();
	expect_reject(HV_ERR_INVAL, "/cells/: empty cell name");

	snprintf(node, sizeof(node), "cells/%s",
		 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN");
	REJECT(HV_ERR_INVAL,
	       "/cells/abcdefghijklmnopqrstuvwxyz0123456789ABCD...: name too "
	       "long (50 characters",
	       platform_std, LIST({node, "cpus", CELLS(0)}));
}
END_TEST

/* --- platform ---------------------------------------------------------------- */

START_TEST(test_platform_missing_props)
{
	/* Each required platform property, when absent, is named in the error. */
	REJECT(HV_ERR_INVAL, "/platform: cpus: missing", platform_std, cell_a,
	       LIST({"platform", "cpus", .omit = true}));
	REJECT(HV_ERR_INVAL, "/platform: memory: missing", platform_std, cell_a,
	       LIST({"platform", "memory", .omit = true}));
	REJECT(HV_ERR_INVAL, "/platform: hypervisor-memory: missing",
	       platform_std, cell_a,
	       LIST({"platform", "hypervisor-memory", .omit = true}));
	REJECT(HV_ERR_INVAL, "/platform: console: missing", platform_std,
	       cell_a, LIST({"platform", "console", .omit = true}));
}
END_TEST

START_TEST(test_platform_wrong_lengths)
{
	/* Platform properties with the wrong number of cells or bytes are refused with what was expected. */
	REJECT(HV_ERR_INVAL,
	       "/platform: memory: expected 4 cells (base, size), got 3",
	       platform_std, cell_a,
	       LIST({"platform", "memory", CELLS(0, 0x40000000, 0x40000000)}));
	REJECT(HV_ERR_INVAL,
	       "/platform: memory: expected 4 cells (base, size), got 15 bytes",
	       platform_std, cell_a,
	       LIST({"platform", "memory", CELLS(0, 0x40000000, 0, 0x40000000),
		     .len_adj = -1}));
	REJECT(HV_ERR_INVAL,
	       "/platform: cpus: expected 1 cell (CPU count), got 2",
	       platform_std, cell_a, LIST({"platform", "cpus", CELLS(4, 4)}));
	REJECT(HV_ERR_INVAL,
	       "/platform: console: expected 2 cells (PL011 address), got 9 "
	       "bytes",
	       platform_std, cell_a,
	       LIST({"platform", "console", CELLS(0, 0x09000000),
		     .len_adj = 1}));
	REJECT(HV_ERR_INVAL,
	       "/platform: ipa-bits: expected 1 cell (bit count), got 0",
	       platform_std, cell_a, LIST({"platform", "ipa-bits", .n = 0}));
}
END_TEST

START_TEST(test_platform_cpu_count_range)
{
	/* The physical CPU count must be 1..HV_MAX_CPUS. */
	REJECT(HV_ERR_RANGE, "/platform: cpus: 0 CPUs, expected 1..64",
	       platform_std, cell_a, LIST({"platform", "cpus", CELLS(0)}));
	REJECT(HV_ERR_RANGE, "/platform: cpus: 65 CPUs", platform_std, cell_a,
	       LIST({"platform", "cpus", CELLS(65)}));
}
END_TEST

START_TEST(test_platform_memory_rules)
{
	/* Platform RAM must be non-empty, page aligned and not wrap. */
	REJECT(HV_ERR_INVAL, "/platform: memory: size is zero", platform_std,
	       cell_a,
	       LIST({"platform", "memory", CELLS(0, 0x40000000, 0, 0)}));
	REJECT(HV_ERR_RANGE,
	       "/platform: memory: 0xfffffffffffff000 + 0x2000 wraps past 2^64",
	       platform_std, cell_a,
	       LIST({"platform", "memory",
		     CELLS(0xffffffff, 0xfffff000, 0, 0x2000)}));
	REJECT(HV_ERR_INVAL,
	       "/platform: memory: base 0x40000800 and size 0x40000000 must be "
	       "page aligned",
	       platform_std, cell_a,
	       LIST({"platform", "memory",
		     CELLS(0, 0x40000800, 0, 0x40000000)}));
}
END_TEST

START_TEST(test_platform_hypervisor_memory_rules)
{
	/* hypervisor-memory must be non-empty and lie inside RAM. */
	REJECT(HV_ERR_INVAL, "/platform: hypervisor-memory: size is zero",
	       platform_std, cell_a,
	       LIST({"platform", "hypervisor-memory",
		     CELLS(0, 0x40000000, 0, 0)}));
	REJECT(HV_ERR_RANGE,
	       "/platform: hypervisor-memory: 0x3ff00000 + 0x10000000 is not "
	       "inside memory (0x40000000 + 0x40000000)",
	       platform_std, cell_a,
	       LIST({"platform", "hypervisor-memory",
		     CELLS(0, 0x3ff00000, 0, 0x10000000)}));
	REJECT(HV_ERR_RANGE,
	       "/platform: hypervisor-memory: 0x7ff00000 + 0x200000 is not "
	       "inside memory",
	       platform_std, cell_a,
	       LIST({"platform", "hypervisor-memory",
		     CELLS(0, 0x7ff00000, 0, 0x200000)}));
}
END_TEST

START_TEST(test_platform_console_and_ipa_bits_rules)
{
	/* The console must be page aligned outside RAM, and ipa-bits within 32..48. */
	REJECT(HV_ERR_OVERLAP,
	       "/platform: console: 0x40001000 lies inside memory",
	       platform_std, cell_a,
	       LIST({"platform", "console", CELLS(0, 0x40001000)}));
	REJECT(HV_ERR_INVAL,
	       "/platform: console: 0x9000100 is not page aligned",
	       platform_std, cell_a,
	       LIST({"platform", "console", CELLS(0, 0x09000100)}));
	REJECT(HV_ERR_RANGE, "/platform: ipa-bits: 31, expected 32..48",
	       platform_std, cell_a, LIST({"platform", "ipa-bits", CELLS(31)}));
	REJECT(HV_ERR_RANGE, "/platform: ipa-bits: 49, expected 32..48",
	       platform_std, cell_a, LIST({"platform", "ipa-bits", CELLS(49)}));
}
END_TEST

START_TEST(test_platform_unknowns_rejected)
{
	/* A misspelt platform property or a platform subnode is refused. */
	REJECT(HV_ERR_INVAL,
	       "/platform: cpu: unknown property (known: cpus, memory,",
	       platform_std, cell_a, LIST({"platform", "cpu", CELLS(4)}));
	REJECT(HV_ERR_INVAL, "/platform: unexpected subnode 'uart'",
	       platform_std, cell_a, LIST({"platform/uart", "reg", CELLS(1)}));
}
END_TEST

/* --- cell names and properties ---------------------------------------------- */

START_TEST(test_cell_name_rules)
{
	/* Cell names must be shorter than HV_NAME_MAX and use only safe characters. */
	char node[64];

	snprintf(node, sizeof(node), "cells/%s",
		 "abcdefghijklmnopqrstuvwxyz012345");
	REJECT(HV_ERR_INVAL,
	       "/cells/abcdefghijklmnopqrstuvwxyz012345: name too long (32 "
	       "characters, at most 31)",
	       platform_std,
	       LIST({node, "cpus", CELLS(0)},
		    {node, "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x01000000)}));
	REJECT(HV_ERR_INVAL, "/cells/a@1: name may only use letters, digits",
	       platform_std,
	       LIST({"cells/a@1", "cpus", CELLS(0)},
		    {"cells/a@1", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x01000000)}));
}
END_TEST

START_TEST(test_cell_unknowns_rejected)
{
	/* A misspelt cell property or a subnode in a cell is refused, naming both. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memroy: unknown property (known: cpus, memory,",
	       platform_std, cell_a,
	       LIST({"cells/a", "memroy",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x01000000)}));
	REJECT(HV_ERR_INVAL, "/cells/a: ima\?e: unknown property", platform_std,
	       cell_a,
	       LIST({"cells/a",
		     "ima\x01"
		     "e",
		     .str = "x"}));
}
END_TEST

START_TEST(test_cell_cpus_rules)
{
	/* cpus must be present, well formed, existing and given to one cell only. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a: cpus: missing (every cell needs at least one CPU)",
	       platform_std, cell_a, LIST({"cells/a", "cpus", .omit = true}));
	REJECT(HV_ERR_INVAL, "/cells/a: cpus: empty", platform_std, cell_a,
	       LIST({"cells/a", "cpus", .n = 0}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: cpus: expected a multiple of 1 cell (physical CPU "
	       "numbers), got 3 bytes",
	       platform_std, cell_a,
	       LIST({"cells/a", "cpus", CELLS(0), .len_adj = -1}));
	REJECT(HV_ERR_INVAL, "/cells/a: cpus: 9 entries, at most 8 allowed",
	       platform_std, cell_a,
	       LIST({"platform", "cpus", CELLS(16)},
		    {"cells/a", "cpus", CELLS(0, 1, 2, 3, 4, 5, 6, 7, 8)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a: cpus: CPU 4 does not exist (the platform has 4)",
	       platform_std, cell_a, LIST({"cells/a", "cpus", CELLS(1, 4)}));
	REJECT(HV_ERR_OVERLAP, "/cells/a: cpus: CPU 2 is listed twice",
	       platform_std, cell_a, LIST({"cells/a", "cpus", CELLS(2, 1, 2)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/b: cpus: CPU 1 is already given to /cells/a",
	       platform_std, cell_a, cell_b,
	       LIST({"cells/a", "cpus", CELLS(0, 1)}));
}
END_TEST

START_TEST(test_cell_memory_format)
{
	/* memory must be present and a non-empty list of at most 8 (IPA, PA, size) triples. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory: missing (every cell needs at least one "
	       "memory region)",
	       platform_std, cell_a, LIST({"cells/a", "memory", .omit = true}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory: expected a multiple of 6 cells (IPA, PA, "
	       "size triples), got 5",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0x50000000, 0, 0x01000000)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory: expected a multiple of 6 cells (IPA, PA, "
	       "size triples), got 23 bytes",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x01000000),
		     .len_adj = -1}));
	REJECT(HV_ERR_INVAL, "/cells/a: memory: empty", platform_std, cell_a,
	       LIST({"cells/a", "memory", .n = 0}));
	REJECT(HV_ERR_INVAL, "/cells/a: memory: 9 entries, at most 8 allowed",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1000, 0,
			   0x40001000, 0, 0x50001000, 0, 0x1000, 0, 0x40002000,
			   0, 0x50002000, 0, 0x1000, 0, 0x40003000, 0,
			   0x50003000, 0, 0x1000, 0, 0x40004000, 0, 0x50004000,
			   0, 0x1000, 0, 0x40005000, 0, 0x50005000, 0, 0x1000,
			   0, 0x40006000, 0, 0x50006000, 0, 0x1000, 0,
			   0x40007000, 0, 0x50007000, 0, 0x1000, 0, 0x40008000,
			   0, 0x50008000, 0, 0x1000)}));
}
END_TEST

START_TEST(test_cell_region_values)
{
	/* Each region must be non-empty, page aligned, not wrap, and fit the IPA space and platform RAM. */
	REJECT(HV_ERR_INVAL, "/cells/a: memory: region 1: size is zero",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1000, 0,
			   0x50000000, 0, 0x51000000, 0, 0)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory: region 0: IPA, PA and size must be page "
	       "aligned",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000800, 0, 0x1000)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory: region 0: IPA, PA and size must be page "
	       "aligned",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1800)}));
	REJECT(HV_ERR_RANGE, "/cells/a: memory: region 0: wraps past 2^64",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0xffffffff, 0xfffff000, 0, 0x50000000, 0, 0x2000)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a: memory: region 0: IPA 0x10000000000 + 0x1000 exceeds "
	       "the 40-bit IPA space",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0x100, 0, 0, 0x50000000, 0, 0x1000)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a: memory: region 0: PA 0x7ffff000 + 0x2000 is outside "
	       "platform memory",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x7ffff000, 0, 0x2000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: memory: region 0: PA 0x4ffff000 + 0x2000 overlaps "
	       "hypervisor-memory",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x4ffff000, 0, 0x2000)}));
}
END_TEST

START_TEST(test_cell_region_overlaps)
{
	/* Regions may not overlap in PA anywhere, nor in IPA within one cell. */
	REJECT(HV_ERR_OVERLAP,
	       "/cells/b: memory: region 0 overlaps region 0 of /cells/a",
	       platform_std, cell_a, cell_b,
	       LIST({"cells/b", "memory",
		     CELLS(0, 0x40000000, 0, 0x50fff000, 0, 0x1000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/b: memory: region 1 overlaps region 1 of /cells/a",
	       platform_std, cell_a, cell_b,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1000, 0,
			   0x80000000, 0, 0x52000000, 0, 0x1000)},
		    {"cells/b", "memory",
		     CELLS(0, 0x40000000, 0, 0x51000000, 0, 0x1000, 0,
			   0x80000000, 0, 0x51fff000, 0, 0x2000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: memory: region 1 overlaps region 0 (PA)",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x2000, 0,
			   0x80000000, 0, 0x50001000, 0, 0x1000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: memory: region 1 overlaps region 0 (IPA)",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x2000, 0,
			   0x40001000, 0, 0x52000000, 0, 0x1000)}));
	/* Adjacent regions touch but do not overlap. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "memory",
		    CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x2000, 0,
			  0x40002000, 0, 0x50002000, 0, 0x1000)}),
	      NULL);
	expect_accept();
}
END_TEST

START_TEST(test_cell_memory_access_rules)
{
	/* memory-access needs one known mode string per region, properly terminated. */
	static const struct tprop two_regions[] = {
		{"cells/a", "memory",
		 CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1000, 0, 0x40001000,
		       0, 0x50001000, 0, 0x1000)},
		END};

	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory-access: 1 strings for 2 memory regions",
	       platform_std, cell_a, two_regions,
	       LIST({"cells/a", "memory-access", .str = "rw"}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory-access: more strings than memory regions (2)",
	       platform_std, cell_a, two_regions,
	       LIST({"cells/a", "memory-access", .raw = "r\0rw\0rx",
		     .raw_len = 8}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory-access: region 1: expected \"r\", \"rw\", "
	       "\"rx\" or \"rwx\"",
	       platform_std, cell_a, two_regions,
	       LIST({"cells/a", "memory-access", .raw = "r\0wx",
		     .raw_len = 5}));
	REJECT(HV_ERR_INVAL, "/cells/a: memory-access: region 0: expected",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory-access", .raw = "", .raw_len = 1}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory-access: not a list of NUL-terminated strings",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory-access", .str = "rw", .len_adj = -1}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: memory-access: not a list of NUL-terminated strings",
	       platform_std, cell_a,
	       LIST({"cells/a", "memory-access", .n = 0}));
}
END_TEST

START_TEST(test_cell_image_string_rules)
{
	/* image must be one non-empty printable NUL-terminated string shorter than HV_PATH_MAX. */
	char image[129];

	REJECT(HV_ERR_INVAL, "/cells/a: image: not a NUL-terminated string",
	       platform_std, cell_a,
	       LIST({"cells/a", "image", .str = "a.bin", .len_adj = -1}));
	REJECT(HV_ERR_INVAL, "/cells/a: image: empty string", platform_std,
	       cell_a, LIST({"cells/a", "image", .str = ""}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: image: expected one string, got several",
	       platform_std, cell_a,
	       LIST({"cells/a", "image", .raw = "a\0b", .raw_len = 4}));
	REJECT(HV_ERR_INVAL, "/cells/a: image: unprintable character in string",
	       platform_std, cell_a, LIST({"cells/a", "image", .str = "a\nb"}));
	memset(image, 'i', 128);
	image[128] = '\0';
	REJECT(HV_ERR_INVAL,
	       "/cells/a: image: string too long (128 characters, at most 127)",
	       platform_std, cell_a, LIST({"cells/a", "image", .str = image}));
}
END_TEST

START_TEST(test_cell_load_and_entry_rules)
{
	/* load-address and entry must be two cells inside a region of the cell; entry 4-byte aligned. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a: load-address: expected 2 cells (64-bit IPA), got 3",
	       platform_std, cell_a,
	       LIST({"cells/a", "load-address", CELLS(0, 0x40000000, 0)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a: load-address: 0x41000000 is not inside a memory "
	       "region of this cell",
	       platform_std, cell_a,
	       LIST({"cells/a", "load-address", CELLS(0, 0x41000000)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a: entry: 0x3ffffffc is not inside a memory region of "
	       "this cell",
	       platform_std, cell_a,
	       LIST({"cells/a", "entry", CELLS(0, 0x3ffffffc)}));
	REJECT(HV_ERR_RANGE, "/cells/a: entry: 0x41000000 is not inside",
	       platform_std, cell_a,
	       LIST({"cells/a", "entry", CELLS(0, 0x41000000)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: entry: 0x40000002 is not 4-byte aligned",
	       platform_std, cell_a,
	       LIST({"cells/a", "entry", CELLS(0, 0x40000002)}));
	/* The last instruction slot of a region is a valid entry. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "entry", CELLS(0, 0x40fffffc)}), NULL);
	expect_accept();
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].entry), 0x40fffffc);
}
END_TEST

START_TEST(test_cell_console_rules)
{
	/* A cell console must be two cells, page aligned, and clear of the cell's RAM. */
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: console: 0x40fff000 overlaps memory region 0",
	       platform_std, cell_a,
	       LIST({"cells/a", "console", CELLS(0, 0x40fff000)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: console: 0x9000004 is not aligned to 0x1000",
	       platform_std, cell_a,
	       LIST({"cells/a", "console", CELLS(0, 0x09000004)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: console: expected 2 cells (64-bit IPA), got 1",
	       platform_std, cell_a,
	       LIST({"cells/a", "console", CELLS(0x09000000)}));
	/* Just below the RAM is fine. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "console", CELLS(0, 0x3ffff000)}), NULL);
	expect_accept();
}
END_TEST

START_TEST(test_cell_gic_rules)
{
	/* A virtual GICv3 needs both windows, 64 KiB aligned, with one 128 KiB
	 * redistributor frame per vCPU, clear of RAM, the console and each
	 * other; without them the cell has no vGIC. */
	build(platform_std, cell_a, NULL, NULL);
	expect_accept();
	ck_assert(!cfg.cells[0].has_gic);
	build(platform_std, cell_a,
	      LIST({"cells/a", "cpus", CELLS(0, 1)},
		   {"cells/a", "console", CELLS(0, 0x09000000)},
		   {"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
		   {"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}),
	      NULL);
	expect_accept();
	ck_assert(cfg.cells[0].has_gic);
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].gicd_ipa), 0x08000000);
	ck_assert_uint_eq(ipa_addr(cfg.cells[0].gicr_ipa), 0x080a0000);
	REJECT(HV_ERR_INVAL, "/cells/a: gic-redistributors: missing",
	       platform_std, cell_a,
	       LIST({"cells/a", "gic-distributor", CELLS(0, 0x08000000)}));
	REJECT(HV_ERR_INVAL, "/cells/a: gic-distributor: missing", platform_std,
	       cell_a,
	       LIST({"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: gic-distributor: 0x8001000 is not aligned to 0x10000",
	       platform_std, cell_a,
	       LIST({"cells/a", "gic-distributor", CELLS(0, 0x08001000)},
		    {"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: gic-redistributors: 0x8000000 overlaps another "
	       "device window",
	       platform_std, cell_a,
	       LIST({"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
		    {"cells/a", "gic-redistributors", CELLS(0, 0x08000000)}));
	/* Two vCPUs need 256 KiB of redistributors: 0x3ffc0000 + 0x40000 hits RAM. */
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: gic-redistributors: 0x3ffe0000 overlaps memory "
	       "region 0",
	       platform_std, cell_a,
	       LIST({"cells/a", "cpus", CELLS(0, 1)},
		    {"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
		    {"cells/a", "gic-redistributors", CELLS(0, 0x3ffe0000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a: gic-distributor: 0x9000000 overlaps another device "
	       "window",
	       platform_std, cell_a,
	       LIST({"cells/a", "console", CELLS(0, 0x09000000)},
		    {"cells/a", "gic-distributor", CELLS(0, 0x09000000)},
		    {"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a: gic-distributor: 0x10000000000 exceeds the 40-bit "
	       "IPA space",
	       platform_std, cell_a,
	       LIST({"cells/a", "gic-distributor", CELLS(0x100, 0)},
		    {"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}));
}
END_TEST

START_TEST(test_cell_wfi_rules)
{
	/* wfi is "trap" (the default) or "passthrough". */
	build(platform_std, cell_a, NULL, NULL);
	expect_accept();
	ck_assert_int_eq(cfg.cells[0].wfi, HV_WFI_TRAP);
	build(platform_std, cell_a,
	      LIST({"cells/a", "wfi", .str = "passthrough"}), NULL);
	expect_accept();
	ck_assert_int_eq(cfg.cells[0].wfi, HV_WFI_PASSTHROUGH);
	REJECT(HV_ERR_INVAL,
	       "/cells/a: wfi: expected \"trap\" or \"passthrough\"",
	       platform_std, cell_a, LIST({"cells/a", "wfi", .str = "spin"}));
}
END_TEST

START_TEST(test_cell_linux_rules)
{
	/* kernel replaces image and needs a vGIC; initrd and bootargs only go
	 * with a kernel; the strings are copied. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "kernel", .str = "Image"},
		   {"cells/a", "initrd", .str = "rootfs.cpio"},
		   {"cells/a", "bootargs", .str = "console=ttyAMA0"},
		   {"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
		   {"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}),
	      NULL);
	expect_accept();
	ck_assert_str_eq(cfg.cells[0].kernel, "Image");
	ck_assert_str_eq(cfg.cells[0].initrd, "rootfs.cpio");
	ck_assert_str_eq(cfg.cells[0].bootargs, "console=ttyAMA0");
	REJECT(HV_ERR_INVAL,
	       "/cells/a: kernel: a Linux cell needs gic-distributor",
	       platform_std, cell_a,
	       LIST({"cells/a", "kernel", .str = "Image"}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: kernel: a cell boots either an image or a kernel",
	       platform_std, cell_a,
	       LIST({"cells/a", "kernel", .str = "Image"},
		    {"cells/a", "image", .str = "x.bin"},
		    {"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
		    {"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)}));
	/* boot-arg: a 64-bit X0 for raw images. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "boot-arg", CELLS(0x1, 0x23)}), NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.cells[0].boot_arg, UINT64_C(0x100000023));
	REJECT(HV_ERR_INVAL, "/cells/a: boot-arg: expected 2 cells",
	       platform_std, cell_a, LIST({"cells/a", "boot-arg", CELLS(1)}));
	REJECT(HV_ERR_INVAL, "/cells/a: initrd: only for a Linux cell",
	       platform_std, cell_a,
	       LIST({"cells/a", "initrd", .str = "rootfs.cpio"}));
	REJECT(HV_ERR_INVAL, "/cells/a: bootargs: only for a Linux cell",
	       platform_std, cell_a,
	       LIST({"cells/a", "bootargs", .str = "quiet"}));
}
END_TEST

/* Two GIC cells and one valid channel between them. */
static const struct tprop chan_ok[] = {
	{"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
	{"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)},
	{"cells/b", "gic-distributor", CELLS(0, 0x08000000)},
	{"cells/b", "gic-redistributors", CELLS(0, 0x080a0000)},
	{"channels/ring0", "cells", .raw = "a\0b", .raw_len = 4},
	{"channels/ring0", "memory", CELLS(0, 0x53000000, 0, 0x10000)},
	{"channels/ring0", "ipa", CELLS(0, 0x20000000)},
	{"channels/ring0", "access", .raw = "rw\0r", .raw_len = 5},
	{"channels/ring0", "doorbells", CELLS(40, 41)},
	END};

START_TEST(test_cell_capabilities)
{
	/* capabilities defaults to every class; a list grants exactly those;
	 * unknown class names are refused. */
	build(platform_std, cell_a, NULL, NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.cells[0].caps, HV_CAP_ALL);
	build(platform_std, cell_a,
	      LIST({"cells/a", "capabilities", .raw = "console\0ipc",
		    .raw_len = 12}),
	      NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.cells[0].caps, HV_CAP_CONSOLE | HV_CAP_IPC);
	REJECT(HV_ERR_INVAL, "/cells/a: capabilities: unknown class 'root'",
	       platform_std, cell_a,
	       LIST({"cells/a", "capabilities", .str = "root"}));
}
END_TEST

/* Cell a with a GIC and one passthrough device (QEMU virt's last
 * virtio-mmio slot); cell b gets a GIC too for clash tests. */
static const struct tprop dev_ok[] = {
	{"cells/a", "gic-distributor", CELLS(0, 0x08000000)},
	{"cells/a", "gic-redistributors", CELLS(0, 0x080a0000)},
	{"cells/b", "gic-distributor", CELLS(0, 0x08000000)},
	{"cells/b", "gic-redistributors", CELLS(0, 0x080a0000)},
	{"cells/a/devices/disk", "compatible", .str = "virtio,mmio"},
	{"cells/a/devices/disk", "reg", CELLS(0, 0x0a003e00, 0, 0x200)},
	{"cells/a/devices/disk", "interrupts", CELLS(79)},
	{"cells/a/devices/disk", "class", .str = "block"},
	END};

START_TEST(test_device_parsed)
{
	/* A device keeps its name, compatible, registers, SPIs and class;
	 * its pages are the 4 KiB pages its registers touch. */
	build(platform_std, cell_a, cell_b, dev_ok, NULL);
	expect_accept();
	const struct hv_device_config *d = &cfg.cells[0].devices[0];
	ck_assert_uint_eq(cfg.cells[0].device_count, 1);
	ck_assert_uint_eq(cfg.cells[1].device_count, 0);
	ck_assert_str_eq(d->name, "disk");
	ck_assert_str_eq(d->compatible, "virtio,mmio");
	ck_assert_uint_eq(pa_addr(d->pa), 0x0a003e00);
	ck_assert_uint_eq(d->size, 0x200);
	ck_assert_uint_eq(d->irq_count, 1);
	ck_assert_uint_eq(d->irqs[0], 79);
	ck_assert_uint_eq(d->cap, HV_CAP_BLOCK);
	ck_assert(!d->dma);
	uint64_t base, size;
	config_device_pages(d, &base, &size);
	ck_assert_uint_eq(base, 0x0a003000);
	ck_assert_uint_eq(size, 0x1000);
	/* Straddling a page boundary takes both pages; class defaults to
	 * "devices"; "network" is a class too. */
	build(platform_std, cell_a, cell_b, dev_ok,
	      LIST({"cells/a/devices/disk", "reg",
		    CELLS(0, 0x0a000f00, 0, 0x200)},
		   {"cells/a/devices/disk", "class", .omit = true},
		   {"cells/b/devices/nic", "compatible", .str = "virtio,mmio"},
		   {"cells/b/devices/nic", "reg",
		    CELLS(0, 0x0a002000, 0, 0x200)},
		   {"cells/b/devices/nic", "class", .str = "network"}),
	      NULL);
	expect_accept();
	config_device_pages(&cfg.cells[0].devices[0], &base, &size);
	ck_assert_uint_eq(base, 0x0a000000);
	ck_assert_uint_eq(size, 0x2000);
	ck_assert_uint_eq(cfg.cells[0].devices[0].cap, HV_CAP_DEVICES);
	ck_assert_uint_eq(cfg.cells[1].devices[0].cap, HV_CAP_NET);
	ck_assert_uint_eq(cfg.cells[1].devices[0].irq_count, 0);
}
END_TEST

START_TEST(test_device_dma_needs_identity_memory)
{
	/* A bus master reaches physical addresses (no SMMU): the cell's RAM
	 * must be identity-mapped for the guest to program it. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a/devices/disk: dma: memory region 0 is not "
	       "identity-mapped",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "dma", .n = 0}));
	build(platform_std, cell_a, cell_b, dev_ok,
	      LIST({"cells/a", "memory",
		    CELLS(0, 0x50000000, 0, 0x50000000, 0, 0x01000000)},
		   {"cells/a/devices/disk", "dma", .n = 0}),
	      NULL);
	expect_accept();
	ck_assert(cfg.cells[0].devices[0].dma);
	REJECT(HV_ERR_INVAL, "/cells/a/devices/disk: dma: a flag", platform_std,
	       cell_a, cell_b, dev_ok,
	       LIST({"cells/a", "memory",
		     CELLS(0, 0x50000000, 0, 0x50000000, 0, 0x01000000)},
		    {"cells/a/devices/disk", "dma", CELLS(1)}));
}
END_TEST

START_TEST(test_device_rules)
{
	/* Every way a device can be wrong is refused on its property. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a: unexpected subnode 'gadgets' (a cell's only "
	       "subnode is 'devices')",
	       platform_std, cell_a,
	       LIST({"cells/a/gadgets/x", "compatible", .str = "x"}));
	REJECT(HV_ERR_INVAL, "/cells/a/devices/disk: compatible: missing",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "compatible", .omit = true}));
	REJECT(HV_ERR_INVAL, "/cells/a/devices/disk: reg: missing",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "reg", .omit = true}));
	REJECT(HV_ERR_INVAL, "/cells/a/devices/disk: colour: unknown property",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "colour", .str = "red"}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a/devices/disk: reg: size must be non-zero",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "reg",
		     CELLS(0, 0x0a003e00, 0, 0)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a/devices/disk: reg: 0x50000000 is platform memory",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "reg",
		     CELLS(0, 0x50000000, 0, 0x1000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a/devices/disk: reg: 0x9000000 is the hypervisor's "
	       "console",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "reg",
		     CELLS(0, 0x09000000, 0, 0x1000)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/a/devices/disk: reg: 0x8000000 collides with a window",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "reg",
		     CELLS(0, 0x08000000, 0, 0x1000)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a/devices/disk: reg: 0x10000000000 is "
	       "outside the 40-bit IPA space",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "reg",
		     CELLS(0x100, 0, 0, 0x1000)}));
	/* Another cell's device in the same page, or with the same SPI. */
	REJECT(HV_ERR_OVERLAP,
	       "/cells/b/devices/nic: reg: shares a page with "
	       "/cells/a/devices/disk",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/b/devices/nic", "compatible", .str = "virtio,mmio"},
		    {"cells/b/devices/nic", "reg",
		     CELLS(0, 0x0a003c00, 0, 0x200)}));
	REJECT(HV_ERR_OVERLAP,
	       "/cells/b/devices/nic: interrupts: INTID 79 already belongs to "
	       "/cells/a/devices/disk",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/b/devices/nic", "compatible", .str = "virtio,mmio"},
		    {"cells/b/devices/nic", "reg",
		     CELLS(0, 0x0a002000, 0, 0x200)},
		    {"cells/b/devices/nic", "interrupts", CELLS(79)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a/devices/disk: interrupts: INTID 33: passthrough",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "interrupts", CELLS(33)}));
	REJECT(HV_ERR_RANGE,
	       "/cells/a/devices/disk: interrupts: INTID 128: passthrough",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "interrupts", CELLS(128)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a/devices/disk: interrupts: INTID 79 given twice",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "interrupts", CELLS(79, 79)}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a/devices/disk: interrupts: the cell has no virtual GIC",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a", "gic-distributor", .omit = true},
		    {"cells/a", "gic-redistributors", .omit = true}));
	REJECT(HV_ERR_INVAL, "/cells/a/devices/disk: class: expected \"block\"",
	       platform_std, cell_a, cell_b, dev_ok,
	       LIST({"cells/a/devices/disk", "class", .str = "gpu"}));
	/* A channel doorbell cannot be a device's SPI in the same cell. */
	REJECT(HV_ERR_OVERLAP,
	       "/channels/ring0: doorbells: INTID 40 is device 'disk' of "
	       "/cells/a",
	       platform_std, cell_a, cell_b, dev_ok, chan_ok,
	       LIST({"cells/a/devices/disk", "interrupts", CELLS(40)}));
	/* A channel window cannot sit on a device page. */
	REJECT(HV_ERR_OVERLAP,
	       "/channels/ring0: ipa: 0xa003000 collides with a window of "
	       "/cells/a",
	       platform_std, cell_a, cell_b, dev_ok, chan_ok,
	       LIST({"channels/ring0", "ipa", CELLS(0, 0x0a003000)}));
}
END_TEST

START_TEST(test_channel_rules)
{
	/* A channel joins two existing, different GIC cells with a page-aligned
	 * region of its own, a free IPA window in both, "r"/"rw" rights and
	 * SPI doorbells; each rule violated is reported on its property. */
	build(platform_std, cell_a, cell_b, chan_ok, NULL);
	expect_accept();
	ck_assert_uint_eq(cfg.channel_count, 1);
	ck_assert_str_eq(cfg.channels[0].name, "ring0");
	ck_assert_uint_eq(cfg.channels[0].cell[1], 1);
	ck_assert_uint_eq(cfg.channels[0].flags[1], HV_MEM_READ);
	ck_assert_uint_eq(cfg.channels[0].doorbell[0], 40);
	REJECT(HV_ERR_INVAL, "/channels/ring0: cells: no cell named 'c'",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "cells", .raw = "a\0c", .raw_len = 4}));
	REJECT(HV_ERR_INVAL,
	       "/channels/ring0: cells: a channel joins two different cells",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "cells", .raw = "a\0a", .raw_len = 4}));
	REJECT(HV_ERR_OVERLAP,
	       "/channels/ring0: memory: overlaps memory region 0 of /cells/b",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "memory",
		     CELLS(0, 0x51000000, 0, 0x10000)}));
	REJECT(HV_ERR_RANGE,
	       "/channels/ring0: memory: 0x40000000 must be inside RAM and "
	       "outside",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "memory",
		     CELLS(0, 0x40000000, 0, 0x10000)}));
	REJECT(HV_ERR_INVAL, "/channels/ring0: memory: base and size must be",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "memory",
		     CELLS(0, 0x53000000, 0, 0x100)}));
	REJECT(HV_ERR_OVERLAP,
	       "/channels/ring0: ipa: 0x40000000 collides with a window of "
	       "/cells/a",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "ipa", CELLS(0, 0x40000000)}));
	REJECT(HV_ERR_INVAL,
	       "/channels/ring0: access: expected \"r\" or \"rw\"",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "access", .raw = "rwx\0r",
		     .raw_len = 6}));
	REJECT(HV_ERR_RANGE, "/channels/ring0: doorbells: INTID 27",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "doorbells", CELLS(27, 40)}));
	REJECT(HV_ERR_INVAL,
	       "/channels/ring0: doorbells: /cells/b has no virtual GIC",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"cells/b", "gic-distributor", .omit = true},
		    {"cells/b", "gic-redistributors", .omit = true}));
	REJECT(HV_ERR_INVAL, "/channels/ring0: colour: unknown property",
	       platform_std, cell_a, cell_b, chan_ok,
	       LIST({"channels/ring0", "colour", CELLS(1)}));
}
END_TEST

START_TEST(test_cell_fault_policy_rules)
{
	/* fault-policy accepts only "terminate" and "inject-abort" as a string. */
	REJECT(HV_ERR_INVAL,
	       "/cells/a: fault-policy: expected \"terminate\" or "
	       "\"inject-abort\"",
	       platform_std, cell_a,
	       LIST({"cells/a", "fault-policy", .str = "panic"}));
	REJECT(HV_ERR_INVAL,
	       "/cells/a: fault-policy: not a NUL-terminated string",
	       platform_std, cell_a,
	       LIST({"cells/a", "fault-policy", CELLS(1)}));
	REJECT(HV_ERR_INVAL, "/cells/a: fault-policy: string too long",
	       platform_std, cell_a,
	       LIST({"cells/a", "fault-policy",
		     .str = "terminate-terminate-terminate-terminate"}));
}
END_TEST

START_TEST(test_later_cell_error_names_that_cell)
{
	/* An error in the second cell names the second cell, after the first parsed fine. */
	REJECT(HV_ERR_INVAL, "/cells/b: memory: missing", platform_std, cell_a,
	       cell_b, LIST({"cells/b", "memory", .omit = true}));
}
END_TEST

/* --- config_region_find ------------------------------------------------------ */

START_TEST(test_region_find)
{
	/* config_region_find returns the region wholly holding the range, else NULL. */
	struct hv_cell_config c;

	memset(&c, 0, sizeof(c));
	c.region_count = 2;
	c.regions[0] = (struct hv_mem_region){ipa_init(0x40000000),
					      pa_init(0x50000000), 0x2000,
					      HV_MEM_RWX};
	c.regions[1] = (struct hv_mem_region){ipa_init(0x80000000),
					      pa_init(0x60000000), 0x1000,
					      HV_MEM_READ};
	ck_assert_ptr_eq(config_region_find(&c, ipa_init(0x40000000), 0x2000),
			 &c.regions[0]);
	ck_assert_ptr_eq(config_region_find(&c, ipa_init(0x40001fff), 1),
			 &c.regions[0]);
	ck_assert_ptr_eq(config_region_find(&c, ipa_init(0x80000010), 16),
			 &c.regions[1]);
	ck_assert_ptr_eq(config_region_find(&c, ipa_init(0x40000000), 0),
			 &c.regions[0]);
	ck_assert_ptr_null(config_region_find(&c, ipa_init(0x40001fff), 2));
	ck_assert_ptr_null(config_region_find(&c, ipa_init(0x40002000), 0));
	ck_assert_ptr_null(config_region_find(&c, ipa_init(0x3fffffff), 2));
	ck_assert_ptr_null(
		config_region_find(&c, ipa_init(0x40000000), 0x3000));
	ck_assert_ptr_null(config_region_find(&c, ipa_init(UINT64_MAX), 2));
	c.region_count = 0;
	ck_assert_ptr_null(config_region_find(&c, ipa_init(0x40000000), 1));
}
END_TEST

/* --- config_check_images ----------------------------------------------------- */

static uint8_t image_data[2 * 1024 * 1024];

/* Parses the standard platform with cell a in a 1 MiB region plus `extra`. */
static void parse_image_cell(const struct tprop *extra)
{
	build(platform_std, cell_a,
	      LIST({"cells/a", "memory",
		    CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x100000)},
		   {"cells/a", "image", .str = "a.bin"}),
	      extra, NULL);
	expect_accept();
}

START_TEST(test_images_found_and_fitting)
{
	/* An image that exists and fits passes; cells without an image are not looked up. */
	parse_image_cell(
		LIST({"cells/b", "cpus", CELLS(1)},
		     {"cells/b", "memory",
		      CELLS(0, 0x40000000, 0, 0x51000000, 0, 0x1000)}));
	fake_hal_add_image("a.bin", image_data, 0x100000);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_OK);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

START_TEST(test_image_not_found)
{
	/* A missing image is reported with its name. */
	parse_image_cell(NULL);
	fake_hal_add_image("b.bin", image_data, 16);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_ERR_NOENT);
	ck_assert_str_eq(err.msg, "/cells/a: image: 'a.bin' not found");
}
END_TEST

START_TEST(test_image_too_big)
{
	/* An image larger than its region is refused with its size and the region's. */
	parse_image_cell(NULL);
	fake_hal_add_image("a.bin", image_data, 2 * 1024 * 1024);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_ERR_RANGE);
	ck_assert_str_eq(
		err.msg,
		"/cells/a: image: 'a.bin' (2097152 bytes) does not fit in its "
		"memory region at 0x40000000 (size 0x100000)");
}
END_TEST

START_TEST(test_image_fit_at_load_address)
{
	/* The fit is measured from load-address: exactly to the region end passes, one byte more fails. */
	parse_image_cell(
		LIST({"cells/a", "load-address", CELLS(0, 0x400ff000)}));
	fake_hal_add_image("a.bin", image_data, 0x1000);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_OK);
	fake_hal_teardown();
	fake_hal_add_image("a.bin", image_data, 0x1001);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_ERR_RANGE);
	ck_assert_str_eq(err.msg,
			 "/cells/a: image: 'a.bin' (4097 bytes) does not fit "
			 "in its memory region at 0x40000000 (size 0x100000)");
}
END_TEST

START_TEST(test_image_in_second_region)
{
	/* An image loaded in a later region is checked against that region. */
	build(platform_std, cell_a,
	      LIST({"cells/a", "memory",
		    CELLS(0, 0x40000000, 0, 0x50000000, 0, 0x1000, 0,
			  0x80000000, 0, 0x50100000, 0, 0x200000)},
		   {"cells/a", "image", .str = "a.bin"},
		   {"cells/a", "load-address", CELLS(0, 0x80000000)}),
	      NULL);
	expect_accept();
	fake_hal_add_image("a.bin", image_data, 0x200000);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_OK);
}
END_TEST

START_TEST(test_images_hand_made_config_checked)
{
	/* A config not from config_parse is still checked: entry and load-address outside every region are refused. */
	parse_image_cell(NULL);
	fake_hal_add_image("a.bin", image_data, 16);
	cfg.cells[0].entry = ipa_init(0x50000000);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_ERR_RANGE);
	ck_assert_str_eq(err.msg, "/cells/a: entry: 0x50000000 is not inside a "
				  "memory region of this cell");
	cfg.cells[0].entry = ipa_init(0x40000000);
	cfg.cells[0].image_load = ipa_init(0x30000000);
	ck_assert_int_eq(config_check_images(&cfg, &err), HV_ERR_RANGE);
	ck_assert_str_eq(err.msg, "/cells/a: load-address: 0x30000000 is not "
				  "inside a memory region of this cell");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("accept");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_minimal_config_parsed_with_defaults);
	tcase_add_test(tc, test_full_cell_parsed);
	tcase_add_test(tc, test_entry_defaults_to_load_address);
	tcase_add_test(tc, test_several_cells_share_ipas_not_pas);
	tcase_add_test(tc, test_memory_access_modes);
	tcase_add_test(tc, test_node_order_and_dtc_extras_accepted);
	tcase_add_test(tc, test_limits_accepted);
	tcase_add_test(tc, test_cell_count_limit);
	tcase_add_test(tc, test_ipa_bits_bound_region_and_console);
	suite_add_tcase(s, tc);

	tc = tcase_create("blob");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_empty_blob_rejected);
	tcase_add_test(tc, test_garbage_rejected_by_magic);
	tcase_add_test(tc, test_short_buffer_rejected);
	tcase_add_test(tc, test_size_below_totalsize_rejected);
	tcase_add_test(tc, test_totalsize_lie_rejected);
	tcase_add_test(tc, test_corrupted_bytes_never_crash);
	tcase_add_test(tc, test_huge_property_length_rejected);
	tcase_add_test(tc, test_unaligned_blob_handled);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_root_compatible_required);
	tcase_add_test(tc, test_root_unknowns_rejected);
	tcase_add_test(tc, test_missing_platform_or_cells);
	tcase_add_test(tc, test_duplicates_rejected);
	tcase_add_test(tc, test_odd_names_shown_safely);
	tcase_add_test(tc, test_platform_missing_props);
	tcase_add_test(tc, test_platform_wrong_lengths);
	tcase_add_test(tc, test_platform_cpu_count_range);
	tcase_add_test(tc, test_platform_memory_rules);
	tcase_add_test(tc, test_platform_hypervisor_memory_rules);
	tcase_add_test(tc, test_platform_console_and_ipa_bits_rules);
	tcase_add_test(tc, test_platform_unknowns_rejected);
	tcase_add_test(tc, test_cell_name_rules);
	tcase_add_test(tc, test_cell_unknowns_rejected);
	tcase_add_test(tc, test_cell_cpus_rules);
	tcase_add_test(tc, test_cell_memory_format);
	tcase_add_test(tc, test_cell_region_values);
	tcase_add_test(tc, test_cell_region_overlaps);
	tcase_add_test(tc, test_cell_memory_access_rules);
	tcase_add_test(tc, test_cell_image_string_rules);
	tcase_add_test(tc, test_cell_load_and_entry_rules);
	tcase_add_test(tc, test_cell_console_rules);
	tcase_add_test(tc, test_cell_fault_policy_rules);
	tcase_add_test(tc, test_cell_gic_rules);
	tcase_add_test(tc, test_cell_wfi_rules);
	tcase_add_test(tc, test_cell_linux_rules);
	tcase_add_test(tc, test_channel_rules);
	tcase_add_test(tc, test_device_parsed);
	tcase_add_test(tc, test_device_dma_needs_identity_memory);
	tcase_add_test(tc, test_device_rules);
	tcase_add_test(tc, test_cell_capabilities);
	tcase_add_test(tc, test_later_cell_error_names_that_cell);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_region_find);
	tcase_add_test(tc, test_images_found_and_fitting);
	tcase_add_test(tc, test_image_not_found);
	tcase_add_test(tc, test_image_too_big);
	tcase_add_test(tc, test_image_fit_at_load_address);
	tcase_add_test(tc, test_image_in_second_region);
	tcase_add_test(tc, test_images_hand_made_config_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(config_suite());
}
