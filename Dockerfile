# The dynrag executable as an image; docker-compose.yml runs one role per container.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:25-jre
WORKDIR /opt/dynrag
COPY --from=build /src/app/target/lib ./lib
COPY --from=build /src/app/target/dynrag.jar ./dynrag.jar
ENV DYNRAG_DATA_DIR=/var/lib/dynrag \
    DYNRAG_HTTP_HOST=0.0.0.0 \
    DJL_CACHE_DIR=/var/lib/dynrag/cache/djl
RUN mkdir -p /var/lib/dynrag
EXPOSE 8080
ENTRYPOINT ["java", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", \
            "--sun-misc-unsafe-memory-access=allow", "-Dpdfbox.fontcache=/tmp", "-jar", "/opt/dynrag/dynrag.jar"]
CMD ["help"]
