package io.hasp.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

class KeyRangesTest {

    private static ByteString bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return ByteString.copyFrom(b);
    }

    @Test
    void thePrefixEndIncrementsTheLastByte() {
        assertEquals(ByteString.copyFrom("/hasp/locks0", StandardCharsets.UTF_8),
                KeyRanges.prefixEnd(ByteString.copyFrom("/hasp/locks/", StandardCharsets.UTF_8)));
    }

    @Test
    void trailingFfBytesAreDroppedAndAllFfMeansEveryKey() {
        assertEquals(bytes(0x62), KeyRanges.prefixEnd(bytes(0x61, 0xff, 0xff)));
        assertEquals(bytes(0), KeyRanges.prefixEnd(bytes(0xff, 0xff)));
    }
}
