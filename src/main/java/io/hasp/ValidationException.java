package io.hasp;

/**
 * A value that breaks one of Hasp's own rules (a request member out of range, a malformed id). Its message is
 * written for clients: short, without secrets, server paths or the offending value's bulk. The exception mapper
 * answers it with {@code 400} and that message; every other {@link IllegalArgumentException} (the JDK's, a
 * library's) is a {@code 500} whose message stays in the log.
 */
public class ValidationException extends IllegalArgumentException {

    public ValidationException(String message) {
        super(message);
    }
}
