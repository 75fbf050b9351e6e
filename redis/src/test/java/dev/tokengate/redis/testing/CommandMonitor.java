package dev.tokengate.redis.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Redis's {@code MONITOR} on a server of the test's own: the commands clients sent it, one per round trip (those a
 * Lua script runs are told apart and left out), from {@link #open} until {@link #sent()}. {@code sent()} ends the
 * count with a marker command of its own and reads up to it, so no command sent before it is missed (no waiting on
 * time).
 */
public final class CommandMonitor implements AutoCloseable {

    private final int port;
    private final Socket socket;
    private final BufferedReader in;

    private CommandMonitor(int port) throws IOException {
        this.port = port;
        this.socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String ok = in.readLine();
        if (!"+OK".equals(ok)) {
            throw new IOException("MONITOR answered " + ok);
        }
    }

    /** Starts monitoring the server on this loopback port. */
    public static CommandMonitor open(int port) throws IOException {
        return new CommandMonitor(port);
    }

    /** The commands clients sent since the last call (or since {@link #open}), each as MONITOR shows it. */
    public List<String> sent() throws IOException {
        String marker = "tokengate-monitor-" + UUID.randomUUID();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.getInputStream().read(new byte[256]);
        }
        List<String> commands = new ArrayList<>();
        for (String line; (line = in.readLine()) != null; ) {
            if (line.contains(marker)) {
                return commands;
            }
            if (!line.contains(" lua] ")) { // "[0 lua]": run by a script, not sent by a client
                commands.add(line);
            }
        }
        throw new IOException("the monitor connection ended before the marker");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
