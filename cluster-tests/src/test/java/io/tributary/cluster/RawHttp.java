package io.tributary.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes on a socket, for requests no well-behaved client would send (a bad chunk size, a
 * duplicate Content-Length, WebSocket frames with reserved bits) and for what the server
 * answers to them, close frames included.
 */
final class RawHttp {
    /** A response as read off the wire (the body up to Content-Length, or to the connection's end). */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    static Response send(String gatewayUrl, String request) {
        return send(gatewayUrl, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Response send(String gatewayUrl, byte[] request) {
        URI base = URI.create(gatewayUrl);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            return read(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        } else if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** An open WebSocket on a raw socket: the handshake done, frames written and read by hand. */
    static final class RawWebSocket implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        RawWebSocket(String gatewayUrl, String path) throws IOException {
            URI base = URI.create(gatewayUrl);
            socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort());
            socket.setSoTimeout(15_000);
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Authorization: Bearer " + TestCluster.ADMIN_KEY + "\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            in = socket.getInputStream();
            String status = line(in);
            if (!status.contains(" 101 ")) {
                throw new IOException("no upgrade: " + status);
            }
            while (!line(in).isEmpty()) {
                // the handshake's headers
            }
        }

        /** Sends one masked frame: {@code firstByte} holds FIN, the reserved bits and the opcode. */
        void frame(int firstByte, byte[] payload) throws IOException {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(firstByte);
            if (payload.length < 126) {
                f.write(0x80 | payload.length); // masked
            } else if (payload.length <= 0xffff) {
                f.write(0x80 | 126);
                f.write(payload.length >> 8);
                f.write(payload.length & 0xff);
            } else {
                f.write(0x80 | 127);
                f.write(java.nio.ByteBuffer.allocate(8).putLong(payload.length).array());
            }
            byte[] mask = {1, 2, 3, 4};
            f.write(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i % 4]);
            }
            socket.getOutputStream().write(f.toByteArray());
            socket.getOutputStream().flush();
        }

        /** Reads frames until a close frame; its status code, or -1 if the connection ended without one. */
        int awaitCloseCode() throws IOException {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    return -1;
                }
                int len = in.read() & 0x7f;
                if (len == 126) {
                    len = (in.read() << 8) | in.read();
                } else if (len == 127) {
                    len = (int) java.nio.ByteBuffer.wrap(in.readNBytes(8)).getLong();
                }
                byte[] payload = in.readNBytes(len);
                if ((b0 & 0x0f) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
