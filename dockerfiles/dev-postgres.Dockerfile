# The chart's development PostgreSQL (devPostgres), built from Debian's packages on the same base as the
# service images, so a cluster that cannot pull from Docker Hub gets one too. It honours what the chart
# asks of the official image: POSTGRES_USER, POSTGRES_DB, POSTGRES_PASSWORD and PGDATA, uid 999, a
# read-only root filesystem with /var/run/postgresql and /tmp mounted writable.
ARG BASE_IMAGE=python:3.13-slim
FROM ${BASE_IMAGE}
ARG VERSION=0.0.0
ARG SOURCE=https://github.com/todoctl/todoctl
LABEL org.opencontainers.image.title="todoctl dev-postgres" \
      org.opencontainers.image.description="Throwaway PostgreSQL for development clusters (not for production)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
# The user first, with the official image's uid, so the packages adopt it. Debian would also create a
# cluster in the image; the data directory belongs in the pod instead.
RUN set -eu; \
    groupadd --system --gid 999 postgres; \
    useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/sh postgres; \
    mkdir -p /etc/postgresql-common; \
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf; \
    apt-get update -qq; \
    apt-get install -qq -y --no-install-recommends postgresql >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*; \
    # The JIT's LLVM is two thirds of the image and buys nothing for a development database (jit=off).
    rm -rf /usr/lib/*-linux-gnu/libLLVM* /usr/lib/*-linux-gnu/libz3.so* \
        /usr/lib/postgresql/*/lib/bitcode /usr/lib/postgresql/*/lib/llvmjit*; \
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); \
    for program in postgres initdb pg_ctl pg_isready psql; do ln -sf "$bin/$program" /usr/local/bin/$program; done
COPY dockerfiles/dev-postgres.entrypoint.sh /usr/local/bin/dev-postgres-entrypoint
USER 999:999
ENV PGDATA=/var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/dev-postgres-entrypoint"]
