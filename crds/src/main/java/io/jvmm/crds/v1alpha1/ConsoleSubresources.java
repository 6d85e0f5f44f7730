package io.jvmm.crds.v1alpha1;

/**
 * The API group kube-apiserver routes to jvmm's console API (the APIService
 * {@value #API_SERVICE}), and its two subresources of VirtualMachine. RBAC grants them with
 * verb get, as KubeVirt's virtualmachineinstances/console and the pods/log of kubectl:
 * {@value #CONSOLE} attaches and types (one writer at a time), {@value #VIEW} only watches.
 */
public final class ConsoleSubresources {
  public static final String GROUP = "subresources.jvmm.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_SERVICE = VERSION + "." + GROUP;
  public static final String RESOURCE = "virtualmachines";
  public static final String CONSOLE = "console";
  public static final String VIEW = "consoleview";
  public static final String VERB = "get";
  public static final String PREFIX = "/apis/" + GROUP + "/" + VERSION;

  private ConsoleSubresources() {
  }

  /** The path of a VM's console (or its watch-only view) under the API server. */
  public static String path(String namespace, String name, boolean view) {
    return PREFIX + "/namespaces/" + namespace + "/" + RESOURCE + "/" + name + "/" + (view ? VIEW : CONSOLE);
  }
}
