package io.jvmm.agent.standalone;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jvmm.agent.console.ConsoleRequest;

/**
 * A request on the standalone agent's UNIX socket, one JSON line: op is list, create, destroy,
 * suspend, resume or console (then the {@link ConsoleRequest} fields apply).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ControlRequest extends ConsoleRequest {
  /** create: the file's name (its extension says manifest or domain XML) and its content. */
  public String fileName;
  public String content;
}
