package io.hasp.queue;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;

/** Body of {@code POST /v1/queues/{id}/commands}; the id is generated when absent. */
public record NewCommandRequest(@SafeName String id,
                                @NotBlank @Size(max = Command.MAX_COMMAND) @PlainText String command,
                                JsonNode payload) {
}
