/* STUB: being written. */
#include <hv/hv.h>
#include <hv/smccc.h>
enum hv_action smccc_call(struct hv_vcpu *vcpu) { (void)vcpu; return HV_ACTION_RESUME; }
