package io.tributary.protocol.publish;

import io.tributary.protocol.problem.ProblemType;
import io.tributary.protocol.problem.TributaryException;
import java.util.regex.Pattern;

/**
 * Which topics an exchange publish may reach, as the gateway tells routing: the caller's
 * {@code write} pattern in the vhost, in the header {@value #HEADER} of the internal call.
 * Only routing knows where a message goes, so only routing can check every destination;
 * it refuses the whole request (403, nothing stored) when any message would reach a topic
 * outside the pattern. No header: an internal caller, every topic.
 */
public record WritableTopics(Pattern pattern) {
    public static final String HEADER = "X-Tributary-Writable-Topics";

    public static WritableTopics fromHeader(String header) {
        return new WritableTopics(header == null ? null : Pattern.compile(header));
    }

    public void require(String vhost, String exchange, String topic) {
        if (pattern != null && (pattern.pattern().isEmpty() || !pattern.matcher(topic).matches())) {
            throw new TributaryException(ProblemType.FORBIDDEN, "exchange '" + exchange + "' routes a message to topic '" + topic
                    + "', and the caller has no write permission on it in vhost '" + vhost + "': nothing was stored");
        }
    }
}
