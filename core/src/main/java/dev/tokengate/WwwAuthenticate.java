package dev.tokengate;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The one formatter of {@code WWW-Authenticate: Bearer} challenges (RFC 6750 §3) and {@code DPoP} challenges (RFC
 * 9449 §7.1), used by every adapter.
 *
 * <p>Parameter values are quoted-strings restricted to the RFC's character set ({@code %x20-21 / %x23-5B /
 * %x5D-7E}); any other character in a description is replaced by {@code ?}, so a client-influenced value can
 * never break the header.
 */
public final class WwwAuthenticate {

    private WwwAuthenticate() {
    }

    /**
     * The challenge for an error, or empty when the error is not an authentication challenge (503, deny, 429).
     * A challenge without an error code is bare ({@code Bearer realm="api"}: no error information without
     * credentials, RFC 6750 §3.1); otherwise it names the error, its description, {@code error_uri} when
     * configured, {@code scope} for the required scopes, then the error's own parameters.
     *
     * @param realm        the protection space, already checked by the config
     * @param error        the error
     * @param errorUri     a page explaining errors, if configured
     * @param includeScope whether a challenge names the required scopes
     * @return the header's value, e.g. {@code Bearer realm="api", error="invalid_token", error_description="…"};
     *         empty for an error that is not a challenge
     */
    public static Optional<String> format(String realm, BearerError error, Optional<URI> errorUri, boolean includeScope) {
        return challenge("Bearer", realm, error, errorUri, includeScope, List.of());
    }

    /**
     * The {@code DPoP} challenge (RFC 9449 §7.1) for an error, or empty when the error is not a challenge: as
     * {@link #format} with the scheme {@code DPoP}, ending with {@code algs}, the algorithms a proof may use, e.g.
     * {@code DPoP realm="api", error="invalid_dpop_proof", error_description="…", algs="ES256 PS256"}.
     *
     * @param realm        the protection space, already checked by the config
     * @param error        the error; one without a code gives a challenge without error information
     * @param errorUri     a page explaining errors, if configured
     * @param includeScope whether a challenge names the required scopes
     * @param algorithms   the JWS algorithms a DPoP proof may be signed with; not empty
     * @return the challenge, empty for an error that is not a challenge
     */
    public static Optional<String> formatDpop(String realm, BearerError error, Optional<URI> errorUri,
                                              boolean includeScope, List<String> algorithms) {
        return challenge("DPoP", realm, error, errorUri, includeScope, algorithms);
    }

    private static Optional<String> challenge(String scheme, String realm, BearerError error, Optional<URI> errorUri,
                                              boolean includeScope, List<String> algorithms) {
        if (!error.isChallenge()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(scheme).append(" realm=\"").append(sanitize(realm)).append('"');
        if (error.code().isEmpty()) {
            // RFC 6750 §3.1: no error information without credentials; the gate's own parameters (RFC 9728's
            // resource_metadata) are not error information
            error.challengeParameters().forEach((name, value) ->
                    sb.append(", ").append(name).append("=\"").append(sanitize(value)).append('"'));
            appendAlgorithms(sb, algorithms);
            return Optional.of(sb.toString());
        }
        sb.append(", error=\"").append(sanitize(error.code().get().value())).append('"');
        sb.append(", error_description=\"").append(sanitize(error.description())).append('"');
        errorUri.ifPresent(u -> sb.append(", error_uri=\"").append(sanitize(u.toString())).append('"'));
        if (includeScope && !error.requiredScopes().isEmpty()) {
            sb.append(", scope=\"").append(sanitize(String.join(" ", error.requiredScopes()))).append('"');
        }
        error.challengeParameters().forEach((name, value) ->
                sb.append(", ").append(name).append("=\"").append(sanitize(value)).append('"'));
        appendAlgorithms(sb, algorithms);
        return Optional.of(sb.toString());
    }

    private static void appendAlgorithms(StringBuilder sb, List<String> algorithms) {
        if (!algorithms.isEmpty()) {
            sb.append(", algs=\"").append(sanitize(String.join(" ", algorithms))).append('"');
        }
    }

    /** Replaces every character outside {@code %x20-21 / %x23-5B / %x5D-7E} by {@code ?}. */
    static String sanitize(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(isAllowed(c) ? c : '?');
        }
        return sb.toString();
    }

    /**
     * Whether a character may appear in a challenge's quoted-string value.
     *
     * @param c the character
     * @return {@code true} for printable ASCII other than {@code "} and {@code \}
     */
    public static boolean isAllowed(char c) {
        return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
    }
}
