package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.pipeline.deadline.DocumentDeadline;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Markdown and plain text: the bytes must be UTF-8, and are kept as written apart from line endings. */
final class Utf8TextExtractor {

    private static final Pattern LEVEL_ONE_HEADING = Pattern.compile("(?m)^ {0,3}#[ \\t]+(.*)$");

    ExtractedText extract(byte[] bytes, DocumentFormat format, ExtractionLimits limits) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ExtractionFailedException("the document is not valid UTF-8 text");
        }
        if (text.indexOf('\u0000') >= 0) {
            throw new ExtractionFailedException("the document is not text (it contains NUL characters)");
        }
        text = TextCleanup.normalizeLineEndings(text.startsWith("\uFEFF") ? text.substring(1) : text);
        if (text.length() > limits.maxCharacters()) {
            throw new ExtractionFailedException("the document has " + TextCleanup.count(text.length())
                    + " characters; the limit is " + TextCleanup.count(limits.maxCharacters()));
        }
        if (text.isBlank()) {
            throw new ExtractionFailedException("the document contains no text");
        }
        return new ExtractedText(text, format, format == DocumentFormat.MARKDOWN ? markdownTitle(text) : null, 0,
                List.of());
    }

    /** The text of the first level-1 ATX heading, without an optional closing run of {@code #}. */
    private static String markdownTitle(String text) {
        Matcher heading = LEVEL_ONE_HEADING.matcher(DocumentDeadline.guard(text));
        if (!heading.find()) {
            return null;
        }
        String title = heading.group(1).strip();
        int closing = title.length();
        while (closing > 0 && title.charAt(closing - 1) == '#') {
            closing--;
        }
        if (closing == 0 || Character.isWhitespace(title.charAt(closing - 1))) {
            title = title.substring(0, closing).strip();
        }
        return TextCleanup.title(title);
    }
}
