/* STUB */
typedef int hv_stub_unused;
