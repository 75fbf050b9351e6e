package dev.tokengate.jaxrs;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The JAX-RS filter is a thin adapter: core's API only, no other adapter (its tests may use the servlet filter; its
 * main code may not), and only {@code jakarta.ws.rs} of the container (Jersey's shutdown listener is a proxy).
 */
class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tokengate");

    @Test
    void jaxrsFilterUsesNoInternalPackageOfCore() {
        noClasses().that().resideInAPackage("dev.tokengate.jaxrs..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokengate.internal..")
                .check(classes);
    }

    @Test
    void jaxrsFilterDependsOnNoOtherAdapter() {
        noClasses().that().resideInAPackage("dev.tokengate.jaxrs..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tokengate.servlet..", "dev.tokengate.sample..")
                .check(classes);
    }

    @Test
    void jaxrsFilterSeesNoRuntimeTypeAndTheServletApiOnlyInServletPeer() {
        noClasses().that().resideInAPackage("dev.tokengate.jaxrs..")
                .should().dependOnClassesThat().resideInAnyPackage("javax.servlet..",
                        "org.glassfish..", "org.jboss..", "org.apache.cxf..", "org.eclipse.jetty..")
                .check(classes);
        // The Servlet API is optional: only the one class loaded when it is present may see it.
        noClasses().that().resideInAPackage("dev.tokengate.jaxrs..").and().doNotHaveFullyQualifiedName(ServletPeer.class.getName())
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.servlet..")
                .check(classes);
    }
}
