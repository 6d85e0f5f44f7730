package io.jvmm.domain.cli;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.DomainXmlExporter;
import io.jvmm.domain.DomainXmlImporter;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.domain.NodePathPolicy;
import io.jvmm.domain.Problem;
import io.jvmm.domain.VirtualMachineValidator;
import io.jvmm.domain.VmmCommandLine;
import io.jvmm.domain.VmmLaunchOptions;
import io.jvmm.domain.xml.DomainXmlReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * bin/jvmm-domain: libvirt domain XML and VirtualMachine manifests, either way, checked, and
 * turned into the VMM's command line. Exit codes: 0 good, 1 invalid input, 2 usage.
 */
@Command(name = "jvmm-domain", mixinStandardHelpOptions = true, version = "jvmm-domain 0.1.0",
    description = "Converts between libvirt domain XML and jvmm VirtualMachine manifests, validates them and"
        + " prints the VMM command line.%nExit codes: 0 good, 1 invalid input, 2 usage.",
    subcommands = {JvmmDomain.Import.class, JvmmDomain.Export.class, JvmmDomain.Validate.class,
        JvmmDomain.Argv.class})
public final class JvmmDomain implements Callable<Integer> {
  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;
  static final String ROOTS_ENV = "JVMM_ALLOWED_ROOTS";
  static final String EMULATORS_ENV = "JVMM_ALLOWED_EMULATORS";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the tool with the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new JvmmDomain());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> USAGE);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof InvalidVirtualMachineException invalid) {
        for (Problem p : invalid.problems()) {
          commandLine.getErr().println(p);
        }
        return INVALID;
      }
      if (e instanceof NoSuchFileException missing) {
        commandLine.getErr().println(missing.getFile() + ": no such file");
        return INVALID;
      }
      if (e instanceof IOException io) {
        commandLine.getErr().println("cannot read input: " + io.getMessage());
        return INVALID;
      }
      if (e instanceof IllegalArgumentException bad) {
        commandLine.getErr().println(bad.getMessage());
        return USAGE;
      }
      throw e;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** Either form, told apart by its first character: '<' for XML, anything else YAML. */
  static VirtualMachine readVm(String file, boolean lenient, PrintWriter err)
      throws IOException, InvalidVirtualMachineException {
    byte[] bytes = readInput(file);
    if (looksLikeXml(bytes)) {
      DomainXmlImporter.Imported imported = DomainXmlImporter.importXml(bytes, lenient);
      imported.warnings().forEach(w -> err.println("warning: " + w));
      return imported.vm();
    }
    return ManifestYaml.read(bytes);
  }

  static byte[] readInput(String file) throws IOException, InvalidVirtualMachineException {
    if (file.equals("-")) {
      return DomainXmlReader.readBounded(System.in, "standard input");
    }
    Path path = Path.of(file);
    if (Files.isRegularFile(path) && Files.size(path) > DomainXmlReader.MAX_BYTES) {
      throw new InvalidVirtualMachineException(new Problem(file, Files.size(path) + " bytes is larger than "
          + DomainXmlReader.MAX_BYTES + ", the limit for a VM description; a domain XML is a few KiB"));
    }
    try (InputStream in = Files.newInputStream(path)) {
      return DomainXmlReader.readBounded(in, file);
    }
  }

  static boolean looksLikeXml(byte[] bytes) {
    for (byte b : bytes) {
      if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) {
        return b == '<';
      }
    }
    return false;
  }

  /** --allowed-root options, else $JVMM_ALLOWED_ROOTS (':'-separated), else /var/lib/jvmm. */
  static NodePathPolicy nodePaths(List<String> roots) {
    List<String> chosen = roots == null ? new ArrayList<>() : new ArrayList<>(roots);
    if (chosen.isEmpty()) {
      String env = System.getenv(ROOTS_ENV);
      if (env != null && !env.isBlank()) {
        Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).forEach(chosen::add);
      }
    }
    if (chosen.isEmpty()) {
      chosen.add(NodePathPolicy.DEFAULT_ROOT);
    }
    return NodePathPolicy.allowing(chosen);
  }

  static class RootsOption {
    @Option(names = "--allowed-root", paramLabel = "DIR",
        description = "Directory node paths (disks, kernel, initrd, firmware, rng backend) may be in; repeatable."
            + " Default: $" + ROOTS_ENV + " (':'-separated), else " + NodePathPolicy.DEFAULT_ROOT)
    List<String> roots = new ArrayList<>();

    @Option(names = NodePathPolicy.EMULATOR_OPTION, paramLabel = "PROGRAM",
        description = "A program the node allows as spec.emulator besides its jvmm; repeatable."
            + " Default: $" + EMULATORS_ENV + " (':'-separated), else none")
    List<String> emulators = new ArrayList<>();

    NodePathPolicy policy() {
      List<String> chosen = new ArrayList<>(emulators);
      String env = System.getenv(EMULATORS_ENV);
      if (chosen.isEmpty() && env != null) {
        Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).forEach(chosen::add);
      }
      return nodePaths(roots).allowingEmulators(chosen);
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Prints the VirtualMachine manifest (YAML) of a libvirt domain XML.")
  static class Import implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--lenient", description = "Drop unsupported elements and attributes with a warning instead"
        + " of refusing the domain")
    boolean lenient;

    @Parameters(paramLabel = "DOMAIN.xml", description = "libvirt domain XML, or - for standard input")
    String file;

    @Override
    public Integer call() throws Exception {
      byte[] bytes = readInput(file);
      if (!looksLikeXml(bytes)) {
        throw new InvalidVirtualMachineException(new Problem(file, "is not XML; import reads a libvirt domain XML"));
      }
      DomainXmlImporter.Imported imported = DomainXmlImporter.importXml(bytes, lenient);
      imported.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
      spec.commandLine().getOut().print(ManifestYaml.write(imported.vm()));
      return OK;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Prints the libvirt domain XML of a VirtualMachine manifest (or of a domain XML, rewritten).")
  static class Export implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "VirtualMachine manifest (YAML or JSON) or domain XML; - for"
        + " standard input")
    String file;

    @Override
    public Integer call() throws Exception {
      VirtualMachine vm = readVm(file, false, spec.commandLine().getErr());
      spec.commandLine().getOut().print(DomainXmlExporter.toXml(vm));
      return OK;
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Prints every problem of a VM (manifest or domain XML); exits 1 if there is any.")
  static class Validate implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    RootsOption roots = new RootsOption();

    @Option(names = "--lenient", description = "Drop unsupported domain XML elements and attributes with a"
        + " warning instead of reporting them as problems")
    boolean lenient;

    @Parameters(paramLabel = "FILE", description = "VirtualMachine manifest or domain XML; - for standard input")
    String file;

    @Override
    public Integer call() throws Exception {
      byte[] bytes = readInput(file);
      List<Problem> problems = new ArrayList<>();
      VirtualMachine vm = null;
      if (looksLikeXml(bytes)) {
        try {
          DomainXmlImporter.Imported imported = DomainXmlImporter.importXml(bytes, lenient);
          imported.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
          vm = imported.vm();
        } catch (InvalidVirtualMachineException strict) {
          problems.addAll(strict.problems());
          // Unsupported names do not stop the rest of the check: all problems at once.
          try {
            vm = lenient ? null : DomainXmlImporter.importXml(bytes, true).vm();
          } catch (InvalidVirtualMachineException unreadable) {
            vm = null;
          }
        }
      } else {
        vm = ManifestYaml.read(bytes);
      }
      if (vm != null) {
        problems.addAll(VirtualMachineValidator.validate(vm, roots.policy()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (problems.isEmpty()) {
        out.println(file + ": valid");
        return OK;
      }
      problems.forEach(out::println);
      return INVALID;
    }
  }

  @Command(name = "argv", mixinStandardHelpOptions = true,
      description = "Prints the VMM command line for a VM (manifest or domain XML).")
  static class Argv implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    RootsOption roots = new RootsOption();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The VM's state directory on the node."
        + " Default: /run/jvmm/NAME")
    Path stateDir;

    @Option(names = "--qmp-socket", paramLabel = "PATH", description = "QMP socket. Default: STATE_DIR/qmp.sock")
    Path qmpSocket;

    @Option(names = "--console-socket", paramLabel = "PATH",
        description = "Carry the virtio console on this unix socket instead of a pty")
    Path consoleSocket;

    @Option(names = "--serial", paramLabel = "BACKEND", description = "Serial port backend: unix:PATH,server,nowait,"
        + " stdio, pty or file:PATH. Default: unix:STATE_DIR/serial.sock,server,nowait")
    String serial;

    @Option(names = "--lines", description = "One argument per line, unquoted, instead of a shell command line")
    boolean lines;

    @Parameters(paramLabel = "FILE", description = "VirtualMachine manifest or domain XML; - for standard input")
    String file;

    @Override
    public Integer call() throws Exception {
      VirtualMachine vm = readVm(file, false, spec.commandLine().getErr());
      String name = vm.getMetadata() == null || vm.getMetadata().getName() == null ? "vm" : vm.getMetadata().getName();
      Path dir = stateDir != null ? stateDir.toAbsolutePath() : Path.of("/run/jvmm", name);
      VmmLaunchOptions options = new VmmLaunchOptions(dir, qmpSocket == null ? null : qmpSocket.toAbsolutePath(),
          consoleSocket == null ? null : consoleSocket.toAbsolutePath(), serial, roots.policy());
      VmmCommandLine cmd = VmmCommandLine.build(vm, options);
      PrintWriter out = spec.commandLine().getOut();
      if (lines) {
        out.println(cmd.program());
        cmd.args().forEach(out::println);
      } else {
        out.println(cmd.toShell());
      }
      return OK;
    }
  }
}
