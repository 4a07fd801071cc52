package io.hasp.credential;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;

/** Body of {@code PUT /v1/credentials/{name}}. {@link #toString()} never shows the value. */
public record CredentialRequest(@NotNull @Size(max = StoredCredential.MAX_VALUE) String value,
                                @Size(max = StoredCredential.MAX_DESCRIPTION) @PlainText String description) {

    @Override
    public String toString() {
        return "CredentialRequest[value=***]";
    }
}
