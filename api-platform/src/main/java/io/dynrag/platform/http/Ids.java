package io.dynrag.platform.http;

import java.util.UUID;

/** Our ids are canonical UUIDs; anything else in a path cannot name a resource. */
public final class Ids {

    private Ids() {
    }

    public static boolean isUuid(String value) {
        try {
            return value != null && UUID.fromString(value).toString().equals(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
