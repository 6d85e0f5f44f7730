package io.jvmm.kubectl;

import io.jvmm.domain.DomainXmlImporter;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.domain.Problem;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** import FILE.xml: the VirtualMachine manifest of a libvirt domain XML, on stdout; no cluster needed. */
@Command(name = "import", description = "Prints the VirtualMachine manifest of a libvirt domain XML (\"-\": standard"
    + " input), for kubectl apply -f or a Git repository")
final class VmImport implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "FILE")
  String file;

  @Override
  public Integer call() throws Exception {
    byte[] bytes = VmFiles.bytes(file, root.stdin);
    if (!VmFiles.isXml(bytes)) {
      throw new InvalidVirtualMachineException(new Problem(file, "is not XML; import reads a libvirt domain XML"));
    }
    DomainXmlImporter.Imported imported = DomainXmlImporter.importXml(bytes, false);
    imported.warnings().forEach(w -> root.err().println("warning: " + w));
    root.out().print(ManifestYaml.write(imported.vm()));
    return 0;
  }
}
