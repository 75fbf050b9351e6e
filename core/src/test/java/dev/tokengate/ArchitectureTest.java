package dev.tokengate;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** core stays container-neutral: adapters are thin, and core never sees a servlet or JAX-RS type. */
class ArchitectureTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tokengate");

    @Test
    void coreDependsOnNoServletJaxRsOrJakartaSecurityType() {
        noClasses().that().resideInAPackage("dev.tokengate..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "jakarta.servlet..", "javax.servlet..", "jakarta.ws.rs..", "javax.ws.rs..",
                        "jakarta.security..", "javax.security.enterprise..", "org.eclipse.jetty..", "org.glassfish..")
                .check(core);
    }

    @Test
    void coreNeverPrintsStackTraces() {
        noClasses().that().resideInAPackage("dev.tokengate..")
                .should().callMethod(Throwable.class, "printStackTrace")
                .check(core);
    }
}
