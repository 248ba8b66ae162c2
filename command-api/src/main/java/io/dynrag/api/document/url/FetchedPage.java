package io.dynrag.api.document.url;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fetched page in a temporary file, which {@link #close()} deletes.
 *
 * @param name      the URL's last path segment, or its host
 * @param mediaType what the server declared, without parameters
 */
public record FetchedPage(String name, String mediaType, Path file, long bytes) implements AutoCloseable {

    /** The page from its first byte; may be called again until the page is closed. */
    public InputStream open() {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fetched page", e);
        }
    }

    @Override
    public void close() {
        PageFetcher.deleteQuietly(file);
    }
}
