package io.jvmm.vmm;

/** The version jvmm reports, and the QEMU version whose QMP and command line it follows. */
final class Version {
    static final String VERSION = "0.1.0";
    static final int QEMU_MAJOR = 8, QEMU_MINOR = 2, QEMU_MICRO = 0;

    private Version() {}
}
