package dev.tokengate.extract;

import dev.tokengate.BearerError;

import java.util.Objects;

/** What a {@link TokenExtractor} found in a request: one token, no token, or a malformed request. */
public sealed interface Extraction permits Extraction.Found, Extraction.Absent, Extraction.Malformed {

    /** The authorization scheme of tokens sent in the {@code Authorization} header or as {@code access_token}. */
    String BEARER = "Bearer";

    /** Where a token was found. */
    enum Source {
        /** The {@code Authorization} header. */
        AUTHORIZATION_HEADER,
        /** The {@code access_token} field of a urlencoded form body. */
        FORM_BODY,
        /** The {@code access_token} query parameter. */
        QUERY_PARAMETER,
        /** The configured cookie. */
        COOKIE,
        /** The configured custom header. */
        CUSTOM_HEADER
    }

    /**
     * Exactly one syntactically valid token.
     *
     * @param token  the raw token (never logged: {@link #toString()} leaves it out)
     * @param scheme the scheme it was presented under ({@value #BEARER}; {@code DPoP} once that is supported)
     * @param source where it was found
     */
    record Found(String token, String scheme, Source source) implements Extraction {
        /**
         * Checks that every component is present.
         *
         * @param token the raw token
         * @param scheme the scheme it was presented under
         * @param source where it was found
         */
        public Found {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(source, "source");
        }

        /**
         * A bearer token found at {@code source}.
         *
         * @param token the raw token; not null
         * @param source where it was found; not null
         * @return the extraction, under the {@value #BEARER} scheme
         */
        public static Found bearer(String token, Source source) {
            return new Found(token, BEARER, source);
        }

        @Override
        public String toString() {
            return "Found[scheme=" + scheme + ", source=" + source + "]"; // never print the token
        }
    }

    /** No token at all (or only another scheme, such as Basic). */
    record Absent() implements Extraction {
    }

    /**
     * A malformed request: answer with this error.
     *
     * @param error the error to answer with, usually 400 {@code invalid_request}
     */
    record Malformed(BearerError error) implements Extraction {
        /**
         * Checks that the error is present.
         *
         * @param error the error to answer with; not null
         */
        public Malformed {
            Objects.requireNonNull(error, "error");
        }
    }
}
