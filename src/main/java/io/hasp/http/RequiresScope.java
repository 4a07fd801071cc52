package io.hasp.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.hasp.token.Scope;

/**
 * The scope a resource method (or every method of a resource class) needs. Without it, {@link BearerAuthFilter}
 * asks {@code read} for GET and HEAD and {@code write} for everything else.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresScope {
    Scope value();
}
