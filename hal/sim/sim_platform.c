/* STUB: being written. */
typedef int hv_stub_unused;
