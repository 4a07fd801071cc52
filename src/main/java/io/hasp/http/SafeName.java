package io.hasp.http;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import io.hasp.storage.SafeNames;

/**
 * A name or id of API.md's grammar: {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}, never {@code ..} ({@link SafeNames},
 * the gate every path on disk passes as well). {@code null} is valid: add {@code @NotNull} where the name is
 * required. A violation answers 400 with reason {@code invalid-name}.
 */
@Documented
@Constraint(validatedBy = SafeName.Validator.class)
@Target({FIELD, METHOD, PARAMETER, TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface SafeName {

    String message() default "must match [A-Za-z0-9][A-Za-z0-9._-]{0,127} and not contain '..'";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks with {@link SafeNames#isSafe}. */
    class Validator implements ConstraintValidator<SafeName, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || SafeNames.isSafe(value);
        }
    }
}
