package io.dynrag.pipeline.extraction;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Breaks up absurdly long tag names before a page is parsed. jsoup copies a tag name's buffer
 * every time the name grows, so a page that opens a tag and never ends its name ({@code "<div<div<div…"}
 * or {@code "<" + "a".repeat(n)}) takes time in the square of its length: about 4 minutes for
 * 25 MB. A space every {@value #MAX_TAG_NAME} characters of a name ends it there (the rest reads as
 * attribute names, which jsoup takes in linear time); real tag names are far shorter, so real
 * pages are passed through untouched.
 */
final class HtmlTagNames {

    static final int MAX_TAG_NAME = 256;

    private HtmlTagNames() {
    }

    /** The page's bytes with every tag name longer than the limit broken up; the same array if none is. */
    static byte[] shortened(byte[] page) {
        Charset charset = utf16Charset(page);
        if (charset == null) {
            // Every charset jsoup reads besides UTF-16 keeps ASCII as single bytes: one char per byte
            // sees the markup, and going back gives the same bytes.
            String view = new String(page, StandardCharsets.ISO_8859_1);
            String shortened = shortened(view);
            return shortened == view ? page : shortened.getBytes(StandardCharsets.ISO_8859_1);
        }
        String text = new String(page, 2, page.length - 2, charset);
        String shortened = shortened(text);
        if (shortened == text) {
            return page;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(page.length + shortened.length() / MAX_TAG_NAME * 2);
        out.write(page, 0, 2);
        out.writeBytes(shortened.getBytes(charset));
        return out.toByteArray();
    }

    /** The text with a space after every {@value #MAX_TAG_NAME} characters of a tag name; the same string if none is longer. */
    static String shortened(String text) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('<', i);
            if (open < 0) {
                break;
            }
            int name = open + 1 < text.length() && text.charAt(open + 1) == '/' ? open + 2 : open + 1;
            if (name >= text.length() || !isAsciiLetter(text.charAt(name))) {
                i = open + 1;
                continue;
            }
            int end = name;
            while (end < text.length() && !endsTagName(text.charAt(end))) {
                if (end - name == MAX_TAG_NAME) {
                    if (out == null) {
                        out = new StringBuilder(text.length() + text.length() / MAX_TAG_NAME);
                    }
                    out.append(text, copied, end).append(' ');
                    copied = end;
                    name = end;
                }
                end++;
            }
            i = end;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** The characters that end a tag name in the HTML tokenizer. */
    private static boolean endsTagName(char c) {
        return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ' || c == '/' || c == '>';
    }

    private static Charset utf16Charset(byte[] page) {
        if (page.length >= 2 && (page[0] & 0xFF) == 0xFE && (page[1] & 0xFF) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        if (page.length >= 2 && (page[0] & 0xFF) == 0xFF && (page[1] & 0xFF) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        return null;
    }
}
