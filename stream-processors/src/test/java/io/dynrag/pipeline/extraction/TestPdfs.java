package io.dynrag.pipeline.extraction;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** PDFs made with PDFBox for the tests; a page's text is drawn line by line in Helvetica. */
final class TestPdfs {

    private TestPdfs() {
    }

    /** One page per entry; an empty entry is a page without any content. */
    static byte[] pages(String... pageTexts) {
        return build(document -> {
            for (String pageText : pageTexts) {
                PDPage page = new PDPage();
                document.addPage(page);
                if (!pageText.isEmpty()) {
                    drawLines(document, page, pageText.split("\n"));
                }
            }
        });
    }

    static byte[] withTitle(String title, String text) {
        return build(document -> {
            document.getDocumentInformation().setTitle(title);
            PDPage page = new PDPage();
            document.addPage(page);
            drawLines(document, page, text.split("\n"));
        });
    }

    /** Needs a user password to open. */
    static byte[] encrypted(String text) {
        return build(document -> {
            PDPage page = new PDPage();
            document.addPage(page);
            drawLines(document, page, text.split("\n"));
            protect(document, "owner-secret", "user-secret");
        });
    }

    /** Encrypted, but opens without a password: only the owner's permissions are restricted. */
    static byte[] ownerRestricted(String text) {
        return build(document -> {
            PDPage page = new PDPage();
            document.addPage(page);
            drawLines(document, page, text.split("\n"));
            protect(document, "owner-secret", "");
        });
    }

    /** The given PDF encrypted so that it opens without a password. */
    static byte[] ownerRestricted(byte[] pdf) {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            protect(document, "owner-secret", "");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A page that only shows a picture, like a scan. */
    static byte[] imageOnly() {
        return build(document -> {
            PDPage page = new PDPage();
            document.addPage(page);
            BufferedImage picture = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
            picture.setRGB(10, 10, 0xFF0000);
            try {
                PDImageXObject image = LosslessFactory.createFromImage(document, picture);
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.drawImage(image, 100, 500, 200, 200);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** One page whose Flate-compressed content stream is the given operators. */
    static byte[] rawContent(String operators) {
        return build(document -> {
            PDPage page = new PDPage();
            document.addPage(page);
            PDResources resources = new PDResources();
            resources.put(COSName.getPDFName("F1"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
            page.setResources(resources);
            try {
                PDStream content = new PDStream(document);
                try (OutputStream out = content.createOutputStream(COSName.FLATE_DECODE)) {
                    out.write(operators.getBytes(StandardCharsets.ISO_8859_1));
                }
                page.setContents(content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void drawLines(PDDocument document, PDPage page, String[] lines) {
        PDFont font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        try (PDPageContentStream content = new PDPageContentStream(document, page)) {
            content.beginText();
            content.setFont(font, 11);
            content.setLeading(14);
            content.newLineAtOffset(72, 720);
            for (String line : lines) {
                content.showText(line);
                content.newLine();
            }
            content.endText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void protect(PDDocument document, String ownerPassword, String userPassword) {
        StandardProtectionPolicy policy = new StandardProtectionPolicy(ownerPassword, userPassword,
                new AccessPermission());
        policy.setEncryptionKeyLength(128);
        try {
            document.protect(policy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] build(Consumer<PDDocument> content) {
        try (PDDocument document = new PDDocument()) {
            content.accept(document);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
