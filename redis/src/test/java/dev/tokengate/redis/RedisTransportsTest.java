package dev.tokengate.redis;

import dev.tokengate.ConfigurationException;
import dev.tokengate.TokenGate;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.control.Revocation;
import dev.tokengate.redis.testing.RedisServerProcess;
import dev.tokengate.testkit.LoopbackIssuer;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.tokengate.redis.GateNode.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The other ways to reach Redis that {@code tokengate.redis.uri} takes, each against a real server the test starts:
 * through a Sentinel ({@code redis-sentinel://…#mymaster}: the gates ask the sentinel where the master is) and over
 * TLS ({@code rediss://}, a certificate the test makes with {@code openssl}; verified against the JVM's truststore by
 * default, which refuses the test's self-signed one, so the sharing test names {@code verifyPeer=NONE}).
 */
class RedisTransportsTest {

    private static LoopbackIssuer idp;

    @BeforeAll
    static void startIssuer() {
        idp = LoopbackIssuer.start().jwks(TestKeys.jwksJson(TestKeys.rsa()));
    }

    @AfterAll
    static void stopIssuer() {
        if (idp != null) {
            idp.close();
        }
    }

    private static GateNode node(String name, String uri) throws Exception {
        Map<String, String> keys = Map.of(
                "tokengate.jwt.issuer", TestTokens.ISSUER,
                "tokengate.jwt.jwks-uri", idp.jwksUri().toString(),
                "tokengate.jwt.audience", TestTokens.AUDIENCE,
                ConfigKeys.REDIS_URI, uri,
                ConfigKeys.REDIS_KEY_PREFIX, "transport-test:");
        return GateNode.start(name, TokenGate.builder().config(ConfigSource.of(keys, Map.of(), new Properties())).build());
    }

    /** Two nodes on this URI: a revocation on the first is refused by the second. */
    private static void twoNodesShareARevocation(String uri) throws Exception {
        List<GateNode> nodes = new ArrayList<>();
        try {
            nodes.add(node("A", uri));
            nodes.add(node("B", uri));
            String jti = "jti-" + UUID.randomUUID();
            String jwt = TestTokens.jwt().scope("read").tokenId(jti).sign();
            nodes.get(1).assertStatus(jwt, 200, "before the revocation");
            CountDownLatch toldB = nodes.get(1).told(r -> r.value().equals(jti));

            nodes.get(0).gate().revocations().revoke(Revocation.Target.TOKEN_ID, jti, "stolen",
                    Instant.now().plus(TestTokens.LIFETIME));
            await(toldB, "B was told of A's revocation");

            nodes.get(1).assertStatus(jwt, 401, "revoked on A");
        } finally {
            for (GateNode node : nodes) {
                node.close();
            }
        }
    }

    @Test
    void throughASentinelTheNodesFindTheMasterAndShareRevocations() throws Exception {
        try (RedisServerProcess master = RedisServerProcess.create(); Sentinel sentinel = Sentinel.watching(master)) {
            twoNodesShareARevocation("redis-sentinel://127.0.0.1:" + sentinel.port + "/0#mymaster");
        }
    }

    @Test
    void overTlsTheNodesShareRevocationsAndAnUntrustedCertificateStopsStartUp() throws Exception {
        Path dir = Files.createTempDirectory("tokengate-redis-tls-");
        Assumptions.assumeTrue(openssl(dir), "openssl is not installed");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path cert = dir.resolve("cert.pem");
        try (RedisServerProcess server = RedisServerProcess.create(List.of("--port", "0", "--tls-port",
                String.valueOf(port), "--tls-cert-file", cert.toString(), "--tls-key-file",
                dir.resolve("key.pem").toString(), "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no"))) {
            String uri = "rediss://127.0.0.1:" + port;
            // verified by default: the JVM's truststore does not know the test's certificate
            assertThatThrownBy(() -> RedisControl.connect(RedisSettings.of(uri), Clock.systemUTC()))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot connect to Redis rediss://");
            twoNodesShareARevocation(uri + "?verifyPeer=NONE");
        }
    }

    /** A self-signed certificate for 127.0.0.1 in {@code dir}; false when openssl is missing. */
    private static boolean openssl(Path dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return false;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return true;
    }

    /** A Redis Sentinel of the test's own (redis-server in sentinel mode) watching one master as "mymaster". */
    private static final class Sentinel implements AutoCloseable {
        final int port;
        private final Process process;

        private Sentinel(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        static Sentinel watching(RedisServerProcess master) throws IOException {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Path conf = master.directory().resolve("sentinel.conf");
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 "
                    + master.port() + " 1\nsentinel down-after-milliseconds mymaster 5000\n");
            Process p = new ProcessBuilder("/usr/bin/redis-server", conf.toString(), "--sentinel")
                    .redirectErrorStream(true).start();
            BufferedReader log = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = log.readLine()) != null; ) { // up once it monitors the master
                seen.append(line).append('\n');
                if (line.contains("+monitor master mymaster")) {
                    Thread drain = new Thread(() -> {
                        try {
                            while (log.readLine() != null) {
                                // not needed once up
                            }
                        } catch (IOException ended) {
                            // stopped
                        }
                    }, "sentinel-log");
                    drain.setDaemon(true);
                    drain.start();
                    return new Sentinel(port, p);
                }
            }
            throw new IOException("the sentinel ended before it monitored the master:\n" + seen);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
