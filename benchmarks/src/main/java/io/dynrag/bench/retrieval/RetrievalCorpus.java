package io.dynrag.bench.retrieval;

import io.dynrag.app.config.InvalidSettingException;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.SequencedSet;

/**
 * The documentation pages one labelled set of the retrieval benchmark ingests: a subset
 * ({@code retrieval/<set>/pages.txt}) of the HTML pages in one Debian documentation package
 * ({@code retrieval/<set>/corpus.properties}). The package is downloaded once into a cache directory,
 * checked against its SHA-256 and unpacked, so every machine ingests the same bytes.
 *
 * @param set         the labelled set's name, its resource directory
 * @param packageName the Debian package
 * @param version     its exact version
 * @param sha256      the checksum of its {@code .deb}
 * @param urls        where it can be fetched, tried in order
 * @param htmlPrefix  the directory of the pages inside the package
 * @param pages       the paths of the pages in the subset below {@code htmlPrefix}, in the listed order
 */
public record RetrievalCorpus(String set, String packageName, String version, String sha256, List<URI> urls,
                              String htmlPrefix, SequencedSet<String> pages) {

    /**
     * The labelled sets, each a resource directory, the default first: more than one, so that search
     * quality is not tuned to a single collection's vocabulary and layout.
     */
    public static final List<String> SETS = List.of("postgresql", "python");

    /** The corpus of one of {@link #SETS}. */
    public static RetrievalCorpus of(String set) {
        Properties properties = new Properties();
        try (InputStream in = resource(set, "corpus.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read retrieval/" + set + "/corpus.properties", e);
        }
        List<URI> urls = Arrays.stream(properties.getProperty("urls").trim().split("\\s+")).map(URI::create).toList();
        return new RetrievalCorpus(set, properties.getProperty("package"), properties.getProperty("version"),
                properties.getProperty("sha256"), urls, properties.getProperty("html"), lines(set, "pages.txt"));
    }

    /** {@code set} if it is one of {@link #SETS}; otherwise a refusal that lists them. */
    public static String named(String set) {
        if (!SETS.contains(set)) {
            throw new InvalidSettingException("unknown retrieval set '" + set + "'; choose from " + SETS);
        }
        return set;
    }

    static InputStream resource(String set, String name) {
        named(set);
        InputStream in = RetrievalCorpus.class.getResourceAsStream("/retrieval/" + set + "/" + name);
        if (in == null) {
            throw new IllegalStateException("retrieval/" + set + "/" + name + " is not on the class path");
        }
        return in;
    }

    private static SequencedSet<String> lines(String set, String name) {
        try (InputStream in = resource(set, name)) {
            SequencedSet<String> lines = new LinkedHashSet<>();
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty()).forEach(lines::add);
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read retrieval/" + set + "/" + name, e);
        }
    }

    /** The name of the package file, as the Debian pool names it. */
    public String debFileName() {
        return packageName + "_" + version + "_all.deb";
    }

    /**
     * The subset's pages on disk under {@code cacheDirectory}: downloads and checks the package
     * unless a checked copy is there, and unpacks the pages unless they are.
     *
     * @return the directory holding the pages
     */
    public Path install(Path cacheDirectory) {
        Path pagesDirectory = cacheDirectory.resolve(packageName + "_" + version);
        if (pages.stream().allMatch(page -> Files.isRegularFile(pagesDirectory.resolve(page)))) {
            return pagesDirectory;
        }
        try {
            Files.createDirectories(pagesDirectory);
            Path deb = cacheDirectory.resolve(debFileName());
            if (!Files.isRegularFile(deb) || !sha256.equals(sha256(deb))) {
                download(deb);
            }
            unpack(deb, pagesDirectory);
            return pagesDirectory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install " + debFileName() + " into " + cacheDirectory, e);
        }
    }

    private void download(Path deb) throws IOException {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        List<String> failures = new ArrayList<>();
        Path partial = deb.resolveSibling(deb.getFileName() + ".part");
        for (URI url : urls) {
            try {
                HttpResponse<Path> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5))
                        .build(), HttpResponse.BodyHandlers.ofFile(partial));
                if (response.statusCode() != 200) {
                    failures.add(url + ": HTTP " + response.statusCode());
                    continue;
                }
                String actual = sha256(partial);
                if (!actual.equals(sha256)) {
                    failures.add(url + ": SHA-256 " + actual + ", expected " + sha256);
                    continue;
                }
                Files.move(partial, deb, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (IOException e) {
                failures.add(url + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading " + url, e);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        throw new IOException("cannot fetch " + debFileName() + ": " + failures);
    }

    /** The listed pages out of the package's {@code data.tar.xz}. */
    private void unpack(Path deb, Path pagesDirectory) throws IOException {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            for (ArArchiveEntry member = ar.getNextEntry(); member != null; member = ar.getNextEntry()) {
                if (!member.getName().equals("data.tar.xz")) {
                    continue;
                }
                TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(ar));
                int found = 0;
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                    if (entry.isFile() && name.startsWith(htmlPrefix)
                            && pages.contains(name.substring(htmlPrefix.length()))) {
                        // Some collections keep their pages in subdirectories (library/os.html).
                        Path page = pagesDirectory.resolve(name.substring(htmlPrefix.length()));
                        Files.createDirectories(page.getParent());
                        Files.copy(tar, page, StandardCopyOption.REPLACE_EXISTING);
                        found++;
                    }
                }
                if (found != pages.size()) {
                    throw new IOException(debFileName() + " holds " + found + " of the " + pages.size()
                            + " pages listed in retrieval/" + set + "/pages.txt");
                }
                return;
            }
        }
        throw new IOException(debFileName() + " has no data.tar.xz");
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
