package io.hasp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** {@link IfMatch#parse}: a strong version tag demands that version; anything else but {@code *} matches nothing. */
class IfMatchTest {

    private static void mismatch(String header) {
        ProblemException e = assertThrows(ProblemException.class, () -> IfMatch.parse(header), header);
        assertEquals(412, e.status(), header);
        assertEquals("version-mismatch", e.reason(), header);
    }

    @Test
    void aStrongVersionTagDemandsThatVersion() {
        assertEquals(OptionalLong.of(3), IfMatch.parse("\"3\""));
        assertEquals(OptionalLong.of(3), IfMatch.parse(" \"3\" "));
        assertEquals(OptionalLong.of(0), IfMatch.parse("\"0\""));
        assertEquals("\"3\"", IfMatch.etag(3).toString());
    }

    @Test
    void noHeaderOrAStarDemandsNothing() {
        assertEquals(OptionalLong.empty(), IfMatch.parse(null));
        assertEquals(OptionalLong.empty(), IfMatch.parse(" "));
        assertEquals(OptionalLong.empty(), IfMatch.parse("*"));
    }

    @Test
    void weakOrNonVersionTagsMatchNothing() {
        mismatch("W/\"3\"");
        mismatch("\"abc\"");
        mismatch("\"-1\"");
        mismatch("\"\"");
    }
}
