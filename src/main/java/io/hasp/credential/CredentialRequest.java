package io.hasp.credential;

import io.hasp.storage.Checks;

/** Body of {@code PUT /v1/credentials/{name}}. {@link #toString()} never shows the value. */
public record CredentialRequest(String value, String description) {

    public CredentialRequest {
        StoredCredential.checkValue(value);
        Checks.optionalText("description", description, StoredCredential.MAX_DESCRIPTION);
    }

    @Override
    public String toString() {
        return "CredentialRequest[value=***]";
    }
}
