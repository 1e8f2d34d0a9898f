# storebooks: one image for the API (`serve`), the workers (`worker`) and the
# release step (`migrate`). Build from the repository's root:
#
#     docker build -t storebooks:0.1.0 .
#
# Stage 1 builds the application and its dependencies into a virtual
# environment; stage 2 copies only that environment onto a clean slim base,
# so the running image holds no compiler, no pip cache and no sources
# beyond the installed package.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/storebooks
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY worker ./worker
RUN /opt/storebooks/bin/pip install --no-cache-dir . \
    && /opt/storebooks/bin/pip uninstall --yes pip

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="storebooks" \
      org.opencontainers.image.description="Bookkeeping backend for online stores" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 storebooks \
    && useradd --system --uid 10001 --gid storebooks --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin storebooks
COPY --from=build /opt/storebooks /opt/storebooks
# JSON logs on stderr, no GraphiQL page, listen on every interface of the
# container. The data directory is only for a generated secret key when
# STOREBOOKS_SECRET_KEY is missing: production always sets that variable.
ENV PATH=/opt/storebooks/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STOREBOOKS_HOST=0.0.0.0 \
    STOREBOOKS_PORT=8000 \
    STOREBOOKS_LOG_FORMAT=json \
    STOREBOOKS_GRAPHIQL=false \
    STOREBOOKS_DATA_DIR=/tmp/storebooks
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["storebooks"]
CMD ["serve"]
