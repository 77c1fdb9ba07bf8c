package io.tributary.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.record.RecordBatch;
import io.tributary.storage.TestBatches;
import io.tributary.storage.files.FileCache;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** One segment against a model: the list of batches appended to it, with their positions. */
class LogSegmentTest {
    static final SegmentConfig CONFIG = new SegmentConfig(1 << 20, 3_600_000, 128);

    record Appended(long base, int count, long position, ByteBuffer bytes) {
    }

    static List<Appended> fill(LogSegment seg, List<Integer> sizes) throws IOException {
        List<Appended> model = new ArrayList<>();
        long next = seg.baseOffset();
        long pos = 0;
        for (int i = 0; i < sizes.size(); i++) {
            ByteBuffer b = TestBatches.batch("s" + i, sizes.get(i), 100 + i);
            RecordBatch view = RecordBatch.view(b);
            view.setBaseOffset(next);
            seg.append(view);
            model.add(new Appended(next, sizes.get(i), pos, view.buffer()));
            pos += view.sizeInBytes();
            next += sizes.get(i);
        }
        return model;
    }

    @Property(tries = 60)
    void aReadStartsAtTheBatchHoldingTheOffsetAndTakesWholeBatchesThatFit(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 6) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 300) int offsetSeed, @ForAll @IntRange(min = 1, max = 4000) int maxBytes) throws IOException {
        Path dir = Files.createTempDirectory("seg");
        try (FileCache files = new FileCache(8)) {
            LogSegment seg = LogSegment.create(dir, 500, CONFIG, files);
            List<Appended> model = fill(seg, sizes);
            long end = seg.nextOffset();
            long offset = 500 + offsetSeed % (end - 500 + 1);
            LogSegment.Slice slice = seg.read(offset, maxBytes);
            if (offset == end) {
                assertThat(slice).isNull();
                return;
            }
            int first = 0;
            while (model.get(first).base() + model.get(first).count() <= offset) {
                first++;
            }
            assertThat(slice.position()).isEqualTo(model.get(first).position());
            int expectedLength = model.get(first).bytes().remaining();
            for (int i = first + 1; i < model.size() && expectedLength + model.get(i).bytes().remaining() <= maxBytes; i++) {
                expectedLength += model.get(i).bytes().remaining();
            }
            assertThat(slice.length()).isEqualTo(expectedLength);
            assertThat(seg.isVerified(slice)).isTrue(); // written here: verified
            ByteBuffer bytes = seg.readBytes(slice);
            assertThat(bytes.slice(0, model.get(first).bytes().remaining())).isEqualTo(model.get(first).bytes());
        }
    }

    @Test
    void rollsBeforeAnAppendThatWouldPassTheSizeOrWhenTheFirstAppendIsOld() throws IOException {
        Path dir = Files.createTempDirectory("seg");
        try (FileCache files = new FileCache(8)) {
            LogSegment seg = LogSegment.create(dir, 0, new SegmentConfig(2048, 50, 128), files);
            assertThat(seg.shouldRoll(100_000, System.currentTimeMillis())).as("an empty segment takes any batch").isFalse();
            fill(seg, List.of(3));
            assertThat(seg.shouldRoll(100, System.currentTimeMillis())).isFalse();
            assertThat(seg.shouldRoll(4096, System.currentTimeMillis())).isTrue();
            assertThat(seg.shouldRoll(100, System.currentTimeMillis() + 60)).isTrue();
        }
    }

    @Test
    void aSealedSegmentReopensFromItsIndexesAndRebuildsThemWhenDamaged() throws IOException {
        Path dir = Files.createTempDirectory("seg");
        List<Appended> model;
        try (FileCache files = new FileCache(8)) {
            LogSegment seg = LogSegment.create(dir, 0, CONFIG, files);
            model = fill(seg, java.util.Collections.nCopies(30, 4));
            seg.seal();
        }
        long next = model.get(model.size() - 1).base() + 4;
        try (FileCache files = new FileCache(8)) {
            LogSegment sealed = LogSegment.openSealed(dir, 0, next, CONFIG, files);
            assertThat(sealed.isSealed()).isTrue();
            assertThat(sealed.maxTimestamp()).isEqualTo(100 + 29 + 3);
            // the newest record (batch 29, record 3) is found by time after reopening too
            assertThat(sealed.offsetForTimestamp(100 + 29 + 3)).isEqualTo(model.get(29).base() + 3);
            assertThat(sealed.read(model.get(17).base() + 2, 1).position()).isEqualTo(model.get(17).position());
            assertThat(sealed.isVerified(sealed.read(0, 1))).as("not read since opening: not verified").isFalse();
        }
        Files.write(SegmentFiles.file(dir, 0, SegmentFiles.OFFSET_INDEX), new byte[] {9, 9, 9});
        Files.delete(SegmentFiles.file(dir, 0, SegmentFiles.KEY_INDEX));
        try (FileCache files = new FileCache(8)) {
            LogSegment rebuilt = LogSegment.openSealed(dir, 0, next, CONFIG, files);
            assertThat(rebuilt.read(model.get(17).base() + 2, 1).position()).isEqualTo(model.get(17).position());
            assertThat(rebuilt.candidateOffsetsForKey("k1".getBytes())).hasSize(30);
        }
    }

    @Test
    void verificationRefusesADamagedFirstBatchAndStopsBeforeALaterOne() throws IOException {
        Path dir = Files.createTempDirectory("seg");
        List<Appended> model;
        try (FileCache files = new FileCache(8)) {
            LogSegment seg = LogSegment.create(dir, 0, CONFIG, files);
            model = fill(seg, java.util.Collections.nCopies(5, 2));
            seg.seal();
        }
        Path log = SegmentFiles.file(dir, 0, SegmentFiles.LOG);
        long damaged = model.get(3).position() + model.get(3).bytes().remaining() - 1;
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
            raf.seek(damaged);
            int b = raf.read();
            raf.seek(damaged);
            raf.write(b ^ 1);
        }
        try (FileCache files = new FileCache(8)) {
            LogSegment seg = LogSegment.openSealed(dir, 0, 10, CONFIG, files);
            LogSegment.Slice all = seg.read(0, 1 << 20);
            int good = seg.verify(all, seg.readBytes(all), 0);
            assertThat(good).isEqualTo((int) model.get(3).position());
            LogSegment.Slice bad = seg.read(model.get(3).base(), 1 << 20);
            assertThatThrownBy(() -> seg.verify(bad, seg.readBytes(bad), model.get(3).base()))
                    .isInstanceOf(CorruptSegmentException.class)
                    .hasMessageContaining(log.getFileName().toString())
                    .hasMessageContaining("offset " + model.get(3).base());
        }
    }

    @Test
    void segmentFileNamesRoundTrip() {
        assertThat(SegmentFiles.baseName(42)).isEqualTo("00000000000000000042");
        assertThat(SegmentFiles.baseOffsetOf("00000000000000000042.log")).isEqualTo(42);
        assertThat(SegmentFiles.baseOffsetOf("00000000000000000042.index")).isEqualTo(-1);
        assertThat(SegmentFiles.baseOffsetOf("cursors.log")).isEqualTo(-1);
    }
}
