package io.hasp.credential;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/** One credential of an import or export, value included. {@link #toString()} never shows the value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CredentialEntry(String name, String value, String description) {

    public CredentialEntry {
        SafeNames.require("credential name", name);
        StoredCredential.checkValue(value);
        Checks.optionalText("description", description, StoredCredential.MAX_DESCRIPTION);
    }

    @Override
    public String toString() {
        return "CredentialEntry[name=" + name + ", value=***]";
    }
}
