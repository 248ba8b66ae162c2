package io.dynrag.app.e2e;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Small realistic documents whose topics do not overlap, so search results are unambiguous. */
public final class Corpus {

    private Corpus() {
    }

    /** A valid one-page PDF without a text layer, as a scan would be: the pipeline cannot index it. */
    static byte[] pdfWithoutText() {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            document.addPage(new PDPage());
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String lighthouseGuide() {
        return """
                # Keeping a lighthouse

                A lighthouse keeper's first duty was the light itself. Every evening before sunset the keeper
                climbed the tower, trimmed the wicks, filled the reservoir with paraffin and polished the great
                lens so that not a smear could dim the beam.

                ## The lamp through the night

                Through the night the keeper watched the lamp in shifts. In storms the glass streamed with
                spray and the tower shook, yet the flame had to burn steadily until dawn; a keeper who let the
                lamp go out could be dismissed. Spare mantles and wicks were kept at hand in case one failed.

                ## Fog signals

                When fog rolled in and the beam could not reach the ships, the keeper started the fog signal.
                Early stations rang a bell by hand; later ones sounded a diaphone driven by compressed air, its
                groan carrying for miles across the water.

                ## Logbooks and weather

                Keepers recorded the weather, passing ships and every repair in the station logbook. These
                records, kept for decades, are now valued by historians and climate scientists alike.
                """;
    }

    public static String recipes() {
        return """
                Sourdough bread needs only flour, water, salt and a lively starter. Mix the dough, let it rest,
                then fold it every half hour for two hours so the gluten develops.

                Shape the loaf, proof it overnight in the refrigerator and bake it in a very hot covered pot.
                Remove the lid after twenty minutes so the crust can brown and crackle.

                For a tomato sauce, soften garlic in olive oil, add crushed tomatoes and a pinch of salt, and
                simmer gently until it thickens. Finish with fresh basil just before serving.
                """;
    }
}
