package io.hasp.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The durable-write floor of the load benchmark ({@code bench/load.sh}): what one durable record write costs at
 * least on this disk, done the way a careful program does it, with no locking: write 1 KiB to a temp file, fsync it,
 * rename it over the target, fsync the directory. Prints {@code RESULT ops=<n> seconds=<s>}.
 *
 * <p>Arguments: {@code DIR SECONDS}.
 */
public final class FloorBench {

    private FloorBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        long nanos = Duration.ofSeconds(Long.parseLong(args[1])).toNanos();
        byte[] kib = new byte[1024];
        Path target = dir.resolve("record.json");
        Path temp = dir.resolve(".record.json.tmp");
        long ops = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(kib));
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            ops++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("RESULT ops=%d seconds=%.3f%n", ops, seconds);
    }
}
