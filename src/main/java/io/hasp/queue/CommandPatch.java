package io.hasp.queue;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;

/**
 * Body of {@code PATCH /v1/queues/{id}/commands/{commandId}}: members present are changed, absent ones kept.
 * Rules: {@code running} is only reached through a claim; {@code pending} forgets the claim; {@code completed} and
 * {@code failed} end the lease. When {@code runnerId} is given, the command must be claimed by that runner (a runner
 * whose claim expired and went to someone else gets 409 instead of overwriting the other's work).
 */
public record CommandPatch(String command, JsonNode payload, CommandStatus status, JsonNode result,
                           String runnerId) {

    public CommandPatch {
        Checks.optionalText("command", command, Command.MAX_COMMAND);
        Checks.optionalText("runnerId", runnerId, ClaimRequest.MAX_RUNNER_ID);
        if (status == CommandStatus.RUNNING) {
            throw new ValidationException("status running is reached by claiming the command");
        }
        if (command != null && command.isBlank()) {
            throw new ValidationException("command must not be blank");
        }
    }
}
