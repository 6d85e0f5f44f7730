package io.jvmm.domain;

/**
 * One thing wrong with a VM description: where (a manifest field path such as
 * {@code spec.devices.disks[0].address.bus}, or an XML path such as
 * {@code /domain/devices/disk[1]/driver/@iothread}) and what, including what would be right.
 */
public record Problem(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
