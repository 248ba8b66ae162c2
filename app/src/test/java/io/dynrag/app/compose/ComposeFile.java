package io.dynrag.app.compose;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compose file as Compose reads it: YAML with anchors and merge keys, and {@code ${NAME}},
 * {@code ${NAME:-default}}, {@code ${NAME-default}} and {@code ${NAME:?message}} replaced from the
 * operator's environment, so a test sees each service's environment as the container would.
 */
record ComposeFile(Map<String, Map<String, Object>> services) {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    @SuppressWarnings("unchecked")
    static ComposeFile parse(String yaml, Function<String, String> operatorEnvironment) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Map<String, Object> root = new Yaml(options).load(interpolate(yaml, operatorEnvironment));
        return new ComposeFile((Map<String, Map<String, Object>>) root.get("services"));
    }

    /** Replaces variables; a required one ({@code :?}) that is unset fails as {@code docker compose} does. */
    static String interpolate(String text, Function<String, String> environment) {
        Matcher matcher = VARIABLE.matcher(text.replace("$$", "\u0000"));
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = environment.apply(matcher.group(1));
            String operator = matcher.group(2);
            boolean unset = value == null || (operator != null && operator.startsWith(":") && value.isEmpty());
            if (unset && operator != null && operator.endsWith("?")) {
                throw new IllegalArgumentException("required variable " + matcher.group(1) + " is missing a value: "
                        + matcher.group(3));
            }
            String replacement = unset ? (operator == null ? "" : matcher.group(3)) : value;
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString().replace("\u0000", "$");
    }

    Map<String, Object> service(String name) {
        Map<String, Object> service = services.get(name);
        if (service == null) {
            throw new IllegalArgumentException("no service " + name + " in the compose file");
        }
        return service;
    }

    /** The service's environment, in either of the forms Compose accepts (a map or NAME=value items). */
    Map<String, String> environment(String name) {
        Object environment = service(name).get("environment");
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> map) {
            map.forEach((key, value) -> variables.put(key.toString(), value == null ? "" : value.toString()));
        } else if (environment instanceof List<?> items) {
            for (Object item : items) {
                String[] pair = item.toString().split("=", 2);
                variables.put(pair[0], pair.length == 2 ? pair[1] : "");
            }
        }
        return variables;
    }

    /** The command's words. */
    @SuppressWarnings("unchecked")
    List<String> command(String name) {
        Object command = service(name).get("command");
        return command instanceof List<?> words ? (List<String>) words : List.of(command.toString().split("\\s+"));
    }
}
