package io.hasp.queue;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.ValidationException;
import io.hasp.http.PlainText;

/**
 * Body of {@code PATCH /v1/queues/{id}/commands/{commandId}}: members present are changed, absent ones kept.
 * Rules: {@code running} is only reached through a claim; {@code pending} forgets the claim; {@code completed} and
 * {@code failed} end the lease. When {@code runnerId} is given, the command must be claimed by that runner (a runner
 * whose claim expired and went to someone else gets 409 instead of overwriting the other's work).
 */
public record CommandPatch(
        @Size(max = Command.MAX_COMMAND) @Pattern(regexp = PlainText.NOT_BLANK, message = "must not be blank")
        @PlainText String command,
        JsonNode payload,
        CommandStatus status,
        JsonNode result,
        @Size(max = ClaimRequest.MAX_RUNNER_ID) @PlainText String runnerId) {

    /** Running is reached by claiming the command, never set (a rule of the command's life, not of the body). */
    public CommandPatch {
        if (status == CommandStatus.RUNNING) {
            throw new ValidationException("status running is reached by claiming the command");
        }
    }
}
