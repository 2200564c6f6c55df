/* STUB: being written. */
#include <hv/hv.h>
enum hv_action hv_exit_handle(struct hv_vcpu *vcpu, const struct hv_exit *exit) { (void)vcpu; (void)exit; return HV_ACTION_STOP; }
