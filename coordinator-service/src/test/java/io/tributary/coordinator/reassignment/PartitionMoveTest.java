package io.tributary.coordinator.reassignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.metadata.PartitionInfo;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionMoveTest {
    private static final PartitionInfo ON_123 = new PartitionInfo(0, "n1", List.of("n1", "n2", "n3"), List.of("n1", "n2", "n3"), 5);
    private static final Set<String> ALL = Set.of("n1", "n2", "n3", "n4");

    @Test
    void aMoveAddsTheNewReplicaAsAFollowerAndKeepsLeaderAndEpoch() {
        PartitionInfo moving = PartitionMove.start(ON_123, List.of("n4", "n2", "n3"), 1000);

        assertThat(moving.replicas()).containsExactly("n4", "n2", "n3", "n1");
        assertThat(moving.adding()).containsExactly("n4");
        assertThat(moving.removing()).containsExactly("n1");
        assertThat(moving.leader()).isEqualTo("n1");
        assertThat(moving.leaderEpoch()).isEqualTo(5);
        assertThat(moving.copyBytesPerSecond()).isEqualTo(1000);
        assertThat(moving.originalReplicas()).containsExactly("n2", "n3", "n1");
        assertThat(moving.targetReplicas()).containsExactly("n4", "n2", "n3");
    }

    @Test
    void itCompletesOnlyOnceTheNewReplicaIsInSyncAndThenThePreferredLeaderLeads() {
        PartitionInfo moving = PartitionMove.start(ON_123, List.of("n4", "n2", "n3"), 0);
        assertThat(PartitionMove.complete(moving, ALL)).isNull();

        PartitionInfo caughtUp = moving.withIsr(List.of("n4", "n2", "n3", "n1"));
        PartitionMove.Outcome done = PartitionMove.complete(caughtUp, ALL);
        PartitionInfo after = done.applyTo(caughtUp, 6);

        assertThat(after.replicas()).containsExactly("n4", "n2", "n3");
        assertThat(after.isr()).containsExactly("n4", "n2", "n3");
        assertThat(after.leader()).isEqualTo("n4");
        assertThat(after.leaderEpoch()).isEqualTo(6);
        assertThat(after.isMoving()).isFalse();
        assertThat(after.copyBytesPerSecond()).isZero();
    }

    @Test
    void aLeaderThatStaysKeepsItsEpochWhenThePreferredOneIsNotInSync() {
        PartitionInfo moving = PartitionMove.start(ON_123, List.of("n3", "n1", "n4"), 0)
                .withIsr(List.of("n1", "n4")); // n3 fell out of sync meanwhile
        PartitionInfo after = PartitionMove.complete(moving, ALL).applyTo(moving, 99);

        assertThat(after.leader()).isEqualTo("n1");
        assertThat(after.leaderEpoch()).isEqualTo(5);
        assertThat(after.isr()).containsExactly("n1", "n4");
    }

    @Test
    void noEndingTakesThePartitionOffline() {
        PartitionInfo moving = PartitionMove.start(ON_123, List.of("n4", "n2", "n3"), 0).withIsr(List.of("n1", "n4"));
        // n4 in sync but dead, n2 and n3 out of sync: no target replica can lead.
        assertThat(PartitionMove.complete(moving, Set.of("n1", "n2", "n3"))).isNull();
    }

    @Test
    void aRollBackRestoresTheOriginalReplicasAndMovesLeadershipOffANewReplica() {
        PartitionInfo moving = PartitionMove.start(ON_123, List.of("n4", "n2", "n3"), 0)
                .withLeader("n4", List.of("n4", "n2"), 6); // the old leader died; the new replica was elected

        PartitionMove.Outcome back = PartitionMove.rollBack(moving, ON_123.replicas(), Set.of("n2", "n3"));
        PartitionInfo after = back.applyTo(moving, 7);

        assertThat(after.replicas()).as("the original order").containsExactly("n1", "n2", "n3");
        assertThat(after.leader()).isEqualTo("n2");
        assertThat(after.leaderEpoch()).isEqualTo(7);
        assertThat(after.isr()).containsExactly("n2");
        assertThat(after.isMoving()).isFalse();
    }

    @Test
    void aRollBackWithoutItsRecordStillRestoresTheOriginalSet() {
        PartitionInfo moving = PartitionMove.start(ON_123, List.of("n4", "n2", "n3"), 0);
        PartitionInfo after = PartitionMove.rollBack(moving, List.of("n7"), ALL).applyTo(moving, 6);
        assertThat(after.replicas()).containsExactlyInAnyOrder("n1", "n2", "n3");
        assertThat(after.leader()).isEqualTo("n1");
        assertThat(after.leaderEpoch()).isEqualTo(5);
    }

    @Test
    void aReorderIsNoMove() {
        PartitionInfo reordered = PartitionMove.start(ON_123, List.of("n2", "n1", "n3"), 500);
        assertThat(reordered.isMoving()).isFalse();
        assertThat(reordered.copyBytesPerSecond()).isZero();
        PartitionInfo after = PartitionMove.complete(reordered, ALL).applyTo(reordered, 6);
        assertThat(after.leader()).isEqualTo("n2");
        assertThat(after.replicas()).containsExactly("n2", "n1", "n3");
    }
}
