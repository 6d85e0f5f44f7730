package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * libvirt {@code <console type='pty'><target type='virtio' port='0'/></console>}: a
 * virtconsole on the virtio-serial controller, what virsh console (and kubectl vm console)
 * attaches to. The node agent may carry it on a unix socket instead of a pty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "target", "alias"})
public class Console {
  @Required
  @JsonPropertyDescription("Host side of the console: pty")
  public Type type;

  @Required
  @JsonPropertyDescription("Guest side of the console (libvirt <target type port>)")
  public Target target;

  public Alias alias;

  public enum Type {
    @JsonProperty("pty") PTY
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "port"})
  public static class Target {
    @Required
    @JsonPropertyDescription("Guest side: virtio (a virtconsole, /dev/hvc0 in the guest)")
    public TargetType type;

    @Min(0)
    @Max(30)
    @JsonPropertyDescription("Port on the virtio-serial controller")
    public Integer port;
  }

  public enum TargetType {
    @JsonProperty("virtio") VIRTIO
  }
}
