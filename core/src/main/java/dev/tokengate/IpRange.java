package dev.tokengate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32}, or a single
 * address), as attached to a token to restrict where it may be used from, or as a trusted proxy.
 */
public final class IpRange {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private final byte[] network;
    private final int prefix;
    private final String text;

    private IpRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        this.text = address(network) + "/" + prefix;
    }

    /**
     * Parses CIDR notation or a single address. Only literal addresses are accepted: no host names, so parsing
     * never touches DNS.
     *
     * @param cidr e.g. {@code 10.0.0.0/8}, {@code 2001:db8::/32} or {@code 192.0.2.7}; surrounding space is ignored
     * @return the range
     * @throws IllegalArgumentException with a message showing the accepted forms
     */
    public static IpRange parse(String cidr) {
        String s = Objects.requireNonNull(cidr, "cidr").strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr).orElseThrow(() -> new IllegalArgumentException(
                "'" + cidr + "' is not an IP range; write e.g. 203.0.113.0/24, 2001:db8::/32 or 198.51.100.7"));
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + max);
            }
        }
        return new IpRange(mask(bytes, prefix), prefix);
    }

    /**
     * Whether the address (a literal IPv4 or IPv6 address) is in this range; false for anything unparseable.
     *
     * @param address a literal IPv4 or IPv6 address
     * @return {@code true} when the address is in the range
     */
    public boolean contains(String address) {
        return literal(address).map(this::contains).orElse(false);
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:203.0.113.7}) arrives as its 4 IPv4 bytes: the JDK reads it so. */
    private boolean contains(byte[] addr) {
        return addr.length == network.length && Arrays.equals(mask(addr, prefix), network);
    }

    /** The bytes of a literal IPv4/IPv6 address (brackets and zone ids allowed), or empty; never a DNS lookup. */
    static Optional<byte[]> literal(String address) {
        if (address == null) {
            return Optional.empty();
        }
        String a = address.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        if (zone >= 0) {
            a = a.substring(0, zone);
        }
        if (a.isEmpty() || !LITERAL.matcher(a).matches()) {
            return Optional.empty();
        }
        if (a.indexOf(':') < 0 && !isDottedQuad(a)) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(a).getAddress()); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * Four decimal octets of 0 to 255 without leading zeros: only then is {@code InetAddress.getByName} sure to read it as a literal. A
     * string such as {@code 1.2.3.999} is not one, and the JDK would look it up as a host name in the DNS.
     */
    static boolean isDottedQuad(String a) {
        String[] octets = a.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(o) > 255 || o.length() > 1 && o.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }

    private static byte[] mask(byte[] addr, int prefix) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    private static String address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && prefix == r.prefix && Arrays.equals(network, r.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    /** The normalised CIDR form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return text;
    }
}
