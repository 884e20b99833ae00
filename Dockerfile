# syntax=docker/dockerfile:1
# The proxy as a Cloud Run service.
#
# tsx is a devDependency, and Node 20 cannot run TypeScript by itself, so `npm ci --omit=dev` then
# `tsx proxy/cli.ts` is not an option. Instead the build stage bundles proxy/cli.ts with esbuild
# (already in the lockfile, as tsx's own dependency) into one ESM file (proxy/deploy/bundle.ts, the
# one definition of that build). The proxy has no runtime dependency (its SOCKS5 client and
# WebSocket framing are its own), so that file and Node are the whole runtime image: no
# node_modules, no compiler, fast cold starts. proxy/bundle.test.ts builds the same bundle and fails
# if any file outside the product (proxy/ and the shared facts in common/; never proxy/legacy/, tests,
# mocks) is in it; `npm run bench` measures it.
#
#   docker build -t proxy .                              # the proxy alone (tailscaled elsewhere)
#   docker build -t proxy-ts --target with-tailscale .   # tailscaled + proxy in one container (Cloud Run)

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed for bundling (esbuild's binary is an optional dependency).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY common ./common
COPY proxy ./proxy
RUN npx tsx proxy/deploy/bundle.ts dist/proxy.mjs \
 && node dist/proxy.mjs --help > /dev/null

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist/proxy.mjs ./proxy.mjs

# tailscaled (userspace networking, SOCKS5 on localhost:1055) and the proxy in one container.
FROM runtime AS with-tailscale
COPY --from=docker.io/tailscale/tailscale:stable /usr/local/bin/tailscaled /usr/local/bin/tailscale /usr/local/bin/
COPY proxy/deploy/entrypoint.sh /app/entrypoint.sh
RUN mkdir -p /var/run/tailscale && chown -R node:node /var/run/tailscale
USER node
EXPOSE 8080
CMD ["/app/entrypoint.sh"]

# Default target: the proxy alone. Cloud Run sets PORT; SOCKS5_PROXY / UPSTREAM_URL come from the service config.
FROM runtime AS proxy
USER node
EXPOSE 8080
CMD ["node", "/app/proxy.mjs"]
