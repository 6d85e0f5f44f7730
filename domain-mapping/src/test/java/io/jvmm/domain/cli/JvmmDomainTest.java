package io.jvmm.domain.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/jvmm-domain's commands and exit codes: 0 good, 1 invalid input, 2 usage. */
class JvmmDomainTest {
  /** The seed's emulator, which these tests' node allows as the seed's own node would. */
  static final String SEED_EMULATOR = "/path/to/StratoVirt_binary_file";

  record Run(int code, String out, String err) {
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = JvmmDomain.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  static String example(String name) {
    return Path.of(System.getProperty("jvmm.root", ".."), "examples", name).toString();
  }

  @Test
  void importPrintsTheManifest() throws Exception {
    Run r = run("import", example("seed-vm.xml"));
    assertThat(r.code()).isZero();
    String checkedIn = Files.readString(Path.of(example("seed-vm.yaml")));
    assertThat(checkedIn).endsWith(r.out());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void exportPrintsDomainXml() {
    Run r = run("export", example("seed-vm.yaml"));
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("<domain type=\"kvm\">\n  <name>StratoVirt</name>\n  <memory unit=\"GiB\">8</memory>");
  }

  @Test
  void validateAcceptsBothFormsInsideTheAllowedRoots() {
    for (String file : new String[] {"seed-vm.xml", "seed-vm.yaml"}) {
      Run r = run("validate", "--allow-emulator", SEED_EMULATOR, "--allowed-root", "/path/to", example(file));
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo(example(file) + ": valid\n");
    }
  }

  @Test
  void validateListsEveryProblemAndExitsOne() {
    Run r = run("validate", "--allow-emulator", SEED_EMULATOR, "--allowed-root", "/var/lib/jvmm", example("seed-vm.yaml"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out().lines()).hasSize(6).allMatch(l -> l.contains("is outside the allowed roots (/var/lib/jvmm)"));
    assertThat(r.out()).contains("spec.os.kernel: ", "spec.devices.disks[0].source.file: ",
        "spec.devices.rngs[0].backend.path: ");
  }

  @Test
  void argvPrintsAShellCommandLineOrOneArgumentPerLine(@TempDir Path dir) {
    Run r = run("argv", "--allow-emulator", SEED_EMULATOR, "--allowed-root", "/path/to", "--state-dir", dir.toString(),
        "--console-socket", dir.resolve("console.sock").toString(), example("seed-vm.xml"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("/path/to/StratoVirt_binary_file -name stratovirt -machine q35 -accel kvm -m 8192M")
        .contains("-append 'console=ttyS0 root=/dev/vda reboot=k panic=1 rw'")
        .contains("-qmp unix:" + dir.resolve("qmp.sock") + ",server,nowait")
        .contains("-chardev socket,path=" + dir.resolve("console.sock") + ",server,nowait,id=charconsole0");
    Run lines = run("argv", "--allow-emulator", SEED_EMULATOR, "--allowed-root", "/path/to", "--lines", example("seed-vm.yaml"));
    assertThat(lines.out().lines()).startsWith("/path/to/StratoVirt_binary_file", "-name", "stratovirt")
        .contains("console=ttyS0 root=/dev/vda reboot=k panic=1 rw");
  }

  @Test
  void anEmulatorTheNodeDoesNotListIsRefusedByValidateAndArgv(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("sh.yaml");
    Files.writeString(yaml, Files.readString(Path.of(example("seed-vm.yaml"))).replace(SEED_EMULATOR, "/bin/sh"));
    Run r = run("validate", "--allow-emulator", "/usr/bin/qemu-system-x86_64", "--allowed-root", "/path/to", yaml.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("spec.emulator: '/bin/sh' is not a VMM this node allows: leave spec.emulator out to"
        + " run the node's jvmm, or name one of /usr/bin/qemu-system-x86_64; a node operator allows more with"
        + " --allow-emulator\n");
    Run argv = run("argv", "--allowed-root", "/path/to", yaml.toString());
    assertThat(argv.code()).isEqualTo(1);
    assertThat(argv.out()).isEmpty();
    assertThat(argv.err()).contains("spec.emulator: '/bin/sh' is not a VMM this node allows: leave spec.emulator out to"
        + " run the node's jvmm; a node operator allows more with --allow-emulator");
    Run seed = run("validate", "--allowed-root", "/path/to", example("seed-vm.yaml"));
    assertThat(seed.out()).contains("spec.emulator: '/path/to/StratoVirt_binary_file' is not a VMM this node allows");
    Run listed = run("validate", "--allow-emulator", "/bin/sh", "--allowed-root", "/path/to", yaml.toString());
    assertThat(listed.code()).as(listed.out()).isZero();
  }

  @Test
  void argvRefusesPathsOutsideTheAllowedRoots() {
    Run r = run("argv", "--allow-emulator", SEED_EMULATOR, "--allowed-root", "/srv/images", example("seed-vm.yaml"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("spec.devices.disks[0].source.file: '/path/to/rootfs' is outside the allowed roots"
        + " (/srv/images)");
  }

  @Test
  void invalidInputExitsOne(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.xml");
    Files.writeString(broken, "<domain type='kvm'><name>x</name>");
    Run r = run("import", broken.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("domain XML line 1, column ").contains("not well-formed XML");
    Run missing = run("validate", dir.resolve("nope.yaml").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo(dir.resolve("nope.yaml") + ": no such file\n");
    Run yamlToImport = run("import", example("seed-vm.yaml"));
    assertThat(yamlToImport.code()).isEqualTo(1);
    assertThat(yamlToImport.err()).contains("is not XML; import reads a libvirt domain XML");
  }

  @Test
  void lenientImportWarnsAndSucceeds(@TempDir Path dir) throws Exception {
    Path xml = dir.resolve("d.xml");
    Files.writeString(xml, Files.readString(Path.of(example("seed-vm.xml")))
        .replace("<vcpu>4</vcpu>", "<vcpu placement='static'>4</vcpu>"));
    assertThat(run("import", xml.toString()).code()).isEqualTo(1);
    Run r = run("import", "--lenient", xml.toString());
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEqualTo("warning: /domain/vcpu/@placement: dropped (--lenient): unsupported attribute"
        + " placement\n");
  }

  @Test
  void validateReportsUnsupportedNamesAndVmProblemsTogether(@TempDir Path dir) throws Exception {
    Path xml = dir.resolve("d.xml");
    Files.writeString(xml, Files.readString(Path.of(example("seed-vm.xml")))
        .replace("<vcpu>4</vcpu>", "<vcpu placement='static'>4</vcpu>")
        .replace("<iothreads>1</iothreads>", ""));
    Run r = run("validate", "--allow-emulator", SEED_EMULATOR, "--allowed-root", "/path/to", xml.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("/domain/vcpu/@placement: unsupported attribute placement\n"
        + "spec.devices.disks[0].driver.iothread: I/O thread 1 does not exist; set spec.iothreads to at least 1 or"
        + " remove driver.iothread\n");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run().code()).isEqualTo(2);
    assertThat(run("frobnicate").code()).isEqualTo(2);
    assertThat(run("import").code()).isEqualTo(2);
    assertThat(run("argv", "--serial", "telnet:1", example("seed-vm.yaml")).code()).isEqualTo(2);
    assertThat(run("validate", "--allowed-root", "relative/dir", example("seed-vm.yaml")).code()).isEqualTo(2);
    assertThat(run("--help").code()).isZero();
  }
}
