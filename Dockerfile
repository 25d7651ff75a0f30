# weightlifter's container image: the controller (`run`, the default) and every other
# `weightlifter` command (e.g. `metrics-api`, deploy/metrics-api/).
#   docker build -t weightlifter:0.1.0 .
# Image names carry no registry host: tag and push to your own registry (deploy/kustomization.yaml
# `images:` points the manifests at it).

# --- build: type-check, then bundle the controller into one tree-shaken file ---
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency runs code at install time. It also skips the `node` dev
# dependency's download of a second Node binary; the image's own Node 22 runs tsc and esbuild.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The dashboard's page (web/), bundled into dist/web/ by `npm run build:web` (esbuild).
COPY web ./web
# tsc checks the types (its output is not shipped); `npm run build:bundle` (esbuild) writes
# dist/bundle/main.js from src/cli/main.ts with every runtime dependency inlined, unused code
# dropped and minified (names kept for stack traces), and their licences in main.js.LEGAL.txt.
# CommonJS dependencies call require(), which its banner provides. dev/ and bench/ are not copied.
RUN npx tsc -p tsconfig.build.json --noEmit && npm run build:bundle && npm run build:web
# The image's SBOM: every production dependency (name, locked version, licence, purl), CycloneDX 1.6
# JSON, written by `npm run sbom` (@cyclonedx/cyclonedx-npm, a dev dependency) from the installed
# tree; shipped in the image at /app/sbom.cdx.json for scanners, and `docker build --target build`
# plus `docker cp` gets it out. test/integration/supply-chain.test.ts runs the same script.
RUN npm run sbom

# --- runtime: Node 22 and the bundle, nothing else (no node_modules) ---
FROM node:22-bookworm-slim
ENV NODE_ENV=production
# V8's old generation, sized from the bench (docs/benchmarks.md, "Memory"): the live heap after a
# forced GC was 30.3 MiB at N = 500 and 56.7 MiB at N = 2,000 (about 21 MiB plus 18 KiB per
# canary), and without a cap V8 lets old space grow to about 4x the live heap during a rollout.
# 192 MiB is about 2x the live heap at N = 4,000; at N = 500 it held the rollout's peak RSS to
# 160-181 MiB. V8's young generation is capped at 4 MiB a semi-space: at N = 500 that took the
# rollout's peak RSS from 160 to 133 MiB (1.27x Flagger's) for about 11 % more CPU (two runs each).
# deploy/deployment.yaml sets the same flags next to its memory limit.
ENV NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=4"
WORKDIR /app
# package.json: the CLI reads its version from it (two levels above dist/bundle/main.js).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/bundle ./dist/bundle
COPY --from=build /app/dist/web ./dist/web
COPY --from=build /app/dist/sbom.cdx.json ./sbom.cdx.json
# Non-root, numeric so Kubernetes' runAsNonRoot can verify it (deploy/deployment.yaml uses 65532).
USER 65532:65532
ENTRYPOINT ["node", "dist/bundle/main.js"]
CMD ["run"]
