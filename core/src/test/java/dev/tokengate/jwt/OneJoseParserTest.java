package dev.tokengate.jwt;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tokengate.internal.Json;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * One parser decides (STYLE rule 19): core has exactly one reader of JWTs, {@link ParsedJwt}, and nothing else
 * decodes a token's parts or parses its JSON, routing included; and JSON mappers are the named ones in
 * {@link Json}, not ad-hoc instances.
 */
class OneJoseParserTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tokengate");

    @Test
    void coreDependsOnNoOtherJwtLibrary() {
        noClasses().that().resideInAPackage("dev.tokengate..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "com.auth0..", "com.nimbusds..", "org.jose4j..", "io.jsonwebtoken..")
                .check(core);
    }

    @Test
    void onlyParsedJwtReadsJoseJson() {
        noClasses().that().doNotHaveFullyQualifiedName(ParsedJwt.class.getName())
                .and().doNotHaveFullyQualifiedName(Json.class.getName())
                .should().accessField(Json.class, "JOSE")
                .because("a JWT's header and claims are read once, by ParsedJwt")
                .check(core);
    }

    @Test
    void onlyParsedJwtDecodesTokenParts() {
        noClasses().that().doNotHaveFullyQualifiedName(ParsedJwt.class.getName())
                .and().doNotHaveFullyQualifiedName(Base64Url.class.getName())
                .should().callMethod(Base64Url.class, "decode", byte[].class, int.class, int.class)
                .check(core);
        noClasses().that().resideInAnyPackage("dev.tokengate.jwt..", "dev.tokengate.validate..", "dev.tokengate.log..")
                .should().callMethod(Base64.class, "getUrlDecoder")
                .because("java.util.Base64 accepts padding and stray bits: two spellings of one token")
                .check(core);
    }

    @Test
    void jsonMappersAreTheNamedOnes() {
        noClasses().that().doNotHaveFullyQualifiedName(Json.class.getName())
                .should().callConstructor(ObjectMapper.class)
                .orShould().callMethod(JsonMapper.class, "builder")
                .check(core);
    }
}
