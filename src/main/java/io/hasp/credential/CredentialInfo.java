package io.hasp.credential;

import java.time.Instant;

/** A credential as listed: never its value. */
public record CredentialInfo(String name, String description, Instant updatedAt) {
}
