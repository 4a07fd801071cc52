package io.hasp.token;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;

/** Body of {@code POST /v1/tokens}; {@code expiresAt}, when given, must be in the future. */
public record CreateTokenRequest(@NotBlank @Size(max = MAX_NAME) @PlainText String name,
                                 @NotEmpty List<@NotNull Scope> scopes,
                                 Instant expiresAt) {

    /** Longest token name. */
    public static final int MAX_NAME = 200;

    /** The scopes, each once, in their natural order (a null one is left for validation to refuse). */
    public CreateTokenRequest {
        if (scopes != null && scopes.stream().noneMatch(Objects::isNull)) {
            scopes = scopes.stream().distinct().sorted().toList();
        }
    }
}
