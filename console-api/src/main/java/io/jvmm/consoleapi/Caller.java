package io.jvmm.consoleapi;

import java.util.List;
import java.util.Map;

/**
 * The user kube-apiserver authenticated and named in the front-proxy headers: whoever they are
 * (token, client certificate, exec plugin), this is all the console API learns of them.
 */
public record Caller(String user, String uid, List<String> groups, Map<String, List<String>> extra) {
}
