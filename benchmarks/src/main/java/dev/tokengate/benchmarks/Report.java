package dev.tokengate.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Turns a JMH JSON result of {@link TokenValidationBenchmark} into the Markdown tables of {@code docs/benchmarks.md}
 * (µs/op, ops/s, B/op, ratio to the floor, the targets met or missed) and a PNG bar chart of µs/op per contestant
 * on a log scale, drawn with {@code java.awt} (headless).
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar dev.tokengate.benchmarks.Report RESULT.json OUT.md OUT.png}.
 */
public final class Report {

    /** Contestants in table order, with their labels. */
    static final Map<String, String> LABELS = new LinkedHashMap<>();

    static {
        LABELS.put("jcaFloor", "raw JCA signature check (floor)");
        LABELS.put("tokengateFirstSeen", "tokengate, first-seen token (cache miss)");
        LABELS.put("tokengateUncached", "tokengate, uncached router + JwtValidator");
        LABELS.put("javaJwt", "java-jwt JWTVerifier");
        LABELS.put("nimbus", "Nimbus DefaultJWTProcessor");
        LABELS.put("springDecoder", "Spring Security NimbusJwtDecoder");
        LABELS.put("jose4j", "jose4j JwtConsumer");
        LABELS.put("cacheFloor", "cache floor (SHA-256 + Caffeine lookup)");
        LABELS.put("tokengateCacheHit", "tokengate, repeated token (cache hit)");
        LABELS.put("cacheMissPath", "tokengate cache miss path alone (digest, insert, eviction)");
    }

    static final String[] PEERS = {"javaJwt", "nimbus", "springDecoder", "jose4j"};

    record Score(double micros, double error, double bytes) {
    }

    private Report() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Map<String, Score>> byAlg = read(Path.of(args[0]));
        StringBuilder md = new StringBuilder();
        for (Map.Entry<String, Map<String, Score>> alg : byAlg.entrySet()) {
            Map<String, Score> s = alg.getValue();
            md.append("\n#### ").append(alg.getKey()).append("\n\n")
                    .append("| contestant | µs/op | ops/s | allocated B/op | × floor |\n")
                    .append("|---|---:|---:|---:|---:|\n");
            for (Map.Entry<String, String> label : LABELS.entrySet()) {
                Score score = s.get(label.getKey());
                if (score == null) {
                    continue;
                }
                boolean cacheRow = label.getKey().startsWith("cache") || label.getKey().equals("tokengateCacheHit");
                Score floor = s.get(cacheRow ? "cacheFloor" : "jcaFloor");
                md.append(String.format(Locale.ROOT, "| %s | %.2f ± %.2f | %,.0f | %,.0f | %s |%n", label.getValue(),
                        score.micros, score.error, 1e6 / score.micros, score.bytes,
                        floor == null ? "" : String.format(Locale.ROOT, "%.2f × %s", score.micros / floor.micros,
                                cacheRow ? "cache floor" : "JCA floor")));
            }
        }
        Map<String, Score> rs = byAlg.get("RS256");
        if (rs != null) {
            md.append("\n#### Targets (RS256, same run)\n\n| target | figure | |\n|---|---:|---|\n");
            Score first = rs.get("tokengateFirstSeen");
            Score hit = rs.get("tokengateCacheHit");
            double toFloor = first.micros / rs.get("jcaFloor").micros;
            target(md, "first-seen ≤ 1.15 × raw JCA floor", String.format(Locale.ROOT, "%.2f ×", toFloor), toFloor <= 1.15);
            String fastestPeer = null;
            for (String peer : PEERS) {
                if (fastestPeer == null || rs.get(peer).micros < rs.get(fastestPeer).micros) {
                    fastestPeer = peer;
                }
            }
            double vsPeer = rs.get(fastestPeer).micros / first.micros;
            target(md, "first-seen faster than every peer", String.format(Locale.ROOT, "%.2f µs; fastest peer %s %.2f µs",
                    first.micros, LABELS.get(fastestPeer), rs.get(fastestPeer).micros), vsPeer > 1);
            double vsSpring = rs.get("springDecoder").micros / hit.micros;
            target(md, "cache hit ≥ 30 × faster than Spring's decoder", String.format(Locale.ROOT, "%.0f ×", vsSpring), vsSpring >= 30);
            double vsCacheFloor = hit.micros / rs.get("cacheFloor").micros;
            target(md, "cache hit ≤ 2 × cache floor", String.format(Locale.ROOT, "%.2f ×", vsCacheFloor), vsCacheFloor <= 2);
            target(md, "cache hit ≤ 1.5 KB allocated per op", String.format(Locale.ROOT, "%,.0f B", hit.bytes), hit.bytes <= 1536);
        }
        Files.writeString(Path.of(args[1]), md.toString());
        chart(byAlg, Path.of(args[2]));
        System.out.print(md);
    }

    private static void target(StringBuilder md, String target, String figure, boolean met) {
        md.append("| ").append(target).append(" | ").append(figure).append(" | ").append(met ? "met" : "**missed**").append(" |\n");
    }

    static Map<String, Map<String, Score>> read(Path json) throws Exception {
        Map<String, Map<String, Score>> byAlg = new LinkedHashMap<>();
        for (String alg : new String[] {"RS256", "ES256", "HS256"}) {
            byAlg.put(alg, new LinkedHashMap<>());
        }
        for (JsonNode run : new ObjectMapper().readTree(json.toFile())) {
            String name = run.get("benchmark").asText();
            if (!name.contains("TokenValidationBenchmark.")) {
                continue;
            }
            String method = name.substring(name.lastIndexOf('.') + 1);
            String alg = run.path("params").path("alg").asText();
            JsonNode primary = run.get("primaryMetric");
            double error = primary.path("scoreError").asDouble();
            JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
            byAlg.computeIfAbsent(alg, a -> new LinkedHashMap<>()).put(method, new Score(primary.get("score").asDouble(),
                    Double.isNaN(error) ? 0 : error, alloc.isMissingNode() ? Double.NaN : alloc.asDouble()));
        }
        byAlg.values().removeIf(Map::isEmpty);
        return byAlg;
    }

    /** Horizontal bars, one group per algorithm, x axis µs/op on a log scale. */
    static void chart(Map<String, Map<String, Score>> byAlg, Path png) throws Exception {
        List<String[]> rows = new ArrayList<>(); // alg, method
        for (Map.Entry<String, Map<String, Score>> alg : byAlg.entrySet()) {
            for (String method : LABELS.keySet()) {
                if (alg.getValue().containsKey(method)) {
                    rows.add(new String[] {alg.getKey(), method});
                }
            }
        }
        int left = 360;
        int right = 60;
        int top = 60;
        int bar = 18;
        int gap = 6;
        int groupGap = 26;
        int width = 1100;
        int height = top + rows.size() * (bar + gap) + byAlg.size() * groupGap + 60;
        double min = 0.1;
        double max = 10_000;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Token validation, µs/op (log scale, lower is better), one JMH run", left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int plot = width - left - right;
        int bottom = height - 40;
        for (double tick = min; tick <= max; tick *= 10) {
            int x = left + (int) (plot * Math.log10(tick / min) / Math.log10(max / min));
            g.setColor(new Color(220, 220, 220));
            g.setStroke(new BasicStroke(1));
            g.drawLine(x, top - 10, x, bottom);
            g.setColor(Color.DARK_GRAY);
            g.drawString(tick < 1 ? String.valueOf(tick) : String.format(Locale.ROOT, "%,.0f", tick), x - 10, bottom + 16);
        }
        g.drawString("µs/op", left + plot - 30, bottom + 32);
        int y = top;
        String group = null;
        for (String[] row : rows) {
            if (!row[0].equals(group)) {
                if (group != null) {
                    y += groupGap;
                }
                group = row[0];
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
                g.drawString(group, 10, y - 6 + (group.equals(rows.get(0)[0]) ? 0 : 0));
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            }
            Score score = byAlg.get(row[0]).get(row[1]);
            double v = Math.max(min, Math.min(max, score.micros));
            int w = (int) (plot * Math.log10(v / min) / Math.log10(max / min));
            g.setColor(colour(row[1]));
            g.fillRect(left, y, Math.max(w, 1), bar);
            g.setColor(Color.BLACK);
            g.drawString(LABELS.get(row[1]), 10, y + bar - 4);
            g.drawString(String.format(Locale.ROOT, "%.2f", score.micros), left + w + 4, y + bar - 4);
            y += bar + gap;
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static Color colour(String method) {
        if (method.startsWith("tokengate")) {
            return new Color(46, 125, 50);
        }
        if (method.endsWith("Floor")) {
            return new Color(150, 150, 150);
        }
        return new Color(66, 105, 170);
    }
}
