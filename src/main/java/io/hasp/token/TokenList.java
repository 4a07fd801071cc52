package io.hasp.token;

import java.util.List;

/** Body of {@code GET /v1/tokens}. */
public record TokenList(List<TokenInfo> tokens) {
}
