package io.jvmm.vmm.confine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM bound by Landlock as jvmm binds itself, run as a child by {@link LandlockTest}: args are
 * the allowed file, then files it must not read; prints what each read gave, from this thread
 * and from a thread started after the restriction.
 */
public final class LandlockProbe {
    public static void main(String[] args) throws Exception {
        List<Landlock.Rule> rules = new ArrayList<>();
        rules.add(new Landlock.Rule(Path.of(args[0]), Landlock.READ_FILE));
        rules.add(new Landlock.Rule(Path.of(System.getProperty("java.home")), VmmFileRules.READ));
        for (String entry : System.getProperty("java.class.path").split(":")) {
            rules.add(new Landlock.Rule(Path.of(entry), VmmFileRules.READ));
        }
        int abi = Landlock.restrictThisThread(rules);
        System.out.println("ABI " + abi);
        Runnable reads = () -> {
            for (String file : args) {
                try {
                    Files.readAllBytes(Path.of(file));
                    System.out.println(Thread.currentThread().getName() + " READ " + file);
                } catch (Exception e) {
                    System.out.println(Thread.currentThread().getName() + " DENIED " + file + " " + e.getClass().getSimpleName());
                }
            }
        };
        reads.run();
        Thread later = new Thread(reads, "later");
        later.start();
        later.join();
    }
}
