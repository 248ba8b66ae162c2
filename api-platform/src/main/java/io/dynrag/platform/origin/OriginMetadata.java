package io.dynrag.platform.origin;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Puts the thread's {@link Origin} into the metadata of every command sent; Axon's correlation data
 * then copies it onto every event the command causes. A command sent without an origin is a wiring
 * mistake: it is still recorded, as {@value #UNKNOWN_ACTOR}, and logged, rather than refused.
 */
public final class OriginMetadata implements MessageDispatchInterceptor<CommandMessage<?>> {

    public static final String ACTOR = "actor";
    public static final String CORRELATION_ID = "correlationId";
    /** The metadata keys that travel from a command to its events. */
    public static final String[] KEYS = {ACTOR, CORRELATION_ID};
    static final String UNKNOWN_ACTOR = "system:unknown";

    private static final Logger log = LoggerFactory.getLogger(OriginMetadata.class);

    @Override
    public BiFunction<Integer, CommandMessage<?>, CommandMessage<?>> handle(
            List<? extends CommandMessage<?>> messages) {
        return (index, command) -> {
            if (command.getMetaData().containsKey(ACTOR)) {
                return command;
            }
            Origin origin = CurrentOrigin.get().orElseGet(() -> {
                log.warn("Command {} sent without an origin; recording it as {}", command.getCommandName(),
                        UNKNOWN_ACTOR);
                return new Origin(UNKNOWN_ACTOR, Origin.newCorrelationId());
            });
            return command.andMetaData(MetaData.from(Map.of(ACTOR, origin.actor(),
                    CORRELATION_ID, origin.correlationId())));
        };
    }
}
