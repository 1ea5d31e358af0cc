import type { RunningEmulator } from '@provisioning/salesforce-emulator';

/** An account created in the org directly (by someone else, or before provisioning existed). */
export async function createInOrg(emu: RunningEmulator, fields: Record<string, unknown>): Promise<string> {
  const token = await fetch(`${emu.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'emulator-client-id', client_secret: 'emulator-client-secret', username: 'admin@emulator.test', password: 'passwordTOKEN' }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const base = { Alias: 'ext', TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', ProfileId: '00e2x000001AT3y', LanguageLocaleKey: 'en_US' };
  const res = await fetch(`${emu.url}/services/data/v60.0/sobjects/User`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...base, ...fields }),
  });
  const body = (await res.json()) as { id?: string };
  if (!body.id) throw new Error(`could not create ${JSON.stringify(fields)}: ${JSON.stringify(body)}`);
  return body.id;
}
