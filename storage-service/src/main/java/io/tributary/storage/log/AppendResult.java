package io.tributary.storage.log;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where an append put its records. Usually the records got {@code baseOffset} to
 * {@code lastOffset} in order and {@code offsets} is null; when idempotent publish recognized
 * some records as retries, {@code offsets} lists each record's offset (new or original) in
 * batch order. {@code lastOffset} is -1 when every record was a retry and nothing was appended.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppendResult(long baseOffset, long lastOffset, long logEndOffset, List<Long> offsets) {
    public AppendResult(long baseOffset, long lastOffset, long logEndOffset) {
        this(baseOffset, lastOffset, logEndOffset, null);
    }
}
