package io.dynrag.app.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * Realistic Markdown documents generated from a seed: the same seed gives the same documents on
 * every machine ({@link Random} is specified bit for bit), so runs compare. Each document is a
 * titled guide on one of several subjects, in sections of paragraphs of two to four sentences,
 * grown until it reaches the requested number of word pieces.
 *
 * <p>The benchmarks ingest it (module {@code benchmarks}, through this module's test jar) and the
 * pipeline crash suite loads the system with it.
 */
public final class BenchCorpus {

    /** A document and its paragraphs, which an edit replaces one at a time. */
    public record Document(String name, String title, List<Section> sections) {

        public String markdown() {
            StringBuilder text = new StringBuilder("# ").append(title).append("\n\n");
            for (Section section : sections) {
                text.append("## ").append(section.heading()).append("\n\n");
                for (String paragraph : section.paragraphs()) {
                    text.append(paragraph).append("\n\n");
                }
            }
            return text.toString();
        }

        public int paragraphs() {
            return sections.stream().mapToInt(section -> section.paragraphs().size()).sum();
        }

        /** The document with paragraph {@code index} (counted over all sections) replaced. */
        public Document withParagraph(int index, String replacement) {
            List<Section> edited = new ArrayList<>();
            int remaining = index;
            for (Section section : sections) {
                if (remaining >= 0 && remaining < section.paragraphs().size()) {
                    List<String> paragraphs = new ArrayList<>(section.paragraphs());
                    paragraphs.set(remaining, replacement);
                    edited.add(new Section(section.heading(), List.copyOf(paragraphs)));
                } else {
                    edited.add(section);
                }
                remaining -= section.paragraphs().size();
            }
            return new Document(name, title, List.copyOf(edited));
        }
    }

    public record Section(String heading, List<String> paragraphs) {
    }

    private record Subject(String field, String[] actors, String[] actions, String[] objects, String[] places,
                           String[] reasons, String[] headings) {
    }

    private static final Subject[] SUBJECTS = {
            new Subject("coastal navigation",
                    new String[]{"the harbour master", "a pilot", "the ferry captain", "the coast guard", "a navigator"},
                    new String[]{"checks", "records", "compares", "adjusts", "plots", "reports"},
                    new String[]{"the tide tables", "the depth soundings", "the buoy positions", "the chart corrections",
                            "the wind forecast", "the vessel's draught"},
                    new String[]{"at the harbour entrance", "along the estuary", "near the sandbanks",
                            "in the shipping lane", "off the northern headland"},
                    new String[]{"because the channel shifts after every storm",
                            "so that deep-draught ships can enter at high water",
                            "since fog hides the leading lights for hours",
                            "as the spring tides run faster than usual"},
                    new String[]{"Reading the tide", "Buoys and marks", "Pilotage", "Working in fog", "Logbooks"}),
            new Subject("kitchen gardening",
                    new String[]{"the gardener", "a beginner", "the allotment holder", "an experienced grower"},
                    new String[]{"sows", "thins", "waters", "mulches", "harvests", "protects"},
                    new String[]{"the early potatoes", "the broad beans", "a row of carrots", "the tomato seedlings",
                            "the winter leeks", "the strawberry runners"},
                    new String[]{"in the raised beds", "under the cold frame", "against the south wall",
                            "in the greenhouse", "beside the compost heap"},
                    new String[]{"because late frosts still threaten in May", "so that slugs find less cover",
                            "since the soil holds moisture longer under mulch",
                            "as crowded roots never swell properly"},
                    new String[]{"Preparing the soil", "Sowing times", "Watering", "Pests", "Storing the harvest"}),
            new Subject("database operations",
                    new String[]{"the on-call engineer", "the database administrator", "a developer",
                            "the platform team"},
                    new String[]{"monitors", "vacuums", "replicates", "indexes", "backs up", "restores"},
                    new String[]{"the write-ahead log", "the largest tables", "the connection pool",
                            "the slow queries", "the replication slots", "the nightly snapshots"},
                    new String[]{"on the primary server", "in the staging cluster", "before each release",
                            "during the maintenance window", "across both regions"},
                    new String[]{"because bloated tables slow every scan", "so that a failover loses no commits",
                            "since an untested backup is only a hope",
                            "as idle connections still hold memory"},
                    new String[]{"Backups", "Replication", "Query tuning", "Capacity", "Incident response"}),
            new Subject("bread baking",
                    new String[]{"the baker", "a home cook", "the apprentice", "the pastry chef"},
                    new String[]{"mixes", "folds", "shapes", "proofs", "scores", "bakes"},
                    new String[]{"the sourdough starter", "a wet rye dough", "the morning loaves",
                            "the enriched brioche", "a batch of baguettes", "the levain"},
                    new String[]{"in a covered pot", "on the baking stone", "in the proving drawer",
                            "at the wooden bench", "near the warm oven"},
                    new String[]{"because gluten needs time to develop", "so that the crust can crackle",
                            "since a cold retard deepens the flavour",
                            "as steam keeps the surface supple in the first minutes"},
                    new String[]{"The starter", "Mixing and folding", "Shaping", "Proofing", "Baking and cooling"}),
            new Subject("railway history",
                    new String[]{"the station master", "a signalman", "the engine driver", "the railway company",
                            "a surveyor"},
                    new String[]{"built", "extended", "timetabled", "electrified", "rebuilt", "closed"},
                    new String[]{"the branch line", "the viaduct", "the goods yard", "the signal box",
                            "the night mail service", "the level crossing"},
                    new String[]{"across the valley", "in the market town", "beside the canal",
                            "on the coastal route", "through the hill tunnel"},
                    new String[]{"because coal traffic doubled within a decade",
                            "so that passengers could reach the city in an hour",
                            "since the old bridge could not carry heavier engines",
                            "as road haulage took the remaining freight"},
                    new String[]{"Early lines", "Engineering works", "Signalling", "Decline", "Preservation"}),
    };

    private static final String[] CONNECTORS = {"Afterwards", "In practice", "Each season", "Usually", "Often",
            "Later", "In the records", "For that reason", "Meanwhile", "Over the years"};

    private final Random random;
    private final ToIntFunction<String> wordPieces;

    /** @param wordPieces counts the embedding model's word pieces of a text */
    public BenchCorpus(long seed, ToIntFunction<String> wordPieces) {
        this.random = new Random(seed);
        this.wordPieces = wordPieces;
    }

    /** {@code count} documents of at least {@code targetWordPieces} word pieces each. */
    public List<Document> documents(int count, int targetWordPieces) {
        List<Document> documents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            documents.add(document(i, targetWordPieces));
        }
        return documents;
    }

    /** A new paragraph for the same subject: what an edit writes in place of an old one. */
    public String paragraphLike(Document document) {
        return paragraph(subjectOf(document));
    }

    private Document document(int number, int targetWordPieces) {
        Subject subject = SUBJECTS[number % SUBJECTS.length];
        String title = "Notes on " + subject.field() + " " + (number + 1);
        List<Section> sections = new ArrayList<>();
        int pieces = wordPieces.applyAsInt(title);
        for (int s = 0; pieces < targetWordPieces; s++) {
            String heading = subject.headings()[s % subject.headings().length]
                    + (s >= subject.headings().length ? " (" + (s / subject.headings().length + 1) + ")" : "");
            List<String> paragraphs = new ArrayList<>();
            int perSection = 4 + random.nextInt(5);
            for (int p = 0; p < perSection && pieces < targetWordPieces; p++) {
                String paragraph = paragraph(subject);
                paragraphs.add(paragraph);
                pieces += wordPieces.applyAsInt(paragraph);
            }
            sections.add(new Section(heading, List.copyOf(paragraphs)));
        }
        return new Document("doc-" + number + ".md", title, List.copyOf(sections));
    }

    private Subject subjectOf(Document document) {
        for (Subject subject : SUBJECTS) {
            if (document.title().contains(subject.field())) {
                return subject;
            }
        }
        throw new IllegalArgumentException("not a corpus document: " + document.title());
    }

    private String paragraph(Subject subject) {
        int sentences = 2 + random.nextInt(3);
        StringBuilder paragraph = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            if (i > 0) {
                paragraph.append(' ');
            }
            paragraph.append(sentence(subject, i > 0));
        }
        return paragraph.toString();
    }

    private String sentence(Subject subject, boolean connected) {
        String core = pick(subject.actors()) + " " + pick(subject.actions()) + " " + pick(subject.objects()) + " "
                + pick(subject.places()) + " " + pick(subject.reasons());
        if (random.nextInt(3) == 0) {
            core += ", and notes the result with the date and " + (1 + random.nextInt(90)) + " other readings";
        }
        String sentence = connected && random.nextBoolean() ? pick(CONNECTORS) + ", " + core : capitalised(core);
        return sentence + ".";
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
