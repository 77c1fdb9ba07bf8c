package io.tributary.gateway.subscription;

import io.tributary.protocol.metadata.SubscriptionInfo;
import io.tributary.protocol.naming.Names;
import io.tributary.protocol.problem.TributaryException;

/**
 * Who a consumer is, as far as its position goes, and so which cursor holds that position.
 * <ul>
 *   <li>{@code group}: members are anonymous and share the subscription's cursor (one per
 *       partition); a {@code consumer} name is refused rather than ignored.</li>
 *   <li>{@code broadcast} (RocketMQ's broadcasting): every consumer receives everything and
 *       keeps its own position, so it must name itself ({@code ?consumer=}, the rules of any
 *       name). Its cursor is {@code <sub>~<createdAt>~<consumer>}: {@code ~} cannot occur in a
 *       name, so it never meets a subscription's own cursor, and the creation time makes a
 *       re-created subscription start its consumers afresh.</li>
 * </ul>
 */
public record ConsumerIdentity(SubscriptionInfo subscription, String consumer) {
    public static final String BROADCAST = "broadcast";

    /** Checks {@code consumer} against the subscription's type. */
    public static ConsumerIdentity of(SubscriptionInfo s, String consumer) {
        if (BROADCAST.equals(s.type())) {
            if (consumer == null) {
                throw TributaryException.invalidArgument("subscription '" + s.name() + "' is a broadcast subscription: every "
                        + "consumer keeps its own position, so name yours with ?consumer=<name>");
            }
            Names.require("consumer", consumer);
        } else if (consumer != null) {
            throw TributaryException.invalidArgument("consumer names a broadcast consumer; the members of " + s.type()
                    + " subscription '" + s.name() + "' share its position and are not named");
        }
        return new ConsumerIdentity(s, consumer);
    }

    public boolean broadcast() {
        return consumer != null;
    }

    /** The storage cursor that holds this consumer's position. */
    public String cursor() {
        return broadcast() ? prefix(subscription) + consumer : subscription.name();
    }

    /** What every broadcast consumer's cursor of {@code s} starts with. */
    public static String prefix(SubscriptionInfo s) {
        return s.name() + "~" + s.createdAt() + "~";
    }
}
