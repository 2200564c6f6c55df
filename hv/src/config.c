/* STUB: replaced by the config work. */
#include <hv/config.h>
enum hv_err config_parse(const void *blob, size_t size, struct hv_config *out, struct hv_config_error *err) { (void)blob; (void)size; (void)out; err->msg[0] = 0; return HV_ERR_INVAL; }
enum hv_err config_check_images(const struct hv_config *cfg, struct hv_config_error *err) { (void)cfg; (void)err; return HV_ERR_INVAL; }
const struct hv_mem_region *config_region_find(const struct hv_cell_config *cell, ipa_t ipa, uint64_t size) { (void)cell; (void)ipa; (void)size; return NULL; }
