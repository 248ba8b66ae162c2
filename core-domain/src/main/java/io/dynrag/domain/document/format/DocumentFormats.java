package io.dynrag.domain.document.format;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells which {@link DocumentFormat} a file is from its first bytes.
 *
 * <p>The content decides: a file named {@code report.pdf} that holds HTML is HTML, and one that
 * holds a ZIP archive is nothing we index. The name only settles what the bytes leave open:
 * whether UTF-8 text is Markdown or plain text, and whether a piece of markup without a
 * document declaration is an HTML file.
 */
public final class DocumentFormats {

    /** How many leading bytes {@link #detect} needs to decide; pass fewer only if the file is shorter. */
    public static final int HEAD_BYTES = 64 * 1024;

    private static final byte[] PDF_MAGIC = "%PDF-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static final Set<String> HTML_EXTENSIONS = Set.of("htm", "html", "xhtml");
    private static final Set<String> MARKDOWN_EXTENSIONS = Set.of("md", "markdown");
    private static final Set<String> HTML_TAGS = Set.of(
            "a", "abbr", "article", "aside", "audio", "b", "blockquote", "body", "br", "button", "canvas",
            "code", "dd", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
            "h4", "h5", "h6", "head", "header", "hr", "html", "i", "iframe", "img", "input", "label", "li",
            "link", "main", "meta", "nav", "noscript", "ol", "option", "p", "pre", "script", "section",
            "select", "small", "source", "span", "strong", "style", "sub", "sup", "table", "tbody", "td",
            "template", "textarea", "th", "thead", "time", "title", "tr", "ul", "video");

    private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z][a-zA-Z0-9]*)(?=[\\s>/])");
    private static final Pattern ATX_HEADING = Pattern.compile("(?m)^ {0,3}#{1,6}[ \\t]+\\S");
    private static final Pattern[] MARKDOWN_MARKERS = {
            Pattern.compile("(?m)^ {0,3}(?:[-*+]|\\d{1,9}[.)])[ \\t]+\\S"),        // list item
            Pattern.compile("(?m)^ {0,3}(?:```|~~~)"),                              // code fence
            Pattern.compile("(?m)^ {0,3}>[ \\t]?\\S"),                              // block quote
            Pattern.compile("\\[[^\\]\\n]{1,200}\\]\\([^)\\s]{1,2000}\\)"),           // link (bounded: "[[[[…" stays linear)
            Pattern.compile("(?:\\*\\*|__)[^*_\\n]+(?:\\*\\*|__)"),                 // strong emphasis
            Pattern.compile("`[^`\\n]+`"),                                          // inline code
            Pattern.compile("(?m)^\\|?[ \\t]*:?-{3,}:?[ \\t]*\\|"),                 // table rule
    };
    /** Fragments need this many tags of HTML's vocabulary before they count as an HTML file. */
    private static final int FRAGMENT_MIN_TAGS = 3;

    private DocumentFormats() {
    }

    /**
     * @param head     the first bytes of the file, {@link #HEAD_BYTES} or all of a shorter file; a
     *                 multi-byte character cut off at the end does not make the text invalid
     * @param filename the name the file was uploaded or fetched under; may be null
     * @return the format, or empty for anything we do not index: binary files (archives, Office
     *     documents, images, executables), text that is not UTF-8, XML, SVG, RTF, an empty file
     */
    public static Optional<DocumentFormat> detect(byte[] head, String filename) {
        if (head == null || head.length == 0) {
            return Optional.empty();
        }
        if (startsWith(head, PDF_MAGIC)) {
            return Optional.of(DocumentFormat.PDF);
        }
        String extension = extension(filename);
        boolean htmlName = HTML_EXTENSIONS.contains(extension);
        boolean markdownName = MARKDOWN_EXTENSIONS.contains(extension);

        String utf16 = utf16View(head);
        if (utf16 != null) {
            // Only HTML may come in UTF-16: it declares its encoding with the byte-order mark.
            return leadingMarkup(utf16) == LeadingMarkup.HTML_DOCUMENT
                    ? Optional.of(DocumentFormat.HTML) : Optional.empty();
        }
        if (hasBinaryControlBytes(head)) {
            return Optional.empty();
        }
        // One char per byte keeps every ASCII tag visible whatever charset an HTML page declares.
        int bom = startsWith(head, UTF8_BOM) ? UTF8_BOM.length : 0;
        String bytesView = new String(head, bom, head.length - bom, StandardCharsets.ISO_8859_1);
        LeadingMarkup leading = leadingMarkup(bytesView);
        if (leading != LeadingMarkup.NONE) {
            return leading == LeadingMarkup.HTML_DOCUMENT ? Optional.of(DocumentFormat.HTML) : Optional.empty();
        }
        int validUtf8 = validUtf8Length(head);
        if (htmlName && htmlTagCount(bytesView) > 0) {
            return Optional.of(DocumentFormat.HTML);
        }
        if (markdownName && validUtf8 >= 0) {
            return Optional.of(DocumentFormat.MARKDOWN);
        }
        if (looksLikeHtmlFragment(bytesView)) {
            return Optional.of(DocumentFormat.HTML);
        }
        if (validUtf8 < 0) {
            return Optional.empty();
        }
        String text = new String(head, 0, validUtf8, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return Optional.of(hasMarkdownStructure(text) ? DocumentFormat.MARKDOWN : DocumentFormat.PLAIN_TEXT);
    }

    private enum LeadingMarkup { HTML_DOCUMENT, OTHER_FORMAT, NONE }

    /** What the text opens with once a BOM, whitespace, comments and an XML declaration are skipped. */
    private static LeadingMarkup leadingMarkup(String text) {
        int i = 0;
        boolean xmlDeclaration = false;
        while (true) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (text.startsWith("<!--", i)) {
                int end = text.indexOf("-->", i + 4);
                if (end < 0) {
                    return LeadingMarkup.NONE;
                }
                i = end + 3;
            } else if (text.regionMatches(true, i, "<?xml", 0, 5)) {
                int end = text.indexOf("?>", i);
                if (end < 0) {
                    return LeadingMarkup.NONE;
                }
                xmlDeclaration = true;
                i = end + 2;
            } else {
                break;
            }
        }
        if (text.regionMatches(true, i, "<!doctype", 0, 9)) {
            int name = i + 9;
            while (name < text.length() && Character.isWhitespace(text.charAt(name))) {
                name++;
            }
            return isWord(text, name, "html") ? LeadingMarkup.HTML_DOCUMENT : LeadingMarkup.OTHER_FORMAT;
        }
        if (isTag(text, i, "html") || isTag(text, i, "head") || isTag(text, i, "body")) {
            return LeadingMarkup.HTML_DOCUMENT;
        }
        if (xmlDeclaration || isTag(text, i, "svg") || text.startsWith("{\\rtf", i)) {
            return LeadingMarkup.OTHER_FORMAT;
        }
        return LeadingMarkup.NONE;
    }

    /** Markup that opens with an HTML tag and goes on with more of them, closing at least one. */
    private static boolean looksLikeHtmlFragment(String text) {
        String stripped = text.stripLeading();
        Matcher first = TAG.matcher(stripped);
        if (!first.lookingAt() || !HTML_TAGS.contains(first.group(2).toLowerCase(Locale.ROOT))) {
            return false;
        }
        int tags = 0;
        boolean closed = false;
        Matcher tag = TAG.matcher(stripped);
        while (tag.find()) {
            if (HTML_TAGS.contains(tag.group(2).toLowerCase(Locale.ROOT))) {
                tags++;
                closed |= !tag.group(1).isEmpty();
            }
        }
        return tags >= FRAGMENT_MIN_TAGS && closed;
    }

    private static int htmlTagCount(String text) {
        int tags = 0;
        Matcher tag = TAG.matcher(text);
        while (tag.find()) {
            if (HTML_TAGS.contains(tag.group(2).toLowerCase(Locale.ROOT))) {
                tags++;
            }
        }
        return tags;
    }

    /** An ATX heading and at least one other kind of Markdown syntax. */
    private static boolean hasMarkdownStructure(String text) {
        if (!ATX_HEADING.matcher(text).find()) {
            return false;
        }
        for (Pattern marker : MARKDOWN_MARKERS) {
            if (marker.matcher(text).find()) {
                return true;
            }
        }
        return false;
    }

    /** The head decoded as UTF-16 if it starts with a UTF-16 byte-order mark, else null. */
    private static String utf16View(byte[] head) {
        if (head.length < 2) {
            return null;
        }
        int b0 = head[0] & 0xFF;
        int b1 = head[1] & 0xFF;
        if (b0 == 0xFE && b1 == 0xFF) {
            return new String(head, 2, (head.length - 2) & ~1, StandardCharsets.UTF_16BE);
        }
        if (b0 == 0xFF && b1 == 0xFE) {
            return new String(head, 2, (head.length - 2) & ~1, StandardCharsets.UTF_16LE);
        }
        return null;
    }

    /**
     * C0 control bytes that text never holds (NUL and the like); tab, line feed, vertical tab,
     * form feed, carriage return and escape are allowed.
     */
    private static boolean hasBinaryControlBytes(byte[] head) {
        for (byte b : head) {
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != 0x0B && b != '\f' && b != '\r' && b != 0x1B) {
                return true;
            }
        }
        return false;
    }

    /**
     * Length of the head up to the last complete character if it is well-formed UTF-8 (a
     * character cut off by the end of the head is fine), or -1 if it is not UTF-8.
     */
    private static int validUtf8Length(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int lead = bytes[i] & 0xFF;
            int continuation;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead < 0x80) {
                i++;
                continue;
            } else if (lead >= 0xC2 && lead <= 0xDF) {
                continuation = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuation = 2;
                if (lead == 0xE0) {
                    secondMin = 0xA0;        // overlong
                } else if (lead == 0xED) {
                    secondMax = 0x9F;        // surrogates
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuation = 3;
                if (lead == 0xF0) {
                    secondMin = 0x90;        // overlong
                } else if (lead == 0xF4) {
                    secondMax = 0x8F;        // beyond U+10FFFF
                }
            } else {
                return -1;
            }
            for (int k = 1; k <= continuation; k++) {
                if (i + k >= bytes.length) {
                    return i;
                }
                int b = bytes[i + k] & 0xFF;
                int min = k == 1 ? secondMin : 0x80;
                int max = k == 1 ? secondMax : 0xBF;
                if (b < min || b > max) {
                    return -1;
                }
            }
            i += continuation + 1;
        }
        return i;
    }

    private static boolean isTag(String text, int at, String name) {
        return text.startsWith("<", at) && isWord(text, at + 1, name);
    }

    /** {@code name} at {@code at}, case-insensitive, followed by whitespace, {@code >} or {@code /}. */
    private static boolean isWord(String text, int at, String name) {
        if (!text.regionMatches(true, at, name, 0, name.length())) {
            return false;
        }
        int after = at + name.length();
        if (after >= text.length()) {
            return true;
        }
        char next = text.charAt(after);
        return Character.isWhitespace(next) || next == '>' || next == '/';
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String extension(String filename) {
        if (filename == null) {
            return "";
        }
        String name = filename.strip();
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
