import { defineConfig } from 'drizzle-kit'

// Used for `npm run db:generate` only. Migrations are applied from code at boot (src/server/db/migrate.ts)
// because drizzle-kit's own migrate cannot load PGlite extensions.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema/index.ts',
  out: './src/server/db/migrations',
})
