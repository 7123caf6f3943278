# Latchkey in a container: docker build -t latchkey . && docker run -p 8080:8080 -v latchkey-data:/data latchkey
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon here.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
RUN npm ci --ignore-scripts=false && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# Behind a reverse proxy, pass LATCHKEY_TRUST_PROXY=<the proxy's address or CIDR as the container sees it>
# (e.g. `private` on a compose network; see deploy/compose.yaml): without it, X-Forwarded-For is ignored and
# every client has the proxy's address. `true` is refused at start-up.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATABASE_URL=sqlite:/data/latchkey.db
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "packages/server/bin/latchkey.js", "serve"]
