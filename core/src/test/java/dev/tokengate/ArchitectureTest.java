package dev.tokengate;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * core stays container-neutral and its packages show the pipeline: adapters are thin, core never sees a container
 * type, and no two of its sub-packages depend on each other in a cycle.
 */
class ArchitectureTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tokengate");

    @Test
    void coreDependsOnNoServletJaxRsOrJakartaSecurityType() {
        noClasses().that().resideInAPackage("dev.tokengate..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "jakarta.servlet..", "javax.servlet..", "jakarta.ws.rs..", "javax.ws.rs..",
                        "jakarta.security..", "javax.security.enterprise..", "jakarta.enterprise..",
                        "org.eclipse.jetty..", "org.glassfish..", "org.jboss..", "org.apache.catalina..",
                        "org.apache.tomcat..", "io.undertow..")
                .check(core);
    }

    /**
     * {@code extract}, {@code validate}, {@code authorize}, {@code log}, {@code config}, {@code jwt}, {@code jwks},
     * {@code introspection}, {@code store}, {@code policy}, {@code internal}: each may use the
     * root's value types and the packages below it in the pipeline, never one that uses it back. The root package
     * holds the facade, which uses them all, so it is not one of these slices.
     */
    @Test
    void subPackagesAreFreeOfCycles() {
        slices().matching("dev.tokengate.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void coreNeverPrintsStackTraces() {
        noClasses().that().resideInAPackage("dev.tokengate..")
                .should().callMethod(Throwable.class, "printStackTrace")
                .check(core);
    }
}
