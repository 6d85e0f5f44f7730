package io.jvmm.crds.v1alpha1;

/** Patterns shared by the model's fields, so that the CRD and the Java checks agree. */
public final class Quantities {
  /** Memory: digits and an optional libvirt unit or Kubernetes quantity suffix. */
  public static final String MEMORY_PATTERN =
      "^[0-9]+(b|bytes|KB|KiB|MB|MiB|GB|GiB|TB|TiB|PB|PiB|EB|EiB|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$";
  /** An absolute path on the node: starts with '/', no NUL. '..' is refused by CEL. */
  public static final String ABSOLUTE_PATH_PATTERN = "^/[^\\x00]*$";
  /** CEL: no '..' segment, so that a path cannot climb out of an allowed root. */
  public static final String NO_DOT_DOT_RULE = "!self.contains('/../') && !self.endsWith('/..')";
  /**
   * Longest node path accepted (Linux PATH_MAX is 4096). Every string a CEL rule reads needs a
   * bound: the API server refuses rules whose estimated cost, computed from these, is too high.
   */
  public static final int MAX_PATH_LENGTH = 1024;
  /** A unicast MAC: the least significant bit of the first octet clear. */
  public static final String UNICAST_MAC_PATTERN = "^[0-9a-fA-F][02468aceACE](:[0-9a-fA-F]{2}){5}$";
  /**
   * The name of a disk or interface, its key in its list: a DNS label of at most 32 characters
   * (KubeVirt's device names are DNS labels too), so that libvirt's user alias "ua-" + name fits.
   */
  public static final String DEVICE_NAME_PATTERN = "^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$";
  public static final int MAX_DEVICE_NAME_LENGTH = 32;

  private Quantities() {
  }
}
