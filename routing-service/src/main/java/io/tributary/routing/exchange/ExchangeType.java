package io.tributary.routing.exchange;

import io.tributary.protocol.admin.BindingInfo;
import io.tributary.protocol.problem.TributaryException;
import io.tributary.routing.binding.BindingMatcher;
import io.tributary.routing.binding.DirectMatcher;
import io.tributary.routing.binding.FanoutMatcher;
import io.tributary.routing.binding.HeadersMatcher;
import io.tributary.routing.binding.TopicTrie;
import java.util.Collection;
import java.util.Locale;
import java.util.function.Function;

/** The four exchange types, each with the matcher that routes for it. */
public enum ExchangeType {
    DIRECT(DirectMatcher::new),
    FANOUT(FanoutMatcher::new),
    TOPIC(TopicTrie::new),
    HEADERS(HeadersMatcher::new);

    private final Function<Collection<BindingInfo>, BindingMatcher> matcher;

    ExchangeType(Function<Collection<BindingInfo>, BindingMatcher> matcher) {
        this.matcher = matcher;
    }

    public BindingMatcher matcher(Collection<BindingInfo> bindings) {
        return matcher.apply(bindings);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExchangeType parse(String type) {
        if (type == null) {
            throw TributaryException.invalidArgument("an exchange needs a type: direct, fanout, topic or headers");
        }
        try {
            return valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw TributaryException.invalidArgument("exchange type '" + type + "' does not exist: use direct, fanout, topic or headers");
        }
    }
}
