package io.hasp.token;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.hasp.ValidationException;

/**
 * What a token may do: {@code read} (GET), {@code write} (mutations), {@code admin} (everything). A request's roles
 * are the scopes its token grants; resources name the one they need with {@code @RolesAllowed} and {@link Role}.
 */
public enum Scope {
    READ,
    WRITE,
    ADMIN;

    /** The wire names of the scopes as constants, for {@code @RolesAllowed}. */
    public static final class Role {
        public static final String READ = "read";
        public static final String WRITE = "write";
        public static final String ADMIN = "admin";

        private Role() {
        }
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Scope fromWire(String value) {
        for (Scope s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new ValidationException("scopes must be among read, write, admin");
    }

    /** Whether holding this scope allows what {@code needed} guards: admin allows everything, else only itself. */
    public boolean grants(Scope needed) {
        return this == ADMIN || this == needed;
    }
}
