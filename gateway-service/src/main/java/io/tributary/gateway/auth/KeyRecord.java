package io.tributary.gateway.auth;

/**
 * An API key as Redis keeps it (hash {@code api-keys}, field = key id, JSON
 * {@code {"user","sha256","created"}}): the owner and the hex SHA-256 of the secret.
 */
public record KeyRecord(String id, String user, String sha256, long created) {
}
