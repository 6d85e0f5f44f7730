package io.jvmm.domain.xml;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a libvirt domain XML document safely and binds it to {@link DomainXml}.
 *
 * <p>A domain XML may come from anyone, so the parser is closed to the classic attacks: no
 * DOCTYPE at all (so no entity expansion, "billion laughs", and no external entities, XXE),
 * a size limit checked before parsing, and Woodstox limits on depth, element count, attribute
 * and text size. A first streaming pass checks well-formedness and collects every element and
 * attribute jvmm does not support (with its path); only then does Jackson bind the document.
 */
public final class DomainXmlReader {
  /** Largest domain XML accepted; a real one is a few KiB. */
  public static final int MAX_BYTES = 1 << 20;
  static final int MAX_DEPTH = 16;
  static final int MAX_ELEMENTS = 10_000;
  static final int MAX_ATTRIBUTE_CHARS = 4096;
  static final int MAX_TEXT_CHARS = 16_384;

  private static final XmlMapper MAPPER = newMapper();

  private DomainXmlReader() {
  }

  /** A domain read, and what lenient reading dropped (empty when strict). */
  public record Result(DomainXml domain, List<Problem> dropped) {
  }

  /** The mapper for domain XML, reading through the hardened factory; also used for writing. */
  static XmlMapper mapper() {
    return MAPPER;
  }

  private static XmlMapper newMapper() {
    XmlMapper mapper = new XmlMapper(XmlFactory.builder()
        .xmlInputFactory(secureInputFactory())
        .build());
    // The streaming pass already refused (strict) or listed (lenient) every unknown name.
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
    mapper.configure(SerializationFeature.INDENT_OUTPUT, true);
    // <acpi/> and <readonly/> are empty elements whose presence is the value.
    mapper.coercionConfigFor(LogicalType.POJO)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsEmpty);
    return mapper;
  }

  static XMLInputFactory secureInputFactory() {
    XMLInputFactory factory = new WstxInputFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    factory.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, MAX_DEPTH);
    factory.setProperty(WstxInputProperties.P_MAX_ELEMENT_COUNT, (long) MAX_ELEMENTS);
    factory.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, MAX_ATTRIBUTE_CHARS);
    factory.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, 32);
    factory.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, MAX_TEXT_CHARS);
    factory.setProperty(WstxInputProperties.P_MAX_CHARACTERS, (long) MAX_BYTES);
    factory.setProperty(WstxInputProperties.P_MAX_ENTITY_COUNT, 1L);
    factory.setProperty(WstxInputProperties.P_MAX_ENTITY_DEPTH, 1);
    return factory;
  }

  /** Reads at most MAX_BYTES + 1 bytes, so that a huge input costs no more than that. */
  public static byte[] readBounded(InputStream in, String what) throws IOException, InvalidVirtualMachineException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new InvalidVirtualMachineException(new Problem(what,
          "larger than " + MAX_BYTES + " bytes, the limit for a VM description; a domain XML is a few KiB"));
    }
    return bytes;
  }

  /**
   * Parses a domain XML. Strict (lenient false): any unsupported element or attribute is an
   * error naming each of them. Lenient: they are dropped and listed in {@link Result#dropped}.
   */
  public static Result read(byte[] xml, boolean lenient) throws InvalidVirtualMachineException {
    if (xml.length > MAX_BYTES) {
      throw new InvalidVirtualMachineException(new Problem("domain XML",
          "larger than " + MAX_BYTES + " bytes, the limit for a VM description; a domain XML is a few KiB"));
    }
    List<Problem> unsupported = new ArrayList<>();
    List<Problem> errors = new ArrayList<>();
    scan(xml, unsupported, errors);
    if (!lenient) {
      errors.addAll(unsupported);
    }
    if (!errors.isEmpty()) {
      throw new InvalidVirtualMachineException(errors);
    }
    try {
      DomainXml domain = MAPPER.readValue(xml, DomainXml.class);
      return new Result(domain, lenient ? unsupported : List.of());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidVirtualMachineException(new Problem("/domain", "cannot be read: " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidVirtualMachineException(new Problem("/domain", "cannot be read: " + e.getMessage()));
    }
  }

  private record Frame(DomainXmlSchema schema, String path, Map<String, Integer> seen) {
  }

  private static void scan(byte[] xml, List<Problem> unsupported, List<Problem> errors)
      throws InvalidVirtualMachineException {
    XMLStreamReader reader = null;
    Deque<Frame> stack = new ArrayDeque<>();
    int ignoredDepth = 0;
    try {
      reader = MAPPER.getFactory().getXMLInputFactory().createXMLStreamReader(new ByteArrayInputStream(xml));
      while (reader.hasNext()) {
        int event = reader.next();
        switch (event) {
          case XMLStreamConstants.DTD -> throw new InvalidVirtualMachineException(new Problem(where(reader),
              "a DOCTYPE declaration is not allowed in a domain XML (it could declare entities that expand"
                  + " without bound or read files); remove it"));
          case XMLStreamConstants.ENTITY_REFERENCE -> throw new InvalidVirtualMachineException(new Problem(
              where(reader), "entity reference &" + reader.getLocalName() + "; is not allowed; write the text itself"));
          case XMLStreamConstants.START_ELEMENT -> {
            if (ignoredDepth > 0) {
              ignoredDepth++;
              continue;
            }
            String name = qualifiedName(reader);
            if (stack.isEmpty()) {
              if (!"domain".equals(name)) {
                throw new InvalidVirtualMachineException(new Problem("/" + name,
                    "the root element must be <domain>, as in libvirt's domain XML"));
              }
              stack.push(new Frame(DomainXmlSchema.DOMAIN, "/domain", new HashMap<>()));
              checkAttributes(reader, DomainXmlSchema.DOMAIN, "/domain", unsupported);
              continue;
            }
            Frame parent = stack.peek();
            DomainXmlSchema child = reader.getNamespaceURI() == null || reader.getNamespaceURI().isEmpty()
                ? parent.schema().children.get(name) : null;
            int count = parent.seen().merge(name, 1, Integer::sum);
            boolean repeatable = parent.schema().repeatable.contains(name);
            String path = parent.path() + "/" + name + (repeatable ? "[" + count + "]" : "");
            if (child == null) {
              unsupported.add(new Problem(path, "unsupported element <" + name + ">"));
              ignoredDepth = 1;
              continue;
            }
            if (!repeatable && count > 1) {
              errors.add(new Problem(path, "<" + name + "> appears " + count + " times in " + parent.path()
                  + "; it may appear once"));
            }
            checkAttributes(reader, child, path, unsupported);
            stack.push(new Frame(child, path, new HashMap<>()));
          }
          case XMLStreamConstants.END_ELEMENT -> {
            if (ignoredDepth > 0) {
              ignoredDepth--;
            } else {
              stack.pop();
            }
          }
          case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
            if (ignoredDepth == 0 && !stack.isEmpty() && !stack.peek().schema().text && !reader.isWhiteSpace()) {
              String text = reader.getText().strip();
              if (!text.isEmpty()) {
                unsupported.add(new Problem(stack.peek().path(), "unsupported text '" + abbreviate(text)
                    + "' (this element has no text content)"));
              }
            }
          }
          default -> {
            // Comments, processing instructions and whitespace carry no configuration.
          }
        }
      }
    } catch (XMLStreamException e) {
      Location at = e.getLocation();
      String message = e.getMessage() == null ? "malformed XML" : e.getMessage();
      int cut = message.indexOf("\n at [row,col");
      if (cut >= 0) {
        message = message.substring(0, cut);
      }
      message = message.replaceFirst("^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message: ", "");
      throw new InvalidVirtualMachineException(new Problem(
          at == null ? "domain XML" : "domain XML line " + at.getLineNumber() + ", column " + at.getColumnNumber(),
          "not well-formed XML: " + message.strip()));
    } finally {
      if (reader != null) {
        try {
          reader.close();
        } catch (XMLStreamException ignored) {
          // Closing a reader over a byte array releases nothing.
        }
      }
    }
  }

  private static void checkAttributes(XMLStreamReader reader, DomainXmlSchema schema, String path,
      List<Problem> unsupported) {
    for (int i = 0; i < reader.getAttributeCount(); i++) {
      String prefix = reader.getAttributePrefix(i);
      String name = (prefix == null || prefix.isEmpty() ? "" : prefix + ":") + reader.getAttributeLocalName(i);
      if (!schema.attributes.contains(name)) {
        unsupported.add(new Problem(path + "/@" + name, "unsupported attribute " + name));
      }
    }
  }

  private static String qualifiedName(XMLStreamReader reader) {
    String prefix = reader.getPrefix();
    return (prefix == null || prefix.isEmpty() ? "" : prefix + ":") + reader.getLocalName();
  }

  private static String where(XMLStreamReader reader) {
    Location at = reader.getLocation();
    return "domain XML line " + at.getLineNumber() + ", column " + at.getColumnNumber();
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
