package dev.tokengate.redis.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters (no replicas) of the test's own: three {@link RedisServerProcess}es with
 * {@code --cluster-enabled yes} on free loopback ports, joined by {@code redis-cli --cluster create}; returned once
 * every node reports {@code cluster_state:ok}. Skips like {@link RedisServerProcess} when the binaries are missing.
 */
public final class RedisClusterProcess implements AutoCloseable {

    static final Path CLI = serverSibling("redis-cli");

    private final List<RedisServerProcess> nodes;

    private RedisClusterProcess(List<RedisServerProcess> nodes) {
        this.nodes = nodes;
    }

    /** Starts three masters and makes them one cluster. */
    public static RedisClusterProcess create() throws IOException, InterruptedException {
        RedisServerProcess.requireBinary();
        List<RedisServerProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServerProcess.create(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes.conf", "--cluster-node-timeout", "5000")));
            }
            List<String> create = new ArrayList<>(List.of(CLI.toString(), "--cluster", "create"));
            for (RedisServerProcess node : nodes) {
                create.add("127.0.0.1:" + node.port());
            }
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            String out = run(create);
            if (!out.contains("All 16384 slots covered")) {
                throw new IOException("redis-cli --cluster create did not cover every slot:\n" + out);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (RedisServerProcess node : nodes) { // start-up: each node learns the others' slots by gossip
                while (!run(List.of(CLI.toString(), "-p", String.valueOf(node.port()), "cluster", "info"))
                        .contains("cluster_state:ok")) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the cluster did not reach cluster_state:ok within 30 s");
                    }
                    Thread.onSpinWait();
                }
            }
            return new RedisClusterProcess(nodes);
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisServerProcess node : nodes) {
                node.close();
            }
            throw e;
        }
    }

    /** The nodes' URIs, comma-separated: what {@code tokengate.redis.uri} takes for a cluster. */
    public String uris() {
        List<String> uris = new ArrayList<>();
        for (RedisServerProcess node : nodes) {
            uris.add(node.uri());
        }
        return String.join(",", uris);
    }

    public List<RedisServerProcess> nodes() {
        return nodes;
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServerProcess node : nodes) {
            node.close();
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within 60 s");
        }
        return out;
    }

    private static Path serverSibling(String name) {
        Path sibling = RedisServerProcess.SERVER.resolveSibling(name);
        return Files.isExecutable(sibling) ? sibling : Path.of("/usr/bin/" + name);
    }
}
