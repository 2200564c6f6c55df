/* SPDX-License-Identifier: MIT */
/* Generic Timer arithmetic (see vtimer.h; Arm ARM D11.2.4). */
#include <hv/vtimer.h>

void vtimer_reset(struct vtimer *t)
{
	t->ctl = 0;
	t->cval = 0;
}

bool vtimer_condition(const struct vtimer *t, uint64_t now)
{
	return (t->ctl & CNT_CTL_ENABLE) != 0 && now >= t->cval;
}

uint64_t vtimer_ctl_read(const struct vtimer *t, uint64_t now)
{
	return t->ctl | (vtimer_condition(t, now) ? CNT_CTL_ISTATUS : 0);
}

void vtimer_ctl_write(struct vtimer *t, uint64_t val)
{
	t->ctl = val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

uint64_t vtimer_tval_read(const struct vtimer *t, uint64_t now)
{
	/* TimerValue[31:0] = (CVAL - counter)[31:0], a signed down-count
	 * that goes negative after the deadline; bits [63:32] are RES0, so
	 * the 64-bit read is the 32-bit value zero-extended. */
	return (t->cval - now) & UINT32_MAX;
}

void vtimer_tval_write(struct vtimer *t, uint64_t now, uint64_t val)
{
	int64_t delta = (int64_t)(int32_t)(uint32_t)(val & UINT32_MAX);
	t->cval = now + (uint64_t)delta;
}

bool vtimer_irq_level(const struct vtimer *t, uint64_t now)
{
	return vtimer_condition(t, now) && (t->ctl & CNT_CTL_IMASK) == 0;
}

uint64_t vtimer_deadline(const struct vtimer *t)
{
	if ((t->ctl & CNT_CTL_ENABLE) == 0 || (t->ctl & CNT_CTL_IMASK) != 0)
		return UINT64_MAX;
	return t->cval;
}
