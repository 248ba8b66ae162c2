package io.dynrag.domain.document;

/**
 * The document aggregate as the event-sourcing configuration registers it. {@link Document} itself is
 * package-private: no code outside this package can hold a document or call its handlers, so a document changes
 * only through commands, and only Axon builds one, from its events.
 */
public final class DocumentAggregate {

    /** The class to register with Axon ({@code Configurer.configureAggregate}); Axon reaches its handlers reflectively. */
    public static final Class<?> TYPE = Document.class;

    private DocumentAggregate() {
    }
}
