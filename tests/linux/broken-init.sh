#!/bin/busybox sh
# A deliberately broken /init for the test-of-the-test: it powers off cleanly
# but never prints the CELLVISOR-LINUX-OK marker, so run_qemu_linux.py must
# report FAIL (boot-bare.sh --init tests/linux/broken-init.sh exits 1).
/bin/busybox mount -t proc proc /proc
echo "broken-init: no marker on purpose"
/bin/busybox poweroff -f
