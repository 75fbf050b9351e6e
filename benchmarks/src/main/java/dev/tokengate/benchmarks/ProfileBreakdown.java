package dev.tokengate.benchmarks;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a JFR recording of the end-to-end server spent its CPU samples and its request threads' allocation, per
 * component of the request: each sample goes to the component of its innermost frame that one of the rules below
 * names (a JDK frame such as {@code HashMap.put} counts for the caller that a rule names). Shares only: a profile
 * taken on a loaded machine still says where the time goes, not how long it takes.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.tokengate.benchmarks.ProfileBreakdown FILE.jfr...}; prints one
 * Markdown table per recording.
 */
public final class ProfileBreakdown {

    private ProfileBreakdown() {
    }

    /** Prefix of {@code class.method}, component; the first rule that matches a frame decides. */
    static final String[][] RULES = {
        {"dev.tokengate.jwt.JwtAlgorithm.verifies", "signature verify (JCA)"},
        {"sun.security.rsa.", "signature verify (JCA)"},
        {"sun.security.ec.", "signature verify (JCA)"},
        {"sun.security.util.math.", "signature verify (JCA)"},
        {"java.math.", "signature verify (JCA)"},
        {"java.security.Signature", "signature verify (JCA)"},
        {"sun.security.provider.SHA", "SHA-256 of the token"},
        {"sun.security.provider.DigestBase", "SHA-256 of the token"},
        {"java.security.MessageDigest", "SHA-256 of the token"},
        {"dev.tokengate.log.Fingerprints", "SHA-256 of the token"},
        {"dev.tokengate.jwt.ParsedJwt", "JOSE parse (base64url, JSON)"},
        {"dev.tokengate.jwt.Base64Url", "JOSE parse (base64url, JSON)"},
        {"dev.tokengate.internal.Json$Parser", "JOSE parse (base64url, JSON)"},
        {"dev.tokengate.internal.Json$Reader", "JOSE parse (base64url, JSON)"},
        {"com.github.benmanes.caffeine.", "verified-token cache (lookup, admission, eviction)"},
        {"dev.tokengate.validate.CachingTokenValidator", "verified-token cache (lookup, admission, eviction)"},
        {"dev.tokengate.jwt.JwtValidator", "claim checks, VerifiedToken"},
        {"dev.tokengate.VerifiedToken", "claim checks, VerifiedToken"},
        {"dev.tokengate.jwks.", "key lookup (JWKS source)"},
        {"dev.tokengate.jwt.IssuerRouter", "issuer routing"},
        {"dev.tokengate.validate.", "issuer routing"},
        {"org.slf4j.MDC", "MDC"},
        {"ch.qos.logback.classic.util.LogbackMDCAdapter", "MDC"},
        {"org.slf4j.helpers.BasicMDCAdapter", "MDC"},
        {"dev.tokengate.TokenGate.newRequestId", "request id"},
        {"java.util.concurrent.ThreadLocalRandom", "request id"},
        {"dev.tokengate.log.", "call log (event, JSON line, logger)"},
        {"dev.tokengate.internal.Json", "call log (event, JSON line, logger)"},
        {"dev.tokengate.TokenGate$Call.finish", "call log (event, JSON line, logger)"},
        {"dev.tokengate.log.CallEvent", "call log (event, JSON line, logger)"},
        {"ch.qos.logback.", "call log (event, JSON line, logger)"},
        {"org.slf4j.", "call log (event, JSON line, logger)"},
        {"dev.tokengate.extract.", "extraction, rules, pipeline"},
        {"dev.tokengate.authorize.", "extraction, rules, pipeline"},
        {"dev.tokengate.servlet.", "servlet adapter"},
        {"dev.tokengate.jaxrs.", "JAX-RS adapter"},
        {"dev.tokengate.", "extraction, rules, pipeline"},
        {"org.glassfish.", "Jersey (and HK2)"},
        {"jakarta.ws.rs.", "Jersey (and HK2)"},
        {"org.jvnet.hk2.", "Jersey (and HK2)"},
        {"org.eclipse.jetty.", "Jetty (HTTP, I/O, servlet)"},
        {"sun.nio.", "Jetty (HTTP, I/O, servlet)"},
        {"java.nio.", "Jetty (HTTP, I/O, servlet)"},
    };

    /** The token-control policies: a sample anywhere below them is theirs, their own maps and buckets included. */
    static final String TOKEN_CONTROL = "token control (rate limits, anomaly rules, revocation)";

    /**
     * The component of a sample: {@link #TOKEN_CONTROL} when a token-control policy is on its stack, else the first
     * rule matching its innermost frame that any rule matches.
     */
    static String classify(RecordedStackTrace st) {
        if (st == null) {
            return "(no stack)";
        }
        for (RecordedFrame f : st.getFrames()) {
            if (f.isJavaFrame() && f.getMethod().getType().getName().startsWith("dev.tokengate.control.")) {
                return TOKEN_CONTROL;
            }
        }
        for (RecordedFrame f : st.getFrames()) {
            if (!f.isJavaFrame()) {
                continue;
            }
            String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            for (String[] r : RULES) {
                if (m.startsWith(r[0])) {
                    return r[1];
                }
            }
        }
        return "JDK and other";
    }

    /** Jetty's request threads only: an idle pool thread's first sample carries everything it ever allocated. */
    static boolean onRequestThread(RecordedEvent e) {
        RecordedThread t = e.getThread("eventThread");
        return t != null && t.getJavaName() != null && t.getJavaName().startsWith("qtp");
    }

    /**
     * Prints the breakdown of each recording.
     *
     * @param args the JFR files
     * @throws java.io.IOException when a file cannot be read
     */
    public static void main(String[] args) throws java.io.IOException {
        for (String file : args) {
            Map<String, Long> cpu = new TreeMap<>();
            Map<String, Long> allocated = new TreeMap<>();
            long cpuTotal = 0;
            long allocatedTotal = 0;
            long gcs = 0;
            long gcPauseNanos = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(file))) {
                switch (e.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        cpu.merge(classify(e.getStackTrace()), 1L, Long::sum);
                        cpuTotal++;
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        if (onRequestThread(e)) {
                            long weight = e.getLong("weight");
                            allocated.merge(classify(e.getStackTrace()), weight, Long::sum);
                            allocatedTotal += weight;
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        gcs++;
                        gcPauseNanos += e.getDuration("sumOfPauses").toNanos();
                    }
                    default -> {
                    }
                }
            }
            System.out.printf("#### %s: %d CPU samples, %d MB sampled allocation on request threads, %d GCs, %d ms "
                    + "of pauses%n", Path.of(file).getFileName(), cpuTotal, allocatedTotal >> 20, gcs, gcPauseNanos / 1_000_000);
            System.out.println("| component | CPU samples | allocation |");
            System.out.println("|---|---:|---:|");
            Set<String> components = new LinkedHashSet<>();
            components.add(TOKEN_CONTROL);
            for (String[] rule : RULES) {
                components.add(rule[1]);
            }
            components.add("JDK and other");
            components.add("(no stack)");
            for (String component : components) {
                long c = cpu.getOrDefault(component, 0L);
                long a = allocated.getOrDefault(component, 0L);
                if (c > 0 || a > 0) {
                    System.out.printf("| %s | %.1f %% | %.1f %% |%n", component, 100.0 * c / Math.max(1, cpuTotal),
                            100.0 * a / Math.max(1, allocatedTotal));
                }
            }
        }
    }
}
