package io.dynrag.pipeline.embedding.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The JSON of OpenAI's embeddings endpoint. Answers are read as a stream straight into float arrays:
 * a full batch can carry millions of numbers, far too many for a JSON tree.
 */
final class EmbeddingsWire {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private EmbeddingsWire() {
    }

    /** {@code {"model", "input": [...], "encoding_format": "float", "dimensions"?}}. */
    static byte[] request(String model, List<String> inputs, Integer dimensions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + inputs.size() * 64);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("model", model);
            json.writeArrayFieldStart("input");
            for (String input : inputs) {
                json.writeString(input);
            }
            json.writeEndArray();
            json.writeStringField("encoding_format", "float");
            if (dimensions != null) {
                json.writeNumberField("dimensions", dimensions);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an embeddings request", e);
        }
        return out.toByteArray();
    }

    /** A successful answer: one vector per input, already put in input order by {@code index}. */
    record Answer(float[][] vectors, Long promptTokens, Long totalTokens) {
    }

    /** The answer does not have the shape of an embeddings response. */
    static final class MalformedAnswer extends Exception {

        MalformedAnswer(String reason) {
            super(reason);
        }
    }

    /** The provider's own description of an error: {@code {"error": {"message", "type", "code"}}}. */
    record ProviderError(String message, String code) {

        static final ProviderError NONE = new ProviderError(null, null);
    }

    static Answer parseAnswer(byte[] body, int expectedVectors) throws MalformedAnswer {
        float[][] vectors = new float[expectedVectors][];
        Long promptTokens = null;
        Long totalTokens = null;
        boolean sawData = false;
        try (JsonParser json = JSON.createParser(body)) {
            expect(json.nextToken(), JsonToken.START_OBJECT, "the answer is not a JSON object");
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "data" -> {
                        expect(value, JsonToken.START_ARRAY, "'data' is not an array");
                        readData(json, vectors);
                        sawData = true;
                    }
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            while (json.nextToken() == JsonToken.FIELD_NAME) {
                                String name = json.currentName();
                                JsonToken number = json.nextToken();
                                if (name.equals("prompt_tokens") && number == JsonToken.VALUE_NUMBER_INT) {
                                    promptTokens = json.getLongValue();
                                } else if (name.equals("total_tokens") && number == JsonToken.VALUE_NUMBER_INT) {
                                    totalTokens = json.getLongValue();
                                } else {
                                    json.skipChildren();
                                }
                            }
                        } else {
                            json.skipChildren();
                        }
                    }
                    default -> json.skipChildren();
                }
            }
            if (json.currentToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
                throw new MalformedAnswer("the answer has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // Jackson's own message may quote the answer; only the position is reported.
            throw new MalformedAnswer("the answer is not valid JSON"
                    + (at == null ? "" : " (at byte " + at.getByteOffset() + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read an answer held in memory", e);
        }
        if (!sawData) {
            throw new MalformedAnswer("the answer has no 'data'");
        }
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] == null) {
                throw new MalformedAnswer("the answer has no vector for input " + i + " of " + vectors.length);
            }
        }
        return new Answer(vectors, promptTokens, totalTokens);
    }

    private static void readData(JsonParser json, float[][] vectors) throws IOException, MalformedAnswer {
        while (json.nextToken() != JsonToken.END_ARRAY) {
            expect(json.currentToken(), JsonToken.START_OBJECT, "an entry of 'data' is not an object");
            Integer index = null;
            float[] vector = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("index")) {
                    expect(value, JsonToken.VALUE_NUMBER_INT, "an 'index' is not an integer");
                    index = json.getIntValue();
                } else if (field.equals("embedding")) {
                    expect(value, JsonToken.START_ARRAY, "an 'embedding' is not an array of numbers");
                    vector = readVector(json);
                } else {
                    json.skipChildren();
                }
            }
            if (index == null || vector == null) {
                throw new MalformedAnswer("an entry of 'data' lacks its 'index' or 'embedding'");
            }
            if (index < 0 || index >= vectors.length) {
                throw new MalformedAnswer("the answer has a vector for input " + index + ", but "
                        + vectors.length + " inputs were sent");
            }
            if (vectors[index] != null) {
                throw new MalformedAnswer("the answer has two vectors for input " + index);
            }
            vectors[index] = vector;
        }
    }

    private static float[] readVector(JsonParser json) throws IOException, MalformedAnswer {
        float[] vector = new float[1536];
        int size = 0;
        JsonToken token;
        while ((token = json.nextToken()) != JsonToken.END_ARRAY) {
            if (token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_NUMBER_INT) {
                throw new MalformedAnswer("an 'embedding' holds something other than numbers");
            }
            if (size == vector.length) {
                vector = Arrays.copyOf(vector, size * 2);
            }
            vector[size++] = json.getFloatValue();
        }
        return size == vector.length ? vector : Arrays.copyOf(vector, size);
    }

    /**
     * Reads {@code {"error": {"message", "type", "code"}}}, also the {@code {"error": "message"}} some
     * compatible servers send. Anything else yields {@link ProviderError#NONE}: an unknown body is
     * not shown, since it could be any page a proxy produced.
     */
    static ProviderError parseError(byte[] body) {
        if (body.length == 0) {
            return ProviderError.NONE;
        }
        try (JsonParser json = JSON.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return ProviderError.NONE;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (!field.equals("error")) {
                    json.skipChildren();
                } else if (value == JsonToken.VALUE_STRING) {
                    return new ProviderError(json.getText(), null);
                } else if (value == JsonToken.START_OBJECT) {
                    return readErrorObject(json);
                } else {
                    json.skipChildren();
                }
            }
            return ProviderError.NONE;
        } catch (IOException e) {
            return ProviderError.NONE;
        }
    }

    private static ProviderError readErrorObject(JsonParser json) throws IOException {
        String message = null;
        String type = null;
        String code = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            String text = value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT
                    ? json.getText() : null;
            switch (field) {
                case "message" -> message = text;
                case "type" -> type = text;
                case "code" -> code = text;
                default -> { }
            }
            json.skipChildren();
        }
        return new ProviderError(message, code != null ? code : type);
    }

    private static void expect(JsonToken actual, JsonToken expected, String otherwise) throws MalformedAnswer {
        if (actual != expected) {
            throw new MalformedAnswer(otherwise);
        }
    }
}
