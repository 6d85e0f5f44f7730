package io.jvmm.domain;

import java.util.List;
import java.util.stream.Collectors;

/** A VM description that cannot be used, with every problem found, not only the first. */
public class InvalidVirtualMachineException extends Exception {
  private final List<Problem> problems;

  public InvalidVirtualMachineException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public InvalidVirtualMachineException(Problem problem) {
    this(List.of(problem));
  }

  public List<Problem> problems() {
    return problems;
  }
}
