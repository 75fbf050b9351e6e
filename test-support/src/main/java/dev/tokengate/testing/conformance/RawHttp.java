package dev.tokengate.testing.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for requests a well-behaved client library refuses to send
 * (two {@code Authorization} fields, a tab or two spaces after the scheme, a header that is not valid UTF-8).
 * Each request opens its own connection with {@code Connection: close} and reads the answer to the end, unless it is
 * sent on a {@link #connect(URI) kept-alive connection}, as browsers, proxies and client libraries send theirs.
 */
public final class RawHttp {

    private static final int TIMEOUT_MILLIS = 10_000;

    private RawHttp() {
    }

    /** A parsed answer; header names lower-cased, each with its values in order. */
    public record Response(int status, Map<String, List<String>> headers, String body) {

        /** Every value of the header {@code name} (any case). */
        public List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The one {@code WWW-Authenticate} value, or {@code null} when there is none. */
        public String challenge() {
            List<String> values = headers("WWW-Authenticate");
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** Starts a request to {@code base}: {@code method}, {@code pathAndQuery}, {@code Host} set. */
    public static Request request(URI base, String method, String pathAndQuery) {
        return new Request(base, method, pathAndQuery);
    }

    /** {@code GET pathAndQuery} with the given header lines ({@code "Name: value"}, sent exactly as given). */
    public static Response get(URI base, String pathAndQuery, String... headerLines) throws IOException {
        Request r = request(base, "GET", pathAndQuery);
        for (String line : headerLines) {
            r.headerLine(line);
        }
        return r.send();
    }

    /**
     * Opens one persistent connection to {@code base}: its requests are sent one after the other on the same socket,
     * without {@code Connection: close}, so that whatever the server keeps per connection is kept between them.
     */
    public static Connection connect(URI base) throws IOException {
        return new Connection(base);
    }

    /** A kept-alive connection; each {@link #get} waits for its whole answer before the next request is written. */
    public static final class Connection implements AutoCloseable {
        private final URI base;
        private final Socket socket;
        private final InputStream in;

        private Connection(URI base) throws IOException {
            this.base = base;
            this.socket = new Socket(base.getHost(), base.getPort());
            socket.setSoTimeout(TIMEOUT_MILLIS);
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        /** {@code GET pathAndQuery} on this connection, with the given header lines sent exactly as given. */
        public Response get(String pathAndQuery, String... headerLines) throws IOException {
            Request r = new Request(base, "GET", pathAndQuery, false);
            for (String line : headerLines) {
                r.headerLine(line);
            }
            OutputStream out = socket.getOutputStream();
            out.write(r.bytes());
            out.flush();
            return parseOne(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A request being written. */
    public static final class Request {
        private final URI base;
        private final StringBuilder head = new StringBuilder();
        private byte[] body = new byte[0];

        private Request(URI base, String method, String pathAndQuery) {
            this(base, method, pathAndQuery, true);
        }

        private Request(URI base, String method, String pathAndQuery, boolean close) {
            this.base = base;
            head.append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
            if (close) {
                head.append("Connection: close\r\n");
            }
        }

        /** Adds a header line as given, e.g. {@code "Authorization: Bearer\tabc"}. */
        public Request headerLine(String line) {
            head.append(line).append("\r\n");
            return this;
        }

        /** A urlencoded form body (sets Content-Type and Content-Length). */
        public Request form(String urlencoded) {
            headerLine("Content-Type: application/x-www-form-urlencoded");
            body = urlencoded.getBytes(StandardCharsets.US_ASCII);
            return this;
        }

        /** Sends the request and reads the whole answer. */
        public Response send() throws IOException {
            byte[] request = bytes();
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                return parse(socket.getInputStream());
            }
        }

        private byte[] bytes() {
            if (body.length > 0 || head.indexOf("POST ") == 0 || head.indexOf("PUT ") == 0) {
                headerLine("Content-Length: " + body.length);
            }
            head.append("\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
            return out.toByteArray();
        }
    }

    /** Reads exactly one answer from a kept-alive connection: its head, then Content-Length bytes or the chunks. */
    private static Response parseOne(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!endsWithBlankLine(head)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before a complete HTTP answer: " + head);
            }
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        Response bare = parse(new java.io.ByteArrayInputStream(head.toByteArray()));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (bare.headers("Transfer-Encoding").stream().anyMatch(v -> v.equalsIgnoreCase("chunked"))) {
            while (true) {
                int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailer fields, none expected
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        } else {
            List<String> length = bare.headers("Content-Length");
            if (length.isEmpty()) {
                throw new IOException("a kept-alive answer needs Content-Length or chunks: " + headText);
            }
            body.write(in.readNBytes(Integer.parseInt(length.get(0))));
        }
        return new Response(bare.status(), bare.headers(), body.toString(StandardCharsets.UTF_8));
    }

    private static boolean endsWithBlankLine(ByteArrayOutputStream bytes) {
        byte[] b = bytes.toByteArray();
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            previous = b;
        }
        throw new IOException("the connection closed in the middle of a chunked answer");
    }

    private static Response parse(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete HTTP answer: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
        if (encoding.stream().anyMatch(v -> v.equalsIgnoreCase("chunked"))) {
            rest = dechunk(rest);
        }
        headers.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new Response(status, Collections.unmodifiableMap(headers), new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = indexOf(chunked, i);
            int size = Integer.parseInt(new String(chunked, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return bytes.length;
    }
}
