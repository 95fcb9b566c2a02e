# The ai-todo image. Build it with `todoctl build`, which assembles the context this file expects:
# src/<package>/, requirements/ai-todo.txt, certs/ (empty, or the CA given with --ca-cert).
ARG BASE_IMAGE=python:3.13-slim

FROM ${BASE_IMAGE} AS build
# An extra CA (a TLS-inspecting proxy's) is trusted for pip in this stage only; the runtime stage below
# starts again from the clean base, so the certificate never reaches the image that ships.
COPY certs/ /tmp/extra-ca/
COPY requirements/ai-todo.txt /tmp/requirements.txt
COPY dockerfiles/ai-todo.prune /tmp/prune
# psycopg's C extension is built here against Debian's libpq, which the runtime stage installs: the
# binary wheel would carry its own copy of libpq, OpenSSL and Kerberos (10 MB) beside the base's.
RUN set -eu; \
    apt-get update -qq; \
    apt-get install -qq -y --no-install-recommends binutils gcc libc6-dev libpq-dev python3-dev >/dev/null
RUN set -eu; \
    if ls /tmp/extra-ca/*.crt >/dev/null 2>&1; then \
        cat /etc/ssl/certs/ca-certificates.crt /tmp/extra-ca/*.crt > /tmp/ca-bundle.crt; \
        export PIP_CERT=/tmp/ca-bundle.crt; \
    fi; \
    python3 -m venv /opt/venv; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-compile -r /tmp/requirements.txt; \
    /opt/venv/bin/pip uninstall --yes --disable-pip-version-check pip; \
    find /opt/venv -depth -type d \( -name __pycache__ -o -name tests -o -name test \) -exec rm -rf {} +
# What the service never imports stays out (see the .prune file); the rest of the wheels' extension
# modules lose their symbol tables (SQLAlchemy's: 2 MB each, 0.2 MB stripped).
RUN set -eu; \
    cd /opt/venv/lib/python3*/site-packages; \
    grep -v -e '^#' -e '^$' /tmp/prune | while read -r entry; do rm -rf "./$entry" "./$entry.py"; done; \
    find /opt/venv -type f -name '*.so*' -exec strip --strip-unneeded {} +
COPY src/todo_core /opt/app/todo_core
COPY src/ai_todo /opt/app/ai_todo
# The root filesystem is read-only at run time, so bytecode is compiled now or never (and start-up
# would pay for compiling on every start). -o 0 only: optimized levels would just add size. The
# dependencies' bytecode leaves out column positions (a traceback through them still names each
# file and line, without the ^^^ under the expression): 2 MB less across both images.
RUN set -eu; \
    PYTHONNODEBUGRANGES=1 python3 -m compileall -q -j 0 -o 0 /opt/venv; \
    python3 -m compileall -q -j 0 -o 0 /opt/app

FROM ${BASE_IMAGE}
# The libpq psycopg's C extension was built against. First in the stage and written alike in both
# Dockerfiles, so both images share this layer.
RUN set -eu; \
    apt-get update -qq; \
    apt-get install -qq -y --no-install-recommends libpq5 >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
ARG VERSION=0.0.0
ARG SOURCE=https://github.com/todoctl/todoctl
LABEL org.opencontainers.image.title="todoctl ai-todo" \
      org.opencontainers.image.description="Chat service of the AI Todo chatbot" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/opt/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/app /opt/app
# A fixed numeric uid, so Kubernetes' runAsNonRoot can verify it without a passwd entry.
USER 10001:10001
EXPOSE 8000
# Exec form: the server is PID 1 and receives SIGTERM itself, which its graceful shutdown relies on.
ENTRYPOINT ["python3", "-m", "ai_todo"]
