package io.jvmm.domain;

/**
 * What a VMM may use beyond its guest's RAM: the limits of its cgroup on the node, and what the
 * scheduler counts when it decides whether a VM fits a node. After KubeVirt's overhead model
 * (a fixed part for the VMM process, a part per vCPU, the guest's page tables at one 8-byte
 * entry per 4 KiB page), with jvmm's own figures:
 * <ul>
 *   <li>fixed, 192 MiB: bin/jvmm's JVM caps its heap at 64 MiB, its metaspace at 64 MiB and
 *       its code cache at 16 MiB; the rest is the class-data archive, the JVM's and jars' pages
 *       as the VMM first touches them, and the device buffers. Measured peak of a whole VMM
 *       cgroup (memory.peak) beyond guest RAM in the sandbox: see node-agent/README.md;</li>
 *   <li>per vCPU, 8 MiB: its thread's stack (512 KiB), its kvm_run page and KVM's own memory
 *       for it, which the kernel charges to the VMM's cgroup;</li>
 *   <li>page tables, RAM/512: KVM's shadow or nested page tables for the guest's RAM.</li>
 * </ul>
 */
public final class VmmOverhead {
  public static final long FIXED_BYTES = 192L << 20;
  public static final long PER_VCPU_BYTES = 8L << 20;
  /** The VMM's JVM threads (about 20), its event loop, QMP and console threads, with room to spare. */
  public static final int FIXED_TASKS = 128;
  /** One CFS period, the unit of cpu.max. */
  public static final long CPU_PERIOD_MICROS = 100_000;

  private VmmOverhead() {}

  /** Bytes the VMM may use beyond guest RAM. */
  public static long overheadBytes(long ramBytes, int vcpus) {
    return FIXED_BYTES + PER_VCPU_BYTES * vcpus + ramBytes / 512;
  }

  /** memory.max: guest RAM plus the overhead. */
  public static long memoryLimitBytes(long ramBytes, int vcpus) {
    return ramBytes + overheadBytes(ramBytes, vcpus);
  }

  /** pids.max: the fixed threads, one per vCPU and one per I/O thread. */
  public static int taskLimit(int vcpus, int iothreads) {
    return FIXED_TASKS + vcpus + iothreads;
  }

  /**
   * cpu.max's quota per {@link #CPU_PERIOD_MICROS}: one CPU per vCPU, and one more for the
   * VMM's own threads (device emulation, I/O threads, QMP), as KubeVirt's emulator thread.
   */
  public static long cpuQuotaMicros(int vcpus) {
    return (vcpus + 1L) * CPU_PERIOD_MICROS;
  }
}
