package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PDF and HTML documents through the whole system: type from the content, pages kept, boilerplate dropped. */
@Tag("e2e")
class DocumentFormatsTest {

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void aPdfIsIndexedPageByPageAndSearchNamesThePage() throws IOException {
        String key = system.registerCustomer("Paper Mill");
        byte[] pdf = pdf(List.of(
                "Chapter one describes the history of the paper mill and its water wheel.",
                "Chapter two explains how cotton rags were pulped, pressed and dried into sheets of paper."));

        ApiClient.Response accepted = api.upload(key, "file", "mill.pdf", pdf, "The mill");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String documentId = accepted.json().get("documentId").asText();
        JsonNode indexed = system.awaitStatus(key, documentId, "INDEXED");
        assertThat(indexed.get("contentType").asText()).isEqualTo("application/pdf");
        assertThat(indexed.get("pages").asInt()).isEqualTo(2);

        JsonNode hits = system.search(key, "how were cotton rags turned into paper sheets", 3);
        assertThat(hits).isNotEmpty();
        JsonNode best = hits.get(0);
        assertThat(best.get("documentId").asText()).isEqualTo(documentId);
        assertThat(best.get("text").asText()).contains("cotton rags");
        assertThat(best.has("page")).isTrue();
    }

    @Test
    void htmlKeepsTheMainContentAndItsTitleAndDropsTheNavigation() {
        String key = system.registerCustomer("Web Archive");
        String html = """
                <!DOCTYPE html><html><head><title>Bridges of the Rhine</title></head><body>
                <nav><a href="/">Home</a> <a href="/shop">Buy our cruise tickets now</a></nav>
                <main><h1>Bridges of the Rhine</h1>
                <p>The Hohenzollern Bridge in Cologne carries more trains than any other bridge in Germany.</p>
                <p>Its railings are covered with love locks left by visiting couples.</p></main>
                <footer>Copyright and cruise ticket advertising</footer></body></html>""";

        ApiClient.Response accepted = api.upload(key, "file", "page.pdf", html.getBytes(StandardCharsets.UTF_8), null);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String documentId = accepted.json().get("documentId").asText();
        JsonNode indexed = system.awaitStatus(key, documentId, "INDEXED");
        assertThat(indexed.get("contentType").asText()).as("the content decides, not the name").isEqualTo("text/html");

        JsonNode hits = system.search(key, "which bridge carries the most trains", 5);
        assertThat(hits).isNotEmpty();
        hits.forEach(hit -> assertThat(hit.get("text").asText()).doesNotContain("cruise tickets"));
        assertThat(hits.get(0).get("text").asText()).contains("Hohenzollern");
    }

    @Test
    void aPdfWithoutTextFailsWithAReadableReason() {
        String key = system.registerCustomer("Scanner Co");
        ApiClient.Response accepted = api.upload(key, "file", "scan.pdf", Corpus.pdfWithoutText(), null);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode failed = system.awaitStatus(key, accepted.json().get("documentId").asText(), "FAILED");
        assertThat(failed.get("failureReason").asText()).contains("no text");
    }

    private static byte[] pdf(List<String> pages) throws IOException {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (String text : pages) {
                PDPage page = new PDPage();
                document.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(font, 11);
                    content.newLineAtOffset(50, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            document.save(out);
            return out.toByteArray();
        }
    }
}
