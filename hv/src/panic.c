/* SPDX-License-Identifier: MIT */
/* Fatal hypervisor errors and names for enums shown in reports. */
#include <hv/check.h>
#include <hv/exit.h>
#include <hv/print.h>

#include <hal/platform.h>

void hv_panic(const char *file, int line, const char *what)
{
	char msg[192];
	hv_snprintf(msg, sizeof(msg), "CHECK failed: %s at %s:%d", what, file,
		    line);
	hal_panic(msg);
}

const char *hv_err_str(enum hv_err err)
{
	static const char *const names[] = {
		[HV_OK] = "HV_OK",
		[HV_ERR_INVAL] = "HV_ERR_INVAL",
		[HV_ERR_NOMEM] = "HV_ERR_NOMEM",
		[HV_ERR_OVERLAP] = "HV_ERR_OVERLAP",
		[HV_ERR_RANGE] = "HV_ERR_RANGE",
		[HV_ERR_EXISTS] = "HV_ERR_EXISTS",
		[HV_ERR_NOENT] = "HV_ERR_NOENT",
		[HV_ERR_DENIED] = "HV_ERR_DENIED",
		[HV_ERR_STATE] = "HV_ERR_STATE",
	};
	if ((unsigned)err >= HV_ARRAY_SIZE(names) || names[err] == NULL)
		return "HV_ERR_?";
	return names[err];
}

const char *hv_exit_class_name(enum hv_exit_class c)
{
	static const char *const names[HV_EXCLASS_COUNT] = {
		[HV_EXCLASS_HVC] = "hvc",	[HV_EXCLASS_SMC] = "smc",
		[HV_EXCLASS_DABT] = "dabt",	[HV_EXCLASS_IABT] = "iabt",
		[HV_EXCLASS_SYSREG] = "sysreg", [HV_EXCLASS_WFX] = "wfx",
		[HV_EXCLASS_IRQ] = "irq",	[HV_EXCLASS_OTHER] = "other",
	};
	if ((unsigned)c >= HV_EXCLASS_COUNT)
		return "?";
	return names[c];
}
