package io.jvmm.vmm;

/** The version jvmm reports (QMP's package string and -version). */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
