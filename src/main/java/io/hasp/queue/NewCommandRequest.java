package io.hasp.queue;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/** Body of {@code POST /v1/queues/{id}/commands}; the id is generated when absent. */
public record NewCommandRequest(String id, String command, JsonNode payload) {

    public NewCommandRequest {
        if (id != null) {
            SafeNames.require("command id", id);
        }
        Checks.requireText("command", command, Command.MAX_COMMAND);
    }
}
