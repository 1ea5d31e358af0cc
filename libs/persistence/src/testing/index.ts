/**
 * Test databases: every suite runs on SQLite by default and on PostgreSQL when
 * `PROVISIONING_TEST_DATABASE=postgres` (CI runs both). Each test gets its own database, named after
 * a key it chooses, so tests never see each other's rows.
 */
export { testDatabaseUrl, ensureTestDatabase, testDialect } from './test-database';
