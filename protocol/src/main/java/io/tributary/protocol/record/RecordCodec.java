package io.tributary.protocol.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes and decodes one record inside a {@link RecordBatch}. Layout, big-endian:
 *
 * <pre>
 * int32  length        bytes that follow this field
 * int8   attributes    bit 0: payload is JSON text; bit 1: the released copy of a delayed record
 *                      (see below); other bits 0
 * int64  timestamp     epoch ms, set where the message entered the cluster
 * int64  deliverAt     epoch ms; 0 = deliver at once. A record with a deliverAt is never delivered
 *                      where it was stored: at its time the partition leader appends its released
 *                      copy (deliverAt 0, bit 1 set, headers x-scheduled-offset and x-deliver-at)
 * int64  expireAt      epoch ms; 0 = never expires
 * int32  keyLength     -1 = no key
 * bytes  key
 * int16  tagLength     -1 = no tag
 * bytes  tag           UTF-8
 * int16  idLength      -1 = no id (idempotency id)
 * bytes  id            UTF-8
 * int16  headerCount
 *   int16 nameLength, bytes name (UTF-8), int32 valueLength, bytes value (UTF-8)   (headerCount times)
 * int32  payloadLength
 * bytes  payload
 * </pre>
 *
 * Fixed-width lengths rather than varints: a few bytes more per record, but the key can be
 * found at a fixed position (routing reads it to partition without decoding the rest).
 */
public final class RecordCodec {
    static final int ATTRIBUTES = 4;
    static final int TIMESTAMP = 5;
    static final int DELIVER_AT = 13;
    static final int EXPIRE_AT = 21;
    static final int KEY_LENGTH = 29;
    /** The smallest possible record: every optional field absent, empty payload. */
    public static final int MIN_SIZE = KEY_LENGTH + 4 + 2 + 2 + 2 + 4;
    private static final byte JSON_PAYLOAD = 1;
    private static final byte RELEASED = 2;

    private RecordCodec() {
    }

    /** Encodes the record; its offset is not part of the encoding. */
    public static byte[] encode(Record r) {
        byte[] key = r.key();
        byte[] tag = utf8(r.tag());
        byte[] id = utf8(r.id());
        int size = MIN_SIZE + (key == null ? 0 : key.length) + (tag == null ? 0 : tag.length)
                + (id == null ? 0 : id.length) + r.payload().length;
        byte[][] headerBytes = new byte[r.headers().size() * 2][];
        int h = 0;
        for (Map.Entry<String, String> e : r.headers().entrySet()) {
            headerBytes[h] = utf8(e.getKey());
            headerBytes[h + 1] = utf8(e.getValue());
            size += 2 + headerBytes[h].length + 4 + headerBytes[h + 1].length;
            h += 2;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(size - 4);
        b.put(r.jsonPayload() ? JSON_PAYLOAD : 0);
        b.putLong(r.timestamp()).putLong(r.deliverAt()).putLong(r.expireAt());
        putBytes32(b, key);
        putBytes16(b, tag);
        putBytes16(b, id);
        b.putShort((short) r.headers().size());
        for (int i = 0; i < headerBytes.length; i += 2) {
            putBytes16(b, headerBytes[i]);
            putBytes32(b, headerBytes[i + 1]);
        }
        putBytes32(b, r.payload());
        return b.array();
    }

    /**
     * The size of the record starting at {@code position}, including its length field.
     * Throws if the length field is impossible or runs past the buffer.
     */
    public static int sizeAt(ByteBuffer buffer, int position) {
        if (buffer.limit() - position < 4) {
            throw new CorruptRecordException("record length field cut off at byte " + position);
        }
        int length = buffer.getInt(position);
        if (length < MIN_SIZE - 4 || length > buffer.limit() - position - 4) {
            throw new CorruptRecordException("record at byte " + position + " has impossible length " + length);
        }
        return 4 + length;
    }

    /** Decodes one whole record: {@code record} holds exactly its bytes, length field first. */
    public static Record decode(ByteBuffer record, long offset) {
        ByteBuffer b = record.slice().order(ByteOrder.BIG_ENDIAN);
        try {
            int length = b.getInt();
            if (length != b.remaining()) {
                throw new CorruptRecordException("record length " + length + " does not match its " + b.remaining() + " bytes");
            }
            byte attributes = b.get();
            long timestamp = b.getLong();
            long deliverAt = b.getLong();
            long expireAt = b.getLong();
            byte[] key = getBytes(b, b.getInt());
            String tag = string(getBytes(b, b.getShort()));
            String id = string(getBytes(b, b.getShort()));
            int headerCount = b.getShort();
            if (headerCount < 0) {
                throw new CorruptRecordException("negative header count");
            }
            Map<String, String> headers = headerCount == 0 ? Map.of() : new LinkedHashMap<>();
            for (int i = 0; i < headerCount; i++) {
                String name = string(getBytes(b, b.getShort()));
                String value = string(getBytes(b, b.getInt()));
                if (name == null || value == null) {
                    throw new CorruptRecordException("null header name or value");
                }
                headers.put(name, value);
            }
            byte[] payload = getBytes(b, b.getInt());
            if (payload == null) {
                throw new CorruptRecordException("null payload");
            }
            if (b.hasRemaining()) {
                throw new CorruptRecordException(b.remaining() + " stray bytes after the payload");
            }
            return new Record(offset, timestamp, deliverAt, expireAt, key, tag, id,
                    headerCount == 0 ? headers : Collections.unmodifiableMap(headers), payload,
                    (attributes & JSON_PAYLOAD) != 0);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CorruptRecordException("record fields run past its end");
        }
    }

    /** Where an encoded record's key starts, relative to the record's first byte. */
    public static final int KEY_BYTES = KEY_LENGTH + 4;

    /** The key length of an encoded record, or -1 when it has none (the key's bytes follow at {@link #KEY_BYTES}). */
    public static int readKeyLength(ByteBuffer record) {
        return record.getInt(record.position() + KEY_LENGTH);
    }

    /** The key of an encoded record without decoding the rest; null when it has none. */
    public static byte[] readKey(ByteBuffer record) {
        int length = record.getInt(record.position() + KEY_LENGTH);
        if (length < 0) {
            return null;
        }
        byte[] key = new byte[length];
        record.get(record.position() + KEY_LENGTH + 4, key);
        return key;
    }

    /** The idempotency id of an encoded record without decoding the rest; null when it has none. */
    public static String readId(ByteBuffer record) {
        int p = record.position() + KEY_LENGTH;
        int keyLength = record.getInt(p);
        p += 4 + Math.max(0, keyLength);
        int tagLength = record.getShort(p);
        p += 2 + Math.max(0, tagLength);
        int idLength = record.getShort(p);
        if (idLength < 0) {
            return null;
        }
        byte[] id = new byte[idLength];
        record.get(p + 2, id);
        return new String(id, StandardCharsets.UTF_8);
    }

    /** The tag of an encoded record without decoding the rest; null when it has none. */
    public static String readTag(ByteBuffer record) {
        int p = record.position() + KEY_LENGTH;
        p += 4 + Math.max(0, record.getInt(p));
        int tagLength = record.getShort(p);
        if (tagLength < 0) {
            return null;
        }
        byte[] tag = new byte[tagLength];
        record.get(p + 2, tag);
        return new String(tag, StandardCharsets.UTF_8);
    }

    /** When an encoded record expires (epoch ms; 0 = never), without decoding the rest. */
    public static long readExpireAt(ByteBuffer record) {
        return record.getLong(record.position() + EXPIRE_AT);
    }

    /** When an encoded record is to be delivered (epoch ms; 0 = at once), without decoding the rest. */
    public static long readDeliverAt(ByteBuffer record) {
        return record.getLong(record.position() + DELIVER_AT);
    }

    /**
     * True if the record starting at {@code position} of {@code buffer} is delayed or a
     * released copy, read in place (no slice, no decoding: it runs on every append).
     */
    public static boolean delayedOrReleasedAt(ByteBuffer buffer, int position) {
        return (buffer.get(position + ATTRIBUTES) & RELEASED) != 0 || buffer.getLong(position + DELIVER_AT) != 0;
    }

    /** True if an encoded record is the released copy of a delayed record. */
    public static boolean isReleased(ByteBuffer record) {
        return (record.get(record.position() + ATTRIBUTES) & RELEASED) != 0;
    }

    /** Encodes {@code r} as the released copy of a delayed record (attribute bit 1 set). */
    public static byte[] encodeReleased(Record r) {
        if (r.deliverAt() != 0) {
            throw new IllegalArgumentException("a released copy is delivered at once: its deliverAt is 0");
        }
        byte[] encoded = encode(r);
        encoded[ATTRIBUTES] |= RELEASED;
        return encoded;
    }

    public static long readTimestamp(ByteBuffer record) {
        return record.getLong(record.position() + TIMESTAMP);
    }

    private static void putBytes32(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    private static void putBytes16(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putShort((short) -1);
        } else {
            if (bytes.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("field longer than " + Short.MAX_VALUE + " bytes");
            }
            b.putShort((short) bytes.length).put(bytes);
        }
    }

    private static byte[] getBytes(ByteBuffer b, int length) {
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > b.remaining()) {
            throw new CorruptRecordException("field length " + length + " runs past the record");
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
