package dev.tokengate.introspection;

import dev.tokengate.ConfigurationException;
import dev.tokengate.internal.Settings;

/**
 * How the resource server authenticates itself to the introspection endpoint (RFC 6749 §2.3.1, RFC 7662 §2.1),
 * named by the registered {@code token_endpoint_auth_method} values.
 */
public enum AuthMethod {
    /** HTTP Basic: {@code Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))}. */
    CLIENT_SECRET_BASIC("client_secret_basic"),
    /** {@code client_id} and {@code client_secret} as form parameters in the request body. */
    CLIENT_SECRET_POST("client_secret_post");

    private final String parameterValue;

    AuthMethod(String parameterValue) {
        this.parameterValue = parameterValue;
    }

    /**
     * The registered name, e.g. {@code client_secret_basic}: the value of {@code
     * tokengate.introspection.auth-method}.
     *
     * @return the registered name
     */
    public String parameterValue() {
        return parameterValue;
    }

    /**
     * The method with this registered name, case-insensitively.
     *
     * @param value a registered name, any case
     * @return the method
     * @throws ConfigurationException naming {@code authMethod} when the name is none of them
     */
    public static AuthMethod fromParameterValue(String value) {
        return Settings.named(values(), AuthMethod::parameterValue, value).orElseThrow(() -> new ConfigurationException(
                "authMethod", "must be client_secret_basic or client_secret_post, was '" + value + "'"));
    }

    @Override
    public String toString() {
        return parameterValue;
    }
}
