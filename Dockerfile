# govreports in a container: Debian's Chromium (rendering), LibreOffice (DOC/WPS), poppler, the
# OCR extra, and the locked Python dependencies. compose.yaml runs Redis plus N workers with it.
#   docker build -t govreports .
#   docker run --rm -v "$PWD/data:/data" govreports extract /data/report.pdf
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei \
 && apt-get install -y --no-install-recommends libreoffice-writer-nogui poppler-utils tini \
 && rm -rf /var/lib/apt/lists/*

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    GOVREPORTS_CHROMIUM=/usr/bin/chromium \
    GOVREPORTS_SOFFICE=/usr/bin/soffice

WORKDIR /src
COPY pyproject.toml README.md LICENSE requirements.lock ./
COPY govreports ./govreports
COPY govreports_farm ./govreports_farm
# the locked versions as constraints; the ocr extra when this version of the project has one
RUN pip install -c requirements.lock ".[cluster,ocr]" && rm -rf /src

# everything a worker keeps (state/ database, the archive, output/ feeds) lives under /data:
# give each worker its own volume there
RUN useradd --create-home --uid 1000 govreports && mkdir /data && chown govreports /data
USER govreports
WORKDIR /data
ENTRYPOINT ["tini", "--", "scrapy"]
CMD ["--help"]
