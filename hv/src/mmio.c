/* STUB: replaced by the MMIO work. */
#include <hv/mmio.h>
enum hv_err mmio_decode(uint32_t iss, uint64_t far, uint64_t hpfar, struct mmio_access *out) { (void)iss; (void)far; (void)hpfar; (void)out; return HV_ERR_INVAL; }
uint64_t mmio_load_value(const struct mmio_access *acc, uint64_t raw) { (void)acc; return raw; }
enum hv_err mmio_bus_add(struct mmio_bus *bus, ipa_t base, uint64_t size, const struct mmio_ops *ops, void *dev) { (void)bus; (void)base; (void)size; (void)ops; (void)dev; return HV_ERR_NOMEM; }
const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, ipa_t ipa, unsigned size) { (void)bus; (void)ipa; (void)size; return NULL; }
enum mmio_result mmio_emulate(struct hv_vcpu *vcpu, const struct mmio_bus *bus, const struct hv_exit *exit) { (void)vcpu; (void)bus; (void)exit; return MMIO_UNOWNED; }
