package io.hasp.credential;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.hasp.ValidationException;

/** Body of {@code POST /v1/credentials/import}; {@code mode} defaults to merge. Every entry is checked first. */
public record ImportRequest(List<CredentialEntry> credentials, ImportMode mode) {

    static final int MAX_ENTRIES = 10_000;

    public ImportRequest {
        if (credentials == null) {
            throw new ValidationException("credentials is required");
        }
        if (credentials.size() > MAX_ENTRIES) {
            throw new ValidationException("at most " + MAX_ENTRIES + " credentials per import");
        }
        Set<String> names = new HashSet<>();
        for (CredentialEntry entry : credentials) {
            if (entry == null) {
                throw new ValidationException("credentials must not contain null");
            }
            if (!names.add(entry.name())) {
                throw new ValidationException("credential names must be unique within an import");
            }
        }
        credentials = List.copyOf(credentials);
        mode = mode == null ? ImportMode.MERGE : mode;
    }

    @Override
    public String toString() {
        return "ImportRequest[" + credentials.size() + " credentials, mode=" + mode + "]";
    }
}
