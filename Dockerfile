# salve serve as a container image: multi-stage, non-root, pinned bases, and the same pinned opa
# and kustomize that scripts/setup installs. Build: `docker build -t salve:0.1.0 .`
# For a reproducible build, pin the bases by digest too (`FROM node:20.20.2-bookworm-slim@sha256:…`)
# in your registry's pipeline.

# opa and kustomize, built from source at the versions engine/tools expects.
FROM golang:1.26.8-bookworm AS tools
ARG OPA_VERSION=v1.22.0
ARG KUSTOMIZE_VERSION=v5.8.1
ENV CGO_ENABLED=0 GOBIN=/out
RUN GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@${OPA_VERSION}" \
 && go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"

# Production npm dependencies only, from the lockfile.
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM node:20.20.2-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOME=/tmp \
    SALVE_OPA=/usr/local/bin/opa \
    SALVE_KUSTOMIZE=/usr/local/bin/kustomize \
    SALVE_STATE_DIR=/var/lib/salve \
    SALVE_PORT=8080
COPY --from=tools /out/opa /out/kustomize /usr/local/bin/
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY engine ./engine
COPY policies ./policies
COPY templates ./templates
COPY schemas ./schemas
COPY models ./models
# A numeric, unprivileged user (Kubernetes' runAsNonRoot checks the number); the state directory
# is its own, everything else is read-only to it.
RUN mkdir -p /var/lib/salve && chown 10001:10001 /var/lib/salve
USER 10001:10001
EXPOSE 8080
VOLUME ["/var/lib/salve"]
ENTRYPOINT ["node", "--import", "tsx", "engine/cli/main.ts"]
CMD ["serve"]
