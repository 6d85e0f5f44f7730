package io.jvmm.vmm.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided: {@code JAZZER_FUZZ=1 mvn -pl vmm-core surefire:test -Dtest=CommandLineFuzzTest}
 * mutates argument lists towards new branches of the parser; any exception but an
 * {@link OptionException} is a finding. Without JAZZER_FUZZ it replays its saved inputs only.
 */
class CommandLineFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parseThrowsOnlyOptionExceptions(FuzzedDataProvider data) {
        List<String> args = new ArrayList<>();
        int n = data.consumeInt(0, 12);
        for (int i = 0; i < n; i++) {
            args.add(data.consumeString(64));
        }
        try {
            CommandLine.parse(args);
        } catch (OptionException refused) {
            // The one way parse may fail.
        }
    }
}
