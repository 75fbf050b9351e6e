package dev.tokengate;

import dev.tokengate.config.TokenGateConfig.ForwardedHeader;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the URL the client sent a request to: the container's {@link RequestView#url()}, with its scheme and host
 * replaced by what a trusted proxy forwarded when the socket's peer is one. With {@code Forwarded} (RFC 7239) the
 * {@code proto} and {@code host} of the element the first trusted proxy wrote (the one whose {@code for} is the
 * client, found right to left as {@link ClientAddress} does); with {@code X-Forwarded-For} the last value of
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} (the nearest proxy sets them). An untrusted peer's headers
 * are never read. Not API.
 */
final class RequestUrl {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

    private RequestUrl() {
    }

    static Optional<String> resolve(RequestView request, List<IpRange> trustedProxies, Optional<ForwardedHeader> header) {
        Optional<String> url = request.url();
        if (url.isEmpty() || trustedProxies.isEmpty() || header.isEmpty()
                || !ClientAddress.isTrusted(request.remoteAddress(), trustedProxies)) {
            return url;
        }
        String proto = null;
        String host = null;
        if (header.get() == ForwardedHeader.FORWARDED) {
            List<String> elements = new ArrayList<>();
            for (String h : request.headers("Forwarded")) {
                for (String e : h.split(",")) {
                    elements.add(e);
                }
            }
            for (int i = elements.size() - 1; i >= 0; i--) {
                String forAddress = null;
                String elementProto = null;
                String elementHost = null;
                for (String pair : elements.get(i).split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                    String value = ClientAddress.unquote(pair.substring(eq + 1).strip());
                    switch (name) {
                        case "for" -> forAddress = ClientAddress.stripPort(value);
                        case "proto" -> elementProto = value;
                        case "host" -> elementHost = value;
                        default -> {
                        }
                    }
                }
                proto = elementProto;
                host = elementHost;
                if (forAddress == null || IpRange.literal(forAddress).isEmpty()
                        || !ClientAddress.isTrusted(forAddress, trustedProxies)) {
                    break; // this element was written by the proxy the client connected to
                }
            }
        } else {
            proto = last(request.headers("X-Forwarded-Proto"));
            host = last(request.headers("X-Forwarded-Host"));
        }
        return Optional.of(replace(url.get(), proto, host));
    }

    private static String last(List<String> values) {
        String last = null;
        for (String v : values) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    last = part.strip();
                }
            }
        }
        return last;
    }

    /** The URL with another scheme ({@code http} or {@code https} only) and host ({@code name[:port]} only). */
    private static String replace(String url, String proto, String host) {
        try {
            URI u = new URI(url);
            String scheme = proto != null && (proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("http"))
                    ? proto.toLowerCase(Locale.ROOT) : u.getScheme();
            String authority = host != null && HOST.matcher(host).matches() ? host : u.getRawAuthority();
            if (host == null && proto != null && !scheme.equals(u.getScheme()) && u.getPort() != -1) {
                authority = u.getHost(); // the proxy's own port is not the client's (IPv6 comes bracketed)
            }
            return scheme + "://" + authority + (u.getRawPath() == null ? "" : u.getRawPath());
        } catch (URISyntaxException e) {
            return url;
        }
    }
}
