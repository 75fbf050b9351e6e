package dev.tokengate.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A web application archive built by a test, the way a team's build lays one out: {@code WEB-INF/web.xml},
 * classes and their resources under {@code WEB-INF/classes}, jars under {@code WEB-INF/lib}, other descriptors
 * ({@code beans.xml}, a server's own {@code jboss-web.xml} or {@code payara-web.xml}) in {@code WEB-INF}, and
 * files of the archive's own {@code META-INF}.
 *
 * <pre>{@code
 * Path war = War.builder()
 *         .webXml(War.resource("/wars/redeploy/WEB-INF/web.xml").replace("@JWKS_URI@", jwks))
 *         .classes(ProbeServlet.class)
 *         .libs(War.jarsOf(Path.of(System.getProperty("it.war.lib.file"))))
 *         .writeTo(dir.resolve("app.war"));
 * }</pre>
 */
final class War {

    private String webXml;
    private final Map<String, byte[]> classes = new LinkedHashMap<>();
    /** Every other entry by its name in the archive. */
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<Path> libs = new ArrayList<>();

    private War() {
    }

    static War builder() {
        return new War();
    }

    /** The text of a class path resource, e.g. a {@code web.xml} template. */
    static String resource(String name) {
        try (InputStream in = War.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + name + " on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jars of a class path file (as {@code dependency:build-classpath} writes it), in its order. */
    static List<Path> jarsOf(Path classpathFile) {
        try {
            String text = Files.readString(classpathFile).strip();
            return text.isEmpty() ? List.of() : Stream.of(text.split(java.io.File.pathSeparator)).map(Path::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    War webXml(String text) {
        this.webXml = text;
        return this;
    }

    /** Copies these classes' class files (read from the test class path) into {@code WEB-INF/classes}. */
    War classes(Class<?>... types) {
        for (Class<?> type : types) {
            String name = type.getName().replace('.', '/') + ".class";
            try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalArgumentException("no class file for " + type.getName());
                }
                classes.put("WEB-INF/classes/" + name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return this;
    }

    /**
     * A resource of the application's class path, {@code WEB-INF/classes/NAME}, e.g.
     * {@code META-INF/microprofile-config.properties}.
     */
    War classResource(String name, String text) {
        return file("WEB-INF/classes/" + name, text);
    }

    /** A file in {@code WEB-INF}: {@code beans.xml}, {@code jboss-web.xml}, {@code payara-web.xml}. */
    War webInf(String name, String text) {
        return file("WEB-INF/" + name, text);
    }

    /** A file in the archive's own {@code META-INF} (not on the application's class path). */
    War metaInf(String name, String text) {
        return file("META-INF/" + name, text);
    }

    /** {@code WEB-INF/beans.xml} (CDI 4) with this {@code bean-discovery-mode}: {@code annotated} or {@code all}. */
    War beansXml(String discoveryMode) {
        return webInf("beans.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <beans xmlns="https://jakarta.ee/xml/ns/jakartaee"
                       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                       xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/beans_4_0.xsd"
                       version="4.0" bean-discovery-mode="%s">
                </beans>
                """.formatted(discoveryMode));
    }

    private War file(String name, String text) {
        if (name.equals("WEB-INF/web.xml")) {
            throw new IllegalArgumentException("the web.xml is given by webXml(...)");
        }
        files.put(name, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    War libs(List<Path> jars) {
        libs.addAll(jars);
        return this;
    }

    /** Writes the archive and returns its path. */
    Path writeTo(Path war) {
        if (webXml == null) {
            throw new IllegalStateException("a WAR of this kind needs a web.xml");
        }
        try (OutputStream file = Files.newOutputStream(war); ZipOutputStream zip = new ZipOutputStream(file)) {
            put(zip, "WEB-INF/web.xml", webXml.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                put(zip, c.getKey(), c.getValue());
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                put(zip, f.getKey(), f.getValue());
            }
            for (Path jar : libs) {
                put(zip, "WEB-INF/lib/" + jar.getFileName(), Files.readAllBytes(jar));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return war;
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }
}
