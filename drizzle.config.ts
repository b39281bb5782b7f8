import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` writes SQL and snapshots to db/migrations; `openDatabase` applies them at start.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './db/migrations',
});
