package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LockFileContentTest {

    private static final DateTimeFormatter NINE_DIGITS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void instantIsIsoUtcWithAllNineFractionDigits() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L), random.nextInt(1_000_000_000));
            assertEquals(NINE_DIGITS.format(t), LockFileContent.instant(t), t::toString);
        }
        Instant edge = Instant.parse("2026-01-02T03:04:05Z");
        assertEquals("2026-01-02T03:04:05.000000000Z", LockFileContent.instant(edge));
        assertEquals(edge, LockFileContent.parse(LockFileContent.instant(edge)).orElseThrow());
    }
}
