package io.hasp.token;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;

/** Body of {@code POST /v1/tokens}. */
public record CreateTokenRequest(String name, List<Scope> scopes, Instant expiresAt) {

    /** Longest token name. */
    public static final int MAX_NAME = 200;

    public CreateTokenRequest {
        Checks.requireText("name", name, MAX_NAME);
        if (scopes == null || scopes.isEmpty()) {
            throw new ValidationException("scopes must name at least one of read, write, admin");
        }
        if (scopes.stream().anyMatch(Objects::isNull)) {
            throw new ValidationException("scopes must be among read, write, admin");
        }
        scopes = List.copyOf(scopes.stream().distinct().sorted().toList());
    }
}
