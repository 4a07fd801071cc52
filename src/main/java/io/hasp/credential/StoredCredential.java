package io.hasp.credential;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/** One credential as stored in {@code credentials.json} (mode 0600). {@link #toString()} never shows the value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredCredential(String name, String value, String description, Instant updatedAt) {

    static final int MAX_VALUE = 64 * 1024;
    static final int MAX_DESCRIPTION = 1000;

    public StoredCredential {
        SafeNames.require("credential name", name);
        checkValue(value);
        Checks.optionalText("description", description, MAX_DESCRIPTION);
        Checks.require("updatedAt", updatedAt);
    }

    static String checkValue(String value) {
        if (value == null) {
            throw new ValidationException("value is required");
        }
        if (value.length() > MAX_VALUE) {
            throw new ValidationException("value must be at most " + MAX_VALUE + " characters");
        }
        return value;
    }

    CredentialInfo info() {
        return new CredentialInfo(name, description, updatedAt);
    }

    @Override
    public String toString() {
        return "StoredCredential[name=" + name + ", value=***]";
    }
}
