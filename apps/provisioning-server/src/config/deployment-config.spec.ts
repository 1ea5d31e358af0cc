import { describe, expect, it } from 'vitest';
import { parseConfigText } from './deployment-config';

const GUIDE_TOML = String.raw`
[super_admin]
username = "admin@wso2.com"
password = "admin"

[tenant_mgt]
enable_email_domain = true

[user_store]
user_name_attribute = "mail"
user_name_search_filter = "(&(objectClass=person)(mail=?))"
user_name_list_filter = "(&(objectClass=person)(!(sn=Service)))"
username_java_regex = '^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$'
username_java_script_regex = '^[a-zA-Z0-9._-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,4}$'
`;

describe('deployment.toml', () => {
  it('applies the documented defaults', () => {
    const config = parseConfigText('', 'test.toml');
    expect(config.server).toMatchObject({ port: 9443, tls: true });
    expect(config.server.dataDir).toMatch(/data$/);
    expect(config.databaseUrl).toMatch(/^sqlite:.*provisioning\.db$/);
    expect(config.userStore.usernameRegex).toBe('^[\\S]{3,255}$');
    expect(config.userStore.passwordRegex).toBe('^[^\\p{Cc}]{5,256}$');
    expect(config.provisioning.failOnBlockingFailure).toBe(false);
  });

  it("stops on the guide's double-backslash regex, naming the key and the fix", () => {
    expect(() => parseConfigText(GUIDE_TOML, 'deployment.toml')).toThrow(/user_store\.username_java_script_regex/);
    try {
      parseConfigText(GUIDE_TOML, 'deployment.toml');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('admin@wso2.com');
      expect(message).toMatch(/backslash/i);
    }
  });

  it('accepts the guide configuration once the regex has one backslash', () => {
    const fixed = GUIDE_TOML.replace(/\\\\\./g, '\\.');
    const config = parseConfigText(fixed, 'deployment.toml');
    expect(config.superAdmin.username).toBe('admin@wso2.com');
    expect(config.enableEmailDomain).toBe(true);
  });

  it('names unknown sections and keys', () => {
    expect(() => parseConfigText('[nonsense]\na = 1\n', 'x.toml')).toThrow(/unknown section \[nonsense\]/);
    expect(() => parseConfigText('[server]\nprot = 1\n', 'x.toml')).toThrow(/unknown key server\.prot in \[server\]/);
  });

  it('names the key, the value and the reason for a wrong type or value', () => {
    expect(() => parseConfigText('[server]\nport = "9443"\n', 'x.toml')).toThrow(/server\.port = "9443": .*number/);
    expect(() => parseConfigText('[server]\nport = 70000\n', 'x.toml')).toThrow(/server\.port = 70000/);
    expect(() => parseConfigText('[tenant_mgt]\nenable_email_domain = "yes"\n', 'x.toml')).toThrow(/tenant_mgt\.enable_email_domain = "yes"/);
  });

  it('reports TOML syntax errors with their line', () => {
    expect(() => parseConfigText('[server\nport = 1', 'x.toml')).toThrow(/x\.toml: invalid TOML at line 1/);
  });

  it('never echoes a password in an error', () => {
    expect(() => parseConfigText('[super_admin]\nusername = "admin"\npassword = 5\n', 'x.toml')).toThrow(/super_admin\.password = \(hidden\)/);
  });

  it('rejects a regex that does not compile, naming the key', () => {
    expect(() => parseConfigText("[user_store]\nusername_java_script_regex = '^[a-z'\n", 'x.toml')).toThrow(/user_store\.username_java_script_regex/);
  });
});
