# syntax=docker/dockerfile:1
# Node 24: the newest LTS line (supported until April 2028); node:20 is out of maintenance.
# Build stage: compile TypeScript with the dev dependencies (their install scripts are not needed
# to compile, so bun's and deno's binary downloads are skipped).
# The native send timer (native/send-timer.c, a timerfd for the load workers) is compiled here with
# node-gyp against the image's own Node headers, so the runtime stage needs no compiler.
FROM node:24-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json binding.gyp ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY native ./native
RUN npm run install && test -f build/Release/send_timer.node
COPY tsconfig.json ./
COPY src ./src
COPY servers ./servers
RUN npm run build

# Runtime stage: production dependencies and the compiled CLI only, as a non-root user, under tini
# (PID 1 forwards SIGTERM/SIGINT to wsbench and reaps the processes `load` and `serve --workers` start).
FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY bench-profiles ./bench-profiles
COPY servers ./servers
COPY LICENSE README.md ./
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/servers ./dist/servers
COPY --from=build /app/build/Release/send_timer.node ./build/Release/
RUN ln -s /app/bin/wsbench.js /usr/local/bin/wsbench && mkdir -p /app/results && chown node:node /app/results
USER node
EXPOSE 8080
# `load` writes results/ under /app: mount a directory on /app/results to keep them.
# For `serve` on its default port (another --port: docker run --health-cmd … or --no-healthcheck).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "wsbench"]
CMD ["serve", "--port", "8080"]
