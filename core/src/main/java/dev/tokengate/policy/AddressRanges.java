package dev.tokengate.policy;

import dev.tokengate.IpRange;
import dev.tokengate.VerifiedToken;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The networks each client application and each API key may call from, from configuration rather than from the
 * token: so that tokens the API did not issue itself (JWTs and introspected tokens from an external issuer) can be
 * fenced by their {@code client_id} too. Enforced by {@link TokenPolicies#allowedAddresses(AddressRanges)} for the
 * bearer token and by the API-key policy for the calling application's key, on top of any ranges the token or key
 * carries itself: a call must come from an address every applicable list allows.
 *
 * <p>Read from {@value ConfigKeys#IP_RANGES_CLIENTS} (by client id) and {@value ConfigKeys#IP_RANGES_API_KEYS} (by
 * API key id, the stored key's id as in the call log's {@code api_key_id}), each written as
 * {@code bot=203.0.113.0/24 198.51.100.7; reporting=10.0.0.0/8}: entries separated by {@code ;}, each an id,
 * {@code =}, and ranges (CIDR or single addresses) separated by spaces or commas. A client id or key id that is not
 * listed is not fenced. Immutable.
 */
public final class AddressRanges {

    private static final AddressRanges NONE = new AddressRanges(Map.of(), Map.of());
    private static final String EXAMPLE = "bot=203.0.113.0/24 198.51.100.7; reporting=10.0.0.0/8";
    private static final Pattern ID = Pattern.compile("[^\\s=;,]{1,200}");

    private final Map<String, List<IpRange>> clients;
    private final Map<String, List<IpRange>> apiKeys;

    private AddressRanges(Map<String, List<IpRange>> clients, Map<String, List<IpRange>> apiKeys) {
        this.clients = Map.copyOf(clients);
        this.apiKeys = Map.copyOf(apiKeys);
    }

    /**
     * No ranges: nothing is fenced beyond the tokens' own ranges.
     *
     * @return the empty ranges
     */
    public static AddressRanges none() {
        return NONE;
    }

    /**
     * A builder, for gates configured in code.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The ranges the source's {@value ConfigKeys#IP_RANGES_CLIENTS} and {@value ConfigKeys#IP_RANGES_API_KEYS} give.
     *
     * @param source the gate's configuration; not null
     * @return the ranges, {@link #none()} when neither key is set
     * @throws dev.tokengate.ConfigurationException naming the key, its layer and the entry at fault when a value
     *                                              is malformed
     */
    public static AddressRanges config(ConfigSource source) {
        Builder b = builder();
        source.read(ConfigKeys.IP_RANGES_CLIENTS, AddressRanges::parse, m -> m.forEach(b::client));
        source.read(ConfigKeys.IP_RANGES_API_KEYS, AddressRanges::parse, m -> m.forEach(b::apiKey));
        return b.build();
    }

    /**
     * Parses {@code id=range range; id=range}, in order; a blank value is no entry.
     *
     * @param value the configured text; not null
     * @return the ranges by id, in the order written; empty for a blank value
     * @throws IllegalArgumentException saying which entry is malformed and how to write it
     */
    public static Map<String, List<IpRange>> parse(String value) {
        Objects.requireNonNull(value, "value");
        Map<String, List<IpRange>> out = new LinkedHashMap<>();
        for (String entry : value.split("[;\\n]")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + entry.strip() + "' is not id=ranges; write e.g. " + EXAMPLE);
            }
            String id = entry.substring(0, eq).strip();
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("'" + entry.strip() + "' does not start with an id (1 to 200 "
                        + "characters, no space, comma, = or ;); write e.g. " + EXAMPLE);
            }
            if (out.containsKey(id)) {
                throw new IllegalArgumentException(id + " is listed twice; give all its ranges in one entry");
            }
            List<IpRange> ranges = new ArrayList<>();
            for (String range : entry.substring(eq + 1).strip().split("[\\s,]+")) {
                if (range.isEmpty()) {
                    continue;
                }
                try {
                    ranges.add(IpRange.parse(range));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(id + ": " + e.getMessage(), e);
                }
            }
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException(id + " has no ranges after '='; list at least one, e.g. " + EXAMPLE);
            }
            out.put(id, List.copyOf(new LinkedHashSet<>(ranges)));
        }
        return out;
    }

    /**
     * The ranges a client id is fenced to; empty when it is not.
     *
     * @param clientId the token's client id
     * @return the client's ranges, empty when it is not fenced
     */
    public List<IpRange> client(String clientId) {
        return clients.getOrDefault(clientId, List.of());
    }

    /**
     * The ranges an API key (by its id) is fenced to; empty when it is not.
     *
     * @param keyId the API key's id
     * @return the key's ranges, empty when it is not fenced
     */
    public List<IpRange> apiKey(String keyId) {
        return apiKeys.getOrDefault(keyId, List.of());
    }

    /**
     * Whether nothing is fenced.
     *
     * @return {@code true} when neither a client nor an API key is fenced
     */
    public boolean isEmpty() {
        return clients.isEmpty() && apiKeys.isEmpty();
    }

    /**
     * Why a token or key may not be used from this address, or empty when it may: its own ranges, then its
     * client's, then (for an API key) the key's; for the call log's reason.
     *
     * @param apiKey whether {@code token} is the calling application's API key rather than the bearer token
     */
    Optional<String> refusal(VerifiedToken token, String address, boolean apiKey) {
        String what = apiKey ? "the API key" : "the token";
        if (!within(token.allowedAddresses(), address)) {
            return Optional.of(what + " is restricted to " + token.allowedAddresses() + "; the client is " + address);
        }
        Optional<String> client = token.clientId();
        if (client.isPresent() && !within(client(client.get()), address)) {
            return Optional.of("client " + client.get() + " is restricted to " + client(client.get()) + " ("
                    + ConfigKeys.IP_RANGES_CLIENTS + "); the client is " + address);
        }
        Optional<String> keyId = token.tokenId();
        if (apiKey && keyId.isPresent() && !within(apiKey(keyId.get()), address)) {
            return Optional.of("API key " + keyId.get() + " is restricted to " + apiKey(keyId.get()) + " ("
                    + ConfigKeys.IP_RANGES_API_KEYS + "); the client is " + address);
        }
        return Optional.empty();
    }

    /** Unrestricted (no ranges), or the address is in one of them. */
    private static boolean within(List<IpRange> ranges, String address) {
        if (ranges.isEmpty()) {
            return true;
        }
        for (IpRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "AddressRanges[clients=" + clients + ", apiKeys=" + apiKeys + "]";
    }

    /** Builds {@link AddressRanges}; a later call for the same id replaces the earlier one. */
    public static final class Builder {
        private final Map<String, List<IpRange>> clients = new LinkedHashMap<>();
        private final Map<String, List<IpRange>> apiKeys = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Fences a client id (the token's {@code client_id}, {@code azp} or stored client) to these ranges.
         *
         * @param clientId the client id: 1 to 200 characters, no space, comma, {@code =} or {@code ;}
         * @param ranges at least one range; duplicates are dropped
         * @return this builder
         * @throws IllegalArgumentException for a malformed id or no range
         */
        public Builder client(String clientId, Collection<IpRange> ranges) {
            clients.put(id("clientId", clientId), ranges("clientId " + clientId, ranges));
            return this;
        }

        /**
         * Fences an API key, by its id ({@code StoredToken.id()}, the call log's {@code api_key_id}), to these
         * ranges.
         *
         * @param keyId the API key's id: 1 to 200 characters, no space, comma, {@code =} or {@code ;}
         * @param ranges at least one range; duplicates are dropped
         * @return this builder
         * @throws IllegalArgumentException for a malformed id or no range
         */
        public Builder apiKey(String keyId, Collection<IpRange> ranges) {
            apiKeys.put(id("keyId", keyId), ranges("keyId " + keyId, ranges));
            return this;
        }

        /**
         * Builds the ranges.
         *
         * @return the ranges, {@link #none()} when nothing was fenced
         */
        public AddressRanges build() {
            return clients.isEmpty() && apiKeys.isEmpty() ? NONE : new AddressRanges(clients, apiKeys);
        }

        private static String id(String what, String id) {
            Objects.requireNonNull(id, what);
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException(what + " '" + id + "' must have 1 to 200 characters, no space, "
                        + "comma, = or ;");
            }
            return id;
        }

        private static List<IpRange> ranges(String what, Collection<IpRange> ranges) {
            List<IpRange> copy = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(ranges, "ranges")));
            if (copy.isEmpty()) {
                throw new IllegalArgumentException(what + ": give at least one range (no ranges would mean no fence)");
            }
            return copy;
        }
    }
}
