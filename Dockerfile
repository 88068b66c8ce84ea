# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npm run build

# Runtime stage: production dependencies and the compiled CLI only, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY bench-profiles ./bench-profiles
COPY servers ./servers
COPY --from=build /app/dist/src ./dist/src
RUN ln -s /app/bin/wsbench.js /usr/local/bin/wsbench && mkdir -p /app/results && chown node:node /app/results
USER node
EXPOSE 8080
ENTRYPOINT ["wsbench"]
CMD ["serve", "--port", "8080"]
