package io.tributary.protocol.publish;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Answer to a publish to an exchange: one result per message, in request order. A message is
 * either routed (to one or more topics, each stored once) or unroutable (nothing matched and
 * no alternate exchange took it; nothing was stored for it).
 */
public record ExchangePublishResponse(List<Result> results) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(List<PublishResult> routed, Boolean unroutable) {
        public static Result routedTo(List<PublishResult> where) {
            return new Result(where, null);
        }

        public static Result nowhere() {
            return new Result(null, true);
        }
    }
}
