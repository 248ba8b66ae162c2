# The production launcher (module app) as an image; docker-compose.yml runs one role per container.
# The dev launcher, the embedded servers and the benchmarks are other modules: neither built nor copied.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package -pl app -am

FROM eclipse-temurin:25-jre
WORKDIR /opt/dynrag
COPY --from=build /src/app/target/lib ./lib
COPY --from=build /src/app/target/dynrag.jar ./dynrag.jar
# Only per-process state lives in the data directory (Kafka Streams' restorable stores, unpacked native
# libraries); a restart may lose it. The same layout as the Jib image (app's "image" profile).
ENV DYNRAG_DATA_DIR=/tmp/dynrag \
    DYNRAG_HTTP_HOST=0.0.0.0 \
    DJL_CACHE_DIR=/tmp/dynrag/cache/djl
USER 10001:10001
# The API, and every role's management port (metrics and health).
EXPOSE 8080 9464
ENTRYPOINT ["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", \
            "--sun-misc-unsafe-memory-access=allow", "-Dpdfbox.fontcache=/tmp", "-jar", "/opt/dynrag/dynrag.jar"]
CMD ["help"]
