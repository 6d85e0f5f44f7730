package io.jvmm.domain;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * "Equivalent" domain XML, as libvirt reads it: same elements, attributes and text; comments,
 * indentation, quote style and attribute order do not count, nor does the order of different
 * device kinds inside {@code <devices>} (libvirt reads each kind in its own order), nor how a PCI
 * address part is spelled (0x00, 0x0 and 0 are one number). And as jvmm reads the seed: an
 * ethernet interface with a source bridge is a bridge interface, which export writes.
 */
final class XmlEquivalence {
  private XmlEquivalence() {
  }

  /** A canonical text of the document; two documents are equivalent when these are equal. */
  static String canonical(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Element root = f.newDocumentBuilder()
          .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
      StringBuilder out = new StringBuilder();
      write(root, "", out);
      return out.toString();
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static void write(Element e, String indent, StringBuilder out) {
    out.append(indent).append('<').append(e.getTagName());
    Map<String, String> attributes = new TreeMap<>();
    NamedNodeMap attrs = e.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      attributes.put(attrs.item(i).getNodeName(), attrs.item(i).getNodeValue());
    }
    if (e.getTagName().equals("address")) {
      for (String part : List.of("domain", "bus", "slot", "function")) {
        attributes.computeIfPresent(part, (k, v) -> String.valueOf(
            io.jvmm.crds.v1alpha1.PciAddress.valueOf(new io.fabric8.kubernetes.api.model.IntOrString(v))));
      }
    }
    if (e.getTagName().equals("interface") && "ethernet".equals(attributes.get("type")) && hasBridgeSource(e)) {
      attributes.put("type", "bridge");
    }
    attributes.forEach((k, v) -> out.append(' ').append(k).append("='").append(v).append('\''));
    out.append('>');
    StringBuilder text = new StringBuilder();
    List<Element> children = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
        text.append(n.getNodeValue());
      } else if (n.getNodeType() == Node.ELEMENT_NODE) {
        children.add((Element) n);
      }
    }
    out.append(text.toString().strip()).append('\n');
    if (e.getTagName().equals("devices")) {
      // Stable sort: kinds grouped, each kind in its written order.
      children.sort((a, b) -> a.getTagName().compareTo(b.getTagName()));
    }
    for (Element child : children) {
      write(child, indent + "  ", out);
    }
  }

  private static boolean hasBridgeSource(Element nic) {
    for (Node n = nic.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element child && child.getTagName().equals("source") && child.hasAttribute("bridge")) {
        return true;
      }
    }
    return false;
  }
}
