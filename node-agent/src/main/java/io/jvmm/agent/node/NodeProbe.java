package io.jvmm.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the node's facts on the host: the JVM's os.arch, /dev/kvm, the CPUs this process may
 * use, MemTotal from /proc/meminfo, and /sys/bus/pci/drivers/vfio-pci. The paths are
 * parameters so that tests can point them at files of their own.
 *
 * @param reservedVcpus  CPUs kept for the host (the agent, the kubelet, VMM threads)
 * @param reservedMemory bytes kept for the host
 */
public record NodeProbe(String osArch, Path devKvm, Path meminfo, Path vfioDriver, int cpus, int reservedVcpus,
    long reservedMemory) {
  private static final Pattern PCI_ADDRESS = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
  private static final Pattern MEM_TOTAL = Pattern.compile("(?m)^MemTotal:\\s+(\\d+)\\s+kB");

  public static NodeProbe host(int reservedVcpus, long reservedMemory) {
    return new NodeProbe(System.getProperty("os.arch"), Path.of("/dev/kvm"), Path.of("/proc/meminfo"),
        Path.of("/sys/bus/pci/drivers/vfio-pci"), Runtime.getRuntime().availableProcessors(), reservedVcpus,
        reservedMemory);
  }

  public NodeFacts probe() {
    return new NodeFacts(arch(osArch), Files.isReadable(devKvm) && Files.isWritable(devKvm),
        Math.max(0, cpus - reservedVcpus), Math.max(0, memTotal() - reservedMemory), vfioDevices());
  }

  /** The JVM's os.arch in the VM spec's naming (spec.os.arch). */
  static String arch(String osArch) {
    return switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch64";
      default -> osArch;
    };
  }

  long memTotal() {
    try {
      Matcher m = MEM_TOTAL.matcher(Files.readString(meminfo));
      return m.find() ? Long.parseLong(m.group(1)) * 1024 : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  List<String> vfioDevices() {
    if (!Files.isDirectory(vfioDriver)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(vfioDriver)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> PCI_ADDRESS.matcher(n).matches()).sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
