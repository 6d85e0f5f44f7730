package io.jvmm.kubectl;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.DomainXmlImporter;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.domain.Problem;
import io.jvmm.domain.xml.DomainXmlReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A VM from a file: a VirtualMachine manifest (YAML or JSON) or a libvirt domain XML ("-": stdin). */
final class VmFiles {
  private VmFiles() {
  }

  static VirtualMachine read(String file, InputStream stdin, PrintWriter err)
      throws IOException, InvalidVirtualMachineException {
    byte[] bytes = bytes(file, stdin);
    if (isXml(bytes)) {
      DomainXmlImporter.Imported imported = DomainXmlImporter.importXml(bytes, false);
      imported.warnings().forEach(w -> err.println("warning: " + w));
      return imported.vm();
    }
    return ManifestYaml.read(bytes);
  }

  static byte[] bytes(String file, InputStream stdin) throws IOException, InvalidVirtualMachineException {
    if (file.equals("-")) {
      return DomainXmlReader.readBounded(stdin, "standard input");
    }
    Path path = Path.of(file);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(file);
    }
    if (Files.isRegularFile(path) && Files.size(path) > DomainXmlReader.MAX_BYTES) {
      throw new InvalidVirtualMachineException(new Problem(file, Files.size(path) + " bytes is larger than "
          + DomainXmlReader.MAX_BYTES + ", the limit for a VM description"));
    }
    try (InputStream in = Files.newInputStream(path)) {
      return DomainXmlReader.readBounded(in, file);
    }
  }

  /** Told apart by the first character, as bin/jvmm-domain does: '<' is XML, anything else YAML. */
  static boolean isXml(byte[] bytes) {
    for (byte b : bytes) {
      if (!Character.isWhitespace(b) && b != (byte) 0xEF && b != (byte) 0xBB && b != (byte) 0xBF) {
        return b == '<';
      }
    }
    return false;
  }
}
