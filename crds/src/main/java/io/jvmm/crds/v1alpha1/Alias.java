package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** libvirt {@code <alias name='...'/>}: the device's id on the VMM command line and in QMP. */
@JsonClassDescription("<alias name>: the device's id on the VMM command line and in QMP; one after libvirt's"
    + " (console0, balloon0...) when absent")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Alias {
  @Required
  @Pattern("^[A-Za-z][A-Za-z0-9_.-]{0,62}$")
  @JsonPropertyDescription("Device id: a letter, then letters, digits, '_', '.', '-'")
  public String name;

  public Alias() {
  }

  public Alias(String name) {
    this.name = name;
  }
}
