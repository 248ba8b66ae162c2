package io.dynrag.api.document;

import io.dynrag.platform.persistence.Statements;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deletes uploaded objects that no event refers to. An upload stores its bytes before it sends the
 * command, so an instance that dies in between (or a command the database never committed) leaves an
 * object behind that no document version names. Only objects older than any upload can take are
 * considered, so a request still on its way to the event store never loses its object.
 */
public final class OrphanObjectSweeper {

    private static final Logger log = LoggerFactory.getLogger(OrphanObjectSweeper.class);
    /** The objects the document's upload events name; the aggregate id keeps the query on the index. */
    private static final String RECORDED_KEYS = """
            SELECT DISTINCT convert_from(payload, 'UTF8')::jsonb ->> 's3Key' FROM domain_event_entry
             WHERE aggregate_identifier = ? AND payload_type LIKE '%.DocumentVersionUploaded'""";

    private final DocumentObjects objects;
    private final Statements statements;
    private final Clock clock;

    public OrphanObjectSweeper(DocumentObjects objects, ConnectionProvider connections, Clock clock) {
        this.objects = objects;
        this.statements = new Statements(connections, "event store");
        this.clock = clock;
    }

    /**
     * @param prefix where to look, {@code tenants/} for every customer
     * @param minAge objects stored more recently are left alone
     * @return the keys deleted
     */
    public List<String> sweep(String prefix, Duration minAge) {
        Instant storedBefore = clock.instant().minus(minAge);
        List<String> deleted = new ArrayList<>();
        // Listings are sorted by key, so a document's objects come together and its events are read once.
        String documentId = null;
        Set<String> recorded = Set.of();
        Iterable<DocumentObjects.StoredObject> listed = objects.list(prefix)::iterator;
        for (DocumentObjects.StoredObject object : listed) {
            Optional<String> owner = DocumentObjects.documentIdOf(object.key());
            if (owner.isEmpty() || !object.lastModified().isBefore(storedBefore)) {
                continue;
            }
            if (!owner.get().equals(documentId)) {
                documentId = owner.get();
                recorded = recordedKeys(documentId);
            }
            if (!recorded.contains(object.key())) {
                objects.delete(object.key());
                deleted.add(object.key());
                log.info("Deleted the orphaned object {} ({} bytes, stored {}): no uploaded version names it",
                        object.key(), object.bytes(), object.lastModified());
            }
        }
        return deleted;
    }

    private Set<String> recordedKeys(String documentId) {
        Set<String> keys = new HashSet<>(statements.query(row -> row.getString(1), RECORDED_KEYS, documentId));
        keys.remove(null);
        return keys;
    }
}
