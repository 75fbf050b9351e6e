package dev.tokengate.jwt;

/**
 * Strict, canonical base64url decoding (RFC 7515 §2, RFC 4648 §5 without padding) of one segment of a compact JWS:
 * only the 64 characters of the URL-safe alphabet, no {@code =} padding, no line breaks, and a final character
 * whose bits beyond the encoded bytes are zero (RFC 4648 §3.5). Every byte string then has exactly one encoding,
 * so a token cannot be varied without being refused, and one token has one fingerprint and one cache key.
 * {@link java.util.Base64#getUrlDecoder()} accepts padding and non-zero trailing bits, hence this decoder.
 */
final class Base64Url {

    /** The 6-bit value of each ASCII byte of the alphabet; -1 for every other byte. */
    private static final byte[] VALUES = new byte[256];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private Base64Url() {
    }

    /**
     * Decodes {@code ascii[from, to)}.
     *
     * @return the decoded bytes; empty for an empty segment
     * @throws IllegalArgumentException when a byte is outside the alphabet, the length cannot be an unpadded
     *         encoding (one character past a multiple of four), or the final character has non-zero unused bits
     */
    static byte[] decode(byte[] ascii, int from, int to) {
        byte[] out = new byte[decodedLength(from, to)];
        decode(ascii, from, to, out);
        return out;
    }

    /**
     * The number of bytes {@code ascii[from, to)} decodes to.
     *
     * @throws IllegalArgumentException when the length cannot be an unpadded encoding
     */
    static int decodedLength(int from, int to) {
        int length = to - from;
        int tail = length & 3;
        if (tail == 1) {
            throw new IllegalArgumentException("not a base64url length");
        }
        return (length >> 2) * 3 + (tail == 0 ? 0 : tail - 1);
    }

    /**
     * Decodes {@code ascii[from, to)} into the start of {@code out}, which holds at least
     * {@link #decodedLength(int, int)} bytes.
     *
     * @return the number of bytes decoded
     * @throws IllegalArgumentException as {@link #decode(byte[], int, int)}
     */
    static int decode(byte[] ascii, int from, int to, byte[] out) {
        int length = to - from;
        int tail = length & 3;
        int decoded = decodedLength(from, to);
        int in = from;
        int o = 0;
        int whole = from + (length & ~3);
        while (in < whole) {
            int a = VALUES[ascii[in] & 0xFF];
            int b = VALUES[ascii[in + 1] & 0xFF];
            int c = VALUES[ascii[in + 2] & 0xFF];
            int d = VALUES[ascii[in + 3] & 0xFF];
            if ((a | b | c | d) < 0) { // one test for four characters: an invalid one is -1
                throw new IllegalArgumentException("not a base64url character");
            }
            int bits = a << 18 | b << 12 | c << 6 | d;
            out[o] = (byte) (bits >> 16);
            out[o + 1] = (byte) (bits >> 8);
            out[o + 2] = (byte) bits;
            in += 4;
            o += 3;
        }
        if (tail == 2) {
            int last = value(ascii[in + 1]);
            if ((last & 0x0F) != 0) {
                throw new IllegalArgumentException("non-canonical final character");
            }
            out[o] = (byte) (value(ascii[in]) << 2 | last >> 4);
        } else if (tail == 3) {
            int last = value(ascii[in + 2]);
            if ((last & 0x03) != 0) {
                throw new IllegalArgumentException("non-canonical final character");
            }
            int bits = value(ascii[in]) << 10 | value(ascii[in + 1]) << 4 | last >> 2;
            out[o] = (byte) (bits >> 8);
            out[o + 1] = (byte) bits;
        }
        return decoded;
    }

    private static int value(byte b) {
        int v = VALUES[b & 0xFF];
        if (v < 0) {
            throw new IllegalArgumentException("not a base64url character");
        }
        return v;
    }
}
