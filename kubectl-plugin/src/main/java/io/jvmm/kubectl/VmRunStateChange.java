package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvmm.crds.v1alpha1.RunState;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * A verb that sets spec.runState: a JSON merge patch of that one field, under field manager
 * kubectl-vm. A merge patch, not a server-side apply: it fails with NotFound on a missing VM
 * (an apply would try to create one from a single field), and it never fails with a conflict
 * when a GitOps applier owns spec.runState; the applier's next apply sets its own value back,
 * as it does after any kubectl patch.
 */
abstract class VmRunStateChange implements Callable<Integer> {
  private final RunState state;
  private final String done;

  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "NAME")
  String name;

  VmRunStateChange(RunState state, String done) {
    this.state = state;
    this.done = done;
  }

  @Override
  public Integer call() {
    String value = switch (state) {
      case RUNNING -> "Running";
      case PAUSED -> "Paused";
      case STOPPED -> "Stopped";
    };
    String namespace = root.access().namespace();
    try (KubernetesClient client = root.access().client()) {
      KubectlVm.vm(client, namespace, name).patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager(KubectlVm.FIELD_MANAGER).build(), "{\"spec\":{\"runState\":\"" + value + "\"}}");
    }
    root.out().println(KubectlVm.RESOURCE + "/" + name + " " + done);
    return 0;
  }

  @Command(name = "suspend", description = "Pauses the guest's vCPUs: spec.runState Paused (QMP stop); virsh suspend")
  static final class Suspend extends VmRunStateChange {
    Suspend() {
      super(RunState.PAUSED, "suspended");
    }
  }

  @Command(name = "resume", description = "Resumes the guest's vCPUs: spec.runState Running (QMP cont); virsh resume")
  static final class Resume extends VmRunStateChange {
    Resume() {
      super(RunState.RUNNING, "resumed");
    }
  }

  @Command(name = "start", description = "Starts a stopped VM: spec.runState Running; virsh start")
  static final class Start extends VmRunStateChange {
    Start() {
      super(RunState.RUNNING, "started");
    }
  }

  @Command(name = "stop", description = "Stops the VM and keeps it defined: spec.runState Stopped. The node agent"
      + " presses the ACPI power button and ends the VMM after its stop grace period (30 s)")
  static final class Stop extends VmRunStateChange {
    Stop() {
      super(RunState.STOPPED, "stopped");
    }
  }

  @Command(name = "shutdown", description = "Presses the ACPI power button and keeps the VM stopped:"
      + " spec.runState Stopped, which the node agent carries out with QMP system_powerdown (and quit"
      + " when the guest has not powered off within the stop grace period); virsh shutdown")
  static final class Shutdown extends VmRunStateChange {
    Shutdown() {
      super(RunState.STOPPED, "shutdown requested (ACPI power button)");
    }
  }
}
