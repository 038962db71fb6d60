import { defineConfig } from 'drizzle-kit';

// The PostgreSQL migrations (team server, issue 18), generated from the tables derived from
// src/main/engine/db/schema.ts: `npx drizzle-kit generate --config drizzle.pg.config.ts`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/main/engine/db/pg/schema.ts',
  out: './drizzle-pg',
});
