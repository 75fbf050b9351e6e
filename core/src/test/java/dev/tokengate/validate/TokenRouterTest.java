package dev.tokengate.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.TokenValidator;
import dev.tokengate.VerifiedToken;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The router's one look at a token: its shape, from its characters, without parsing it. */
class TokenRouterTest {

    private static final String JWT_SHAPED = "eyJh.eyJi.c2ln";

    /** A validator that answers every token with a principal named after itself. */
    private static Optional<TokenValidator> answering(String name) {
        return Optional.of(token -> VerifiedToken.builder(VerifiedToken.Kind.INTROSPECTED).subject(name).build());
    }

    private static String routedTo(TokenRouter router, String token) {
        return router.validate(token).getName();
    }

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
            "DXs.eyJi.c2ln,  true",       // '\r{'
            "CQkJCQkJCXs.eyJi.c2ln, true", // seven tabs, then '{'
            "ICAg.eyJi.c2ln, false",      // whitespace only, then the part ends
            "IGE.eyJi.c2ln,  false",      // ' a': whitespace, then not an object
            "W10.eyJi.c2ln,  false",      // '[]': JSON, but not an object
            "e!J.eyJi.c2ln,  false"})     // not base64url
    void isJwtShapedWhenThreeOrFivePartsStartingWithAJsonObjectHeader(String token, boolean shaped) {
        assertThat(TokenRouter.isJwtShaped(token)).isEqualTo(shaped);
    }

    @Test
    void validateWhenEveryValidatorThenEachTokenToTheOneThatDecidesIt() {
        TokenRouter router = new TokenRouter(answering("jwt"), answering("store"), answering("introspection"));

        assertThat(routedTo(router, JWT_SHAPED)).isEqualTo("jwt");
        assertThat(routedTo(router, "tgat_abc")).isEqualTo("store");
        assertThat(routedTo(router, "opaque-abc")).isEqualTo("introspection");
        assertThat(routedTo(router, "tgak_abc")).as("an API key as a bearer token: the introspection server decides")
                .isEqualTo("introspection");
        assertThat(router).hasToString("TokenRouter[jwt=true, store=true, introspection=true]");
    }

    @Test
    void validateWhenNoJwtIssuerThenJwtsIntrospected() {
        TokenRouter router = new TokenRouter(Optional.empty(), Optional.empty(), answering("introspection"));

        assertThat(routedTo(router, JWT_SHAPED)).isEqualTo("introspection");
        assertThat(routedTo(router, "tgat_abc")).as("no token store: introspection decides").isEqualTo("introspection");
        assertThat(router).hasToString("TokenRouter[jwt=false, store=false, introspection=true]");
    }

    @Test
    void validateWhenOnlyATokenStoreThenJwtsApiKeysAndOtherTokensRefusedEachWithItsOwnMessage() {
        TokenRouter router = new TokenRouter(Optional.empty(), answering("store"), Optional.empty());

        assertThat(routedTo(router, "tgat_abc")).isEqualTo("store");
        assertThatThrownBy(() -> router.validate(JWT_SHAPED)).isInstanceOf(InvalidTokenException.class)
                .hasMessage("This API does not accept JWTs; send a token it issued");
        assertThatThrownBy(() -> router.validate("tgak_abc")).isInstanceOf(InvalidTokenException.class)
                .hasMessage("This is an API key, not an access token: send it in the API key header");
        assertThatThrownBy(() -> router.validate("opaque-abc")).isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token is not a JWT");
        assertThat(router).hasToString("TokenRouter[jwt=false, store=true, introspection=false]");
    }

    @Test
    void validateWhenOnlyJwtIssuersThenOpaqueTokensRefused() {
        TokenRouter router = new TokenRouter(answering("jwt"), Optional.empty(), Optional.empty());

        assertThat(routedTo(router, JWT_SHAPED)).isEqualTo("jwt");
        assertThatThrownBy(() -> router.validate("tgat_abc")).isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token is not a JWT");
    }
}
