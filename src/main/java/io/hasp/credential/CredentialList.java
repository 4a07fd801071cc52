package io.hasp.credential;

import java.util.List;

/** Body of {@code GET /v1/credentials}: names and descriptions only. */
public record CredentialList(List<CredentialInfo> credentials) {
}
