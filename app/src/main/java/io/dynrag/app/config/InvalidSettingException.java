package io.dynrag.app.config;

/** A setting is missing or malformed; the message names the variable and what it must be. */
public class InvalidSettingException extends RuntimeException {

    public InvalidSettingException(String message) {
        super(message);
    }
}
