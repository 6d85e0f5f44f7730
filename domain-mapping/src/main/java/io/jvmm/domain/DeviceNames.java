package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.Quantities;
import java.util.Set;

/**
 * How a disk's or interface's name (its key in its list) is kept in domain XML: as libvirt's
 * user alias, {@code <alias name='ua-NAME'/>}, written only when the name differs from the
 * target dev, which is the name a device without one gets. So a manifest survives export and
 * import unchanged, and the seed's XML, which has no aliases, imports and exports unchanged.
 * Aliases without the ua- prefix are the ids libvirt gives running devices (virtio-disk0, net0);
 * libvirt drops them when a domain is defined, and so does the import.
 */
final class DeviceNames {
  static final String USER_ALIAS_PREFIX = "ua-";

  private DeviceNames() {
  }

  static boolean isName(String name) {
    return name != null && name.length() <= Quantities.MAX_DEVICE_NAME_LENGTH
        && name.matches(Quantities.DEVICE_NAME_PATTERN);
  }

  /** The alias to export for a device named {@code name} whose target dev is {@code targetDev}; null for none. */
  static String exportedAlias(String name, String targetDev) {
    return name == null || name.equals(targetDev) ? null : USER_ALIAS_PREFIX + name;
  }

  /** The name a user alias gives, or null when the alias is absent or libvirt's own id. */
  static String fromUserAlias(String alias) {
    return alias != null && alias.startsWith(USER_ALIAS_PREFIX) ? alias.substring(USER_ALIAS_PREFIX.length()) : null;
  }

  /**
   * The name of a device imported without a user alias: its target dev where that is a name,
   * else the first of {@code prefix}0, {@code prefix}1... not {@code taken}.
   */
  static String fallback(String targetDev, String prefix, Set<String> taken) {
    if (isName(targetDev) && !taken.contains(targetDev)) {
      return targetDev;
    }
    for (int i = 0; ; i++) {
      if (!taken.contains(prefix + i)) {
        return prefix + i;
      }
    }
  }
}
