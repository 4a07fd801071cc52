package io.hasp.credential;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.hasp.ValidationException;

/**
 * Body of {@code POST /v1/credentials/import}; {@code mode} defaults to merge. Every entry is checked when read
 * ({@link CredentialEntry}); names identify entries, so an import that names one twice cannot be one.
 */
public record ImportRequest(@NotNull @Size(max = MAX_ENTRIES) List<@NotNull CredentialEntry> credentials,
                            ImportMode mode) {

    static final int MAX_ENTRIES = 10_000;

    public ImportRequest {
        if (credentials != null) {
            Set<String> names = new HashSet<>();
            for (CredentialEntry entry : credentials) {
                if (entry != null && !names.add(entry.name())) {
                    throw new ValidationException("credential names must be unique within an import");
                }
            }
            credentials = credentials.stream().anyMatch(Objects::isNull) ? credentials : List.copyOf(credentials);
        }
        mode = mode == null ? ImportMode.MERGE : mode;
    }

    @Override
    public String toString() {
        return "ImportRequest[" + (credentials == null ? 0 : credentials.size()) + " credentials, mode=" + mode + "]";
    }
}
