package io.dynrag.app.config;

import io.dynrag.platform.http.CorsPolicy;
import io.dynrag.platform.http.TrustedProxies;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every setting of the executable, read from environment variables with a default each.
 * The table in docs/configuration.md lists exactly these names.
 */
public record Settings(
        Path dataDir,
        String httpHost,
        int httpPort,
        TrustedProxies trustedProxies,
        CorsPolicy cors,
        Optional<String> adminToken,
        long maxUploadBytes,
        int maxChunkTokens,
        int embeddingThreads,
        int streamThreads,
        int topicPartitions,
        short topicReplication,
        boolean createTopics,
        Optional<String> kafkaBootstrapServers,
        Optional<Path> kafkaPropertiesFile,
        int kafkaPort,
        Optional<String> jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        Optional<String> s3Endpoint,
        String s3Region,
        Optional<String> s3AccessKey,
        Optional<String> s3SecretKey,
        String s3Bucket,
        Optional<String> lanceRoot,
        Optional<String> keyEncryptionKeys,
        String tokenIssuer,
        String tokenAudience,
        Duration accessTokenLifetime,
        Duration refreshTokenLifetime,
        Duration signingKeyRotation,
        int defaultRequestsPerMinute,
        int defaultRequestsPerDay,
        int defaultMaxDocuments,
        int ceilingRequestsPerMinute,
        int ceilingRequestsPerDay,
        int ceilingMaxDocuments,
        Optional<String> bootstrapAdminEmail,
        Optional<String> bootstrapAdminPassword,
        Map<String, BigDecimal> embeddingPrices,
        int maxPages,
        int maxExtractedCharacters,
        String urlAllowlist,
        Duration urlConnectTimeout,
        Duration urlFetchTimeout,
        int urlMaxRedirects,
        int urlFetches,
        int urlFetchesPerCustomer,
        long urlTempBytes,
        long urlTempBytesPerCustomer,
        Duration urlFetchQueueWait,
        int batchMaxItems,
        long batchMaxBytes,
        Duration webhookFirstRetry,
        Duration webhookRetryWindow,
        long vectorIndexRows,
        Duration longestDocument,
        Duration pipelineSessionTimeout,
        Duration idempotencyLease,
        int sseMaxStreams,
        int sseMaxStreamsPerCustomer,
        String managementHost,
        int managementPort,
        String logFormat,
        Duration toolCallRetention,
        int maxHistoryRetentionDays) {

    /** Settings that must agree with each other; each message names the variables to change. */
    public Settings {
        requireAtLeast("DYNRAG_CEILING_REQUESTS_PER_MINUTE", ceilingRequestsPerMinute,
                "DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", defaultRequestsPerMinute);
        requireAtLeast("DYNRAG_CEILING_REQUESTS_PER_DAY", ceilingRequestsPerDay,
                "DYNRAG_DEFAULT_REQUESTS_PER_DAY", defaultRequestsPerDay);
        requireAtLeast("DYNRAG_CEILING_MAX_DOCUMENTS", ceilingMaxDocuments,
                "DYNRAG_DEFAULT_MAX_DOCUMENTS", defaultMaxDocuments);
        requireAtLeast("DYNRAG_URL_FETCHES", urlFetches, "DYNRAG_URL_FETCHES_PER_CUSTOMER", urlFetchesPerCustomer);
        requireAtLeast("DYNRAG_URL_TEMP_BYTES", urlTempBytes, "DYNRAG_URL_TEMP_BYTES_PER_CUSTOMER",
                urlTempBytesPerCustomer);
        // A fetch reserves the largest page its customer may receive, which can be this large.
        requireAtLeast("DYNRAG_URL_TEMP_BYTES_PER_CUSTOMER", urlTempBytesPerCustomer, "DYNRAG_MAX_UPLOAD_BYTES",
                maxUploadBytes);
    }

    /** US dollars per million tokens; the local model costs nothing but compute. */
    static final String DEFAULT_PRICES = "all-minilm-l6-v2=0,all-minilm-l6-v2-q=0,bge-small-en-v1.5=0,"
            + "bge-small-en-v1.5-q=0,text-embedding-3-small=0.02,text-embedding-3-large=0.13,"
            + "text-embedding-ada-002=0.10";


    public static Settings fromEnvironment() {
        return from(System.getenv());
    }

    public static Settings from(Map<String, String> env) {
        Reader read = new Reader(env);
        String httpHost = read.text("DYNRAG_HTTP_HOST", "127.0.0.1");
        return new Settings(
                Path.of(read.text("DYNRAG_DATA_DIR", ".dynrag")).toAbsolutePath().normalize(),
                httpHost,
                read.integer("DYNRAG_HTTP_PORT", 8080, 0, 65_535),
                read.trustedProxies("DYNRAG_TRUSTED_PROXIES"),
                read.cors("DYNRAG_CORS_ORIGINS"),
                read.optional("DYNRAG_ADMIN_TOKEN"),
                read.longInteger("DYNRAG_MAX_UPLOAD_BYTES", 25L * 1024 * 1024, 1, 1L << 40),
                read.integer("DYNRAG_CHUNK_TOKENS", 200, 16, 254),
                read.integer("DYNRAG_EMBEDDING_THREADS", Runtime.getRuntime().availableProcessors(), 1, 256),
                read.integer("DYNRAG_STREAM_THREADS", Runtime.getRuntime().availableProcessors(), 1, 64),
                read.integer("DYNRAG_KAFKA_PARTITIONS", 6, 1, 10_000),
                (short) read.integer("DYNRAG_KAFKA_REPLICATION", 1, 1, 32),
                read.flag("DYNRAG_KAFKA_CREATE_TOPICS", true),
                read.optional("DYNRAG_KAFKA_BOOTSTRAP_SERVERS"),
                read.optional("DYNRAG_KAFKA_PROPERTIES_FILE").map(Path::of),
                // Fixed, not free, so that a consumer outside dev knows where to connect.
                read.integer("DYNRAG_KAFKA_PORT", 9092, 1, 65_535),
                read.optional("DYNRAG_JDBC_URL"),
                read.text("DYNRAG_JDBC_USER", "dynrag"),
                read.text("DYNRAG_JDBC_PASSWORD", "dynrag"),
                read.optional("DYNRAG_S3_ENDPOINT"),
                read.text("DYNRAG_S3_REGION", "us-east-1"),
                read.optional("DYNRAG_S3_ACCESS_KEY"),
                read.optional("DYNRAG_S3_SECRET_KEY"),
                read.text("DYNRAG_S3_BUCKET", "dynrag-documents"),
                read.lanceRoot("DYNRAG_LANCE_ROOT"),
                read.optional("DYNRAG_KEY_ENCRYPTION_KEYS"),
                read.text("DYNRAG_TOKEN_ISSUER", "dynrag"),
                read.text("DYNRAG_TOKEN_AUDIENCE", "dynrag-api"),
                Duration.ofMinutes(read.integer("DYNRAG_ACCESS_TOKEN_MINUTES", 15, 1, 24 * 60)),
                Duration.ofDays(read.integer("DYNRAG_REFRESH_TOKEN_DAYS", 30, 1, 365)),
                Duration.ofDays(read.integer("DYNRAG_SIGNING_KEY_ROTATION_DAYS", 30, 1, 3650)),
                read.integer("DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", 600, 1, 1_000_000),
                read.integer("DYNRAG_DEFAULT_REQUESTS_PER_DAY", 100_000, 1, 1_000_000_000),
                read.integer("DYNRAG_DEFAULT_MAX_DOCUMENTS", 10_000, 1, 10_000_000),
                read.integer("DYNRAG_CEILING_REQUESTS_PER_MINUTE", 600, 1, 1_000_000),
                read.integer("DYNRAG_CEILING_REQUESTS_PER_DAY", 100_000, 1, 1_000_000_000),
                read.integer("DYNRAG_CEILING_MAX_DOCUMENTS", 10_000, 1, 10_000_000),
                read.optional("DYNRAG_BOOTSTRAP_ADMIN_EMAIL"),
                read.optional("DYNRAG_BOOTSTRAP_ADMIN_PASSWORD"),
                read.prices("DYNRAG_EMBEDDING_PRICES", DEFAULT_PRICES),
                read.integer("DYNRAG_MAX_PAGES", 2_000, 1, 1_000_000),
                read.integer("DYNRAG_MAX_EXTRACTED_CHARACTERS", 5_000_000, 1_000, 500_000_000),
                read.text("DYNRAG_URL_ALLOWLIST", ""),
                Duration.ofSeconds(read.integer("DYNRAG_URL_CONNECT_TIMEOUT_SECONDS", 10, 1, 300)),
                Duration.ofSeconds(read.integer("DYNRAG_URL_FETCH_TIMEOUT_SECONDS", 30, 1, 3_600)),
                read.integer("DYNRAG_URL_MAX_REDIRECTS", 5, 0, 20),
                read.integer("DYNRAG_URL_FETCHES", 16, 1, 10_000),
                read.integer("DYNRAG_URL_FETCHES_PER_CUSTOMER", 4, 1, 10_000),
                read.longInteger("DYNRAG_URL_TEMP_BYTES", 512L * 1024 * 1024, 1, 1L << 50),
                read.longInteger("DYNRAG_URL_TEMP_BYTES_PER_CUSTOMER", 128L * 1024 * 1024, 1, 1L << 50),
                Duration.ofSeconds(read.integer("DYNRAG_URL_FETCH_QUEUE_SECONDS", 10, 0, 300)),
                read.integer("DYNRAG_BATCH_MAX_ITEMS", 100, 1, 1_000),
                read.longInteger("DYNRAG_BATCH_MAX_BYTES", 100L * 1024 * 1024, 1, 1L << 40),
                Duration.ofSeconds(read.integer("DYNRAG_WEBHOOK_FIRST_RETRY_SECONDS", 30, 1, 3_600)),
                Duration.ofSeconds(read.integer("DYNRAG_WEBHOOK_RETRY_WINDOW_SECONDS", 86_400, 1, 7 * 86_400)),
                read.longInteger("DYNRAG_VECTOR_INDEX_ROWS", 50_000, 1_000, 1L << 40),
                // At most 600: plus the pipeline's 5-minute write allowance, that is a transaction timeout
                // of 15 minutes, the most a broker allows by default (transaction.max.timeout.ms).
                Duration.ofSeconds(read.integer("DYNRAG_LONGEST_DOCUMENT_SECONDS", 600, 10, 600)),
                Duration.ofSeconds(read.integer("DYNRAG_PIPELINE_SESSION_TIMEOUT_SECONDS", 45, 6, 300)),
                Duration.ofSeconds(read.integer("DYNRAG_IDEMPOTENCY_LEASE_SECONDS", 60, 5, 3_600)),
                read.integer("DYNRAG_SSE_MAX_STREAMS", 1_000, 1, 100_000),
                read.integer("DYNRAG_SSE_MAX_STREAMS_PER_CUSTOMER", 20, 1, 100_000),
                read.text("DYNRAG_MANAGEMENT_HOST", httpHost),
                // Prometheus' default exporter port; 0 picks a free one.
                read.integer("DYNRAG_MANAGEMENT_PORT", 9464, 0, 65_535),
                // The logging configuration (logback.xml) reads it itself, before any setting is read; checked
                // here so that a misspelt format stops the process with this message rather than its logs.
                read.oneOf("DYNRAG_LOG_FORMAT", "text", "text", "json"),
                Duration.ofDays(read.integer("DYNRAG_TOOL_CALL_RETENTION_DAYS", 90, 1, 3_650)),
                read.integer("DYNRAG_MAX_HISTORY_RETENTION_DAYS", 365, 1, 3_650));
    }

    /** The settings with secrets that {@code dev} generates into its data directory. */
    public Settings withDevSecrets(String operatorToken, String generatedKeyEncryptionKeys) {
        return new Settings(dataDir, httpHost, httpPort, trustedProxies, cors,
                Optional.of(operatorToken), maxUploadBytes, maxChunkTokens,
                embeddingThreads, streamThreads, topicPartitions, topicReplication, createTopics, kafkaBootstrapServers,
                kafkaPropertiesFile, kafkaPort,
                jdbcUrl,
                jdbcUser, jdbcPassword, s3Endpoint, s3Region, s3AccessKey, s3SecretKey, s3Bucket, lanceRoot,
                Optional.of(generatedKeyEncryptionKeys), tokenIssuer, tokenAudience, accessTokenLifetime,
                refreshTokenLifetime, signingKeyRotation, defaultRequestsPerMinute, defaultRequestsPerDay,
                defaultMaxDocuments, ceilingRequestsPerMinute, ceilingRequestsPerDay, ceilingMaxDocuments,
                bootstrapAdminEmail, bootstrapAdminPassword, embeddingPrices, maxPages,
                maxExtractedCharacters, urlAllowlist, urlConnectTimeout, urlFetchTimeout, urlMaxRedirects,
                urlFetches, urlFetchesPerCustomer, urlTempBytes, urlTempBytesPerCustomer, urlFetchQueueWait,
                batchMaxItems, batchMaxBytes, webhookFirstRetry, webhookRetryWindow, vectorIndexRows,
                longestDocument, pipelineSessionTimeout, idempotencyLease, sseMaxStreams, sseMaxStreamsPerCustomer,
                managementHost, managementPort, logFormat, toolCallRetention, maxHistoryRetentionDays);
    }

    /** Keeps secrets out of logs. */
    @Override
    public String toString() {
        return "Settings[dataDir=" + dataDir + ", http=" + httpHost + ":" + httpPort
                + ", management=" + managementHost + ":" + managementPort
                + ", maxUploadBytes=" + maxUploadBytes + ", maxChunkTokens=" + maxChunkTokens
                + ", embeddingThreads=" + embeddingThreads + ", streamThreads=" + streamThreads
                + ", kafka=" + kafkaBootstrapServers.orElse("embedded") + ", jdbc=" + jdbcUrl.orElse("embedded")
                + ", s3=" + s3Endpoint.map(Object::toString).orElse("embedded in dev, else AWS S3")
                + ", bucket=" + s3Bucket
                + ", tokenIssuer=" + tokenIssuer + ", tokenAudience=" + tokenAudience + "]";
    }

    private static void requireAtLeast(String name, long value, String lowerName, long lower) {
        if (value < lower) {
            throw new InvalidSettingException(name + " (" + value + ") must be at least " + lowerName + " (" + lower
                    + "); raise the one or lower the other");
        }
    }

    private record Reader(Map<String, String> env) {

        Optional<String> optional(String name) {
            return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
        }

        String text(String name, String fallback) {
            return optional(name).orElse(fallback);
        }

        TrustedProxies trustedProxies(String name) {
            try {
                return TrustedProxies.parse(text(name, ""));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(name + ": " + e.getMessage());
            }
        }

        CorsPolicy cors(String name) {
            try {
                return CorsPolicy.parse(text(name, ""));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(name + ": " + e.getMessage());
            }
        }

        boolean flag(String name, boolean fallback) {
            return Boolean.parseBoolean(oneOf(name, Boolean.toString(fallback), "true", "false"));
        }

        String oneOf(String name, String fallback, String... allowed) {
            String value = text(name, fallback);
            if (!List.of(allowed).contains(value)) {
                throw new InvalidSettingException(name + " must be one of " + String.join(", ", allowed) + ", not '"
                        + value + "'");
            }
            return value;
        }

        /** A directory, or {@code s3://<bucket>[/<prefix>]}: the object store Lance is given the S3 settings of. */
        Optional<String> lanceRoot(String name) {
            Optional<String> root = optional(name);
            if (root.isEmpty() || !root.get().contains("://")) {
                return root;
            }
            if (!root.get().startsWith("s3://")) {
                throw new InvalidSettingException(name + " must be a directory or s3://<bucket>[/<prefix>];"
                        + " other object stores are not supported: '" + root.get() + "'");
            }
            String bucket = root.get().substring("s3://".length()).split("/", 2)[0];
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new InvalidSettingException(name + " must name a valid bucket (3 to 63 of a-z, 0-9, '.', '-')"
                        + " in s3://<bucket>[/<prefix>], not '" + root.get() + "'");
            }
            return root;
        }

        int integer(String name, int fallback, int min, int max) {
            return (int) longInteger(name, fallback, min, max);
        }

        Map<String, BigDecimal> prices(String name, String fallback) {
            Map<String, BigDecimal> prices = new TreeMap<>();
            for (String entry : text(name, fallback).split(",")) {
                String[] parts = entry.strip().split("=", 2);
                try {
                    BigDecimal price = new BigDecimal(parts[1].strip());
                    if (parts[0].isBlank() || price.signum() < 0) {
                        throw new NumberFormatException();
                    }
                    prices.put(parts[0].strip(), price);
                } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                    throw new InvalidSettingException(name + " must be <model>=<US dollars per million tokens>,"
                            + " comma-separated; '" + entry.strip() + "' is not");
                }
            }
            return Map.copyOf(prices);
        }

        long longInteger(String name, long fallback, long min, long max) {
            Optional<String> raw = optional(name);
            if (raw.isEmpty()) {
                return fallback;
            }
            long value;
            try {
                value = Long.parseLong(raw.get());
            } catch (NumberFormatException e) {
                throw new InvalidSettingException(name + " must be a whole number, not '" + raw.get() + "'");
            }
            if (value < min || value > max) {
                throw new InvalidSettingException(name + " must be between " + min + " and " + max + ", not " + value);
            }
            return value;
        }
    }
}
