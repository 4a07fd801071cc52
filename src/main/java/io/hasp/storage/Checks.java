package io.hasp.storage;

import io.hasp.ValidationException;

/** Small argument checks for records' compact constructors; their messages are safe to show to clients. */
public final class Checks {

    private Checks() {
    }

    /** {@code value} must be present and not blank, at most {@code maxLength} characters, no control characters. */
    public static String requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new ValidationException(field + " is required");
        }
        return checkText(field, value, maxLength);
    }

    /** Like {@link #requireText} for an optional member: {@code null} passes. */
    public static String optionalText(String field, String value, int maxLength) {
        return value == null ? null : checkText(field, value, maxLength);
    }

    private static String checkText(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw new ValidationException(field + " must be at most " + maxLength + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new ValidationException(field + " must not contain control characters");
            }
        }
        return value;
    }

    /** {@code value} must be present. */
    public static <V> V require(String field, V value) {
        if (value == null) {
            throw new ValidationException(field + " is required");
        }
        return value;
    }

    /** A stored version is at least 1; 0 only while a new record is being built, before the repository sets it. */
    public static long version(long version) {
        if (version < 0) {
            throw new ValidationException("version must not be negative");
        }
        return version;
    }

    /**
     * The members every named record has (queues, groups): a safe id (its kind in {@code idField}), a name of at most
     * {@code maxName} characters, a version, and both times.
     */
    public static void namedRecord(String idField, String id, String name, int maxName, long version,
                                   Object createdAt, Object updatedAt) {
        SafeNames.require(idField, id);
        requireText("name", name, maxName);
        version(version);
        require("createdAt", createdAt);
        require("updatedAt", updatedAt);
    }
}
