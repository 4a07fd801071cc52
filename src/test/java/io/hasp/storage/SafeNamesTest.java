package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "queue-1", "A.b_c-d", "v1.2.3", "x.json"})
    void acceptsNamesOfTheAllowedAlphabet(String name) {
        assertTrue(SafeNames.isSafe(name));
        assertEquals(name, SafeNames.require("id", name));
    }

    @Test
    void acceptsExactly128Characters() {
        assertTrue(SafeNames.isSafe("a".repeat(128)));
        assertFalse(SafeNames.isSafe("a".repeat(129)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "a..b", "../etc", "/etc/passwd", "a/b", "a\\b", "%2F", "a%2Fb", ".hidden",
        "-dash", "_under", "a b", "a\u0000b", "\u0000", "é", "a:b", "a*", "q.json/..", "x\n"})
    void refusesNamesThatCouldEscapeOrAreOutsideTheAlphabet(String name) {
        assertFalse(SafeNames.isSafe(name));
        InvalidNameException e = assertThrows(InvalidNameException.class, () -> SafeNames.require("id", name));
        String reference = assertThrows(InvalidNameException.class, () -> SafeNames.require("id", "/")).getMessage();
        assertEquals(reference, e.getMessage(), "the message does not depend on (echo) the refused name");
    }

    @Test
    void refusesNull() {
        assertFalse(SafeNames.isSafe(null));
        assertThrows(InvalidNameException.class, () -> SafeNames.require("id", null));
    }

    @Test
    void resolveStaysDirectlyInsideTheDirectory() {
        Path dir = Path.of("/data/queues");

        assertEquals(Path.of("/data/queues/q1.json"), SafeNames.resolve(dir, "queue id", "q1", ".json"));
        assertThrows(InvalidNameException.class, () -> SafeNames.resolve(dir, "queue id", "..", ".json"));
        assertThrows(InvalidNameException.class, () -> SafeNames.resolve(dir, "queue id", "a/../../x", ".json"));
    }
}
