package dev.tokengate.control;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** Client addresses as the anomaly rules see them: literal addresses only (never a DNS lookup), and their networks. */
final class Addresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    /** Marks an IPv6 network key, so that no /48 equals a /24. */
    private static final long V6 = 1L << 62;

    private Addresses() {
    }

    /** The address of a literal (IPv4, IPv6 with optional brackets or zone; IPv4-mapped IPv6 as IPv4), or empty. */
    static Optional<InetAddress> literal(String address) {
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
        boolean v6 = a.indexOf(':') >= 0;
        // an IPv4 literal must have octets of at most 255, or the JDK would look the text up in the DNS
        if (v6 ? !IPV6.matcher(a).matches() : ipv4Network(a) < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(a)); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The network of an address as one number: its /24 (IPv4) or /48 (IPv6); empty for what is not an address. */
    static OptionalLong network(String address) {
        long v4 = ipv4Network(address);
        if (v4 >= 0) {
            return OptionalLong.of(v4); // the usual case, read without parsing an InetAddress
        }
        Optional<InetAddress> a = literal(address);
        if (a.isEmpty()) {
            return OptionalLong.empty();
        }
        byte[] b = a.get().getAddress();
        if (b.length == 4) {
            return OptionalLong.of(((b[0] & 0xffL) << 16) | ((b[1] & 0xffL) << 8) | (b[2] & 0xffL));
        }
        long key = V6;
        for (int i = 0; i < 6; i++) {
            key |= (b[i] & 0xffL) << (8 * (5 - i));
        }
        return OptionalLong.of(key);
    }

    /** The /24 of a dotted-quad IPv4 address as {@link #network} numbers it, or -1 for anything else. */
    static long ipv4Network(String address) {
        long network = 0;
        int octets = 0;
        int value = -1;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c >= '0' && c <= '9') {
                if (value == 0) {
                    return -1; // a leading zero: left to the full parser
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return -1;
                }
            } else if (c == '.' && value >= 0 && octets < 3) {
                network = (network << 8) | value;
                octets++;
                value = -1;
            } else {
                return -1;
            }
        }
        return octets == 3 && value >= 0 ? network : -1;
    }

    /** How a network key is shown: {@code 203.0.113.0/24} or {@code 2001:db8:1:0:0:0:0:0/48}. */
    static String networkText(long key) {
        if ((key & V6) == 0) {
            return ((key >> 16) & 0xff) + "." + ((key >> 8) & 0xff) + "." + (key & 0xff) + ".0/24";
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (key >> (8 * (5 - i)));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/48";
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an address", e);
        }
    }
}
