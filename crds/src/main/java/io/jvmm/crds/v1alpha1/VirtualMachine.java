package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A KVM virtual machine run by the jvmm VMM: the Kubernetes form of a libvirt domain
 * (see the seed's domain XML). {@code kubectl get vm} shows its state, node and size.
 */
@JsonClassDescription("A KVM virtual machine run by jvmm: the Kubernetes form of a libvirt domain. spec is the"
    + " domain XML's content in Kubernetes naming and how to run it; status is what the operator and the node"
    + " agent observed")
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Kind(VirtualMachine.KIND)
@Plural("virtualmachines")
@Singular("virtualmachine")
@ShortNames("vm")
// kubectl get vm columns; priority 1 ones only under -o wide. The generator writes them sorted
// by jsonPath whatever the order here (fabric8 7.9.0 collects them in a TreeMap), so kubectl
// shows Age first.
@AdditionalPrinterColumn(name = "Ready", jsonPath = VirtualMachine.READY_CONDITION + ".status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.nodeName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "vCPUs", jsonPath = ".spec.vcpu", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Memory", jsonPath = ".spec.memory", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Reason", jsonPath = VirtualMachine.READY_CONDITION + ".reason",
    type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "RunState", jsonPath = ".spec.runState", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(name = "QMP", jsonPath = ".status.qmpStatus", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(name = "CID", jsonPath = ".spec.devices.vsock.cid.address",
    type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
public class VirtualMachine extends CustomResource<VirtualMachineSpec, VirtualMachineStatus> implements Namespaced {
  public static final String GROUP = "jvmm.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "VirtualMachine";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  /** JSONPath of the Ready condition, for the printer columns that read it. */
  static final String READY_CONDITION = ".status.conditions[?(@.type==\"" + VirtualMachineStatus.CONDITION_READY + "\")]";
  /** The CRD's name, also the generated file's stem: deploy/crds/virtualmachines.jvmm.io-v1.yml. */
  public static final String CRD_NAME = "virtualmachines." + GROUP;
  /**
   * libvirt domain names may hold characters a Kubernetes name may not (the seed's is
   * "StratoVirt"); the domain's own name is kept here so that export gives it back.
   */
  public static final String DOMAIN_NAME_ANNOTATION = GROUP + "/domain-name";
  /**
   * kubectl vm restart sets this to the time it asked (RFC 3339), as kubectl rollout restart
   * sets kubectl.kubernetes.io/restartedAt: the node agent restarts a running VMM started
   * before the value changed.
   */
  public static final String RESTARTED_AT_ANNOTATION = GROUP + "/restartedAt";
}
