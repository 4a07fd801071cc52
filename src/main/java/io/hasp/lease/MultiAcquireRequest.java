package io.hasp.lease;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.hibernate.validator.constraints.UniqueElements;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.hasp.http.SafeName;

/**
 * Body of {@code POST /v1/locks}: several names taken all or none, in sorted order, with one set of options, written
 * beside the names.
 *
 * @param names   distinct lock names, 1 to {@link #MAX_NAMES}
 * @param options the options shared by every name
 */
@Schema(name = "MultiAcquireRequest")
public record MultiAcquireRequest(
        @NotEmpty @Size(max = MAX_NAMES) @UniqueElements @Schema(required = true, examples = "[\"orders\", \"invoices\"]")
        List<@NotNull @SafeName String> names,
        @JsonUnwrapped @Valid AcquireOptions options) {

    /** Most names one request may lock: more would hold a long chain of locks in one call. */
    public static final int MAX_NAMES = 64;

    public MultiAcquireRequest {
        options = options == null ? AcquireOptions.DEFAULTS : options;
    }

    /** The names, in the order given. */
    public List<LockName> lockNames() {
        return names.stream().map(LockName::new).toList();
    }
}
