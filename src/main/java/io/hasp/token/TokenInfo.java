package io.hasp.token;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A token as listed: no secret, no hash. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenInfo(String id, String name, List<Scope> scopes, Instant createdAt, Instant expiresAt) {
}
