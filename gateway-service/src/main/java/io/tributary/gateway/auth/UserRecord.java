package io.tributary.gateway.auth;

import java.util.List;

/** A user as Redis keeps it (hash {@code users}, JSON {@code {"tags":[...]}}). */
public record UserRecord(String name, List<String> tags) {
}
