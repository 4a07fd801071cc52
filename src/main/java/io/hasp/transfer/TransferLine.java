package io.hasp.transfer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of an export, one JSON object: {@code {"kind", "id", "record"}}. {@link #toString()} never shows the
 * record (a credential's value, a token's hash).
 *
 * @param kind   {@code queue}, {@code bookmark}, {@code group}, {@code token}, {@code file-changes} or
 *               {@code credential}
 * @param id     the record's id (a credential's name, a token's id, a session's id for {@code file-changes})
 * @param record the record as stored: token secrets hashed, credential values in clear
 */
public record TransferLine(String kind, String id, JsonNode record) {

    @Override
    public String toString() {
        return "TransferLine[" + kind + " " + id + "]";
    }
}
