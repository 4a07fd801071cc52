package io.hasp.token;

import java.util.List;

import io.hasp.storage.Checks;
import io.hasp.storage.Versioned;

/** The content of {@code <data-dir>/tokens.json}. */
public record TokenStore(long version, List<StoredToken> tokens) implements Versioned<TokenStore> {

    public TokenStore {
        Checks.version(version);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    static TokenStore empty() {
        return new TokenStore(0, List.of());
    }

    @Override
    public TokenStore withVersion(long newVersion) {
        return new TokenStore(newVersion, tokens);
    }
}
