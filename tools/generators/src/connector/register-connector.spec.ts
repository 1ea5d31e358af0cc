import { describe, expect, it } from 'vitest';
import { insertConnector } from './register-connector';

const HOST = `import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { googleConnector } from '@provisioning/connector-google';

/** doc */
export const CONNECTORS: readonly ConnectorDefinition[] = [
  googleConnector as ConnectorDefinition,
];
`;

describe('insertConnector', () => {
  it('adds the import after the last one and the entry at the end of the list', () => {
    const out = insertConnector(HOST, '@provisioning/connector-workday', 'workdayConnector');
    expect(out).toBe(`import type { ConnectorDefinition } from '@provisioning/connector-kit';
import { googleConnector } from '@provisioning/connector-google';
import { workdayConnector } from '@provisioning/connector-workday';

/** doc */
export const CONNECTORS: readonly ConnectorDefinition[] = [
  googleConnector as ConnectorDefinition,
  workdayConnector as ConnectorDefinition,
];
`);
  });

  it('is idempotent', () => {
    const once = insertConnector(HOST, '@provisioning/connector-workday', 'workdayConnector');
    expect(insertConnector(once, '@provisioning/connector-workday', 'workdayConnector')).toBe(once);
  });

  it('adds a missing trailing comma after the last entry', () => {
    const out = insertConnector(HOST.replace('ConnectorDefinition,\n];', 'ConnectorDefinition\n];'), '@provisioning/connector-x', 'xConnector');
    expect(out).toContain('  googleConnector as ConnectorDefinition,\n  xConnector as ConnectorDefinition,\n];');
  });

  it('refuses, naming what to add by hand, when the anchors are missing', () => {
    expect(() => insertConnector('export const OTHER = [];\n', '@provisioning/connector-x', 'xConnector')).toThrow(/add xConnector from '@provisioning\/connector-x' by hand/);
  });
});
