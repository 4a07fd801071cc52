package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.hasp.storage.SafeNames;

class InternalFilesTest {

    private static final Path DIR = Path.of("/data/queues");
    private static final List<String> LOOK_ALIKES = List.of("a.tmp.b", "a.lock.stale.b", "x.json.tmp.1", "a.fence",
            "b.lock", "c.json", "x.json.tmp.0123456789abcdef", "x.json.lock.stale.0123456789abcdef");

    @Test
    void tempNamesStartWithADotAndLeadBackToTheirTarget() {
        Path target = DIR.resolve("a.tmp.b.json");
        Path temp = InternalFiles.tempFor(target);

        assertTrue(temp.getFileName().toString().matches("\\.a\\.tmp\\.b\\.json\\.tmp\\.[0-9a-f]{16}"),
                temp::toString);
        assertEquals(DIR, temp.getParent());
        assertTrue(InternalFiles.isTemp(temp));
        assertTrue(InternalFiles.isInternal(temp));
        assertEquals(Optional.of(target), InternalFiles.tempTarget(temp));
        assertNotEquals(temp, InternalFiles.tempFor(target), "every temp name is new");
    }

    @Test
    void asideAndFenceNamesStartWithADot() {
        Path aside = InternalFiles.asideFor(DIR.resolve("q.json.lock"));
        assertTrue(aside.getFileName().toString().matches("\\.q\\.json\\.lock\\.stale\\.[0-9a-f]{16}"),
                aside::toString);
        assertTrue(InternalFiles.isAside(aside));
        assertFalse(InternalFiles.isTemp(aside));
        assertEquals(DIR.resolve(".q.json.fence"), InternalFiles.fenceFor(DIR.resolve("q.json")));
        assertFalse(InternalFiles.isTemp(InternalFiles.fenceFor(DIR.resolve("q.json"))));
        assertFalse(InternalFiles.isAside(InternalFiles.fenceFor(DIR.resolve("q.json.lock"))));
    }

    @Test
    void noRecordOrLockFileOfAValidNameIsEverAnInternalFile() {
        Random random = new Random(8);
        String alphabet = "abcXYZ019._-";
        List<String> names = new ArrayList<>(LOOK_ALIKES);
        while (names.size() < 5000) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int i = 0; i < length; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (SafeNames.isSafe(name.toString())) {
                names.add(name.toString());
            }
        }
        for (String name : names) {
            assertTrue(SafeNames.isSafe(name), name);
            for (String file : List.of(name + ".json", name + ".lock", name + ".json.lock", name)) {
                Path p = DIR.resolve(file);
                assertFalse(InternalFiles.isInternal(p) || InternalFiles.isTemp(p) || InternalFiles.isAside(p),
                        file + " would be taken for an internal file");
            }
        }
    }
}
