package io.hasp.http;

import java.util.OptionalLong;

import jakarta.ws.rs.core.EntityTag;

/**
 * Reads the {@code If-Match} header of a mutation: records are served with {@code ETag: "<version>"}, and a client
 * that sends one back demands that version. {@code *} or no header demands nothing (the change is simply applied
 * under the record's lock). Comparison is strong (RFC 9110): a weak tag {@code W/"3"} never matches and gets 412,
 * as does anything that is not a version tag. Versions never repeat for a record id, so a tag taken before a delete
 * cannot match the record created again.
 */
public final class IfMatch {

    /** The header name. */
    public static final String HEADER = "If-Match";

    private IfMatch() {
    }

    /**
     * The demanded version; a header that is no version tag cannot match any record and gets 412. The header is read
     * by JAX-RS' {@link EntityTag#valueOf}; only a strong tag whose value is a version can match.
     */
    public static OptionalLong parse(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return OptionalLong.empty();
        }
        EntityTag tag;
        try {
            tag = EntityTag.valueOf(header.trim());
        } catch (IllegalArgumentException e) {
            throw mismatch();
        }
        if (tag.isWeak()) {
            throw new ProblemException(412, "version-mismatch", "a weak entity tag never matches: If-Match compares "
                    + "strongly, send the ETag as served");
        }
        try {
            long version = Long.parseLong(tag.getValue());
            if (version >= 0) {
                return OptionalLong.of(version);
            }
        } catch (NumberFormatException e) {
            // Falls through to the 412 below: an unknown tag matches nothing.
        }
        throw mismatch();
    }

    private static ProblemException mismatch() {
        return new ProblemException(412, "version-mismatch", "If-Match must be a version tag such as \"3\"");
    }

    /** The strong entity tag of {@code version}. */
    public static EntityTag etag(long version) {
        return new EntityTag(Long.toString(version));
    }
}
