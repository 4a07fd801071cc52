package io.hasp.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The journal of a record file {@code F}: {@code F.journal}, changes not yet folded into {@code F}. One line per
 * committed batch, {@code <crc32 of the json, 8 hex> <json>\n}, the json being {@code {"b": base version,
 * "v": new version, "d": change}}. An append is one write and one {@code fdatasync}; a line cut short by a crash, or
 * whose checksum does not match, ends the journal (that batch was never acknowledged).
 */
final class Journal {

    private static final HexFormat HEX = HexFormat.of();

    private Journal() {
    }

    /** One entry: the change from version {@code base} to {@code version}. */
    record Entry(long base, long version, JsonNode change) {
    }

    /** Entries read from {@code from}, and the offset just past the last whole one. */
    record Read(List<Entry> entries, long end) {
    }

    static Path of(Path record) {
        return record.resolveSibling(record.getFileName() + ".journal");
    }

    /** Reads the whole entries from offset {@code from}; an empty read when the journal does not exist. */
    static Read read(Path journal, long from, ObjectMapper mapper) throws IOException {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= from) {
                return new Read(List.of(), Math.min(from, size));
            }
            ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) >= 0) {
                // reads until full or end of file
            }
            bytes = buf.array();
        } catch (NoSuchFileException e) {
            return new Read(List.of(), 0);
        }
        List<Entry> entries = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', at);
            if (nl < 0 || nl - at < 10 || bytes[at + 8] != ' ') {
                break;
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, at + 9, nl - at - 9);
            long expected;
            try {
                expected = Long.parseLong(new String(bytes, at, 8, StandardCharsets.US_ASCII), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (crc.getValue() != expected) {
                break;
            }
            JsonNode node = mapper.readTree(bytes, at + 9, nl - at - 9);
            entries.add(new Entry(node.path("b").asLong(), node.path("v").asLong(), node.get("d")));
            at = nl + 1;
        }
        return new Read(entries, from + at);
    }

    /** One line of the journal for {@code entry}. */
    static byte[] line(Entry entry, ObjectMapper mapper) throws IOException {
        byte[] json = mapper.writeValueAsBytes(mapper.createObjectNode().put("b", entry.base())
                .put("v", entry.version()).set("d", entry.change()));
        CRC32 crc = new CRC32();
        crc.update(json);
        byte[] line = new byte[json.length + 10];
        byte[] hex = HEX.toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, line, 0, 8);
        line[8] = ' ';
        System.arraycopy(json, 0, line, 9, json.length);
        line[line.length - 1] = '\n';
        return line;
    }

    /**
     * Appends {@code line} at {@code end} (cutting off a torn tail beyond it) and forces it to disk; creates the
     * journal (and makes its name durable) when it does not exist. Returns the new end.
     */
    static long append(Path journal, long end, byte[] line) throws IOException {
        boolean created = Files.notExists(journal);
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (ch.size() > end) {
                ch.truncate(end);
            }
            ByteBuffer buf = ByteBuffer.wrap(line);
            long at = end;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
            ch.force(false);
        }
        if (created) {
            AtomicWriter.syncDirectory(journal.toAbsolutePath().getParent());
        }
        return end + line.length;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
