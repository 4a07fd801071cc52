package io.hasp.http;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import io.hasp.lock.LockOptions;

/**
 * A duration in milliseconds (API.md's {@code ...Ms}) from {@link #min()} to {@link LockOptions#MAX_DURATION}, the
 * longest duration the lock engine takes: more is a mistake, not a wish. {@code null} is valid (the member takes its
 * configured default).
 */
@Documented
@Constraint(validatedBy = Millis.Validator.class)
@Target({FIELD, METHOD, PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface Millis {

    /** The smallest value: 0 where zero means "at once", else 1. */
    long min() default 1;

    String message() default "must be a number of milliseconds in range";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks the range and says it. */
    class Validator implements ConstraintValidator<Millis, Long> {

        private long min;

        @Override
        public void initialize(Millis annotation) {
            min = annotation.min();
        }

        @Override
        public boolean isValid(Long value, ConstraintValidatorContext context) {
            long max = LockOptions.MAX_DURATION.toMillis();
            if (value == null || (value >= min && value <= max)) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("must be between " + min + " and " + max)
                    .addConstraintViolation();
            return false;
        }
    }
}
