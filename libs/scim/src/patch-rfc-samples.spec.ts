import { describe, expect, it } from 'vitest';
import { readSample, sampleFiles } from '../test/rfc-samples';
import type { SampleIndex } from '../test/rfc-samples';
import { applyPatch } from './index';
import type { ResourceTypeName, ScimResource } from './index';

const fullUser = (): ScimResource => readSample('rfc7643-8.2-full-user.json');
const minimalUser = (): ScimResource => readSample('rfc7643-8.1-minimal-user.json');
const group = (): ScimResource => readSample('rfc7643-8.4-group.json');

const BABS = '2819c223-7f76-453a-919d-413861904646';
type Member = Record<string, unknown>;
const members = (resource: ScimResource): Member[] => resource.members as Member[];
/** The 8.4 group with Babs' member value spelled as a PATCH sample abbreviates it. */
function groupWithBabsAs(value: string): ScimResource {
  const start = group();
  start.members = members(start).map((member) => (member.value === BABS ? { ...member, value } : member));
  return start;
}
const mandy = (): Member => members(group())[1]!;

interface Scenario {
  readonly name: string;
  readonly type: ResourceTypeName;
  readonly start: () => ScimResource;
  readonly expected: (start: ScimResource) => ScimResource;
  readonly changed: boolean;
}

/**
 * Every RFC 7644 PATCH sample, applied to RFC 7643 example resources, with the result the RFC text describes
 * (members.display is readOnly here: a display the sample sends is ignored, RFC 7643 2.2).
 */
const scenarios: Record<string, Scenario[]> = {
  'rfc7644-3.5.2.1-add-member-to-group.json': [
    {
      name: 'adds Babs to a group without her',
      type: 'Group',
      start: () => ({ ...group(), members: [mandy()] }),
      // members.display is readOnly: the client's "Babs Jensen" is ignored (the server shows the member's name).
      expected: (start) => ({ ...start, members: [mandy(), { $ref: 'https://example.com/v2/Users/2819c223...413861904646', value: BABS }] }),
      changed: true,
    },
    {
      name: 'changes nothing when she is already a member (other $ref: same member)',
      type: 'Group',
      start: group,
      expected: (start) => start,
      changed: false,
    },
  ],
  'rfc7644-3.5.2.1-add-attributes-no-path.json': [
    {
      name: 'adds an email and "nickname" lands in nickName',
      type: 'User',
      start: minimalUser,
      expected: (start) => ({ ...start, emails: [{ value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' }),
      changed: true,
    },
    {
      name: 'changes nothing on the full user, who already has both',
      type: 'User',
      start: fullUser,
      expected: (start) => start,
      changed: false,
    },
  ],
  'rfc7644-3.5.2.2-remove-single-member.json': [
    {
      name: 'removes the member the (abbreviated) value names',
      type: 'Group',
      start: () => groupWithBabsAs('2819c223-7f76-...413861904646'),
      expected: (start) => ({ ...start, members: [mandy()] }),
      changed: true,
    },
    {
      name: 'is a successful no-op when nobody matches (the unabbreviated group)',
      type: 'Group',
      start: group,
      expected: (start) => start,
      changed: false,
    },
  ],
  'rfc7644-3.5.2.2-remove-all-members.json': [
    {
      name: 'leaves members unassigned',
      type: 'Group',
      start: group,
      expected: ({ members: _members, ...rest }) => rest,
      changed: true,
    },
  ],
  'rfc7644-3.5.2.2-remove-complex-multivalued-filter.json': [
    {
      name: 'removes the work email at example.com',
      type: 'User',
      start: fullUser,
      expected: (start) => ({ ...start, emails: [{ value: 'babs@jensen.org', type: 'home' }] }),
      changed: true,
    },
  ],
  'rfc7644-3.5.2.2-remove-and-add-member.json': [
    {
      name: 'removes Babs (eq without a space) and adds James',
      type: 'Group',
      start: () => groupWithBabsAs('2819c223...919d-413861904646'),
      expected: (start) => ({
        ...start,
        members: [mandy(), { $ref: 'https://example.com/v2/Users/08e1d05d...473d93df9210', value: '08e1d05d...473d93df9210' }],
      }),
      changed: true,
    },
  ],
  'rfc7644-3.5.2.2-replace-members-remove-then-add.json': [
    {
      name: 'replaces all members by remove + add',
      type: 'Group',
      start: group,
      expected: (start) => ({
        ...start,
        members: [
          { $ref: 'https://example.com/v2/Users/2819c223...413861904646', value: BABS },
          { $ref: 'https://example.com/v2/Users/08e1d05d...473d93df9210', value: '08e1d05d-121c-4561-8b96-473d93df9210' },
        ],
      }),
      changed: true,
    },
  ],
  'rfc7644-3.5.2.3-replace-all-members.json': [
    {
      name: 'replaces all members in one operation',
      type: 'Group',
      start: group,
      expected: (start) => ({
        ...start,
        members: [
          { $ref: 'https://example.com/v2/Users/2819c223...413861904646', value: '2819c223...413861904646' },
          { $ref: 'https://example.com/v2/Users/08e1d05d...473d93df9210', value: '08e1d05d...473d93df9210' },
        ],
      }),
      changed: true,
    },
  ],
  'rfc7644-3.5.2.3-replace-work-address-valuepath.json': [
    {
      name: 'replaces the whole work address, home address untouched',
      type: 'User',
      start: fullUser,
      expected: (start) => ({
        ...start,
        addresses: [
          {
            type: 'work',
            streetAddress: '911 Universal City Plaza',
            locality: 'Hollywood',
            region: 'CA',
            postalCode: '91608',
            country: 'US',
            formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
            primary: true,
          },
          (start.addresses as unknown[])[1],
        ],
      }),
      changed: true,
    },
  ],
  'rfc7644-3.5.2.3-replace-subattribute-valuepath.json': [
    {
      name: 'replaces only streetAddress of the work address',
      type: 'User',
      start: fullUser,
      expected: (start) => {
        const [work, home] = start.addresses as Record<string, unknown>[];
        return { ...start, addresses: [{ ...work, streetAddress: '1010 Broadway Ave' }, home] };
      },
      changed: true,
    },
  ],
  'rfc7644-3.5.2.3-replace-attributes-no-path.json': [
    {
      name: 'replaces all emails and nickName ("nickname" in the request), nothing else',
      type: 'User',
      start: () => ({ ...fullUser(), emails: [{ value: 'old@example.com', type: 'other' }], nickName: 'Barbie' }),
      expected: () => fullUser(),
      changed: true,
    },
  ],
};

describe('RFC 7644 PATCH samples', () => {
  it('covers every PATCH sample the INDEX and the directory list', () => {
    const index = readSample<SampleIndex>('INDEX.json');
    const indexed = index.rfc7644_patch.map((entry) => entry.file).sort();
    const present = sampleFiles().filter((file) => file.startsWith('rfc7644-'));
    expect(present).toEqual(indexed);
    expect(Object.keys(scenarios).sort()).toEqual(indexed);
  });

  for (const [file, cases] of Object.entries(scenarios)) {
    describe(file, () => {
      it.each(cases)('$name', ({ type, start, expected, changed }) => {
        const resource = start();
        const before = JSON.stringify(resource);
        const result = applyPatch(resource, readSample(file), type);
        expect(result.resource).toEqual(expected(start()));
        expect(result.changed).toBe(changed);
        expect(JSON.stringify(resource), 'the input is not modified').toBe(before);
      });
    });
  }
});
