package io.tributary.protocol.publish;

import io.tributary.protocol.record.CorruptRecordException;
import io.tributary.protocol.record.RecordCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a publish from gateway to routing ({@code application/octet-stream}).
 * Destination and acks travel in the URL; the body is the messages in request order:
 *
 * <pre>
 * int32  entryCount
 * repeated entryCount times:
 *   int32  partition          -1 = routing chooses
 *   int16  routingKeyLength   -1 = none
 *   bytes  routingKey         UTF-8
 *   record                    self-delimiting, see RecordCodec
 * </pre>
 *
 * Routing slices the records out of this body and copies them into per-partition batches
 * without decoding them.
 */
public final class PublishRequestCodec {
    private PublishRequestCodec() {
    }

    public static ByteBuffer encode(List<PublishEntry> entries) {
        int size = 4;
        List<byte[]> keys = new ArrayList<>(entries.size());
        for (PublishEntry e : entries) {
            byte[] rk = e.routingKey() == null ? null : e.routingKey().getBytes(StandardCharsets.UTF_8);
            keys.add(rk);
            size += 4 + 2 + (rk == null ? 0 : rk.length) + e.record().remaining();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            PublishEntry e = entries.get(i);
            byte[] rk = keys.get(i);
            b.putInt(e.partition());
            if (rk == null) {
                b.putShort((short) -1);
            } else {
                b.putShort((short) rk.length).put(rk);
            }
            b.put(e.record().duplicate());
        }
        return b.flip();
    }

    /** Decodes a body; the entries' record buffers share the body's bytes. */
    public static List<PublishEntry> decode(ByteBuffer body) {
        ByteBuffer b = body.slice();
        try {
            int count = b.getInt();
            if (count < 0 || count > b.remaining()) {
                throw new CorruptRecordException("impossible entry count " + count);
            }
            List<PublishEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int partition = b.getInt();
                int rkLength = b.getShort();
                String routingKey = null;
                if (rkLength >= 0) {
                    byte[] rk = new byte[rkLength];
                    b.get(rk);
                    routingKey = new String(rk, StandardCharsets.UTF_8);
                }
                int size = RecordCodec.sizeAt(b, b.position());
                entries.add(new PublishEntry(partition, routingKey, b.slice(b.position(), size)));
                b.position(b.position() + size);
            }
            if (b.hasRemaining()) {
                throw new CorruptRecordException(b.remaining() + " stray bytes after the last entry");
            }
            return entries;
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptRecordException("publish body cut off");
        }
    }
}
