package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.Quantities;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * spec.memory: digits and a unit. libvirt's units (formatdomain "Memory Allocation") and
 * Kubernetes quantity suffixes share letters with different meanings (libvirt "M" is MiB,
 * Kubernetes "M" is 10^6), so the manifest spells libvirt's binary units with "iB" and a bare
 * letter means what Kubernetes means.
 */
public final class MemorySize {
  private static final Pattern MANIFEST = Pattern.compile(Quantities.MEMORY_PATTERN);
  private static final BigInteger KIB = BigInteger.valueOf(1024);
  private static final BigInteger KB = BigInteger.valueOf(1000);

  /** Multiplier of each manifest suffix, as a power of 1024 (binary) or 1000 (decimal). */
  private static final Map<String, BigInteger> FACTORS = Map.ofEntries(
      Map.entry("", BigInteger.ONE), Map.entry("b", BigInteger.ONE), Map.entry("bytes", BigInteger.ONE),
      Map.entry("KiB", KIB), Map.entry("MiB", KIB.pow(2)), Map.entry("GiB", KIB.pow(3)),
      Map.entry("TiB", KIB.pow(4)), Map.entry("PiB", KIB.pow(5)), Map.entry("EiB", KIB.pow(6)),
      Map.entry("Ki", KIB), Map.entry("Mi", KIB.pow(2)), Map.entry("Gi", KIB.pow(3)),
      Map.entry("Ti", KIB.pow(4)), Map.entry("Pi", KIB.pow(5)), Map.entry("Ei", KIB.pow(6)),
      Map.entry("KB", KB), Map.entry("MB", KB.pow(2)), Map.entry("GB", KB.pow(3)),
      Map.entry("TB", KB.pow(4)), Map.entry("PB", KB.pow(5)), Map.entry("EB", KB.pow(6)),
      Map.entry("k", KB), Map.entry("M", KB.pow(2)), Map.entry("G", KB.pow(3)),
      Map.entry("T", KB.pow(4)), Map.entry("P", KB.pow(5)), Map.entry("E", KB.pow(6)));

  /** Manifest suffix to the libvirt unit written on export (same meaning, libvirt spelling). */
  private static final Map<String, String> TO_LIBVIRT = Map.ofEntries(
      Map.entry("", "b"), Map.entry("b", "b"), Map.entry("bytes", "bytes"),
      Map.entry("KiB", "KiB"), Map.entry("MiB", "MiB"), Map.entry("GiB", "GiB"), Map.entry("TiB", "TiB"),
      Map.entry("PiB", "PiB"), Map.entry("EiB", "EiB"),
      Map.entry("Ki", "KiB"), Map.entry("Mi", "MiB"), Map.entry("Gi", "GiB"), Map.entry("Ti", "TiB"),
      Map.entry("Pi", "PiB"), Map.entry("Ei", "EiB"),
      Map.entry("KB", "KB"), Map.entry("MB", "MB"), Map.entry("GB", "GB"), Map.entry("TB", "TB"),
      Map.entry("PB", "PB"), Map.entry("EB", "EB"),
      Map.entry("k", "KB"), Map.entry("M", "MB"), Map.entry("G", "GB"), Map.entry("T", "TB"),
      Map.entry("P", "PB"), Map.entry("E", "EB"));

  private MemorySize() {
  }

  /** Bytes of a manifest memory value. */
  public static BigInteger bytes(String memory) {
    Matcher m = MANIFEST.matcher(memory == null ? "" : memory);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + memory + "' is not a memory size; write digits and a unit,"
          + " e.g. 8GiB, 8192MiB or 8Gi");
    }
    String digits = memory.substring(0, memory.length() - suffix(memory).length());
    return new BigInteger(digits).multiply(FACTORS.get(suffix(memory)));
  }

  private static String suffix(String memory) {
    int i = 0;
    while (i < memory.length() && Character.isDigit(memory.charAt(i))) {
      i++;
    }
    return memory.substring(i);
  }

  /**
   * The manifest form of libvirt's {@code <memory unit='U'>N</memory>}; libvirt reads no unit
   * as KiB and the first letter of a unit in either case.
   */
  public static String fromLibvirt(String value, String unit) {
    String digits = value == null ? "" : value.strip();
    if (!digits.matches("[0-9]{1,19}")) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
    String u = unit == null ? "KiB" : unit;
    String manifestUnit;
    if (u.equals("b") || u.equals("bytes")) {
      manifestUnit = u;
    } else if (u.matches("[kKmMgGtTpPeE](iB)?")) {
      manifestUnit = u.substring(0, 1).toUpperCase(Locale.ROOT) + "iB";
    } else if (u.matches("[kKmMgGtTpPeE]B")) {
      manifestUnit = u.substring(0, 1).toUpperCase(Locale.ROOT) + "B";
    } else {
      throw new IllegalArgumentException("unit '" + u + "' is not a libvirt unit; use b, KiB, MiB, GiB, TiB,"
          + " KB, MB, GB or TB");
    }
    return digits + manifestUnit;
  }

  /** libvirt's {@code {value, unit}} for a manifest memory value. */
  public static String[] toLibvirt(String memory) {
    bytes(memory);
    String suffix = suffix(memory);
    return new String[] {memory.substring(0, memory.length() - suffix.length()), TO_LIBVIRT.get(suffix)};
  }
}
