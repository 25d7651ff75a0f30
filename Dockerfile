# weightlifter's container image: the controller (`run`, the default) and every other
# `weightlifter` command (e.g. `metrics-api`, deploy/metrics-api/).
#   docker build -t weightlifter:0.1.0 .
# Image names carry no registry host: tag and push to your own registry (deploy/kustomization.yaml
# `images:` points the manifests at it).

# --- build: compile TypeScript, then keep only the runtime dependencies ---
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency runs code at install time. It also skips the `node` dev
# dependency's download of a second Node binary; the image's own Node 22 runs tsc.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: Node 22, the compiled output and production dependencies, nothing else ---
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# package.json: dist/cli/main.js reads the version from it (two levels up).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Non-root, numeric so Kubernetes' runAsNonRoot can verify it (deploy/deployment.yaml uses 65532).
USER 65532:65532
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run"]
