package io.hasp.lease;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.protobuf.ByteString;

import io.hasp.lock.LockType;

/**
 * The key layout of named locks in etcd, under {@code hasp.etcd.namespace} ({@code N}):
 * <pre>
 * N locks/NAME/e/ID   an exclusive acquisition of NAME, waiting or holding
 * N locks/NAME/s/ID   a shared acquisition of NAME, waiting or holding
 * </pre>
 * Each key holds an {@link EtcdGrantValue} and is attached to the acquisition's own lease. Its create revision is its
 * place in the name's queue ({@link EtcdQueue}) and, once it holds, its fencing token. {@code ID} is 128 random bits
 * in hex, so a key name is never used twice. Lock names never contain {@code /}, so {@code N locks/NAME/} is the
 * prefix of exactly one name's keys. The lock id answered to a client is {@code TID-REV}: the type letter,
 * {@code ID}, and the key's create revision. It leads to the key (and the key to its lease), and lets a release
 * compare the create revision without reading first.
 */
record EtcdKeys(String namespace) {

    private static final Pattern LOCK_ID = Pattern.compile("([es])([0-9a-f]{32})-([1-9][0-9]{0,18})");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    /** A parsed lock id. */
    record Grant(LockType type, String id, long revision) {
    }

    /** 128 random bits in hex: the secret part of a lock id. */
    static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    static String lockId(LockType type, String id, long revision) {
        return letter(type) + id + "-" + revision;
    }

    /** The grant a lock id names, or empty when it is no lock id of this backend. */
    static Optional<Grant> parse(String lockId) {
        Matcher m = LOCK_ID.matcher(lockId);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            LockType type = m.group(1).equals("e") ? LockType.EXCLUSIVE : LockType.SHARED;
            return Optional.of(new Grant(type, m.group(2), Long.parseLong(m.group(3))));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    private static String letter(LockType type) {
        return type == LockType.EXCLUSIVE ? "e" : "s";
    }

    /** Prefix of every named lock's keys. */
    ByteString locks() {
        return bytes(namespace + "locks/");
    }

    /** Prefix of one name's keys. */
    ByteString name(String name) {
        return bytes(namespace + "locks/" + name + "/");
    }

    /** Prefix of one name's keys of one type. */
    ByteString ofType(String name, LockType type) {
        return bytes(namespace + "locks/" + name + "/" + letter(type) + "/");
    }

    ByteString key(String name, LockType type, String id) {
        return bytes(namespace + "locks/" + name + "/" + letter(type) + "/" + id);
    }

    /**
     * What a key under {@link #locks()} is: its name and type; empty for a key of another shape (written by someone
     * else, or by an older version of Hasp), which is never taken for an acquisition.
     */
    Optional<Entry> entry(ByteString key) {
        String k = key.toStringUtf8();
        String prefix = namespace + "locks/";
        if (!k.startsWith(prefix)) {
            return Optional.empty();
        }
        String[] parts = k.substring(prefix.length()).split("/", -1);
        if (parts.length != 3 || parts[2].isEmpty()) {
            return Optional.empty();
        }
        return switch (parts[1]) {
            case "e" -> Optional.of(new Entry(parts[0], LockType.EXCLUSIVE));
            case "s" -> Optional.of(new Entry(parts[0], LockType.SHARED));
            default -> Optional.empty();
        };
    }

    /** The name and type of an acquisition's key. */
    record Entry(String name, LockType type) {
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }
}
