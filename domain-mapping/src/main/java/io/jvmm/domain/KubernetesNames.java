package io.jvmm.domain;

import java.util.Locale;

/** Kubernetes object names from libvirt domain names. */
public final class KubernetesNames {
  /** A DNS-1123 label, what a VM's name must be so that its Pod and Service names are too. */
  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  private KubernetesNames() {
  }

  /**
   * libvirt allows almost any name ("StratoVirt"); Kubernetes wants a DNS-1123 label: lower
   * case, letters, digits and '-', at most 63 characters. Null when nothing is left.
   */
  public static String fromDomainName(String domainName) {
    String s = domainName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-");
    s = s.replaceAll("^-+", "");
    if (s.length() > 63) {
      s = s.substring(0, 63);
    }
    s = s.replaceAll("-+$", "");
    return s.isEmpty() ? null : s;
  }
}
