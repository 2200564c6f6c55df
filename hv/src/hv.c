/* STUB: being written. */
#include <hv/hv.h>
enum hv_err hv_init(struct hv *hv, const void *blob, size_t size, struct hv_config_error *err) { (void)hv; (void)blob; (void)size; (void)err; return HV_ERR_INVAL; }
enum hv_err hv_start(struct hv *hv, struct hv_config_error *err) { (void)hv; (void)err; return HV_ERR_INVAL; }
enum hv_action hv_pcpu_run(struct hv *hv, unsigned pcpu) { (void)hv; (void)pcpu; return HV_ACTION_STOP; }
bool hv_done(const struct hv *hv) { (void)hv; return true; }
int hv_status(const struct hv *hv) { (void)hv; return 0; }
int hv_report_end(const struct hv *hv) { (void)hv; return 0; }
void hv_shutdown(struct hv *hv) { (void)hv; }
struct hv_cell *hv_cell_by_name(struct hv *hv, const char *name) { (void)hv; (void)name; return NULL; }
