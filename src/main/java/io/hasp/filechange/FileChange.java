package io.hasp.filechange;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.hasp.storage.Checks;

/**
 * One change of one file in a session. {@code path} is the client's path (a file of its workspace, never resolved
 * against our directory); {@code at} defaults to the time the change is recorded.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileChange(String path, ChangeKind kind, Instant at) {

    static final int MAX_PATH = 4096;

    public FileChange {
        Checks.requireText("path", path, MAX_PATH);
        Checks.require("kind", kind);
    }

    FileChange at(Instant when) {
        return new FileChange(path, kind, when);
    }
}
