package io.hasp.credential;

import java.util.List;

/** Body of {@code GET /v1/credentials/export} (admin), values included. */
public record CredentialExport(List<CredentialEntry> credentials) {

    @Override
    public String toString() {
        return "CredentialExport[" + credentials.size() + " credentials]";
    }
}
