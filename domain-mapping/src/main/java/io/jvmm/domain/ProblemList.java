package io.jvmm.domain;

import java.util.ArrayList;
import java.util.List;

/** Collects problems so that a user sees all of them at once. */
final class ProblemList {
  private final List<Problem> problems = new ArrayList<>();

  void add(String path, String message) {
    problems.add(new Problem(path, message));
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  List<Problem> list() {
    return problems;
  }

  void throwIfAny() throws InvalidVirtualMachineException {
    if (!problems.isEmpty()) {
      throw new InvalidVirtualMachineException(problems);
    }
  }
}
