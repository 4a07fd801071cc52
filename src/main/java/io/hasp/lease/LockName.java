package io.hasp.lease;

import io.hasp.storage.SafeNames;

/**
 * The name of a named lock, checked before anything touches the disk: it matches
 * {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}} and contains no {@code ..}, so it can only name a file directly inside
 * {@code <data-dir>/locks/}. A bad name is an {@link io.hasp.storage.InvalidNameException} (400
 * {@code invalid-name}).
 *
 * @param value the name as the client wrote it
 */
public record LockName(String value) implements Comparable<LockName> {

    public LockName {
        SafeNames.require("lock name", value);
    }

    @Override
    public int compareTo(LockName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
