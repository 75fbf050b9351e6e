package dev.tokengate.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Diagnostic commands sent to another JVM with the {@code jcmd} of that JVM's own JDK: forced GCs, the class
 * loaders and the classes they hold, the threads, HotSpot's performance counters. Each call is bounded.
 */
final class Jcmd {

    private static final long CALL_SECONDS = 120;

    private final Path jcmd;
    private final long pid;

    Jcmd(Path javaHome, long pid) {
        this.jcmd = javaHome.resolve("bin/jcmd");
        this.pid = pid;
    }

    /** The output of one diagnostic command, e.g. {@code run("GC.run")}; fails on an error or after two minutes. */
    String run(String... command) {
        List<String> line = new ArrayList<>();
        line.add(jcmd.toString());
        line.add(Long.toString(pid));
        line.addAll(Arrays.asList(command));
        try {
            Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            if (!p.waitFor(CALL_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", line) + " did not finish in " + CALL_SECONDS + " s");
            }
            String text = out.get(CALL_SECONDS, TimeUnit.SECONDS);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed (exit " + p.exitValue() + "):\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(String.join(" ", line) + ": output not read", e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One full GC ({@code System.gc()} in the target; with G1 it unloads the classes of unreachable loaders). */
    void gc() {
        run("GC.run");
    }

    /**
     * The heap and the metaspace in use, in KB ({@code GC.heap_info}, the {@code sun.gc.metaspace.used} counter), now:
     * after a {@link #gc()}, what is live. {@code [heap, metaspace]}, -1 where the JVM does not tell.
     */
    long[] memoryUsedKb() {
        Matcher heap = Pattern.compile("(?m)heap\\s+total (?:reserved )?\\d+K, (?:committed \\d+K, )?used (\\d+)K")
                .matcher(run("GC.heap_info"));
        Long metaspace = counters().get("sun.gc.metaspace.used");
        return new long[] {heap.find() ? Long.parseLong(heap.group(1)) : -1, metaspace == null ? -1 : metaspace / 1024};
    }

    /** HotSpot's performance counters by name, e.g. {@code java.threads.live}. */
    Map<String, Long> counters() {
        Map<String, Long> values = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^([\\w.]+)=(-?\\d+)$").matcher(run("PerfCounter.print"));
        while (m.find()) {
            values.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return values;
    }

    /** Classes loaded now and not unloaded (not counting the JDK's shared archive). */
    long liveClasses() {
        Map<String, Long> c = counters();
        return c.get("java.cls.loadedClasses") - c.get("java.cls.unloadedClasses");
    }

    long unloadedClasses() {
        return counters().get("java.cls.unloadedClasses");
    }

    long liveThreads() {
        return counters().get("java.threads.live");
    }

    /**
     * Every class loader (unfolded: two loaders of one name stay two) with the names of the classes it defined, in
     * the order {@code VM.classloaders show-classes} prints them.
     */
    List<Loader> classLoaders() {
        String text = run("VM.classloaders", "show-classes=true", "fold=false");
        List<Loader> loaders = new ArrayList<>();
        Pattern head = Pattern.compile("^\\+-- (?:\"([^\"]*)\", )?(\\S+)");
        String name = null;
        String type = null;
        List<String> classes = new ArrayList<>();
        boolean inClasses = false;
        for (String raw : text.split("\n")) {
            String line = raw.replace('|', ' ').strip();
            Matcher h = head.matcher(line);
            if (h.find()) {
                if (type != null) {
                    loaders.add(new Loader(name, type, List.copyOf(classes)));
                }
                name = h.group(1);
                type = h.group(2);
                classes.clear();
                inClasses = false;
            } else if (line.startsWith("Classes:") || line.startsWith("Hidden Classes:")) {
                inClasses = true;
                classes.add(line.substring(line.indexOf(':') + 1).strip());
            } else if (inClasses && !line.isEmpty() && !line.startsWith("(")) {
                classes.add(line); // a class, an array class ("[Lx.Y;") or a hidden class ("x.Y$$Lambda/0x...")
            } else {
                inClasses = false;
            }
        }
        if (type != null) {
            loaders.add(new Loader(name, type, List.copyOf(classes)));
        }
        return loaders;
    }

    /** A class loader as {@code VM.classloaders} shows it: its name (or {@code null}), its type, its classes. */
    record Loader(String name, String type, List<String> classes) {

        long classesIn(String packagePrefix) {
            return classes.stream().filter(c -> c.startsWith(packagePrefix)).count();
        }

        @Override
        public String toString() {
            return "\"" + name + "\" (" + type + ", " + classes.size() + " classes)";
        }
    }

    /** The threads of {@code Thread.print}, in its order, each with its header line and stack. */
    List<ThreadDump> threads() {
        List<ThreadDump> threads = new ArrayList<>();
        Pattern named = Pattern.compile("^\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String block : run("Thread.print").split("\n\\s*\n")) {
            String b = block.strip();
            Matcher m = named.matcher(b);
            if (m.find()) {
                threads.add(new ThreadDump(m.group(1), b));
            }
        }
        return threads;
    }

    /** One thread of a thread dump: its name, and its header line and stack as {@code Thread.print} shows them. */
    record ThreadDump(String name, String text) {
    }
}
