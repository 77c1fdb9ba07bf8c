# One image per service, from one parameterised Dockerfile:
#   docker build --build-arg SERVICE=gateway-service -t tributary/gateway-service .
# docker-compose.yml builds all four this way. The build stage uses the Maven wrapper, so
# the image needs nothing but a JDK, like a fresh machine.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests package

FROM eclipse-temurin:17-jre
ARG SERVICE
# curl answers the health checks (Actuator readiness) in docker-compose.yml.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/${SERVICE}/target/${SERVICE}-exec.jar /app/app.jar
ENV JAVA_TOOL_OPTIONS="-Xms64m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
