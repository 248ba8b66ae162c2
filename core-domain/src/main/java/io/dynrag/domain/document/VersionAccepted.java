package io.dynrag.domain.document;

/**
 * What an upload command did.
 *
 * @param created false when the bytes equal the latest version, which {@code version} then names
 */
public record VersionAccepted(int version, boolean created) {
}
