package io.dynrag.pipeline.extraction;

import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.pipeline.deadline.DocumentDeadline;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The main content of an HTML page as Markdown, with jsoup.
 *
 * <p>The page is decoded with the charset its byte-order mark or {@code <meta>} declares (UTF-8 if
 * none). Whatever a reader does not see as the page's content goes: scripts, styles, forms,
 * embedded frames and graphics, hidden elements, the page's navigation, header, footer and side
 * bars, and blocks whose class or id names them as boilerplate (cookie banners, share buttons,
 * breadcrumbs and the like). The content is the page's {@code <main>} (or {@code role="main"}, or
 * its only {@code <article>}), else its body.
 */
final class HtmlTextExtractor {

    /** Never content, wherever they are. */
    private static final String NEVER_CONTENT = "script, style, noscript, template, svg, math, iframe, frame, "
            + "frameset, object, embed, canvas, button, input, select, textarea, dialog, nav, aside, "
            + "link, meta, [hidden], [aria-hidden=true], [role=navigation], [role=complementary], [role=search], "
            + "[role=dialog], [role=alertdialog], [role=banner], [role=contentinfo]";
    private static final Pattern INVISIBLE_STYLE = Pattern.compile(
            "(?:^|;)\\s*(?:display\\s*:\\s*none|visibility\\s*:\\s*hidden)\\s*(?:!important\\s*)?(?:;|$)",
            Pattern.CASE_INSENSITIVE);
    /** Sectioning elements: a header or footer inside one of them belongs to that content. */
    private static final Set<String> SECTIONING = Set.of("article", "section", "main");
    /** Whole class names that hide an element from sighted readers. */
    private static final Set<String> HIDING_CLASSES = Set.of("hidden", "d-none", "is-hidden", "sr-only",
            "visually-hidden", "visuallyhidden", "screen-reader-text", "skip-link");
    /** Words in a class or id that mark page furniture rather than content. */
    private static final Set<String> BOILERPLATE_WORDS = Set.of("cookie", "cookies", "consent", "gdpr",
            "newsletter", "subscribe", "advert", "advertisement", "ads", "ad", "sponsored", "promo", "share",
            "sharing", "social", "breadcrumb", "breadcrumbs", "sidebar", "related", "popup", "modal", "overlay",
            "navbar", "navigation", "nav", "toc", "footer", "skip");
    private static final Pattern WORD_SEPARATOR = Pattern.compile("[^a-z0-9]+");

    ExtractedText extract(byte[] bytes, ExtractionLimits limits) {
        Document page;
        try {
            page = Jsoup.parse(new ByteArrayInputStream(HtmlTagNames.shortened(bytes)), null, "");
        } catch (IOException | RuntimeException e) {
            throw new ExtractionFailedException("the page cannot be read", e);
        }
        page.select(NEVER_CONTENT).remove();
        page.select("[style]").forEach(element -> {
            if (INVISIBLE_STYLE.matcher(element.attr("style")).find()) {
                element.remove();
            }
        });
        HtmlTrees.outermost(page, element -> element.nameIs("header") || element.nameIs("footer"),
                element -> SECTIONING.contains(element.normalName())).forEach(Element::remove);
        removeForms(page);
        Element content = mainContent(page);
        removeBoilerplate(content);

        String text = new HtmlMarkdown(limits.maxCharacters()).render(content);
        if (text.isBlank()) {
            throw new ExtractionFailedException("the page has no text");
        }
        return new ExtractedText(text, DocumentFormat.MARKDOWN, title(page, content), 0, List.of());
    }

    /**
     * Forms are search boxes, sign-ups and comment fields, but some sites wrap the whole page in
     * one: a form holding most of the text stays.
     */
    private static void removeForms(Document page) {
        int pageLength = page.body().text().length();
        for (Element form : page.select("form")) {
            if (form.ownerDocument() != null && form.text().length() * 2 < pageLength) {
                form.remove();
            }
        }
    }

    private static Element mainContent(Document page) {
        for (String candidate : List.of("main", "[role=main]")) {
            for (Element element : page.select(candidate)) {
                if (element.hasText()) {
                    return element;
                }
            }
        }
        List<Element> articles = HtmlTrees.outermost(page, element -> element.nameIs("article"), element -> false)
                .stream()
                .filter(Element::hasText)
                .toList();
        if (articles.size() == 1) {
            return articles.getFirst();
        }
        return page.body();
    }

    /**
     * Drops descendants whose class or id marks them as furniture, unless they hold most of the
     * content: a wrapper called {@code layout-with-sidebar} must not take the article with it.
     */
    private static void removeBoilerplate(Element content) {
        // Measured before anything goes: an element is always checked before its descendants.
        Map<Element, Integer> textLengths = HtmlTrees.textLengths(content);
        int contentLength = textLengths.get(content);
        for (Element element : content.select("[class], [id]")) {
            DocumentDeadline.check();
            if (element == content || element.ownerDocument() == null) {
                continue;   // removed with an ancestor already
            }
            if (isHidden(element)) {
                element.remove();
            } else if (isFurniture(element) && textLengths.get(element) * 2 < contentLength) {
                element.remove();
            }
        }
    }

    private static boolean isHidden(Element element) {
        for (String name : element.classNames()) {
            if (HIDING_CLASSES.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isFurniture(Element element) {
        for (String name : element.classNames()) {
            if (hasBoilerplateWord(name)) {
                return true;
            }
        }
        return hasBoilerplateWord(element.id());
    }

    private static boolean hasBoilerplateWord(String name) {
        for (String word : WORD_SEPARATOR.split(name.toLowerCase(Locale.ROOT))) {
            if (BOILERPLATE_WORDS.contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static String title(Document page, Element content) {
        String title = TextCleanup.title(page.title());
        if (title == null) {
            Element heading = content.selectFirst("h1");
            title = heading == null ? null : TextCleanup.title(heading.text());
        }
        return title;
    }
}
