package io.hasp.etcd;

import com.google.protobuf.ByteString;

/** Ranges of etcd keys, as etcd's own clients compute them. */
public final class KeyRanges {

    private KeyRanges() {
    }

    /**
     * The end of the range of keys that start with {@code prefix} (exclusive): the prefix with its last byte below
     * {@code 0xff} incremented and what follows dropped; {@code "\0"} (every key) when all its bytes are {@code 0xff}.
     */
    public static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }
}
