/* STUB: being written. */
#include <hv/hv.h>
typedef int hv_stub_unused;
