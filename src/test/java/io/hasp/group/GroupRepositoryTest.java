package io.hasp.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.LockFileEngine;
import io.hasp.storage.Engines;
import io.hasp.storage.FileStores;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.TestJson;

class GroupRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final LockFileEngine engine = Engines.engine();
    private GroupRepository groups;

    @BeforeEach
    void setUp() {
        groups = new GroupRepository(new FileStores(engine, data), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void updateSessionInsertsOrMergesOneEntryAndLeavesTheOthers() {
        long created = groups.create(new GroupRequest("g", "G", List.of(new Session("a", "queued", null,
                Map.of("host", new TextNode("h1")))))).await().atMost(WAIT).version();

        groups.updateSession("g", new Session("b", "running", null, Map.of()), OptionalLong.empty())
                .await().atMost(WAIT);
        Group g = groups.updateSession("g", new Session("a", "done", null, Map.of("exit", IntNode.valueOf(0))),
                OptionalLong.empty()).await().atMost(WAIT);

        assertEquals(List.of("a", "b"), g.sessions().stream().map(Session::sessionId).toList());
        Session a = g.sessions().get(0);
        assertEquals("done", a.status());
        assertEquals(Map.of("host", new TextNode("h1"), "exit", IntNode.valueOf(0)), a.extra());
        assertEquals("running", g.sessions().get(1).status());
        assertEquals(created + 2, g.version());
        assertThrows(RecordNotFoundException.class, () -> groups.removeSession("g", "zz", OptionalLong.empty())
                .await().atMost(WAIT));
        assertThrows(RecordNotFoundException.class, () -> groups.updateSession("none",
                new Session("a", "x", null, Map.of()), OptionalLong.empty()).await().atMost(WAIT));
    }

    @Test
    void sessionsReportingConcurrentlyLoseNoEntry() {
        List<UnaryOperator<Map<String, String>>> reports = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String session = "s" + i;
            reports.add(state -> {
                Map<String, String> next = new HashMap<>(state);
                next.put(session, "done");
                return next;
            });
        }

        ConcurrencyHelpers.UpdateCheck<Map<String, String>> check = ConcurrencyHelpers.verifyNoLostUpdates(
                Map.of(), reports,
                () -> groups.get("g").map(g -> {
                    Map<String, String> state = new HashMap<>();
                    g.orElseThrow().sessions().forEach(s -> state.put(s.sessionId(), s.status()));
                    return state;
                }),
                initial -> groups.create(new GroupRequest("g", "G", List.of())).replaceWithVoid(),
                report -> {
                    String session = report.apply(Map.of()).keySet().iterator().next();
                    return groups.updateSession("g", new Session(session, "done", null, Map.of()),
                            OptionalLong.empty());
                }).await().atMost(Duration.ofSeconds(60));

        assertTrue(check.success(), () -> "expected " + check.expected().size() + " sessions, got "
                + check.actual().size());
    }

    @Test
    void extraMembersAreWrittenFlatAndReadBack() throws Exception {
        Session s = new Session("a", "ok", null, Map.of("host", new TextNode("h1")));
        String json = TestJson.mapper().writeValueAsString(s);

        assertTrue(json.contains("\"host\":\"h1\"") && !json.contains("extra"), json);
        assertEquals(s, TestJson.mapper().readValue(json, Session.class));
    }
}
