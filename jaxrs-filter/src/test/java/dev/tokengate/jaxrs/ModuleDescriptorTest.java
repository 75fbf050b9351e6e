package dev.tokengate.jaxrs;

import com.auth0.jwt.JWT;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokengate.TokenGate;
import dev.tokengate.servlet.TokenGateFilter;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.Filter;
import jakarta.ws.rs.core.Feature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three published modules' descriptors, read from the build's output (class directories in a reactor build,
 * jars otherwise): core exports every package but {@code dev.tokengate.internal}, each adapter its one package, and a
 * consumer module compiled against them on the module path sees the API, and not {@code internal}.
 */
class ModuleDescriptorTest {

    /** No Jackson: core needs no JSON library on the module path. */
    private static final List<Class<?>> MODULE_PATH = List.of(TokenGate.class, TokenGateFilter.class,
            TokenGateFeature.class, Caffeine.class, LoggerFactory.class, JWT.class, Filter.class, Feature.class,
            PreDestroy.class, io.github.bucket4j.Bucket.class); // core requires Bucket4j transitively (SharedBuckets)

    @Test
    void coreExportsEveryPackageButInternal() {
        ModuleDescriptor core = descriptor(TokenGate.class, "dev.tokengate");
        Set<String> exported = exports(core);
        assertThat(core.packages()).filteredOn(p -> !exported.contains(p)).containsExactly("dev.tokengate.internal");
        assertThat(exported).contains("dev.tokengate", "dev.tokengate.config", "dev.tokengate.validate");
    }

    @Test
    void coreRequiresNoJsonLibrary() {
        ModuleDescriptor core = descriptor(TokenGate.class, "dev.tokengate");

        assertThat(core.requires()).extracting(ModuleDescriptor.Requires::name)
                .noneMatch(name -> name.startsWith("com.fasterxml") || name.contains("json"));
    }

    @Test
    void adaptersExportTheirOnePackage() {
        assertThat(exports(descriptor(TokenGateFilter.class, "dev.tokengate.servlet"))).containsExactly("dev.tokengate.servlet");
        assertThat(exports(descriptor(TokenGateFeature.class, "dev.tokengate.jaxrs"))).containsExactly("dev.tokengate.jaxrs");
    }

    @Test
    void consumerOnTheModulePathCompilesAgainstTheApi(@TempDir Path dir) throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, """
                package consumer;

                import dev.tokengate.TokenGate;
                import dev.tokengate.authorize.UrlRules;
                import dev.tokengate.jaxrs.TokenGateFeature;
                import dev.tokengate.servlet.TokenGateFilter;

                public final class Wiring {
                    public static jakarta.servlet.Filter filter(TokenGate gate) {
                        return new TokenGateFilter(gate, UrlRules.parse("/* = authenticated"));
                    }

                    public static jakarta.ws.rs.core.Feature feature(TokenGate gate) {
                        return new TokenGateFeature(gate);
                    }
                }
                """);
        assertThat(errors).isEmpty();
    }

    @Test
    void consumerOnTheModulePathCannotUseInternal(@TempDir Path dir) throws Exception {
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, """
                package consumer;

                public final class Wiring {
                    static Class<?> internal() {
                        return dev.tokengate.internal.HttpFetcher.class;
                    }
                }
                """);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.getMessage(null))
                .contains("dev.tokengate.internal").contains("does not export"));
    }

    private static ModuleDescriptor descriptor(Class<?> member, String name) {
        ModuleDescriptor descriptor = ModuleFinder.of(location(member)).find(name).orElseThrow().descriptor();
        assertThat(descriptor.isAutomatic()).as("%s has a module-info", name).isFalse();
        return descriptor;
    }

    private static Set<String> exports(ModuleDescriptor descriptor) {
        return descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
    }

    /** Compiles {@code module consumer { requires dev.tokengate.servlet; requires dev.tokengate.jaxrs; }} and one class. */
    private static List<Diagnostic<? extends JavaFileObject>> compile(Path dir, String source) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/consumer"));
        Files.writeString(dir.resolve("src/module-info.java"),
                "module consumer { requires dev.tokengate.servlet; requires dev.tokengate.jaxrs; }");
        Files.writeString(src.resolve("Wiring.java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            String modulePath = MODULE_PATH.stream().map(c -> location(c).toString()).distinct()
                    .collect(Collectors.joining(File.pathSeparator));
            List<String> options = List.of("--release", "17", "--module-path", modulePath,
                    "--class-path", Files.createDirectories(dir.resolve("no-class-path")).toString(), // not this JVM's
                    "-d", Files.createDirectories(dir.resolve("out")).toString());
            try (Stream<Path> sources = Files.walk(dir.resolve("src"))) {
                Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(
                        sources.filter(p -> p.toString().endsWith(".java")).toList());
                javac.getTask(null, files, diagnostics, options, null, units).call();
            }
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("where " + c + " was loaded from", e);
        }
    }
}
