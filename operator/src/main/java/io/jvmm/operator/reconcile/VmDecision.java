package io.jvmm.operator.reconcile;

import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * What one reconcile of a VM concluded: the node it is placed on (recorded as the VM's node
 * label and status.nodeName), its new status, whether a deleting VM may let go of its
 * finalizer, and when to look again without an event.
 */
public record VmDecision(Optional<String> node, VirtualMachineStatus status, boolean releaseFinalizer, Duration recheckAfter) {}
