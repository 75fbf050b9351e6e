package dev.tokengate.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The router's one look at a token: its shape, from its characters, without parsing it. */
class TokenRouterTest {

    @ParameterizedTest
    @CsvSource({
            "eyJh.eyJi.c2ln, true",       // JWS: three parts
            "eyJh.a.b.c.d, true",         // JWE: five parts (refused later, with its own message)
            "eyJh..,        true",        // the shape only: the parser decides the rest
            "eyJh.eyJi,     false",
            "eyJh.a.b.c,    false",
            "eyJh.a.b.c.d.e, false",
            "eyJh.a.b.c.d.e.f, false",
            "eyJh,          false",
            "abc.def.ghi,   false",       // not a JSON header: opaque
            "tgat_abc.d.e,  false",
            "eyAi.eyJi.c2ln, true",       // '{ "': whitespace inside the header's JSON
            "ewoi.eyJi.c2ln, true",       // '{\n"'
            "IAp7.eyJi.c2ln, true",       // ' \n{': whitespace before it
            "CQkJCQkJCXs.eyJi.c2ln, true", // seven tabs, then '{'
            "ICAg.eyJi.c2ln, false",      // whitespace only, then the part ends
            "IGE.eyJi.c2ln,  false",      // ' a': whitespace, then not an object
            "W10.eyJi.c2ln,  false",      // '[]': JSON, but not an object
            "e!J.eyJi.c2ln,  false"})     // not base64url
    void isJwtShapedWhenThreeOrFivePartsStartingWithAJsonObjectHeader(String token, boolean shaped) {
        assertThat(TokenRouter.isJwtShaped(token)).isEqualTo(shaped);
    }
}
