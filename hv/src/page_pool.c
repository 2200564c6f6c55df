/* STUB: replaced by the stage-2 work. */
#include <hv/page_pool.h>
enum hv_err page_pool_init(struct page_pool *pool, paddr_t base, uint64_t size) { (void)pool; (void)base; (void)size; return HV_ERR_INVAL; }
enum hv_err page_pool_alloc(struct page_pool *pool, unsigned count, unsigned align_pages, paddr_t *out) { (void)pool; (void)count; (void)align_pages; (void)out; return HV_ERR_NOMEM; }
void page_pool_free(struct page_pool *pool, paddr_t pa, unsigned count) { (void)pool; (void)pa; (void)count; }
uint64_t page_pool_used(const struct page_pool *pool) { return pool->used_count; }
bool page_pool_contains(const struct page_pool *pool, paddr_t pa) { (void)pool; (void)pa; return false; }
