package io.jvmm.domain.xml;

import com.fasterxml.jackson.core.JsonProcessingException;

/** Writes {@link DomainXml} as libvirt domain XML text. */
public final class DomainXmlWriter {
  private DomainXmlWriter() {
  }

  public static String write(DomainXml domain) throws JsonProcessingException {
    return DomainXmlReader.mapper().writeValueAsString(domain) + "\n";
  }
}
