package dev.mlv.audit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class AuditChainTest {

    private static List<AuditEvent> chain(int n) {
        List<AuditEvent> out = new ArrayList<>();
        long seq = 0;
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < n; i++) {
            Map<String, Object> p = new TreeMap<>();
            p.put("to", "Production");
            p.put("from", i);
            AuditEvent e = AuditChain.next(seq, prev, 1000 + i, "u" + i, "model_version.transition_stage", "m", "" + (i + 1), p);
            out.add(e);
            seq = e.seq();
            prev = e.hash();
        }
        return out;
    }

    @Test
    void canonicalJsonSortsKeysWithoutWhitespace() {
        assertThat(AuditChain.canonicalJson("{ \"b\": 1, \"a\": {\"z\": [1, {\"y\":2,\"x\":3}], \"c\": null} }"))
                .isEqualTo("{\"a\":{\"c\":null,\"z\":[1,{\"x\":3,\"y\":2}]},\"b\":1}");
        AuditEvent e = chain(1).get(0);
        assertThat(AuditChain.canonicalForm(e.seq(), e.timestamp(), e.user(), e.action(), e.model(), e.version(), e.payload(),
                e.prevHash())).isEqualTo("{\"action\":\"model_version.transition_stage\",\"model\":\"m\",\"payload\":{\"from\":0,"
                + "\"to\":\"Production\"},\"prev_hash\":\"" + AuditChain.GENESIS + "\",\"seq\":1,\"timestamp\":1000,\"user\":\"u0\","
                + "\"version\":\"1\"}");
        assertThat(e.hash()).isEqualTo(AuditChain.sha256(AuditChain.canonicalForm(1, 1000, "u0",
                "model_version.transition_stage", "m", "1", e.payload(), AuditChain.GENESIS)));
    }

    @Test
    void verifiesAnIntactChainAndNamesTheFirstBrokenEvent() {
        List<AuditEvent> c = chain(5);
        AuditChain.Head head = new AuditChain.Head(5, c.get(4).hash());
        assertThat(AuditChain.verify(c, head).valid()).isTrue();
        assertThat(AuditChain.verify(c, head).eventsChecked()).isEqualTo(5);

        List<AuditEvent> altered = new ArrayList<>(c);
        AuditEvent e = c.get(2);
        altered.set(2, new AuditEvent(e.seq(), e.timestamp(), "mallory", e.action(), e.model(), e.version(), e.payload(),
                e.prevHash(), e.hash()));
        assertThat(AuditChain.verify(altered, head).firstInvalidSeq()).isEqualTo(3);

        List<AuditEvent> removed = new ArrayList<>(c);
        removed.remove(1);
        AuditVerification r = AuditChain.verify(removed, head);
        assertThat(r.valid()).isFalse();
        assertThat(r.firstInvalidSeq()).isEqualTo(2);

        List<AuditEvent> tail = new ArrayList<>(c.subList(0, 4));
        assertThat(AuditChain.verify(tail, head).firstInvalidSeq()).isEqualTo(5);
        assertThat(AuditChain.verify(tail, null).valid()).isTrue();

        // a re-linked event with a recomputed own hash still breaks at the event after it
        AuditEvent f = c.get(1);
        String forged = AuditChain.hash(f.seq(), f.timestamp(), f.user(), f.action(), f.model(), f.version(), "{}", f.prevHash());
        List<AuditEvent> relinked = new ArrayList<>(c);
        relinked.set(1, new AuditEvent(f.seq(), f.timestamp(), f.user(), f.action(), f.model(), f.version(), "{}", f.prevHash(), forged));
        assertThat(AuditChain.verify(relinked, head).firstInvalidSeq()).isEqualTo(3);
    }
}
