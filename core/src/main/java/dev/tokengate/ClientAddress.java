package dev.tokengate;

import dev.tokengate.config.TokenGateConfig.ForwardedHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the client's address: the socket's peer, unless that peer is a trusted proxy, in which case the one
 * forwarding header the operator named ({@code X-Forwarded-For}, or {@code Forwarded} of RFC 7239) is read right to
 * left and the first address that is not itself a trusted proxy is the client. The other header is never read: a
 * proxy appends to its own header and passes the other on as the client wrote it. Not API.
 */
final class ClientAddress {

    /** The only form a client address takes: a bare IPv4 or IPv6 literal, as it is matched and logged. */
    private static final Pattern BARE_ADDRESS = Pattern.compile("[0-9A-Fa-f:.]+");

    private ClientAddress() {
    }

    static String resolve(RequestView request, List<IpRange> trustedProxies, Optional<ForwardedHeader> header) {
        String peer = request.remoteAddress();
        if (trustedProxies.isEmpty() || header.isEmpty() || !isTrusted(peer, trustedProxies)) {
            return peer;
        }
        List<String> chain = header.get() == ForwardedHeader.FORWARDED ? forwarded(request) : xForwardedFor(request);
        String client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = chain.get(i);
            if (!BARE_ADDRESS.matcher(hop).matches() || IpRange.literal(hop).isEmpty()) {
                // "unknown", an obfuscated id, a zone id ("fe80::1%…", free text) or garbage: trust nothing further left
                break;
            }
            client = hop;
            if (!isTrusted(hop, trustedProxies)) {
                break;
            }
        }
        return client;
    }

    static boolean isTrusted(String address, List<IpRange> trusted) {
        for (IpRange r : trusted) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code for=} values of every {@code Forwarded} element, in order, ports stripped. */
    private static List<String> forwarded(RequestView request) {
        List<String> out = new ArrayList<>();
        for (String header : request.headers("Forwarded")) {
            for (String element : header.split(",")) {
                for (String pair : element.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("for")) {
                        out.add(stripPort(unquote(pair.substring(eq + 1).strip())));
                    }
                }
            }
        }
        return out;
    }

    private static List<String> xForwardedFor(RequestView request) {
        List<String> out = new ArrayList<>();
        for (String header : request.headers("X-Forwarded-For")) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    out.add(stripPort(hop.strip()));
                }
            }
        }
        return out;
    }

    static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    static String stripPort(String v) {
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            return close > 0 ? v.substring(1, close) : v;
        }
        int colon = v.indexOf(':');
        return colon > 0 && v.indexOf(':', colon + 1) < 0 ? v.substring(0, colon) : v;
    }
}
