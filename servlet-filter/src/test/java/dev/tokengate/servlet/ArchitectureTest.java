package dev.tokengate.servlet;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The servlet filter is a thin adapter: core's API only, no other adapter, no JAX-RS type. */
class ArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tokengate");

    @Test
    void servletFilterUsesNoInternalPackageOfCore() {
        noClasses().that().resideInAPackage("dev.tokengate.servlet..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokengate.internal..")
                .check(classes);
    }

    @Test
    void servletFilterDependsOnNoOtherAdapter() {
        noClasses().that().resideInAPackage("dev.tokengate.servlet..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.tokengate.jaxrs..", "dev.tokengate.sample..")
                .check(classes);
    }

    @Test
    void servletFilterSeesNoJaxRsType() {
        noClasses().that().resideInAPackage("dev.tokengate.servlet..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "javax.ws.rs..")
                .check(classes);
    }
}
