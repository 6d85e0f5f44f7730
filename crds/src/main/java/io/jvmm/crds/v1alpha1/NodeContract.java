package io.jvmm.crds.v1alpha1;

/**
 * Names shared by the operator and the node agents: what an agent publishes on its Node, how
 * the operator marks a VM for a node, and the finalizer that holds deletion for the VMM.
 */
public final class NodeContract {
  /** Node label: the node's architecture as the VM spec names it, x86_64 or aarch64. */
  public static final String ARCH_LABEL = VirtualMachine.GROUP + "/arch";
  /** Node label: "true" where /dev/kvm is usable for VMs. */
  public static final String KVM_LABEL = VirtualMachine.GROUP + "/kvm";
  /** Node annotation: vCPUs the agent offers to VMs, a whole number. */
  public static final String ALLOCATABLE_VCPUS_ANNOTATION = VirtualMachine.GROUP + "/allocatable-vcpus";
  /** Node annotation: memory the agent offers to VMs, in bytes. */
  public static final String ALLOCATABLE_MEMORY_ANNOTATION = VirtualMachine.GROUP + "/allocatable-memory";
  /** Node annotation: PCI addresses of host devices bound to vfio-pci, comma-separated. */
  public static final String PASSTHROUGH_DEVICES_ANNOTATION = VirtualMachine.GROUP + "/passthrough-devices";
  /** Node annotation: where the agent serves consoles, host:port as clients reach it. */
  public static final String CONSOLE_ENDPOINT_ANNOTATION = VirtualMachine.GROUP + "/console-endpoint";
  /**
   * Node annotation: SHA-256 (hex) of the console endpoint's TLS certificate, which clients pin;
   * absent when the endpoint serves plain TCP (tests only).
   */
  public static final String CONSOLE_CERT_ANNOTATION = VirtualMachine.GROUP + "/console-cert-sha256";
  /** The heartbeat Lease of node N's agent is named LEASE_PREFIX + N, in the agent's namespace. */
  public static final String LEASE_PREFIX = "jvmm-agent-";
  /**
   * VM label set by the operator to {@link #nodeLabelValue} of the node it chose (status.nodeName
   * has the name itself): custom resources cannot be watched by a status field, so each agent
   * watches by this label.
   */
  public static final String NODE_LABEL = VirtualMachine.GROUP + "/node";
  /** VM finalizer: deletion waits until the agent reports the VMM gone (status.agent.state Absent). */
  public static final String VMM_FINALIZER = VirtualMachine.GROUP + "/vmm";
  /** Field manager of the agent's server-side applies to status.agent. */
  public static final String AGENT_FIELD_MANAGER = "jvmm-node-agent";

  private static final int LABEL_VALUE_MAX = 63;

  private NodeContract() {
  }

  /**
   * The {@link #NODE_LABEL} value for a node: its name where that fits a label value (at most 63
   * characters), otherwise a prefix of it and a hash of the whole name, so that node names up to
   * the 253 characters Kubernetes allows still map to one value each.
   */
  public static String nodeLabelValue(String nodeName) {
    if (nodeName.length() <= LABEL_VALUE_MAX) {
      return nodeName;
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(nodeName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String hash = java.util.HexFormat.of().formatHex(digest, 0, 8);
      String prefix = nodeName.substring(0, LABEL_VALUE_MAX - hash.length() - 1).replaceAll("[^A-Za-z0-9]+$", "");
      return prefix + "-" + hash;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
