package io.tributary.gateway.publish;

import java.io.ByteArrayOutputStream;

/**
 * A JSON payload exactly as the client wrote it, minus the whitespace between tokens: the
 * bytes of the value are cut out of the request body, never re-rendered, so a number keeps
 * every digit ({@code 1e400} stays {@code 1e400}, not "Infinity"), a string every escape, and
 * keys their order. The value was validated by the parser before this runs, so this only
 * needs to find where it ends and drop insignificant whitespace.
 */
final class PayloadText {
    private PayloadText() {
    }

    /** The value starting at {@code start} (a validated JSON value), without whitespace outside strings. */
    static byte[] copy(byte[] body, int start) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        int depth = 0;
        int i = start;
        while (i < body.length) {
            byte c = body[i];
            if (c == '"') {
                int end = endOfString(body, i);
                out.write(body, i, end - i);
                i = end;
                if (depth == 0) {
                    return out.toByteArray();
                }
                continue;
            }
            boolean topLevelScalarEnded = depth == 0 && out.size() > 0;
            if (isWhitespace(c)) {
                if (topLevelScalarEnded) {
                    break;
                }
                i++;
                continue;
            }
            if (topLevelScalarEnded && (c == ',' || c == '}' || c == ']')) {
                break; // the end of a number, true, false or null
            }
            out.write(c);
            i++;
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    break;
                }
            }
        }
        return out.toByteArray();
    }

    /** The index just past the closing quote of the string starting at {@code quote}. */
    private static int endOfString(byte[] b, int quote) {
        int i = quote + 1;
        while (i < b.length) {
            if (b[i] == '\\') {
                i += 2;
            } else if (b[i] == '"') {
                return i + 1;
            } else {
                i++;
            }
        }
        return b.length;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
