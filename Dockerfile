# The web app (web/, a package of its own): built to static files the API serves at /.
FROM node:20 AS web
WORKDIR /app/web
COPY web/package.json web/package-lock.json ./
RUN npm ci
COPY web ./
# The forms share the API's pure resident-ID check (web/src/forms/resident-id.ts).
COPY src/org/resident-id.ts /app/src/org/resident-id.ts
RUN npm run build

# Build: full dev dependencies, TypeScript compiled to dist/, then dev dependencies pruned.
FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

# Run: compiled code and production dependencies only. The same image serves the API
# (default command) and the worker (`node dist/src/worker.js`).
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=web /app/web/dist ./web/dist
COPY workflows ./workflows
# Household attachments (ATTACHMENTS_DIR, default storage/attachments): owned by the user the
# process runs as; docker-compose mounts a volume here so they outlive the container.
RUN mkdir -p /app/storage/attachments && chown -R node:node /app/storage
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
