/* STUB: replaced by the stage-2 work. */
#include <hv/stage2.h>
enum hv_err stage2_geometry(unsigned ipa_bits, unsigned pa_bits, struct stage2_geometry *out) { (void)ipa_bits; (void)pa_bits; (void)out; return HV_ERR_RANGE; }
enum hv_err stage2_init(struct stage2 *s2, struct page_pool *pool, const struct stage2_geometry *geo, uint16_t vmid) { (void)s2; (void)pool; (void)geo; (void)vmid; return HV_ERR_NOMEM; }
void stage2_destroy(struct stage2 *s2) { (void)s2; }
enum hv_err stage2_map(struct stage2 *s2, ipa_t ipa, paddr_t pa, uint64_t size, unsigned flags) { (void)s2; (void)ipa; (void)pa; (void)size; (void)flags; return HV_ERR_INVAL; }
enum hv_err stage2_unmap(struct stage2 *s2, ipa_t ipa, uint64_t size) { (void)s2; (void)ipa; (void)size; return HV_ERR_INVAL; }
enum hv_err stage2_protect(struct stage2 *s2, ipa_t ipa, uint64_t size, unsigned flags) { (void)s2; (void)ipa; (void)size; (void)flags; return HV_ERR_INVAL; }
bool stage2_walk(const struct stage2 *s2, ipa_t ipa, struct stage2_walk *out) { (void)s2; (void)ipa; (void)out; return false; }
uint64_t stage2_vttbr(const struct stage2 *s2) { (void)s2; return 0; }
bool stage2_for_each(const struct stage2 *s2, bool (*fn)(void *, ipa_t, paddr_t, uint64_t, unsigned), void *arg) { (void)s2; (void)fn; (void)arg; return true; }
