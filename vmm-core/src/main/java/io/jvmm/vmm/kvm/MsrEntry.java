package io.jvmm.vmm.kvm;

/** One struct kvm_msr_entry. */
public record MsrEntry(int index, long value) {}
