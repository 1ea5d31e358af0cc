import { describe, expect, it } from 'vitest';
import { describeProblems, fieldText, toUserRecord } from './user-record';

describe('Salesforce fields from claim values', () => {
  it('sends the first of several roles to ProfileId and warns, joins lists elsewhere, never splits a text', () => {
    expect(fieldText({ name: 'ProfileId', value: ['00eA', '00eB'] })).toBe('00eA');
    expect(fieldText({ name: 'Department', value: ['Sales, EMEA', 'Ops'] })).toBe('Sales, EMEA,Ops');
    expect(fieldText({ name: 'Department', value: 'Sales, EMEA' })).toBe('Sales, EMEA');
    expect(toUserRecord([{ name: 'ProfileId', value: ['00eA', '00eB'], source: 'user' }, { name: 'IsActive', value: 'TRUE', source: 'default' }])).toEqual({ ProfileId: '00eA', IsActive: true });
    expect(describeProblems([{ name: 'ProfileId', value: ['00eA', '00eB'], source: 'user' }], false)).toEqual([
      'ProfileId has several values ("00eA", "00eB"); only the first is sent (order the IdP\'s role mappings by priority)',
    ]);
    expect(describeProblems([{ name: 'ProfileId', value: ['00eA'], source: 'user' }], false)).toEqual([]);
  });
});
