package dev.tokengate.store;

import java.util.Optional;

/**
 * What a stored secret is for, which its prefix shows: an access token a user sends as a bearer token, or an
 * API key that identifies a calling application.
 *
 * <p>The kinds are not interchangeable: a validator accepts one kind only, and tells the other apart by its
 * prefix before it touches the database.
 */
public enum TokenKind {
    /** A bearer token ({@code Authorization: Bearer tgat_…}) that speaks for its owner. */
    ACCESS_TOKEN("tgat_"),
    /** An API key ({@code X-API-Key: tgak_…}) that identifies the calling application. */
    API_KEY("tgak_");

    private final String prefix;

    TokenKind(String prefix) {
        this.prefix = prefix;
    }

    /**
     * The prefix every secret of this kind starts with, so that people and secret scanners recognise it.
     *
     * @return the prefix, e.g. {@code tgat_}
     */
    public String prefix() {
        return prefix;
    }

    /**
     * The kind whose prefix the token starts with; says nothing about the rest of the token.
     *
     * @param token the text to look at; may be null
     * @return the kind, empty for null or a text with neither prefix
     */
    public static Optional<TokenKind> ofPrefix(String token) {
        if (token != null) {
            for (TokenKind kind : values()) {
                if (token.startsWith(kind.prefix)) {
                    return Optional.of(kind);
                }
            }
        }
        return Optional.empty();
    }
}
