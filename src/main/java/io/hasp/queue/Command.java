package io.hasp.queue;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/**
 * One command of a queue. {@code claimedBy} and {@code claimExpiresAt} are set while a runner holds it
 * ({@code running}); a claim that reaches {@code claimExpiresAt} unfinished goes back to {@code pending}.
 *
 * @param payload free JSON for the runner, optional
 * @param result  free JSON set by the runner when it finishes, optional
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Command(String id, String command, JsonNode payload, CommandStatus status, Instant createdAt,
                      Instant updatedAt, String claimedBy, Instant claimExpiresAt, JsonNode result) {

    /** Longest command text. */
    public static final int MAX_COMMAND = 4096;

    public Command {
        SafeNames.require("command id", id);
        Checks.requireText("command", command, MAX_COMMAND);
        Checks.require("status", status);
        Checks.require("createdAt", createdAt);
        Checks.require("updatedAt", updatedAt);
        if (status == CommandStatus.RUNNING && (claimedBy == null || claimExpiresAt == null)) {
            throw new ValidationException("a running command has claimedBy and claimExpiresAt");
        }
    }

    /** A new pending command. */
    public static Command pending(String id, String command, JsonNode payload, Instant now) {
        return new Command(id, command, payload, CommandStatus.PENDING, now, now, null, null, null);
    }

    /** This command claimed by {@code runnerId} until {@code expiresAt}. */
    public Command claimed(String runnerId, Instant now, Instant expiresAt) {
        return new Command(id, command, payload, CommandStatus.RUNNING, createdAt, now, runnerId, expiresAt, result);
    }

    /** This command back in the queue, its claim forgotten. */
    public Command released(Instant now) {
        return new Command(id, command, payload, CommandStatus.PENDING, createdAt, now, null, null, result);
    }

    /** Whether this is a claim whose lease has ended at {@code now}. */
    public boolean claimExpired(Instant now) {
        return status == CommandStatus.RUNNING && !claimExpiresAt.isAfter(now);
    }

    /** This command with {@code patch} applied (see {@link CommandPatch} for the rules). */
    public Command patched(CommandPatch patch, Instant now) {
        String newCommand = patch.command() != null ? patch.command() : command;
        JsonNode newPayload = patch.payload() != null ? patch.payload() : payload;
        JsonNode newResult = patch.result() != null ? patch.result() : result;
        CommandStatus newStatus = patch.status() != null ? patch.status() : status;
        String newClaimedBy = claimedBy;
        Instant newExpiry = claimExpiresAt;
        if (newStatus == CommandStatus.PENDING) {
            newClaimedBy = null;
            newExpiry = null;
        } else if (newStatus.isFinal()) {
            // Who ran it stays on record; the lease has no meaning any more.
            newExpiry = null;
        }
        return new Command(id, newCommand, newPayload, newStatus, createdAt, now, newClaimedBy, newExpiry, newResult);
    }
}
