package io.hasp.credential;

import java.util.List;

import io.hasp.storage.Checks;
import io.hasp.storage.Versioned;

/** The content of {@code <data-dir>/credentials.json}. {@link #toString()} never shows values. */
public record CredentialStore(long version, List<StoredCredential> credentials) implements Versioned<CredentialStore> {

    public CredentialStore {
        Checks.version(version);
        credentials = credentials == null ? List.of() : List.copyOf(credentials);
    }

    static CredentialStore empty() {
        return new CredentialStore(0, List.of());
    }

    @Override
    public CredentialStore withVersion(long newVersion) {
        return new CredentialStore(newVersion, credentials);
    }
}
