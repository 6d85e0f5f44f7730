package io.jvmm.agent;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.jvmm.crds.v1alpha1.Console;
import io.jvmm.crds.v1alpha1.Controller;
import io.jvmm.crds.v1alpha1.Devices;
import io.jvmm.crds.v1alpha1.Features;
import io.jvmm.crds.v1alpha1.Os;
import io.jvmm.crds.v1alpha1.RestartPolicy;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.testkit.GuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** VMs of the test guest image, and a VMM that runs them on this host. */
public final class TestVms {
  private static GuestImage image;

  private TestVms() {
  }

  public static synchronized GuestImage image() {
    if (image == null) {
      image = GuestImage.current();
    }
    return image;
  }

  /** The test guest: 256 MiB, 1 vCPU, console=ttyS0, a shell kept on the console. */
  public static VirtualMachine guest(String namespace, String name) {
    VirtualMachine vm = new VirtualMachine();
    vm.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withGeneration(1L).build());
    VirtualMachineSpec spec = new VirtualMachineSpec();
    spec.memory = "256MiB";
    spec.vcpu = 1;
    spec.os = new Os();
    spec.os.arch = Os.Arch.X86_64;
    spec.os.machine = Os.Machine.Q35;
    spec.os.kernel = image().kernel().toString();
    spec.os.initrd = image().initramfs().toString();
    spec.os.cmdline = "console=ttyS0 quiet jvmm.shell=1";
    spec.features = new Features();
    spec.features.acpi = true;
    spec.runState = RunState.RUNNING;
    spec.restartPolicy = RestartPolicy.ALWAYS;
    vm.setSpec(spec);
    return vm;
  }

  /**
   * The test guest with a virtio console (hvc0) on a virtio-serial controller. Its kernel has
   * virtio_console as a module that /init loads, so the kernel's console stays ttyS0.
   */
  public static VirtualMachine guestWithVirtioConsole(String namespace, String name) {
    VirtualMachine vm = guest(namespace, name);
    Devices d = new Devices();
    Controller serial = new Controller();
    serial.type = Controller.Type.VIRTIO_SERIAL;
    serial.index = 0;
    d.controllers = new ArrayList<>(List.of(serial));
    Console c = new Console();
    c.type = Console.Type.PTY;
    c.target = new Console.Target();
    c.target.type = Console.TargetType.VIRTIO;
    c.target.port = 0;
    d.consoles = new ArrayList<>(List.of(c));
    vm.getSpec().devices = d;
    return vm;
  }

  /**
   * Set (to true) where the tests run on hardware-style KVM, in the sandbox
   * ({@link AgentTestsOnJvmmSandboxTest}): {@link #vmm} is then bin/jvmm itself.
   */
  public static final String JVMM_PROPERTY = "jvmm.test.jvmm";

  /** Whether this JVM runs where bin/jvmm boots guests (hardware-style KVM, the sandbox). */
  public static boolean onJvmm() {
    return Boolean.getBoolean(JVMM_PROPERTY);
  }

  /**
   * The VMM that tests of the agent run: bin/jvmm where {@link #onJvmm}, else QEMU in software
   * emulation with bin/jvmm's command line ({@link #tcgVmm}).
   */
  public static Path vmm(Path dir) {
    if (!onJvmm()) {
      return tcgVmm(dir);
    }
    openForVmmUsers(dir);
    return io.jvmm.testkit.ProjectRoot.bin("jvmm");
  }

  /**
   * A root agent runs each VMM as a user of its own, which must enter dir to run a script there
   * and reach the VM's state directory (temporary directories are made 0700).
   */
  private static void openForVmmUsers(Path dir) {
    try {
      for (Path d = dir.toAbsolutePath(); d != null; d = d.getParent()) {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(d);
        if (mode.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
          Files.setPosixFilePermissions(d, mode);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A VMM for this host: QEMU with the same command line, except TCG for KVM (this host's
   * /dev/kvm is PVM, on which stock kernels do not boot).
   */
  private static Path tcgVmm(Path dir) {
    Path script = dir.resolve("qemu-tcg");
    openForVmmUsers(dir);
    try {
      Files.writeString(script, String.join("\n",
          "#!/bin/bash",
          "# bin/jvmm's command line on QEMU in software emulation.",
          "args=(); prev=",
          "for a in \"$@\"; do",
          "  if [[ $prev == -accel && $a == kvm ]]; then a=tcg; fi",
          "  args+=(\"$a\"); prev=$a",
          "done",
          "exec qemu-system-x86_64 \"${args[@]}\"",
          ""));
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return script;
  }

  /** Where node paths of test VMs may point: the guest image and the test's own directory. */
  public static List<String> allowedRoots(Path testDir) {
    return List.of(image().directory().toAbsolutePath().toString(), testDir.toAbsolutePath().toString());
  }
}
