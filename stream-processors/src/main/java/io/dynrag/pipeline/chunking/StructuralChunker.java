package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.chunking.DocumentStructure.Block;
import io.dynrag.pipeline.chunking.DocumentStructure.BlockKind;
import io.dynrag.pipeline.chunking.DocumentStructure.Section;
import io.dynrag.pipeline.chunking.UnitSplitter.Unit;
import io.dynrag.pipeline.deadline.DocumentDeadline;
import io.dynrag.pipeline.embedding.TokenCounter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Splits plain text and Markdown into chunks that follow the document's structure and fit the
 * embedding model's input limit.
 *
 * <p>Markdown headings start sections; a chunk never spans two sections and the heading opens the
 * first chunk of its section. Inside a section the blank-line separated blocks (paragraphs, fenced
 * code) are the units that chunks are made of; a block over the limit is broken at sentence ends,
 * then clause punctuation, then line breaks, then spaces (code: line breaks first), and a single
 * over-long word at the longest prefix that fits.
 *
 * <p>Where a chunk ends is decided by the content next to the boundary, not by counting from the
 * start of the section: a unit starts a new segment when a hash of its text falls under a
 * threshold proportional to its size (so segments average {@code 5/8} of the limit whatever the
 * paragraph sizes), segments over the limit are packed greedily, and pieces under {@code 3/8} of
 * the limit are merged with their predecessor when both fit. Editing one paragraph therefore
 * changes the chunk that holds it and rarely more than one neighbour; every other chunk keeps its
 * text and hash, and so its stored vector.
 *
 * <p>Every chunk's {@link Chunk#tokenCount()} is counted on its final text with the given counter
 * and never exceeds {@code maxTokens}. Instances are immutable and thread-safe if the counter is.
 */
public final class StructuralChunker {

    private final TokenCounter counter;
    private final int maxTokens;
    private final int segmentTokens;
    private final int smallTokens;

    /**
     * @param counter the tokenizer of the embedding model the chunks are for
     * @param maxTokens the most tokens a chunk may have, normally the model's input limit
     */
    public StructuralChunker(TokenCounter counter, int maxTokens) {
        this.counter = Objects.requireNonNull(counter, "counter");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        this.maxTokens = maxTokens;
        this.segmentTokens = Math.max(1, maxTokens * 5 / 8);
        this.smallTokens = maxTokens * 3 / 8;
    }

    /**
     * @param contentType {@code text/plain} or {@code text/markdown} (parameters such as
     *     {@code charset} are ignored)
     * @return the chunks in document order, indexed from 0; empty if the text is blank
     * @throws IllegalArgumentException for any other content type
     */
    public List<Chunk> chunk(String text, String contentType) {
        Objects.requireNonNull(text, "text");
        boolean markdown = isMarkdown(contentType);
        NormalizedText normalized = NormalizedText.of(text);
        List<Section> sections = markdown
                ? DocumentStructure.markdown(normalized.text())
                : DocumentStructure.plain(normalized.text());
        UnitSplitter splitter = new UnitSplitter(normalized.text(), counter, maxTokens);
        List<Chunk> chunks = new ArrayList<>();
        for (Section section : sections) {
            DocumentDeadline.check();
            for (List<Unit> piece : pieces(units(section, normalized, splitter))) {
                addVerified(piece, normalized, chunks);
            }
        }
        return List.copyOf(chunks);
    }

    private static boolean isMarkdown(String contentType) {
        Objects.requireNonNull(contentType, "contentType");
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters))
                .strip().toLowerCase(Locale.ROOT);
        return switch (mediaType) {
            case "text/markdown", "text/x-markdown" -> true;
            case "text/plain" -> false;
            default -> throw new IllegalArgumentException("cannot chunk " + contentType
                    + "; extract text first (supported: text/plain, text/markdown)");
        };
    }

    /** A unit and whether a new segment starts at it (when it is not the first of its section). */
    private record SectionUnit(Unit unit, boolean startsSegment) {
    }

    private List<SectionUnit> units(Section section, NormalizedText normalized, UnitSplitter splitter) {
        List<Block> blocks = section.blocks();
        int[] counts = counter.countAll(blocks.stream().map(block -> normalized.slice(block.span())).toList());
        List<SectionUnit> units = new ArrayList<>();
        boolean afterHeading = false;
        for (int b = 0; b < blocks.size(); b++) {
            DocumentDeadline.check();
            Block block = blocks.get(b);
            List<Unit> split = splitter.split(block.span(), counts[b],
                    block.kind() == BlockKind.CODE ? UnitSplitter.CODE : UnitSplitter.PROSE);
            for (Unit unit : split) {
                // A heading stays with what follows it, so it never ends a chunk on its own.
                boolean startsSegment = !afterHeading && isAnchor(normalized.slice(unit.span()), unit.tokens());
                units.add(new SectionUnit(unit, startsSegment));
                afterHeading = false;
            }
            afterHeading = block.kind() == BlockKind.HEADING;
        }
        return units;
    }

    /** Groups a section's units into pieces of at most {@code maxTokens} (by summed unit counts). */
    private List<List<Unit>> pieces(List<SectionUnit> units) {
        List<List<Unit>> pieces = new ArrayList<>();
        List<Unit> current = new ArrayList<>();
        int currentTokens = 0;
        for (SectionUnit sectionUnit : units) {
            Unit unit = sectionUnit.unit();
            if (!current.isEmpty() && (sectionUnit.startsSegment() || currentTokens + unit.tokens() > maxTokens)) {
                pieces.add(current);
                current = new ArrayList<>();
                currentTokens = 0;
            }
            current.add(unit);
            currentTokens += unit.tokens();
        }
        if (!current.isEmpty()) {
            pieces.add(current);
        }
        return mergeSmall(pieces);
    }

    private List<List<Unit>> mergeSmall(List<List<Unit>> pieces) {
        List<List<Unit>> merged = new ArrayList<>();
        int lastTokens = 0;
        for (List<Unit> piece : pieces) {
            int tokens = tokens(piece);
            if (!merged.isEmpty() && (tokens < smallTokens || lastTokens < smallTokens)
                    && lastTokens + tokens <= maxTokens) {
                merged.getLast().addAll(piece);
                lastTokens += tokens;
            } else {
                merged.add(new ArrayList<>(piece));
                lastTokens = tokens;
            }
        }
        return merged;
    }

    /**
     * Whether a segment starts at this unit: a hash of its text, read as a fraction in [0, 1),
     * falls under {@code tokens / segmentTokens}. Larger units are likelier boundaries, so segment
     * size does not depend on how finely the text is divided.
     */
    private boolean isAnchor(String unitText, int tokens) {
        double fraction = (ByteBuffer.wrap(sha256(unitText)).getLong() >>> 11) * 0x1.0p-53;
        return fraction * segmentTokens < tokens;
    }

    private void addVerified(List<Unit> piece, NormalizedText normalized, List<Chunk> chunks) {
        int first = 0;
        while (first < piece.size()) {
            int last = piece.size();
            String text;
            int tokens;
            // Counts of units need not add up for every tokenizer; shrink until the real count fits.
            do {
                last--;
                text = textOf(piece, first, last, normalized);
                tokens = first == last ? piece.get(first).tokens() : counter.count(text);
            } while (tokens > maxTokens && last > first);
            Span span = new Span(piece.get(first).span().start(), piece.get(last).span().end());
            chunks.add(new Chunk(chunks.size(), text, tokens, sha256Hex(text),
                    normalized.sourceOffset(span.start()), normalized.sourceOffset(span.end())));
            first = last + 1;
        }
    }

    private static String textOf(List<Unit> piece, int first, int last, NormalizedText normalized) {
        return normalized.text().substring(piece.get(first).span().start(), piece.get(last).span().end());
    }

    private static int tokens(List<Unit> piece) {
        int sum = 0;
        for (Unit unit : piece) {
            sum += unit.tokens();
        }
        return sum;
    }

    /** A chunk's content hash: lowercase hex SHA-256 of its text in UTF-8. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
