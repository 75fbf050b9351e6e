package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.testing.TestKeys;
import dev.tokengate.testing.TestTokens;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A web application that carries tokengate in its own class loader ({@code WEB-INF/classes}: core, the servlet
 * filter and a servlet) is deployed into one running Jetty, used, and undeployed, several times; afterwards every
 * one of its class loaders must be garbage collected. Anything that outlives an undeploy while holding an object
 * of the application (a {@code ThreadLocal} value on a server thread, a thread the gate started and never
 * stopped, a static cache in a shared library) keeps its class loader, and with it every class and static of the
 * application, alive: this test fails on it, and names the threads that hold a leaked loader.
 *
 * <p>The server's threads keep running through the whole test, as a container's do. Its idle connections are
 * closed before the check (as its idle timeout would): Jetty keeps the last request of a kept-alive connection, and
 * with it the request's attributes, until the connection goes. Collection is awaited with a bounded number of full
 * GCs, not a fixed time: on Java 17 the JDK {@code HttpClient} that a gate builds runs a selector thread, created
 * while the web app starts, that ends a few seconds after the client is no longer reachable.
 */
class UndeployTest {

    private static final int DEPLOYMENTS = 4;
    /** Bounded: each round is one full GC and a wait of at most {@link #ROUND_MILLIS} for the references to clear. */
    private static final int GC_ROUNDS = 100;
    private static final long ROUND_MILLIS = 100;

    @Test
    @Timeout(60)
    void undeployedWebAppsLeaveNoClassLoaderBehind(@TempDir Path dir) throws Exception {
        Path webapp = webapp(dir);
        ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
        Set<Reference<ClassLoader>> loaders = new HashSet<>();
        List<String> tokensSent = new ArrayList<>();
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        try (TestServer server = TestServer.start(contexts)) {
            // the log capture holds events, and their arguments are objects of the web app: closed before the GCs
            try (LogCapture logs = LogCapture.start()) {
                for (int i = 0; i < DEPLOYMENTS; i++) {
                    loaders.add(deployUseAndUndeploy(server, contexts, webapp, collected, tokensSent));
                }
                for (String token : tokensSent) {
                    for (String fragment : TestTokens.fragmentsOf(token)) {
                        assertThat(logs.text()).doesNotContain(fragment);
                    }
                }
            }
            server.closeConnections(); // the threads stay
            for (int round = 0; round < GC_ROUNDS && !loaders.isEmpty(); round++) {
                System.gc();
                Reference<? extends ClassLoader> cleared = collected.remove(ROUND_MILLIS);
                while (cleared != null) {
                    loaders.remove(cleared);
                    cleared = collected.poll();
                }
            }
            assertThat(loaders).as("class loaders of undeployed web apps still reachable after %d full GCs:%s",
                    GC_ROUNDS, holders(loaders)).isEmpty();
        }
    }

    /**
     * For the failure message: the live threads that hold a leaked loader as their context class loader or an object
     * of it in a thread-local (the scan of thread-locals needs {@code --add-opens java.base/java.lang}, which the
     * build gives; without it only context class loaders are named).
     */
    private static String holders(Set<Reference<ClassLoader>> leaked) {
        StringBuilder out = new StringBuilder();
        for (Reference<ClassLoader> ref : leaked) {
            ClassLoader loader = ref.get();
            if (loader == null) {
                continue;
            }
            out.append("\n  ").append(loader);
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getContextClassLoader() == loader) {
                    out.append("\n    context class loader of thread ").append(thread.getName());
                }
                for (Object value : threadLocalValues(thread)) {
                    if (value.getClass().getClassLoader() == loader) {
                        out.append("\n    thread-local value ").append(value.getClass().getName()).append(" on thread ")
                                .append(thread.getName());
                    }
                }
            }
        }
        return out.toString();
    }

    private static List<Object> threadLocalValues(Thread thread) {
        List<Object> values = new ArrayList<>();
        try {
            Field threadLocals = Thread.class.getDeclaredField("threadLocals");
            threadLocals.setAccessible(true);
            Object map = threadLocals.get(thread);
            if (map == null) {
                return values;
            }
            Field table = map.getClass().getDeclaredField("table");
            table.setAccessible(true);
            for (Object entry : (Object[]) table.get(map)) {
                if (entry != null) {
                    Field value = entry.getClass().getDeclaredField("value");
                    value.setAccessible(true);
                    Object v = value.get(entry);
                    if (v != null) {
                        values.add(v);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not opened to this test: context class loaders only
        }
        return values;
    }

    /**
     * One deployment: its classes come from its own loader, it answers with and without a token, and is removed.
     * Returns only a weak reference to its class loader; nothing of it stays reachable from this test.
     */
    private static Reference<ClassLoader> deployUseAndUndeploy(TestServer server, ContextHandlerCollection contexts,
                                                               Path webapp, ReferenceQueue<ClassLoader> queue,
                                                               List<String> tokensSent) throws Exception {
        WebAppContext context = new WebAppContext();
        context.setContextPath("/app");
        context.setBaseResourceAsPath(webapp);
        context.setParentLoaderPriority(false);
        context.setThrowUnavailableOnStartupException(true);
        contexts.addHandler(context);
        context.start();
        ClassLoader loader = context.getClassLoader();
        try {
            assertThat(loader.loadClass(TokenGate.class.getName()).getClassLoader())
                    .as("core is loaded by the web app's own class loader").isSameAs(loader);
            assertThat(loader.loadClass(TokenGateFilter.class.getName()).getClassLoader()).isSameAs(loader);

            String token = TestTokens.jwt().issuer("https://issuer.test/").audience("https://api.test").scope("read").sign();
            tokensSent.add(token);
            for (int i = 0; i < 3; i++) { // repeated: the second and third are verified-token cache hits
                HttpResponse<String> ok = server.get("/app/api/accounts/7", "Authorization", "Bearer " + token);
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.body()).contains("principal=alice");
            }
            assertThat(server.get("/app/api/accounts/7").statusCode()).isEqualTo(401);
            String forged = TestTokens.jwt().issuer("https://issuer.test/").audience("https://api.test")
                    .signedWith(TestKeys.untrustedRsa()).sign();
            tokensSent.add(forged);
            assertThat(server.get("/app/api/accounts/7", "Authorization", "Bearer " + forged).statusCode()).isEqualTo(401);
            assertThat(server.get("/app/api/public/health").statusCode()).isEqualTo(200);
        } finally {
            context.stop();
            contexts.removeHandler(context);
            context.destroy();
        }
        return new WeakReference<>(loader, queue);
    }

    /**
     * The exploded web app: {@code WEB-INF/web.xml} declaring the filter with a PEM key (no network), and
     * {@code WEB-INF/classes} (or {@code lib}) holding core, the servlet filter and {@link LegacyServlet}, taken
     * from where the build put them (class directories in a reactor build, jars otherwise).
     */
    private static Path webapp(Path dir) throws Exception {
        Path pem = dir.resolve("issuer.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(TestKeys.rsa().publicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        Path webInf = Files.createDirectories(dir.resolve("webapp/WEB-INF"));
        Path classes = Files.createDirectories(webInf.resolve("classes"));
        Path lib = Files.createDirectories(webInf.resolve("lib"));
        for (Class<?> c : List.<Class<?>>of(TokenGate.class, TokenGateFilter.class)) {
            Path origin = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(origin)) {
                copyTree(origin, classes);
            } else {
                Files.copy(origin, lib.resolve(origin.getFileName()));
            }
        }
        String servlet = LegacyServlet.class.getName().replace('.', '/') + ".class";
        Path servletClass = Path.of(LegacyServlet.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(servlet);
        Files.createDirectories(classes.resolve(servlet).getParent());
        Files.copy(servletClass, classes.resolve(servlet), StandardCopyOption.REPLACE_EXISTING);
        String webXml = Files.readString(Path.of(UndeployTest.class.getResource("/webapps/jwt/WEB-INF/web.xml").toURI()))
                .replace("@PUBLIC_KEY_FILE@", pem.toString());
        Files.writeString(webInf.resolve("web.xml"), webXml);
        return webInf.getParent();
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!Files.exists(target)) {
                    Files.copy(f, target);
                }
            }
        }
    }
}
