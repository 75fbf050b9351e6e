package dev.tokengate.servlet.javax;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The produced {@code tokengate-servlet-filter-javax} jar, read after {@code package}: every class of the jakarta
 * filter is there, and none still names a {@code jakarta.servlet} or {@code jakarta.annotation} type, in a
 * descriptor or in a string constant (slash or dot form); the filter names {@code javax.servlet} instead.
 */
class JavaxJarIT {

    private static final List<String> JAKARTA = List.of("jakarta/servlet", "jakarta.servlet",
            "jakarta/annotation", "jakarta.annotation");

    @Test
    void noClassReferencesJakartaAndTheFilterIsJavax() throws IOException {
        Path jar = Path.of(System.getProperty("javax.jar", "target/none.jar"));
        List<String> classes = new ArrayList<>();
        List<String> offenders = new ArrayList<>();
        String filter = null;
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry e : file.stream().toList()) {
                if (!e.getName().endsWith(".class")) {
                    continue;
                }
                classes.add(e.getName());
                // the constant pool's UTF-8 entries are the names and strings a class uses: ISO-8859-1 keeps each byte
                String text = new String(file.getInputStream(e).readAllBytes(), StandardCharsets.ISO_8859_1);
                JAKARTA.stream().filter(text::contains).forEach(j -> offenders.add(e.getName() + " names " + j));
                if (e.getName().equals("dev/tokengate/servlet/TokenGateFilter.class")) {
                    filter = text;
                }
            }
        }
        assertThat(classes).as("classes in " + jar).contains("dev/tokengate/servlet/TokenGateFilter.class",
                "dev/tokengate/servlet/AuthenticatedRequest.class", "dev/tokengate/servlet/ServletRequestView.class")
                .doesNotContain("module-info.class");
        assertThat(offenders).as("jakarta names left in " + jar).isEmpty();
        assertThat(filter).contains("javax/servlet/Filter", "javax/servlet/http/HttpServletRequest");
    }
}
