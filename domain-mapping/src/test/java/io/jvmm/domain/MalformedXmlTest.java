package io.jvmm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jvmm.domain.xml.DomainXmlReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken domain XML: each gets one clear problem, quickly, without reading files
 * or expanding entities (the parser never sees a DOCTYPE through).
 */
class MalformedXmlTest {
  static final Duration BOUND = Duration.ofSeconds(5);
  static final String DOCTYPE_REFUSED = "a DOCTYPE declaration is not allowed in a domain XML (it could declare"
      + " entities that expand without bound or read files); remove it";

  static List<Problem> problems(String xml) {
    return problems(xml.getBytes(StandardCharsets.UTF_8));
  }

  static List<Problem> problems(byte[] xml) {
    return assertTimeoutPreemptively(BOUND, () -> {
      InvalidVirtualMachineException e = catchThrowableOfType(InvalidVirtualMachineException.class,
          () -> DomainXmlImporter.importXml(xml, true));
      assertThat(e).as("refused").isNotNull();
      return e.problems();
    });
  }

  @Test
  void unclosedTag() {
    assertThat(problems("<domain type='kvm'>\n  <name>vm</name>\n  <vcpu>4\n</domain>\n"))
        .singleElement().satisfies(p -> {
          assertThat(p.path()).startsWith("domain XML line 4, column ");
          assertThat(p.message()).startsWith("not well-formed XML: Unexpected close tag </domain>; expected </vcpu>");
        });
  }

  @Test
  void truncatedDocument() {
    assertThat(problems("<domain type='kvm'>\n  <name>vm</name>\n")).singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("not well-formed XML: Unexpected EOF"));
  }

  @Test
  void notXmlAtAll() {
    assertThat(problems("<<<>>>")).singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("not well-formed XML:"));
  }

  @Test
  void billionLaughsIsRefusedBeforeAnyExpansion() {
    StringBuilder xml = new StringBuilder("<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY lol0 'lol'>\n");
    for (int i = 1; i <= 9; i++) {
      xml.append("<!ENTITY lol").append(i).append(" '");
      for (int j = 0; j < 10; j++) {
        xml.append("&lol").append(i - 1).append(';');
      }
      xml.append("'>\n");
    }
    xml.append("]>\n<domain type='kvm'><name>&lol9;</name></domain>\n");
    assertThat(problems(xml.toString())).singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo(DOCTYPE_REFUSED));
  }

  @Test
  void externalEntityIsNeverRead(@TempDir Path dir) throws IOException {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "TOP-SECRET-MARKER");
    String xml = "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY xxe SYSTEM '" + secret.toUri() + "'>]>\n"
        + "<domain type='kvm'><name>&xxe;</name></domain>\n";
    List<Problem> problems = problems(xml);
    assertThat(problems).singleElement().satisfies(p -> assertThat(p.message()).isEqualTo(DOCTYPE_REFUSED));
    assertThat(problems.toString()).doesNotContain("TOP-SECRET-MARKER");
    // Lenient or not, the DOCTYPE stops the document: no entity is resolved in either mode.
    String external = "<!DOCTYPE domain SYSTEM 'http://127.0.0.1:9/domain.dtd'>\n<domain type='kvm'/>\n";
    assertThat(problems(external)).singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo(DOCTYPE_REFUSED));
  }

  @Test
  void predefinedEntitiesAndCharacterReferencesAreText() throws Exception {
    String xml = Examples.read("seed-vm.xml")
        .replace("<cmdline>console=ttyS0", "<cmdline>x=&amp;&lt;&#65; console=ttyS0")
        .replace("<source bridge='qbr0'/>", "<source bridge='q&amp;0'/>");
    io.jvmm.crds.v1alpha1.VirtualMachine vm =
        DomainXmlImporter.importXml(xml.getBytes(StandardCharsets.UTF_8), false).vm();
    assertThat(vm.getSpec().os.cmdline).startsWith("x=&<A console=ttyS0");
    assertThat(vm.getSpec().devices.interfaces.get(0).source.bridge).isEqualTo("q&0");
  }

  @Test
  void undeclaredEntityWithoutDoctype() {
    assertThat(problems("<domain type='kvm'><name>&xxe;</name></domain>")).singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("entity reference &xxe; is not allowed; write the text"
            + " itself"));
  }

  @Test
  void fiftyMegabyteDocumentIsRefusedBySize() {
    byte[] big = new byte[50 * 1024 * 1024];
    byte[] head = "<domain type='kvm'><name>".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, big, 0, head.length);
    java.util.Arrays.fill(big, head.length, big.length, (byte) 'a');
    assertThat(problems(big)).containsExactly(new Problem("domain XML", "larger than 1048576 bytes, the limit for"
        + " a VM description; a domain XML is a few KiB"));
  }

  @Test
  void fiftyMegabyteStreamIsReadNoFurtherThanTheLimit() {
    long[] served = {0};
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        served[0]++;
        return 'a';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (len == 0) {
          return 0;
        }
        int n = (int) Math.min(len, 50L * 1024 * 1024 - served[0]);
        if (n <= 0) {
          return -1;
        }
        java.util.Arrays.fill(b, off, off + n, (byte) 'a');
        served[0] += n;
        return n;
      }
    };
    InvalidVirtualMachineException e = catchThrowableOfType(InvalidVirtualMachineException.class,
        () -> DomainXmlReader.readBounded(endless, "standard input"));
    assertThat(e.problems()).containsExactly(new Problem("standard input", "larger than 1048576 bytes, the limit"
        + " for a VM description; a domain XML is a few KiB"));
    assertThat(served[0]).isLessThanOrEqualTo(DomainXmlReader.MAX_BYTES + 1L);
  }

  @Test
  void deepNestingHitsTheDepthLimit() {
    String xml = "<domain type='kvm'>" + "<a>".repeat(5000) + "</a>".repeat(5000) + "</domain>";
    assertThat(problems(xml)).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("Maximum Element Depth limit (16) Exceeded"));
  }

  @Test
  void manyElementsHitTheCountLimit() {
    String xml = "<domain type='kvm'><devices>" + "<x/>".repeat(50_000) + "</devices></domain>";
    assertThat(problems(xml)).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("Maximum Element Count limit (10000) Exceeded"));
  }

  @Test
  void hugeAttributeHitsTheSizeLimit() {
    String xml = "<domain type='kvm'><name>" + "<x y='" + "a".repeat(500_000) + "'/></name></domain>";
    assertThat(problems(xml)).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("Maximum attribute size limit (4096) exceeded"));
  }
}
