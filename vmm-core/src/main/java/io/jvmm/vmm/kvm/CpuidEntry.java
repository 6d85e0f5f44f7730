package io.jvmm.vmm.kvm;

/** One struct kvm_cpuid_entry2: the registers CPUID returns for (function, index). */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the leaf has subleaves selected by ECX. */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    public CpuidEntry withEax(int v) { return new CpuidEntry(function, index, flags, v, ebx, ecx, edx); }
    public CpuidEntry withEbx(int v) { return new CpuidEntry(function, index, flags, eax, v, ecx, edx); }
    public CpuidEntry withEcx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, v, edx); }
    public CpuidEntry withEdx(int v) { return new CpuidEntry(function, index, flags, eax, ebx, ecx, v); }
}
