// drizzle-kit configuration: generates the committed SQL migrations in drizzle/ from the store schema.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/adapters/store/schema.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
