package dev.tokengate.sample;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.control.Revocation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's "Running several nodes", to the letter: two sample apps on one PostgreSQL (a schema of the test's
 * own, dropped afterwards) and the machine's Redis (a key prefix of the test's own), the section's shell blocks run in
 * order with {@code bash}, {@code curl} and {@code sed}, ports 8080 and 8081 replaced by the nodes' ports. Each block
 * runs as its own {@code bash}, its variables carried to the next, as someone typing them would; after the revocation
 * the test waits until the second node has received it (the latency is measured in docs/benchmarks.md) before the next
 * block asks that node. Skipped with the reason printed when PostgreSQL, Redis or the tools are missing; a failure
 * instead when {@code REQUIRE_TEST_SERVICES=true} (CI).
 */
class SeveralNodesWalkthroughTest {

    private static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final String PG_URL = env("TOKENGATE_TEST_PG_URL").orElse("jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = env("TOKENGATE_TEST_PG_USER").orElse("postgres");
    private static final String PG_PASSWORD = env("TOKENGATE_TEST_PG_PASSWORD").orElse("");
    private static final String REDIS_HOST = "127.0.0.1";
    private static final int REDIS_PORT = 6379;

    @Test
    void twoNodesShareRevocationsAndRateLimitsAsTheReadmeShows() throws Exception {
        for (String tool : new String[] {"bash", "curl", "sed"}) {
            requireThat(onPath(tool), tool + " is not installed");
        }
        requireThat(redisAnswers(), "Redis is not reachable at " + REDIS_HOST + ":" + REDIS_PORT
                + " (start it: redis-server --daemonize yes --port 6379)");
        String schema = "tg_nodes_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG_URL + (PG_URL.contains("?") ? "&" : "?") + "connectTimeout=5",
                PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            requireThat(false, "PostgreSQL is not reachable at " + PG_URL + " as " + PG_USER + " (" + e.getMessage() + ")");
        }
        String prefix = "tokengate-readme-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        Map<String, String> settings = Map.of(
                SampleSettings.STORE_JDBC_URL, PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                SampleSettings.STORE_USERNAME, PG_USER, SampleSettings.STORE_PASSWORD, PG_PASSWORD,
                ConfigKeys.REDIS_URI, "redis://" + REDIS_HOST + ":" + REDIS_PORT,
                ConfigKeys.REDIS_KEY_PREFIX, prefix,
                ConfigKeys.STORE_CACHE_TTL, "30s");

        List<String> blocks = blocks();
        assertThat(blocks).hasSize(4);
        Path state = Files.createTempFile("tokengate-nodes-", ".env");
        try (SampleApp first = SampleApp.start("127.0.0.1", 0, settings);
             SampleApp second = SampleApp.start("127.0.0.1", 0, settings)) {
            CountDownLatch revokedOnSecond = new CountDownLatch(1);
            second.gate().revocations().onRevoke(r -> {
                if (r.target() == Revocation.Target.TOKEN_ID) {
                    revokedOnSecond.countDown();
                }
            });
            int p1 = first.baseUri().getPort();
            int p2 = second.baseUri().getPort();

            String accepted = run(blocks.get(0), p1, p2, state);
            assertThat(accepted).isEqualTo("node " + p1 + ": 200\nnode " + p2 + ": 200\n");

            String revoked = run(blocks.get(1), p1, p2, state);
            assertThat(revoked).isEqualTo("revoked on " + p1 + ": 204\n");
            assertThat(revokedOnSecond.await(30, TimeUnit.SECONDS)).as("the revocation reached the second node").isTrue();

            String refused = run(blocks.get(2), p1, p2, state);
            // the revocation evicted the token from the second node's store cache: it reads the database again
            assertThat(refused).contains("HTTP/1.1 401 Unauthorized", "WWW-Authenticate: Bearer realm=\"sample\", "
                    + "error=\"invalid_token\", error_description=\"The token has been revoked.\"");

            String limited = run(blocks.get(3), p1, p2, state);
            assertThat(limited).isEqualTo("node " + p2 + ": 429\nnode " + p1 + ": 429\n");
        } finally {
            Files.deleteIfExists(state);
            try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
            deleteRedisKeys(prefix);
        }
    }

    /** The section's shell blocks, but for the one that builds and starts the nodes. */
    private static List<String> blocks() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Running several nodes");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        List<String> blocks = new ArrayList<>();
        Matcher m = SH_BLOCK.matcher(section);
        while (m.find()) {
            if (!m.group(1).contains("java -jar")) {
                blocks.add(m.group(1));
            }
        }
        return blocks;
    }

    /** Runs one block with the variables the blocks before it set, and keeps those it sets for the next. */
    private static String run(String block, int p1, int p2, Path state) throws Exception {
        String script = "set -a\nset -u\nsource " + state + "\n"
                + block.replace("8080", String.valueOf(p1)).replace("8081", String.valueOf(p2))
                + "\nexport -p > " + state + "\n";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** A PING over a plain socket: the test needs nothing of Redis but that it answers. */
    private static boolean redisAnswers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(REDIS_HOST, REDIS_PORT), 2000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] answer = new byte[7];
            int n = s.getInputStream().readNBytes(answer, 0, 7);
            return new String(answer, 0, n, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes the test's keys (SCAN + DEL through redis-cli when present; they expire anyway). */
    private static void deleteRedisKeys(String prefix) throws IOException, InterruptedException {
        if (!onPath("redis-cli")) {
            return;
        }
        Process p = new ProcessBuilder("bash", "-c", "redis-cli -h " + REDIS_HOST + " -p " + REDIS_PORT
                + " --scan --pattern '" + prefix + "*' | xargs -r redis-cli -h " + REDIS_HOST + " -p " + REDIS_PORT
                + " del > /dev/null").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private static void requireThat(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
            fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
        }
        System.out.println("SKIPPED " + SeveralNodesWalkthroughTest.class.getSimpleName() + ": " + reason);
        Assumptions.abort(reason);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
